//===- Aciq.cpp - Analytical clipping (ACIQ) and bias correction ----------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// Expected-error integrals for unit-scale priors. Every rounding cell of a
// uniform grid is either
//  * an inner cell: centre c, half width d, lying on one side of 0, whose
//    error is the integral over [c-d, c+d] of (x - c)^2 p(x) dx,
//  * a tail cell: level c, lower edge l = c - d, extending to +infinity (this
//    is where the clipping error lives), or
//  * the zero cell [-d, d] of a grid with a zero level.
// All three have closed forms for the Laplace and Gaussian densities. The
// closed form of an inner cell is a difference of O(d) terms whose result is
// O(d^3), so for narrow cells (many bits) it is evaluated as a Taylor series
// in d instead, which has no cancellation.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Aciq.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <utility>

using namespace mlir::qlip;

static constexpr double kInvSqrt2Pi = 0.39894228040143267794;
static constexpr double kSqrt1_2 = 0.70710678118654752440;

/// Standard normal density.
static double gaussPdf(double x) {
  return kInvSqrt2Pi * std::exp(-0.5 * x * x);
}

/// Standard normal upper tail P(X > x), accurate far into the tail.
static double gaussUpperTail(double x) { return 0.5 * std::erfc(x * kSqrt1_2); }

//===----------------------------------------------------------------------===//
// Laplace(0, 1): p(x) = e^{-|x|} / 2.
//===----------------------------------------------------------------------===//

/// The integral over [-d, d] of y^2 e^{-y} dy = 2 (d^2 + 2) sinh d
/// - 4 d cosh d. An inner Laplace cell at centre c contributes
/// e^{-c} / 2 times this.
static double laplaceCellKernel(double d) {
  if (d >= 0.5)
    return 2.0 * (d * d + 2.0) * std::sinh(d) - 4.0 * d * std::cosh(d);
  // Series: sum_{k>=1} (2/(2k-1)! + 4/(2k+1)! - 4/(2k)!) d^{2k+1}; the d
  // term cancels exactly, which is the point of using the series.
  constexpr int kTerms = 32;
  struct InverseFactorials {
    double inv[kTerms];
    InverseFactorials() {
      inv[0] = 1.0;
      for (int i = 1; i < kTerms; ++i)
        inv[i] = inv[i - 1] / double(i);
    }
  };
  static const InverseFactorials f;
  double sum = 0.0, dPow = d, d2 = d * d;
  for (int k = 1; 2 * k + 1 < kTerms; ++k) {
    dPow *= d2;
    double coef =
        2.0 * f.inv[2 * k - 1] + 4.0 * f.inv[2 * k + 1] - 4.0 * f.inv[2 * k];
    double term = coef * dPow;
    sum += term;
    if (std::fabs(term) < 1e-18 * sum)
      break;
  }
  return sum;
}

/// Zero cell: the integral over [-d, d] of x^2 e^{-|x|} / 2 dx, i.e. the
/// lower incomplete gamma function gamma(3, d) = 2 - e^{-d}(d^2 + 2d + 2).
static double laplaceZeroCell(double d) {
  if (d >= 1.0)
    return 2.0 - std::exp(-d) * (d * d + 2.0 * d + 2.0);
  // Series sum_k (-1)^k d^{k+3} / (k! (k+3)).
  double sum = 0.0, pw = d * d * d; // (-1)^k d^{k+3} / k!
  for (int k = 0; k < 40; ++k) {
    double term = pw / double(k + 3);
    sum += term;
    if (std::fabs(term) < 1e-18 * sum)
      break;
    pw *= -d / double(k + 1);
  }
  return sum;
}

