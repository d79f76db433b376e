//===- Sawb.h - Statistics-aware weight binning (SAWB) clip -----*- C++ -*-===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// SAWB (Choi et al., arXiv 1807.06964) sets the weight clip from two
// statistics: alpha = c1 * sqrt(E[w^2]) - c2 * E[|w|], with (c1, c2) fitted
// per bit width to MSE-optimal clips of synthetic weight distributions.
//
// The default coefficient table is IBM fms_mo's `sawb_params` (2, 3, 4, 5, 8
// bits), fitted for SAWB's own mid-rise grid (QuantGrid::sawb: 2^b levels,
// outermost levels at +-alpha, no zero level); the other widths come from
// qlip's re-fit on the same grid (fitSawbCoefficients). docs/algorithms.md
// lists both tables, the re-fit for qlip's own grids, and how they were made.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_SAWB_H
#define QLIP_CALIBRATION_SAWB_H

#include "qlip/Calibration/ClipMath.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace mlir::qlip {

/// alpha = c1 * rms - c2 * meanAbs.
struct SawbCoefficients {
  double c1 = 0.0;
  double c2 = 0.0;
};

/// Where a default table entry comes from.
enum class SawbCoefficientSource {
  /// IBM foundation-model-stack/fms-model-optimizer, fms_mo/quant/
  /// quantizers.py `sawb_params`.
  IbmFmsMo,
  /// qlip's least-squares re-fit on QuantGrid::sawb(bits) with default
  /// SawbFitOptions (see docs/algorithms.md).
  QlipRefit,
};

/// The default coefficients for 1..16 bits.
SawbCoefficients defaultSawbCoefficients(unsigned bits);

/// The source of defaultSawbCoefficients(bits).
SawbCoefficientSource defaultSawbCoefficientSource(unsigned bits);

/// SAWB clip for the default coefficients of `bits`, with the degenerate
/// channel conventions of QuantGrid::sawb(bits) (the grid the coefficients
/// were fitted for).
double sawbClip(llvm::ArrayRef<float> data, unsigned bits);

/// SAWB coefficients re-fitted for qlip's weight grid,
/// QuantGrid::signedNarrow(bits), bits in [2, 16]: SAWB's own coefficients
/// are for its mid-rise grid and over-clip on a grid with a zero level.
/// Produced by `qlip-sawb-fit` (bench/sawb-fit.cpp).
SawbCoefficients narrowGridSawbCoefficients(unsigned bits);

/// SAWB clip for qlip's weight grid: narrowGridSawbCoefficients(bits) on
/// QuantGrid::signedNarrow(bits). What `qlip-quantize-weights clip=sawb` uses.
double sawbNarrowClip(llvm::ArrayRef<float> data, unsigned bits);

/// SAWB clip with explicit coefficients; `grid` supplies the range and the
/// degenerate-channel conventions (finalizeClip). The result is clamped to
/// (0, clipRange(data)] and falls back to clipRange(data) when the formula is
/// non-positive.
double sawbClip(llvm::ArrayRef<float> data, SawbCoefficients coefficients,
                QuantGrid grid);

/// SAWB's 2-bit quantizer: levels {-alpha, -alpha/3, alpha/3, alpha}, no zero
/// level (the real quantizer on QuantGrid::sawb(2); ties round half to even
/// in units of the 2 alpha / 3 step).
double sawbQuantize2Bit(double x, double alpha);

/// Synthetic weight distributions used to fit the coefficients.
enum class WeightDistribution { Gaussian, Laplace, Uniform, StudentT };

/// Fills `out` with i.i.d. samples of the distribution times `scale`:
/// Gaussian N(0, 1) (Box-Muller), Laplace(0, 1) (inverse CDF), Uniform(-1, 1)
/// and Student-t with `dof` degrees of freedom (Bailey's polar method).
/// The transforms are written out so results depend only on the
/// std::mt19937_64 stream (and libm), not on the standard library's
/// distribution classes.
void sampleWeights(WeightDistribution dist, double dof, double scale,
                   std::mt19937_64 &rng, llvm::MutableArrayRef<float> out);

/// One fitting observation: the statistics of a weight vector and its
/// MSE-optimal clip.
struct SawbSample {
  double rms;
  double meanAbs;
  double alpha;
};

/// Least-squares (c1, c2) for alpha ~= c1 * rms - c2 * meanAbs, each
/// observation weighted by 1 / rms^2 so the fit is scale invariant (it fits
/// alpha/rms ~= c1 - c2 * meanAbs/rms) by solving the 2x2 normal equations.
/// One trimming pass then drops observations whose residual exceeds 8 robust
/// standard deviations (1.4826 * median absolute residual) and refits: these
/// are short heavy-tailed vectors whose optimal clip sits on one outlier.
/// Exact data is reproduced exactly. std::nullopt if the system is singular
/// (fewer than two distinct meanAbs/rms) or an observation is not finite or
/// has rms <= 0.
std::optional<SawbCoefficients>
solveSawbLeastSquares(llvm::ArrayRef<SawbSample> samples);

/// The synthetic data set fitSawbCoefficients() draws.
struct SawbFitOptions {
  /// Vectors drawn per (distribution, length) pair.
  unsigned vectorsPerCase = 16;
  /// Vector lengths (typical per-output-channel weight counts).
  std::vector<size_t> lengths = {256, 1024, 4096};
  /// Scales cycled over the vectors (the fit is scale invariant, this only
  /// checks that it stays so).
  std::vector<double> scales = {0.01, 0.1, 1.0};
  /// Student-t degrees of freedom; one family per entry.
  std::vector<double> studentDofs = {3.0, 5.0, 10.0};
  uint64_t seed = 0x5a3b;
};

/// Fits (c1, c2) for `grid` (grid.bits bits): samples vectors from Gaussian,
/// Laplace, uniform and Student-t families, takes each vector's
/// mseOptimalClip() as the target and solves solveSawbLeastSquares().
/// std::nullopt if the options give a singular system (e.g. no vectors).
std::optional<SawbCoefficients>
fitSawbCoefficients(QuantGrid grid, const SawbFitOptions &options = {});

/// The observations fitSawbCoefficients() fits (exposed for tests and for
/// reporting the fit's residuals).
std::vector<SawbSample> collectSawbSamples(QuantGrid grid,
                                           const SawbFitOptions &options);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_SAWB_H
