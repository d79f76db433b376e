//===- DetachedModule.h - a module's copy in a context of its own -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The passes of this library compile and run copies of the module they
// transform. Lowering a copy loads dialects (linalg, LLVM, ...), which a
// context must not do while a pass manager runs on it, so each copy lives
// in a context of its own; it travels there as bytecode, resources
// included.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_AUTOQUANT_DETACHEDMODULE_H
#define QLIP_LIB_AUTOQUANT_DETACHEDMODULE_H

#include "qlip/Runtime/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::qlip {

/// An error with `message` (the passes of this library report them at the
/// module).
inline llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// A context with the dialects of `like` (its registry and qlip's input
/// dialects) and copies of modules in it.
class DetachedContext {
public:
  explicit DetachedContext(MLIRContext &like);

  MLIRContext &getContext() { return *context; }

  /// `module` copied into this context.
  llvm::Expected<OwningOpRef<ModuleOp>> copy(ModuleOp module);

private:
  std::unique_ptr<MLIRContext> context;
};

/// `entry` and the functions it calls, directly or not: what a run of
/// `entry` measures.
llvm::SmallPtrSet<Operation *, 8> getReachedFunctions(ModuleOp module,
                                                       llvm::StringRef entry);

/// The function to run: `entry` when given, else the module's first public
/// function (an error when it has none).
llvm::Expected<std::string> chooseEntry(ModuleOp module, llvm::StringRef entry);

/// The arrays of `files`, one per input of the entry (read, not checked).
llvm::Expected<std::vector<NpyArray>>
readSampleFiles(llvm::ArrayRef<std::string> files);

/// While it lives, the kernel calls of the models this library runs split
/// their work over every core (their results do not depend on the count);
/// then the count is what it was.
class ScopedKernelThreads {
public:
  ScopedKernelThreads();
  ~ScopedKernelThreads();
  ScopedKernelThreads(const ScopedKernelThreads &) = delete;
  ScopedKernelThreads &operator=(const ScopedKernelThreads &) = delete;

private:
  int previous;
};

/// Keeps the first `maxRows` rows (at least one) of each array; returns
/// the rows kept (the arrays are checked when first run).
int64_t keepFirstRows(std::vector<NpyArray> &arrays, int64_t maxRows);

/// The rows (at least `minRows`) whose values, over every array, are at
/// most `maxValues` (0: no limit): the samples a measurement can afford
/// when each costs in proportion to its size.
int64_t rowsWithinValues(llvm::ArrayRef<NpyArray> arrays, int64_t maxValues,
                         int64_t minRows);

} // namespace mlir::qlip

#endif // QLIP_LIB_AUTOQUANT_DETACHEDMODULE_H