/// Error of the positive cells of a grid: inner cells centred at c0 + k s
/// (k = 0..numInner-1, half width s/2), then the tail cell at level
/// c0 + numInner s. The inner cells form a geometric series.
static double laplaceHalfLine(double c0, double s, int64_t numInner) {
  double d = 0.5 * s;
  double inner = 0.0;
  if (numInner > 0) {
    // sum_k e^{-(c0 + k s)} = e^{-c0} (1 - e^{-n s}) / (1 - e^{-s})
    double geometric = std::expm1(-double(numInner) * s) / std::expm1(-s);
    inner = 0.5 * laplaceCellKernel(d) * std::exp(-c0) * geometric;
  }
  double lowerEdge = c0 + double(numInner) * s - d;
  // Integral over [l, inf) of (x - l - d)^2 e^{-x}/2 dx.
  double tail = 0.5 * std::exp(-lowerEdge) * (d * d - 2.0 * d + 2.0);
  return inner + tail;
}

//===----------------------------------------------------------------------===//
// Gauss(0, 1).
//===----------------------------------------------------------------------===//

/// Inner cell: the integral over [c-d, c+d] of (x - c)^2 phi(x) dx, c >= d.
/// `phi` is gaussPdf(c), passed in because the caller gets it cheaply.
static double gaussInnerCell(double c, double d, double phi) {
  if (d > 0.25) {
    // Antiderivative (1 + c^2) Phi(x) + (2c - x) phi(x).
    double l = c - d, h = c + d;
    return (1.0 + c * c) * (gaussUpperTail(l) - gaussUpperTail(h)) +
           (c - d) * gaussPdf(h) - (c + d) * gaussPdf(l);
  }
  // Taylor series of phi around c: phi^(n)(c) = (-1)^n He_n(c) phi(c), so
  // the cell is phi(c) sum_k He_2k(c) / (2k)! * 2 d^(2k+3) / (2k+3).
  // u_n = He_n(c) d^n / n! obeys u_{n+1} = (c d u_n - d^2 u_{n-1}) / (n+1).
  // This runs for up to 2^16 cells per evaluation, so the divisions come
  // from a table.
  constexpr int kMaxTerms = 256;
  struct Reciprocals {
    double inv[kMaxTerms + 1];
    Reciprocals() {
      for (int n = 0; n <= kMaxTerms; ++n)
        inv[n] = 1.0 / double(n + 1);
    }
  };
  static const Reciprocals recip;
  if (phi == 0.0)
    return 0.0;
  double cd = c * d, d2 = d * d;
  double uPrev = 1.0, u = cd; // u_0, u_1
  double sum = 2.0 / 3.0;     // k = 0 term (u_0 = 1) without d^3
  for (int n = 1; n + 3 < kMaxTerms; n += 2) {
    // Two recurrence steps: u_{n+1} (even index, contributes), u_{n+2}.
    double uEven = (cd * u - d2 * uPrev) * recip.inv[n];
    double uOdd = (cd * uEven - d2 * u) * recip.inv[n + 1];
    double term = 2.0 * uEven * recip.inv[n + 3]; // 2 u_{n+1} / (n+4)
    sum += term;
    uPrev = uEven;
    u = uOdd;
    if (std::fabs(term) < 1e-18 * std::fabs(sum) && n > 2.0 * cd + 4.0)
      break;
  }
  return phi * sum * d2 * d;
}

/// Zero cell: the integral over [-d, d] of x^2 phi(x) dx.
static double gaussZeroCell(double d) {
  if (d >= 1.0)
    return std::erf(d * kSqrt1_2) - 2.0 * d * gaussPdf(d);
  // Series 2 phi(0) sum_k (-1/2)^k / k! d^(2k+3) / (2k+3).
  double sum = 0.0, pw = d * d * d;
  for (int k = 0; k < 60; ++k) {
    double term = pw / double(2 * k + 3);
    sum += term;
    if (std::fabs(term) < 1e-18 * sum)
      break;
    pw *= -0.5 * d * d / double(k + 1);
  }
  return 2.0 * kInvSqrt2Pi * sum;
}

/// Tail cell: the integral over [l, inf) of (x - c)^2 phi(x) dx, c = l + d.
static double gaussTailCell(double c, double d) {
  double l = c - d;
  return (1.0 + c * c) * gaussUpperTail(l) - (c + d) * gaussPdf(l);
}

