//===- ClipMath.cpp - Quantization grids and MSE clip search --------------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/ClipMath.h"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>

using namespace mlir::qlip;

int64_t QuantGrid::qmin() const {
  if (!isSigned)
    return 0;
  int64_t half = int64_t(1) << (bits - 1);
  return (narrowRange && !midRise) ? -(half - 1) : -half;
}

int64_t QuantGrid::qmax() const {
  if (!isSigned)
    return (int64_t(1) << bits) - (narrowRange ? 2 : 1);
  return (int64_t(1) << (bits - 1)) - 1;
}

bool QuantGrid::isValid() const {
  if (bits < 1 || bits > 16)
    return false;
  if (midRise && !isSigned)
    return false;
  return scaleDivisor() > 0.0;
}

double mlir::qlip::roundHalfToEven(double v) { return std::nearbyint(v); }

double mlir::qlip::clipScale(double alpha, QuantGrid grid) {
  assert(grid.isValid() && "invalid quantization grid");
  double scale = alpha / grid.scaleDivisor();
  // `!(scale >= FLT_MIN)` also catches NaN.
  return !(scale >= double(FLT_MIN)) ? double(FLT_MIN) : scale;
}

int64_t mlir::qlip::quantizeToLevel(double x, double scale, QuantGrid grid) {
  // Clamping before rounding is equivalent to clamping after it because the
  // bounds are integers, and it keeps the value in int64 range.
  double v = x / scale - grid.levelOffset();
  v = std::clamp(v, double(grid.qmin()), double(grid.qmax()));
  return static_cast<int64_t>(roundHalfToEven(v));
}

double mlir::qlip::fakeQuantize(double x, double alpha, QuantGrid grid) {
  double scale = clipScale(alpha, grid);
  double q = double(quantizeToLevel(x, scale, grid));
  return (q + grid.levelOffset()) * scale;
}

namespace {
/// The real quantizer for one alpha with everything hoisted out of the
/// per-element loop.
struct Quantizer {
  double scale;
  double invScale;
  double lo;
  double hi;
  double offset;

  Quantizer(double alpha, QuantGrid grid)
      : scale(clipScale(alpha, grid)), invScale(1.0 / scale),
        lo(double(grid.qmin())), hi(double(grid.qmax())),
        offset(grid.levelOffset()) {}
};
} // namespace

/// 1.5 * 2^52: adding and subtracting it rounds any |v| < 2^51 to an integer
/// in the current rounding mode (round to nearest even, which qlip never
/// changes), i.e. exactly std::nearbyint(v), but inline instead of a libm
/// call that saves and restores the floating-point environment. v is clamped
/// to |v| <= 2^16 first. qlip is not built with -ffast-math, which could fold
/// the two operations away.
static constexpr double kRoundMagic = 6755399441055744.0;

/// Sum of squared errors of the real quantizer over x. With `Exact`, x is
/// divided by the scale, exactly as fakeQuantize() does; otherwise it is
/// multiplied by the reciprocal scale, which differs only when x / scale is
/// within an ulp of a rounding tie and cannot move the optimum, but is much
/// cheaper in the search loop. Four independent accumulators let the
/// additions pipeline.
template <bool Exact>
static double sumSquaredError(llvm::ArrayRef<float> x, const Quantizer &qz) {
  const float *p = x.data();
  size_t n = x.size();
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  auto err = [&](float xf) {
    double xv = xf;
    double scaled = Exact ? xv / qz.scale : xv * qz.invScale;
    double v = std::clamp(scaled - qz.offset, qz.lo, qz.hi);
    double q = (v + kRoundMagic) - kRoundMagic;
    double e = xv - (q + qz.offset) * qz.scale;
    return e * e;
  };
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    acc[0] += err(p[i]);
    acc[1] += err(p[i + 1]);
    acc[2] += err(p[i + 2]);
    acc[3] += err(p[i + 3]);
  }
  for (; i < n; ++i)
    acc[0] += err(p[i]);
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

static double sumSquaredErrorExact(llvm::ArrayRef<float> x,
                                   const Quantizer &qz) {
  return sumSquaredError<true>(x, qz);
}

static double sumSquaredErrorFast(llvm::ArrayRef<float> x,
                                  const Quantizer &qz) {
  return sumSquaredError<false>(x, qz);
}

double mlir::qlip::quantizationMse(llvm::ArrayRef<float> x, double alpha,
                                   QuantGrid grid) {
  if (x.empty())
    return 0.0;
  return sumSquaredErrorExact(x, Quantizer(alpha, grid)) / double(x.size());
}

double mlir::qlip::clipRange(llvm::ArrayRef<float> x, QuantGrid grid) {
  double range = 0.0;
  if (grid.isSigned) {
    for (float v : x)
      range = std::max(range, double(std::fabs(v)));
  } else {
    for (float v : x)
      range = std::max(range, double(v));
  }
  return range;
}

double mlir::qlip::unitScaleClip(QuantGrid grid) {
  assert(grid.isValid() && "invalid quantization grid");
  return grid.scaleDivisor();
}

double mlir::qlip::minimumClip(QuantGrid grid) {
  assert(grid.isValid() && "invalid quantization grid");
  return double(FLT_MIN) * grid.scaleDivisor();
}

