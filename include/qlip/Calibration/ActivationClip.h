//===- ActivationClip.h - activation range rules ----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The rules that turn calibration statistics into an activation's real
// range, and the nudge that turns a range into a scale and zero point.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_ACTIVATIONCLIP_H
#define QLIP_CALIBRATION_ACTIVATIONCLIP_H

#include "qlip/Calibration/Aciq.h"
#include "qlip/Calibration/ActivationStats.h"
#include "qlip/Calibration/ClipMath.h"

#include <cstdint>

namespace mlir::qlip {

/// A real range [min, max] chosen for an activation, before nudging.
struct ActivationRange {
  double min = 0;
  double max = 0;
};

/// The statistics the stats-based rules read (a subset of #qlip.stats).
struct ActivationMoments {
  int64_t count = 0;
  double min = 0, max = 0, mean = 0, meanAbsDeviation = 0, stddev = 0;
};

/// The data range [min, max]; [0, max(max, 0)] for a non-negative tensor.
ActivationRange maxRange(const ActivationMoments &stats, bool nonNegative);

/// The range holding `percentile` percent of the values (e.g. 99.99): for a
/// non-negative tensor [0, the percentile]; otherwise the (100 - p) / 2 and
/// (100 + p) / 2 percentiles, so each tail loses half. Interpolates linearly
/// inside the bin where the cumulative count crosses.
ActivationRange percentileRange(const Histogram &histogram, double percentile,
                                bool nonNegative);

/// TensorRT's entropy calibration, on the histogram of max(x, 0), and for a
/// signed tensor of max(-x, 0) too: each side's threshold t whose quantized
/// distribution (2^(bits-1) levels a side, 2^bits for a non-negative
/// tensor) has the smallest KL divergence from the reference distribution
/// of the clipped histogram, searched from bin 128 as TensorRT does
/// (details: docs/algorithms.md). [0, t] for non-negative tensors;
/// [-t-, t+] intersected with the observed range otherwise.
ActivationRange klRange(const Histogram &histogram, unsigned bits,
                        bool nonNegative);

/// The range minimizing histogramRangeMse() over the candidates [0, a]
/// (non-negative tensors) or [-a, a] intersected with the observed range,
/// a in (0, max |x|]: a 200-point scan, then golden-section refinement.
ActivationRange mseRange(const Histogram &histogram, unsigned bits,
                         bool nonNegative);

/// The expected squared error of the real quantizer for `range` on the
/// histogram: the range nudged onto QuantGrid::unsignedFull(bits)
/// (non-negative) or QuantGrid::signedFull(bits), the error integrated
/// exactly over each bin with its values taken as uniform in the bin,
/// weighted by the counts. 0 for an empty histogram.
double histogramRangeMse(const Histogram &histogram, ActivationRange range,
                         unsigned bits, bool nonNegative);

/// ACIQ with the multipliers of qlip's grids (aciqMultiplier(), exact
/// model). Non-negative tensors, as the authors' fused-ReLU mode:
/// alpha = max(mean, 0) + k * s with k for QuantGrid::unsignedFull(bits),
/// range [0, min(alpha, max)]. Others: alpha = k * s with k for
/// QuantGrid::signedFull(bits), range [mean - alpha, mean + alpha]
/// intersected with [min, max]. s is b = E|x - mean| (Laplace) or the
/// standard deviation (Gauss).
ActivationRange aciqRange(const ActivationMoments &stats, AciqPrior prior,
                          unsigned bits, bool nonNegative);

/// A range snapped to an integer grid so that 0.0 is exactly representable
/// (TFLite's NudgeQuantizationRange): the range is first widened to contain
/// 0, then scale = (max - min) / (qmax - qmin) (at least FLT_MIN) and the
/// zero point is qmin - min / scale rounded (half to even, qlip's rounding;
/// TFLite rounds ties away from zero) and clamped to the grid. The grid
/// keeps the width of the range but may move by up to half a step, so every
/// value of the requested range is still reconstructed within scale / 2.
/// The degenerate range [0, 0] gets scale 1 and 0's level as zero point.
struct AffineQuantization {
  double scale = 1;
  int64_t zeroPoint = 0;
  /// The range the grid really represents: (qmin - zp) * scale to
  /// (qmax - zp) * scale.
  double min = 0, max = 0;
};
AffineQuantization nudgeRange(ActivationRange range, QuantGrid grid);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_ACTIVATIONCLIP_H