/// Same layout as laplaceHalfLine(). Cells beyond x = 40 are skipped: the
/// density there is below 1e-340 and underflows anyway. With up to 2^16
/// cells per evaluation, the densities at consecutive centres are chained by
/// phi(c + s) = phi(c) r, r(c + s) = r(c) e^{-s^2}, r(c) = e^{-c s - s^2/2},
/// so the loop needs no exp() (relative drift < 2^16 ulp, about 1e-11).
static double gaussHalfLine(double c0, double s, int64_t numInner) {
  constexpr double kNegligible = 40.0;
  double d = 0.5 * s;
  double sum = 0.0;
  double phi = gaussPdf(c0);
  double ratio = std::exp(-c0 * s - 0.5 * s * s);
  double ratioStep = std::exp(-s * s);
  for (int64_t k = 0; k < numInner; ++k) {
    double c = c0 + double(k) * s;
    if (c - d > kNegligible)
      return sum;
    if (d > 0.25)
      phi = gaussPdf(c); // few cells: keep it exact
    sum += gaussInnerCell(c, d, phi);
    phi *= ratio;
    ratio *= ratioStep;
  }
  double c = c0 + double(numInner) * s;
  if (c - d <= kNegligible)
    sum += gaussTailCell(c, d);
  return sum;
}

//===----------------------------------------------------------------------===//
// Expected errors.
//===----------------------------------------------------------------------===//

double mlir::qlip::aciqPaperMse(AciqPrior prior, double alpha, unsigned bits,
                                bool oneSided) {
  // Two-sided: 2^M bins of width 2 alpha / 2^M, uniform noise Delta^2 / 12 =
  // alpha^2 / (3 * 4^M). One-sided: only the positive half of the mass is
  // quantized, on bins of width alpha / 2^M: alpha^2 / (24 * 4^M).
  double fourPowM = std::ldexp(1.0, 2 * int(bits));
  double clip;
  if (prior == AciqPrior::Laplace) {
    clip = 2.0 * std::exp(-alpha);
  } else {
    clip = (1.0 + alpha * alpha) * std::erfc(alpha * kSqrt1_2) -
           2.0 * alpha * gaussPdf(alpha);
  }
  if (oneSided)
    return 0.5 * clip + alpha * alpha / (24.0 * fourPowM);
  return clip + alpha * alpha / (3.0 * fourPowM);
}

double mlir::qlip::aciqExpectedMse(AciqPrior prior, double alpha,
                                   QuantGrid grid) {
  assert(grid.isValid() && "invalid quantization grid");
  double s = alpha / grid.scaleDivisor();
  double d = 0.5 * s;
  auto halfLine = [&](double c0, int64_t numInner) {
    return prior == AciqPrior::Laplace ? laplaceHalfLine(c0, s, numInner)
                                       : gaussHalfLine(c0, s, numInner);
  };
  // Both priors are symmetric, so equal halves are computed once.
  auto bothHalves = [&](double c0, int64_t numPositive, int64_t numNegative) {
    double positive = halfLine(c0, numPositive);
    return positive +
           (numNegative == numPositive ? positive : halfLine(c0, numNegative));
  };
  if (grid.midRise) {
    // Levels (q + 1/2) s: cells [k s, (k+1) s] on either side of 0.
    return bothHalves(0.5 * s, grid.qmax(), -grid.qmin() - 1);
  }
  double zero =
      prior == AciqPrior::Laplace ? laplaceZeroCell(d) : gaussZeroCell(d);
  if (!grid.isSigned) {
    // Rectified prior: the negative half sits exactly on level 0.
    return 0.5 * zero + halfLine(s, grid.qmax() - 1);
  }
  return zero + bothHalves(s, grid.qmax() - 1, -grid.qmin() - 1);
}

//===----------------------------------------------------------------------===//
// Multipliers.
//===----------------------------------------------------------------------===//

