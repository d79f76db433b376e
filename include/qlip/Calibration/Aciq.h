//===- Aciq.h - Analytical clipping (ACIQ) and bias correction --*- C++ -*-===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// ACIQ (Banner et al., arXiv 1810.05723): the clip value minimizing the
// expected quantization MSE under a Laplace or Gaussian prior is linear in the
// prior's scale, alpha* = k(bits) * b (Laplace) or k(bits) * sigma (Gauss).
// The multipliers k are computed here by numerically minimizing the expected
// error, either under the papers' approximate error model on the papers' grid
// (reproducing their tables) or exactly on qlip's real grid.
//
// Also: ACIQ's per-channel weight bias correction (NeurIPS'19 eq. 12/13).
// See docs/algorithms.md for formulas and conventions.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_ACIQ_H
#define QLIP_CALIBRATION_ACIQ_H

#include "qlip/Calibration/ClipMath.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::qlip {

/// The data prior ACIQ assumes.
enum class AciqPrior { Laplace, Gauss };

/// Which grid and error model the multiplier is optimized for.
enum class AciqModel {
  /// The papers' grid (2^M uniform bins on [-alpha, alpha], or on [0, alpha]
  /// for unsigned grids, reconstruction at bin midpoints, no zero level) and
  /// their error model: exact clipping term + alpha^2 / (3 * 4^M) noise
  /// (halved and one-sided for unsigned grids). Only grid.bits and
  /// grid.isSigned are used. Reproduces the published tables.
  Paper,
  /// The exact expected MSE of the given QuantGrid under the prior: per
  /// level, the integral of (x - level)^2 p(x) over its rounding cell,
  /// including the clipped tails. This is what qlip should use.
  Exact,
};

/// Expected MSE of the papers' error model for a unit-scale prior (b = 1 or
/// sigma = 1) with 2^bits bins. Two-sided if `oneSided` is false; otherwise
/// the one-sided model (positive half of the prior, zeros exact).
double aciqPaperMse(AciqPrior prior, double alpha, unsigned bits,
                    bool oneSided);

/// Exact expected MSE of the real quantizer on `grid` with clip alpha, for a
/// unit-scale prior. Signed grids see the full symmetric prior; unsigned grids
/// see a rectified prior (the positive half, plus the negative half's mass at
/// exactly 0, which is represented without error).
double aciqExpectedMse(AciqPrior prior, double alpha, QuantGrid grid);

/// The optimal clip multiplier k for a unit-scale prior on `grid` under
/// `model`: alpha* = k * b (Laplace) or k * sigma (Gauss). Computed once per
/// (prior, grid, model) by a log-spaced scan plus golden-section refinement,
/// then cached (thread-safe), so per-channel calls cost nothing.
double aciqMultiplier(AciqPrior prior, QuantGrid grid,
                      AciqModel model = AciqModel::Exact);

/// ACIQ clip value for one channel.
///  * Signed grids (zero point 0): alpha = |mean| + k * s with s = E|x-mean|
///    (Laplace) or the std (Gauss): the window centred on the mean, widened
///    to stay symmetric about 0 (Distiller's choice).
///  * Unsigned grids: the data is modelled as a rectified zero-centred prior,
///    so s = E[x | x > 0] (Laplace) or sqrt(E[x^2 | x > 0]) (Gauss) and
///    alpha = k * s.
/// The result is clamped to clipRange(data) and passed through
/// finalizeClip().
double aciqClip(llvm::ArrayRef<float> data, AciqPrior prior, QuantGrid grid,
                AciqModel model = AciqModel::Exact);

/// Result of aciqAuto().
struct AciqChoice {
  double alpha;
  AciqPrior prior;
};

/// Per channel: the prior whose aciqClip() alpha gives the lower
/// quantizationMse() on the data (Laplace on ties).
AciqChoice aciqAuto(llvm::ArrayRef<float> data, QuantGrid grid,
                    AciqModel model = AciqModel::Exact);

/// ACIQ weight bias correction for one output channel. Given the original
/// weights and their quantized values, returns corrected values with exactly
/// the original mean and standard deviation:
///   1. variance: wq <- (wq - mean(wq)) * std(w) / std(wq) + mean(wq)
///   2. mean:     wq <- wq - mean(wq) + mean(w)
/// (the authors' code order). The authors add 1e-8 to std(wq); qlip instead
/// skips step 1 when the quantized channel is constant (std(wq) == 0), so the
/// std is restored exactly whenever it can be.
llvm::SmallVector<float> correctWeightBias(llvm::ArrayRef<float> original,
                                           llvm::ArrayRef<float> quantized);

/// ACIQ's bias correction realized on the integer grid, so that the
/// corrected channel is still exactly integer levels times one scale (what
/// an integer kernel runs), unlike correctWeightBias():
///  1. levels q = clamp(round(w / s)) with s = clipScale(alpha, grid);
///  2. variance: the scale becomes xi * s, xi = ||W - E W|| / ||Wq - E Wq||
///     (ACIQ eq. 13); the levels are kept, so this step is exact;
///  3. mean: the rounding of the k elements nearest to their rounding
///     boundary is moved one level in the needed direction, with
///     k = round(n (E[W] - E[Wq]) / scale), so E[Wq] = E[W] to within half a
///     step divided by n (less if clamping leaves too few movable levels).
struct GridBiasCorrection {
  double scale;
  llvm::SmallVector<int64_t> levels;
};
GridBiasCorrection correctBiasOnGrid(llvm::ArrayRef<float> weights,
                                     double alpha, QuantGrid grid);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_ACIQ_H
