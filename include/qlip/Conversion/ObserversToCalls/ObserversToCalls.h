//===- ObserversToCalls.h - observers that report their values --*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Calibration compiles the observed model with every `qlip.observe` turned
// into a call of a runtime function (`qlip-lower-observers-to-calls`). The
// observers are numbered by id; this header gives the numbering to the
// runtime side, so both agree on which index is which id.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CONVERSION_OBSERVERSTOCALLS_OBSERVERSTOCALLS_H
#define QLIP_CONVERSION_OBSERVERSTOCALLS_OBSERVERSTOCALLS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class RewritePatternSet;
namespace qlip {

/// The callee `qlip-lower-observers-to-calls` uses by default; the C entry
/// point of the calibration runtime has this name.
inline constexpr llvm::StringLiteral kObserveCallee =
    "qlip_calibration_observe";

/// One observer id of a module with where it first appears.
struct ObserverInfo {
  std::string id;
  /// The function holding its first `qlip.observe` (for messages).
  std::string function;
  /// Its tensor type as printed ("tensor<1x8xf32>"), from the first
  /// `qlip.observe` with this id.
  std::string type;
};

/// The observer ids of `module` in index order: numbered from 0 in order of
/// first appearance (functions in module order, ops in program order); ops
/// that share an id share its entry.
llvm::SmallVector<ObserverInfo> collectObservers(ModuleOp module);

/// Adds the pattern that replaces each `qlip.observe` with a call of
/// `callee(index, tensor<*xf32>)`, where `indices` maps its id to its index,
/// and forwards its input to its uses. A conversion pattern, for
/// `applyPartialConversion` with `qlip.observe` illegal; the callee must be
/// declared (see `declareObserveCallee`).
void populateObserversToCallsPatterns(RewritePatternSet &patterns,
                                      const llvm::StringMap<int64_t> &indices,
                                      llvm::StringRef callee);

/// Declares `func.func private @callee(i64, tensor<*xf32>
/// {bufferization.access = "read"})` in `module` unless it exists. Fails,
/// with a diagnostic on the symbol, when `callee` names something else.
LogicalResult declareObserveCallee(ModuleOp module, llvm::StringRef callee);

} // namespace qlip
} // namespace mlir

#endif // QLIP_CONVERSION_OBSERVERSTOCALLS_OBSERVERSTOCALLS_H