/// Minimizes f over alpha in [lo, hi]: a log-spaced scan finds the basin,
/// golden section polishes it to ~1e-9 relative.
static double minimizeOverAlpha(llvm::function_ref<double(double)> f, double lo,
                                double hi, int numScan) {
  double ratio = std::pow(hi / lo, 1.0 / double(numScan - 1));
  int bestK = 0;
  double bestF = f(lo);
  for (int k = 1; k < numScan; ++k) {
    double v = f(lo * std::pow(ratio, double(k)));
    if (v < bestF) {
      bestF = v;
      bestK = k;
    }
  }
  double a = lo * std::pow(ratio, double(std::max(bestK - 1, 0)));
  double b = lo * std::pow(ratio, double(std::min(bestK + 1, numScan - 1)));
  return minimizeGoldenSection(f, a, b, 48);
}

static double computeMultiplier(AciqPrior prior, QuantGrid grid,
                                AciqModel model) {
  bool oneSided = !grid.isSigned;
  // The paper model is a closed form: scan widely (its optimum spans
  // 1.2 .. 22 over priors and 1..16 bits).
  double paper = minimizeOverAlpha(
      [&](double alpha) {
        return aciqPaperMse(prior, alpha, grid.bits, oneSided);
      },
      0.02, 80.0, 48);
  if (model == AciqModel::Paper)
    return paper;
  // The exact error costs O(2^bits) per evaluation for the Gaussian, so
  // search near the paper's optimum: the exact one lies within [0.54, 1.0]
  // times it for every valid grid of 1..16 bits (0.54: 1-bit mid-rise), and
  // the bracket [0.25, 2] is generous on both sides.
  return minimizeOverAlpha(
      [&](double alpha) { return aciqExpectedMse(prior, alpha, grid); },
      0.25 * paper, 2.0 * paper, 20);
}

double mlir::qlip::aciqMultiplier(AciqPrior prior, QuantGrid grid,
                                  AciqModel model) {
  assert(grid.bits >= 1 && grid.bits <= 16 && "bit width out of range");
  assert((model == AciqModel::Paper || grid.isValid()) &&
         "invalid quantization grid");
  if (grid.bits < 1 || grid.bits > 16) // outside the cache (and the API)
    return computeMultiplier(prior, grid, model);
  bool paper = model == AciqModel::Paper;
  // Zero-initialized (static storage); 0 means "not computed yet". Two
  // threads racing on an entry compute the same value, so relaxed atomics
  // suffice.
  static std::atomic<double> cache[2][2][17][2][2][2];
  std::atomic<double> &slot =
      cache[int(prior)][int(model)][grid.bits][grid.isSigned]
           [!paper && grid.narrowRange][!paper && grid.midRise];
  double k = slot.load(std::memory_order_relaxed);
  if (k == 0.0) {
    k = computeMultiplier(prior, grid, model);
    slot.store(k, std::memory_order_relaxed);
  }
  return k;
}

//===----------------------------------------------------------------------===//
// Per-channel clipping.
//===----------------------------------------------------------------------===//

double mlir::qlip::aciqClip(llvm::ArrayRef<float> data, AciqPrior prior,
                            QuantGrid grid, AciqModel model) {
  double range = clipRange(data, grid);
  if (!(range > 0.0))
    return finalizeClip(0.0, range, grid);
  ChannelStats st = computeChannelStats(data);
  double k = aciqMultiplier(prior, grid, model);
  bool laplace = prior == AciqPrior::Laplace;
  double alpha;
  if (grid.isSigned) {
    double scaleStat = laplace ? st.meanAbsDeviation : st.stddev;
    alpha = std::fabs(st.mean) + k * scaleStat;
  } else {
    alpha = k * (laplace ? st.positiveMean : st.positiveRms);
  }
  return finalizeClip(alpha, range, grid);
}

AciqChoice mlir::qlip::aciqAuto(llvm::ArrayRef<float> data, QuantGrid grid,
                                AciqModel model) {
  double laplaceAlpha = aciqClip(data, AciqPrior::Laplace, grid, model);
  double gaussAlpha = aciqClip(data, AciqPrior::Gauss, grid, model);
  if (laplaceAlpha == gaussAlpha)
    return {laplaceAlpha, AciqPrior::Laplace};
  double laplaceErr = quantizationMse(data, laplaceAlpha, grid);
  double gaussErr = quantizationMse(data, gaussAlpha, grid);
  if (gaussErr < laplaceErr)
    return {gaussAlpha, AciqPrior::Gauss};
  return {laplaceAlpha, AciqPrior::Laplace};
}

