//===- ClipMath.h - Quantization grids and MSE clip search ------*- C++ -*-===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// Shared conventions for every clipping rule in qlip's calibration library:
//
//  * QuantGrid describes the integer grid a clip value alpha is meant for and
//    how alpha maps to a scale (scale = alpha / grid.scaleDivisor()).
//  * The real quantizer: q = clamp(roundHalfToEven(x / scale - offset),
//    qmin, qmax), xhat = (q + offset) * scale, offset = 0 for grids with a
//    zero level and 1/2 for mid-rise grids (SAWB). Rounding is round half to
//    even, i.e. std::nearbyint under the default floating-point environment.
//  * Degenerate channels: every clip rule ends with finalizeClip(), so it
//    returns a finite alpha > 0 whose scale is at least FLT_MIN; an all-zero
//    channel gets the alpha whose scale is exactly 1.0.
//
// The math assumes finite input; allFinite()/firstNonFinite() let the caller
// reject (and name) a bad channel first. See docs/algorithms.md.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_CLIPMATH_H
#define QLIP_CALIBRATION_CLIPMATH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace mlir::qlip {

/// An integer quantization grid of `bits` bits.
///
///  * signed, narrow range:   q in [-(2^(b-1)-1), 2^(b-1)-1] (qlip weights)
///  * signed, full range:     q in [-2^(b-1), 2^(b-1)-1]
///  * unsigned, full range:   q in [0, 2^b-1] (one-sided / post-ReLU data)
///  * unsigned, narrow range: q in [0, 2^b-2]
///  * mid-rise (signed only, narrowRange ignored): q in [-2^(b-1), 2^(b-1)-1]
///    with levels at (q + 1/2) * scale, i.e. no zero level; alpha is the
///    outermost level. This is SAWB's grid (2 bits: {-a, -a/3, a/3, a}).
///
/// For every grid, alpha is mapped onto the largest positive level:
/// scale = alpha / scaleDivisor() with scaleDivisor() = qmax (+ 1/2 for
/// mid-rise). For signed full range the negative side reaches one step past
/// -alpha. A grid is usable only if isValid(): a 1-bit signed zero-level grid
/// has no positive level, so it has no meaningful alpha.
struct QuantGrid {
  unsigned bits = 8;
  bool isSigned = true;
  bool narrowRange = true;
  bool midRise = false;

  /// qlip's weight grid: symmetric, signed, narrow range, zero point 0.
  static constexpr QuantGrid signedNarrow(unsigned bits) {
    return {bits, true, true, false};
  }
  /// Signed full range [-2^(b-1), 2^(b-1)-1], zero point 0.
  static constexpr QuantGrid signedFull(unsigned bits) {
    return {bits, true, false, false};
  }
  /// qlip's one-sided grid: unsigned [0, 2^b-1], zero point 0.
  static constexpr QuantGrid unsignedFull(unsigned bits) {
    return {bits, false, false, false};
  }
  /// SAWB's mid-rise grid: 2^b levels, outermost levels at +-alpha.
  static constexpr QuantGrid sawb(unsigned bits) {
    return {bits, true, false, true};
  }

  /// Smallest integer level.
  int64_t qmin() const;
  /// Largest integer level.
  int64_t qmax() const;
  /// Levels sit at (q + levelOffset()) * scale: 0, or 1/2 for mid-rise.
  double levelOffset() const { return midRise ? 0.5 : 0.0; }
  /// scale = alpha / scaleDivisor(); alpha is the largest positive level.
  double scaleDivisor() const {
    return static_cast<double>(qmax()) + levelOffset();
  }
  /// True if bits is in [1, 16], mid-rise grids are signed and the grid has
  /// a positive level to put alpha on.
  bool isValid() const;

  bool operator==(const QuantGrid &o) const {
    return bits == o.bits && isSigned == o.isSigned &&
           narrowRange == o.narrowRange && midRise == o.midRise;
  }
};

/// Round half to even: std::nearbyint under the default rounding mode
/// (FE_TONEAREST). qlip never changes the rounding mode.
double roundHalfToEven(double v);

