//===- WeightBits.h - per-layer weight widths -------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What qlip-choose-bits decides and qlip-quantize-weights honours: a
// layer's weight width (`qlip.weight_bits`, an integer attribute) or that
// it stays float (`qlip.keep_float`, a unit attribute). Both are verified
// by the qlip dialect and removed when the weights are quantized.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_WEIGHTBITS_H
#define QLIP_TRANSFORMS_WEIGHTBITS_H

#include "dialects/Qlip/IR/QlipDialect.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

namespace mlir::qlip {

inline constexpr llvm::StringLiteral kWeightBitsAttrName =
    QlipDialect::kWeightBitsAttrName;
inline constexpr llvm::StringLiteral kKeepFloatAttrName =
    QlipDialect::kKeepFloatAttrName;

/// How much rounding a layer's weights to each width costs.
struct WeightSensitivity {
  /// Per width asked for: the error the rounding adds at the layer's
  /// output over the output's power (with the layer's input moments; GPTQ
  /// with each channel's MSE clip, as qlip-quantize-weights rounds), or at
  /// the weights over their power (without moments).
  SmallVector<double> relativeError;
  /// Whether relativeError is at the layer's output.
  bool atOutput = false;
  int64_t numElements = 0;
  int64_t numChannels = 0;
};

/// Measures `op`, a layer with a float constant weight that users know
/// as `name`, at each of `widths` (2 to 8 bits), per output channel.
/// With `empiricalBiasCorrection`, as qlip-quantize-weights' option: the
/// bias takes the mean of the error where the layer has its input's mean.
/// Fails with an error on the op for NaN or infinite weights.
FailureOr<WeightSensitivity>
measureWeightSensitivity(Operation *op, StringRef name,
                         ArrayRef<unsigned> widths,
                         bool empiricalBiasCorrection = true);

} // namespace mlir::qlip

#endif // QLIP_TRANSFORMS_WEIGHTBITS_H