//===----------------------------------------------------------------------===//
// Bias correction.
//===----------------------------------------------------------------------===//

/// Mean and the L2 norm of the deviations from it, in double.
static std::pair<double, double> meanAndDeviationNorm(llvm::ArrayRef<float> x) {
  double sum = 0.0;
  for (float v : x)
    sum += v;
  double mean = sum / double(x.size());
  double sq = 0.0;
  for (float v : x) {
    double dv = double(v) - mean;
    sq += dv * dv;
  }
  return {mean, std::sqrt(sq)};
}

llvm::SmallVector<float>
mlir::qlip::correctWeightBias(llvm::ArrayRef<float> original,
                              llvm::ArrayRef<float> quantized) {
  assert(original.size() == quantized.size() && "channel sizes differ");
  llvm::SmallVector<float> out(quantized.begin(), quantized.end());
  if (out.empty())
    return out;
  auto [mean, norm] = meanAndDeviationNorm(original);
  auto [meanQ, normQ] = meanAndDeviationNorm(quantized);
  // xi = ||W - E W|| / ||Wq - E Wq|| (ACIQ eq. 13): the ratio of the stds.
  double xi = normQ > 0.0 ? norm / normQ : 1.0;
  // Variance correction about mean(wq), then the mean shift; folded into
  // one expression so each value is rounded to float only once.
  // The clamp only matters for channels near FLT_MAX, where the rescaled
  // values could otherwise round to infinity.
  for (float &v : out)
    v = float(std::clamp((double(v) - meanQ) * xi + mean, -double(FLT_MAX),
                         double(FLT_MAX)));
  return out;
}

GridBiasCorrection mlir::qlip::correctBiasOnGrid(llvm::ArrayRef<float> weights,
                                                 double alpha,
                                                 QuantGrid grid) {
  GridBiasCorrection result;
  double scale = clipScale(alpha, grid);
  size_t n = weights.size();
  result.levels.reserve(n);
  llvm::SmallVector<double> residual(n);
  double sumW = 0, sumQ = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t q = quantizeToLevel(weights[i], scale, grid);
    result.levels.push_back(q);
    residual[i] = weights[i] / scale - double(q);
    sumW += weights[i];
    sumQ += double(q);
  }
  result.scale = scale;
  if (n == 0)
    return result;

  // Variance: xi is the ratio of the centered norms.
  double meanW = sumW / double(n), meanQ = sumQ / double(n);
  double normW = 0, normQ = 0;
  for (size_t i = 0; i < n; ++i) {
    normW += (weights[i] - meanW) * (weights[i] - meanW);
    normQ += (double(result.levels[i]) - meanQ) *
             (double(result.levels[i]) - meanQ) * scale * scale;
  }
  if (normQ > 0 && normW > 0)
    result.scale = std::max(scale * std::sqrt(normW / normQ),
                            double(FLT_MIN));

  // Mean: move the k levels whose values sit closest to the boundary in the
  // needed direction, one level each.
  double k = std::nearbyint(sumW / result.scale - sumQ);
  if (k == 0)
    return result;
  int direction = k > 0 ? 1 : -1;
  llvm::SmallVector<size_t> order(n);
  for (size_t i = 0; i < n; ++i)
    order[i] = i;
  // Moving up is cheapest for the largest residuals, down for the smallest.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return direction * residual[a] > direction * residual[b];
  });
  size_t remaining = static_cast<size_t>(std::fabs(k));
  for (size_t i : order) {
    if (remaining == 0)
      break;
    int64_t moved = result.levels[i] + direction;
    if (moved < grid.qmin() || moved > grid.qmax())
      continue;
    result.levels[i] = moved;
    --remaining;
  }
  return result;
}
