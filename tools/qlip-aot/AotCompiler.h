//===- AotCompiler.h - compile a model's entry ahead of time ----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The pieces of qlip-aot that work on MLIR: reading the entry function's
// tensor signature, preparing the tensor-level module for
// qlip-lower-to-llvm, and finishing the lowered module with a plain C entry
// point; and the C header that documents that entry point.
//
// The C entry point of `@main(tensor<1x8xf32>) -> tensor<1x10xf32>` is
//
//   int qlip_main(const float *input0, float *output0);
//
// an `llvm.func` that builds the memref descriptors of dense row-major
// buffers from the pointers (the shapes are constants) and calls the
// lowered function, so that after inlining the descriptors cost nothing.
// Every other definition of the module gets internal linkage: the object
// exports exactly one symbol, and the lowered `@main` cannot clash with C's
// `main`.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TOOLS_QLIP_AOT_AOTCOMPILER_H
#define QLIP_TOOLS_QLIP_AOT_AOTCOMPILER_H

#include "qlip/Runtime/Runner.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::qlip::aot {

/// What the C entry point looks like.
struct CEntry {
  /// The function of the model (`@main`).
  std::string entry;
  /// The C function's name (`qlip_main`); also, upper-cased, the prefix of
  /// the header's macros.
  std::string cName;
  /// The entry's tensor arguments and results, in order.
  llvm::SmallVector<TensorSpec> inputs;
  llvm::SmallVector<TensorSpec> outputs;
};

/// True if `name` is a C identifier.
bool isCIdentifier(llvm::StringRef name);

/// Reads the signature of `entry` from the tensor-level `module`. Emits an
/// error (on the function when there is one) and fails when the function is
/// missing, a declaration or private, or when an argument or result is not
/// a static tensor of an element type C can hold (f32, f64, i1, i8, ui8,
/// i16, i32, i64).
FailureOr<CEntry> readCEntry(ModuleOp module, llvm::StringRef entry,
                             llvm::StringRef cName);

/// Prepares the tensor-level module for qlip-lower-to-llvm: the entry's
/// arguments are marked non-writable (the C API takes them as `const`, so
/// bufferization must not reuse them), every other function becomes
/// private, and what the entry does not use is removed.
LogicalResult prepareForLowering(ModuleOp module, const CEntry &entry);

/// Finishes the module qlip-lower-to-llvm produced: adds the C entry point,
/// gives every other definition internal linkage, and defines
/// `memrefCopy` (the strided copy the lowering calls, otherwise found in
/// libmlir_c_runner_utils) in the module when it is used, so the object
/// needs nothing beyond libc and libm. Emits an error and fails when the
/// lowered entry does not have the expected signature or the C name is
/// already taken.
LogicalResult finishLoweredModule(ModuleOp module, const CEntry &entry);

/// The C type of an element type readCEntry accepts ("float", "int8_t").
llvm::StringRef getCTypeName(Type elementType);

/// Writes the C header of `entry`; `source` is the model file it came
/// from, named in the header's comment.
void writeCHeader(llvm::raw_ostream &os, const CEntry &entry,
                  llvm::StringRef source);

} // namespace mlir::qlip::aot

#endif // QLIP_TOOLS_QLIP_AOT_AOTCOMPILER_H