/// The scale for clip value alpha: alpha / grid.scaleDivisor(), but at least
/// FLT_MIN so that x / scale cannot overflow for denormal data and alpha <= 0
/// never divides by zero.
double clipScale(double alpha, QuantGrid grid);

/// The integer level of x for the given scale (see the file comment).
int64_t quantizeToLevel(double x, double scale, QuantGrid grid);

/// Fake-quantize one value: the real quantizer's reconstruction of x for
/// clip value alpha.
double fakeQuantize(double x, double alpha, QuantGrid grid);

/// Mean squared error of the real quantizer with clip alpha over x, summed
/// in double. Returns 0 for empty x.
double quantizationMse(llvm::ArrayRef<float> x, double alpha, QuantGrid grid);

/// The largest alpha worth considering: max|x| for signed grids, max(x, 0)
/// for unsigned grids (negative values always map to level 0 there).
double clipRange(llvm::ArrayRef<float> x, QuantGrid grid);

/// The alpha whose scale is exactly 1.0: used for all-zero channels.
double unitScaleClip(QuantGrid grid);

/// The smallest alpha any rule returns: the one whose scale is FLT_MIN.
double minimumClip(QuantGrid grid);

/// The guard every clip rule ends with. `range` is clipRange() of the data.
/// Returns unitScaleClip() if range == 0 (nothing to represent); otherwise
/// alpha clamped to (0, range] (a non-positive or non-finite alpha becomes
/// range: clipping beyond the data never helps), capped so the scale stays
/// at most FLT_MAX, and then raised to at least minimumClip().
double finalizeClip(double alpha, double range, QuantGrid grid);

/// Per-channel statistics, all accumulated in double with two passes.
struct ChannelStats {
  size_t count = 0;
  /// E[x].
  double mean = 0;
  /// E|x - E[x]|: the Laplace scale b (exact two-pass estimate).
  double meanAbsDeviation = 0;
  /// Unbiased standard deviation (n - 1 denominator, as the ACIQ authors'
  /// torch.std); 0 for fewer than two elements.
  double stddev = 0;
  /// E|x| (SAWB's L1 statistic).
  double meanAbs = 0;
  /// sqrt(E[x^2]) (SAWB's "std", really the RMS).
  double rms = 0;
  /// max |x|.
  double maxAbs = 0;
  /// max(0, max x).
  double maxPositive = 0;
  /// E[x | x > 0]: Laplace scale of the positive half (0 if none positive).
  double positiveMean = 0;
  /// sqrt(E[x^2 | x > 0]): Gaussian sigma of the positive half.
  double positiveRms = 0;
};

/// Computes ChannelStats for one channel (assumes finite values).
ChannelStats computeChannelStats(llvm::ArrayRef<float> x);

/// Tuning of mseOptimalClip().
struct MseSearchOptions {
  /// Candidates alpha = range * k / coarseCandidates, k = 1..coarseCandidates.
  unsigned coarseCandidates = 100;
  /// Golden-section steps around the best coarse candidate.
  unsigned refineIterations = 24;
};

/// The alpha in (0, clipRange(x)] minimizing quantizationMse() (then passed
/// through finalizeClip()). The error is not unimodal in alpha, so this is a
/// coarse scan followed by golden-section refinement inside the bracket of
/// the best candidate. Cost: coarseCandidates + refineIterations + 5
/// passes over x (129 by default), no allocation. The result is never worse
/// than alpha = clipRange(x) nor than the best coarse candidate.
double mseOptimalClip(llvm::ArrayRef<float> x, QuantGrid grid,
                      const MseSearchOptions &options = {});

/// Golden-section search for a minimum of f on [lo, hi] with `iterations`
/// interval reductions. Returns the best abscissa evaluated (and its value in
/// *bestValue if non-null). Assumes f is unimodal on [lo, hi]; otherwise it
/// still returns the best point it saw.
double minimizeGoldenSection(llvm::function_ref<double(double)> f, double lo,
                             double hi, unsigned iterations,
                             double *bestValue = nullptr);

/// True if every value is finite (no NaN, no infinity).
bool allFinite(llvm::ArrayRef<float> x);

/// Index of the first NaN or infinity, if any.
std::optional<size_t> firstNonFinite(llvm::ArrayRef<float> x);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_CLIPMATH_H
