//===- LayerInputs.h - what a layer's weights multiply ----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The bridge between a layer in the IR and the second moments of its input
// patches (qlip/Calibration/LayerInputs.h): which observer sees the
// layer's input, how the layer takes patches from it, and the discardable
// attribute `qlip.input_moments` that carries the moments from calibration
// (qlip-calibrate-model) to weight quantization (GPTQ and the choice of
// clips by output error in qlip-quantize-weights), which removes it.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_LAYERINPUTS_H
#define QLIP_TRANSFORMS_LAYERINPUTS_H

#include "dialects/Qlip/IR/QlipDialect.h"
#include "qlip/Calibration/LayerInputs.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <vector>

namespace mlir::qlip {

class ObserveOp;

/// `G x K x K` f64 elements: E[x x^T] of the layer's input patches, one
/// K x K matrix per group (the channels of a depthwise layer, else one).
/// The qlip dialect verifies its type.
inline constexpr llvm::StringLiteral kInputMomentsAttrName =
    QlipDialect::kInputMomentsAttrName;

/// How `layer` takes patches from one of `batch` samples of its input: a
/// conv2d, a depthwise_conv2d with channel multiplier 1 (NHWC, batch in
/// dim 0), or a matmul with a constant [1, K, N] B whose A rows are the
/// samples' rows. None for anything else.
std::optional<PatchGeometry> getInputPatchGeometry(Operation *layer,
                                                   int64_t batch);

/// The `qlip.observe` whose result is `layer`'s input (operand 0), through
/// reshapes (they keep the values' order), or null.
ObserveOp getInputObserver(Operation *layer);

/// E[x] of the same patches, `G x K` f64 elements (verified likewise).
inline constexpr llvm::StringLiteral kInputMeanAttrName =
    QlipDialect::kInputMeanAttrName;

/// Attaches `moments` (`groups x k x k`) and, when not empty, `mean`
/// (`groups x k`) to `layer`.
void setInputMoments(Operation *layer, llvm::ArrayRef<double> moments,
                     llvm::ArrayRef<double> mean, int64_t groups, int64_t k);

/// The moments attached to `layer` and their groups and size, or none.
struct InputMoments {
  int64_t groups = 0, k = 0;
  llvm::ArrayRef<double> values;
  /// E[x] per group, or empty (moments written without it).
  llvm::ArrayRef<double> mean;
};
/// None without moments; an error (on `layer`) when the mean does not
/// match them.
FailureOr<std::optional<InputMoments>> getInputMoments(Operation *layer);

} // namespace mlir::qlip

#endif // QLIP_TRANSFORMS_LAYERINPUTS_H
