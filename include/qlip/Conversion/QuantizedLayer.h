//===- QuantizedLayer.h - an integer TOSA layer and its epilogue -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// What qlip-quantize emits for one layer, read back from the tosa.rescale
// that ends it: the conv2d, depthwise_conv2d or matmul on an int8 input with
// constant weights (weight zero point 0), its bias (the conv's operand, or
// the constant tosa.add after a matmul), and an optional tosa.reshape before
// the rescale that keeps the channels innermost. The backends that take
// whole layers (the npu, the CPU kernels) start from this one matcher.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CONVERSION_QUANTIZEDLAYER_H
#define QLIP_CONVERSION_QUANTIZEDLAYER_H

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::qlip {

struct QuantizedLayer {
  /// tosa.conv2d, tosa.depthwise_conv2d or tosa.matmul, with one use.
  Operation *layer = nullptr;
  /// The reshape between the layer (or its bias add) and the rescale.
  tosa::ReshapeOp reshape;
  /// The int8 input (operand 0 of the layer) and its zero point.
  Value input;
  int64_t inputZp = 0;
  /// The weights as the layer has them (i8 or i4 elements).
  DenseIntElementsAttr weights;
  /// One int32 per output channel (zeros for a matmul without an add).
  DenseIntElementsAttr bias;
  /// The rescale's output zero point.
  int64_t outputZp = 0;

  bool isMatmul() const { return isa<tosa::MatMulOp>(layer); }
};

/// Reads the layer that `rescale` ends, or fails (with a match-failure note
/// on `rewriter`) when the chain is not one qlip-quantize emits. The
/// rescale's own form (rounding, signedness, widths) is the caller's to
/// check.
FailureOr<QuantizedLayer> matchQuantizedLayer(tosa::RescaleOp rescale,
                                              PatternRewriter &rewriter);

/// The one value of a constant single-element integer tensor.
std::optional<int64_t> getScalarConstant(Value value);

} // namespace mlir::qlip

#endif // QLIP_CONVERSION_QUANTIZEDLAYER_H