double mlir::qlip::finalizeClip(double alpha, double range, QuantGrid grid) {
  if (!(range > 0.0))
    return unitScaleClip(grid);
  if (!(alpha > 0.0) || !std::isfinite(alpha) || alpha > range)
    alpha = range;
  // Keep the scale a finite float: only binds for the 1-bit mid-rise grid
  // (divisor 1/2) on data near FLT_MAX.
  alpha = std::min(alpha, double(FLT_MAX) * grid.scaleDivisor());
  return std::max(alpha, minimumClip(grid));
}

ChannelStats mlir::qlip::computeChannelStats(llvm::ArrayRef<float> x) {
  ChannelStats s;
  s.count = x.size();
  if (x.empty())
    return s;
  double sum = 0.0, sumAbs = 0.0, sumSq = 0.0;
  double posSum = 0.0, posSumSq = 0.0;
  size_t posCount = 0;
  for (float f : x) {
    double v = f;
    sum += v;
    sumAbs += std::fabs(v);
    sumSq += v * v;
    s.maxAbs = std::max(s.maxAbs, std::fabs(v));
    s.maxPositive = std::max(s.maxPositive, v);
    if (v > 0.0) {
      posSum += v;
      posSumSq += v * v;
      ++posCount;
    }
  }
  double n = double(x.size());
  s.mean = sum / n;
  s.meanAbs = sumAbs / n;
  s.rms = std::sqrt(sumSq / n);
  if (posCount) {
    s.positiveMean = posSum / double(posCount);
    s.positiveRms = std::sqrt(posSumSq / double(posCount));
  }
  // Second pass: deviations from the mean. E[x^2] - E[x]^2 would cancel
  // catastrophically for channels with a large common offset.
  double sumAbsDev = 0.0, sumSqDev = 0.0;
  for (float f : x) {
    double d = double(f) - s.mean;
    sumAbsDev += std::fabs(d);
    sumSqDev += d * d;
  }
  s.meanAbsDeviation = sumAbsDev / n;
  s.stddev = x.size() > 1 ? std::sqrt(sumSqDev / (n - 1.0)) : 0.0;
  return s;
}

double mlir::qlip::minimizeGoldenSection(llvm::function_ref<double(double)> f,
                                         double lo, double hi,
                                         unsigned iterations,
                                         double *bestValue) {
  const double invPhi = 0.6180339887498949; // 1 / golden ratio
  double a = lo, b = hi;
  double c = b - invPhi * (b - a), d = a + invPhi * (b - a);
  double fc = f(c), fd = f(d);
  double bestX = fc <= fd ? c : d, bestF = std::min(fc, fd);
  for (unsigned i = 0; i < iterations; ++i) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - invPhi * (b - a);
      fc = f(c);
      if (fc < bestF) {
        bestF = fc;
        bestX = c;
      }
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + invPhi * (b - a);
      fd = f(d);
      if (fd < bestF) {
        bestF = fd;
        bestX = d;
      }
    }
  }
  if (bestValue)
    *bestValue = bestF;
  return bestX;
}

double mlir::qlip::mseOptimalClip(llvm::ArrayRef<float> x, QuantGrid grid,
                                  const MseSearchOptions &options) {
  double range = clipRange(x, grid);
  if (!(range > 0.0) || x.empty())
    return finalizeClip(0.0, range, grid);

  auto fastError = [&](double alpha) {
    return sumSquaredErrorFast(x, Quantizer(alpha, grid));
  };

  // Coarse scan: the error has many shallow local minima, so first locate
  // the basin of the global one on a uniform grid of candidates.
  unsigned numCandidates = std::max(options.coarseCandidates, 1u);
  double step = range / double(numCandidates);
  unsigned bestK = numCandidates;
  double bestErr = fastError(range);
  for (unsigned k = 1; k < numCandidates; ++k) {
    double e = fastError(step * double(k));
    if (e < bestErr) {
      bestErr = e;
      bestK = k;
    }
  }
  double coarseAlpha = step * double(bestK);

  // Refine inside the bracket formed by the neighbouring candidates.
  double lo = step * double(bestK - 1);
  double hi = std::min(range, step * double(bestK + 1));
  double refinedAlpha =
      minimizeGoldenSection(fastError, lo, hi, options.refineIterations);

  // Pick the final value with the exact quantizer, so the guarantees (never
  // worse than the coarse best nor than alpha = range) hold exactly.
  double best = range;
  double bestExact = sumSquaredErrorExact(x, Quantizer(range, grid));
  for (double cand : {coarseAlpha, refinedAlpha}) {
    double e = sumSquaredErrorExact(x, Quantizer(cand, grid));
    if (e < bestExact) {
      bestExact = e;
      best = cand;
    }
  }
  return finalizeClip(best, range, grid);
}

bool mlir::qlip::allFinite(llvm::ArrayRef<float> x) {
  return !firstNonFinite(x).has_value();
}

std::optional<size_t> mlir::qlip::firstNonFinite(llvm::ArrayRef<float> x) {
  for (size_t i = 0, e = x.size(); i < e; ++i)
    if (!std::isfinite(x[i]))
      return i;
  return std::nullopt;
}
