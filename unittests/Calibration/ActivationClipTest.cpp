//===- ActivationClipTest.cpp - activation range rules vs brute force -----===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/ActivationClip.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace mlir::qlip;

namespace {

enum class Family { Gauss, Laplace, Uniform, Skewed };

/// Samples; `nonNegative` applies a ReLU.
std::vector<float> sample(Family family, size_t n, uint64_t seed,
                          bool nonNegative, double offset = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::exponential_distribution<double> expo;
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<float> x(n);
  for (float &v : x) {
    double r = 0;
    switch (family) {
    case Family::Gauss:
      r = normal(rng);
      break;
    case Family::Laplace:
      r = uniform(rng) < 0 ? -expo(rng) : expo(rng);
      break;
    case Family::Uniform:
      r = uniform(rng);
      break;
    case Family::Skewed: // log-normal shifted: long right tail
      r = std::exp(0.75 * normal(rng)) - 1.2;
      break;
    }
    r += offset;
    v = float(nonNegative ? std::max(r, 0.0) : r);
  }
  return x;
}

/// Streams x in batches of 1000, so the histogram grows as in calibration.
Histogram histogramOf(llvm::ArrayRef<float> x, unsigned bins = 2048) {
  Histogram h(bins);
  for (size_t i = 0; i < x.size(); i += 1000)
    h.add(x.slice(i, std::min<size_t>(1000, x.size() - i)));
  return h;
}

/// The real quantizer of `aq` on `grid` (#qlip.qparams semantics):
/// q = clamp(round_half_even(x / s) + z, qmin, qmax), x' = (q - z) * s.
double realQuantize(double x, const AffineQuantization &aq, QuantGrid grid) {
  double q = std::nearbyint(x / aq.scale) + double(aq.zeroPoint);
  q = std::clamp(q, double(grid.qmin()), double(grid.qmax()));
  return (q - double(aq.zeroPoint)) * aq.scale;
}

/// Mean squared error of the real quantizer over x; realQuantize() with the
/// rounding inlined (1.5 * 2^52 trick, exact round-half-even for the
/// clamped values) because the scans call it a lot.
double rawMse(llvm::ArrayRef<float> x, ActivationRange r, QuantGrid grid) {
  AffineQuantization aq = nudgeRange(r, grid);
  const double magic = 6755399441055744.0;
  double lo = double(grid.qmin() - aq.zeroPoint) - 1;
  double hi = double(grid.qmax() - aq.zeroPoint) + 1;
  double kMin = lo + 1, kMax = hi - 1;
  double sum = 0;
  for (float v : x) {
    double u = std::clamp(double(v) / aq.scale, lo, hi);
    double k = std::clamp((u + magic) - magic, kMin, kMax);
    double e = double(v) - k * aq.scale;
    sum += e * e;
  }
  return sum / double(x.size());
}

//===----------------------------------------------------------------------===//
// max and percentile
//===----------------------------------------------------------------------===//

TEST(ActivationClipTest, MaxRange) {
  ActivationMoments s;
  s.count = 10;
  s.min = -1.5;
  s.max = 4.0;
  EXPECT_EQ(maxRange(s, false).min, -1.5);
  EXPECT_EQ(maxRange(s, false).max, 4.0);
  EXPECT_EQ(maxRange(s, true).min, 0.0);
  EXPECT_EQ(maxRange(s, true).max, 4.0);
  s.max = -0.5; // a "non-negative" tensor that only saw negatives
  EXPECT_EQ(maxRange(s, true).max, 0.0);
  ActivationMoments none;
  EXPECT_EQ(maxRange(none, false).min, 0.0);
  EXPECT_EQ(maxRange(none, false).max, 0.0);
}

/// The nearest-rank q-quantile of sorted data.
double rawQuantile(const std::vector<float> &sorted, double q) {
  double rank = std::ceil(q * double(sorted.size()));
  size_t k = size_t(std::clamp(rank - 1, 0.0, double(sorted.size() - 1)));
  return sorted[k];
}

TEST(ActivationClipTest, PercentileMatchesSortedDataWithinABin) {
  uint64_t seed = 1;
  for (Family family :
       {Family::Gauss, Family::Laplace, Family::Uniform, Family::Skewed}) {
    for (bool nonNegative : {false, true}) {
      std::vector<float> x = sample(family, 200000, seed++, nonNegative);
      Histogram h = histogramOf(x);
      std::vector<float> sorted = x;
      std::sort(sorted.begin(), sorted.end());
      for (double p : {50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
        SCOPED_TRACE(testing::Message()
                     << "family " << int(family) << " nonNegative "
                     << nonNegative << " p " << p);
        ActivationRange r = percentileRange(h, p, nonNegative);
        double w = h.binWidth();
        if (nonNegative) {
          EXPECT_EQ(r.min, 0.0);
          EXPECT_NEAR(r.max, std::max(0.0, rawQuantile(sorted, p / 100)), w);
        } else {
          EXPECT_NEAR(r.min, rawQuantile(sorted, (100 - p) / 200), w);
          EXPECT_NEAR(r.max, rawQuantile(sorted, (100 + p) / 200), w);
        }
        EXPECT_LE(r.min, r.max);
      }
    }
  }
}

TEST(ActivationClipTest, PercentileOfTinyAndEmptyHistograms) {
  Histogram empty;
  EXPECT_EQ(percentileRange(empty, 99.9, false).max, 0.0);
  Histogram one;
  float v = 2.5f;
  one.add(v);
  ActivationRange r = percentileRange(one, 99.9, false);
  EXPECT_NEAR(r.min, 2.5, one.binWidth());
  EXPECT_NEAR(r.max, 2.5, one.binWidth());
  EXPECT_LE(r.min, r.max);
}

//===----------------------------------------------------------------------===//
// KL
//===----------------------------------------------------------------------===//

/// A straightforward transcription of TensorRT's entropy calibration as
/// pytorch-quantization writes it, on a magnitude histogram: returns the
/// number of bins kept.
size_t slowKlThreshold(std::vector<double> bins, size_t levels) {
  size_t n = bins.size();
  if (n <= levels)
    return n;
  bins[0] = bins[1];
  double bestKl = std::numeric_limits<double>::infinity();
  size_t best = n;
  // pytorch-quantization's start_bin = 128.
  for (size_t i = std::max<size_t>(levels, std::min<size_t>(128, n)); i <= n;
       ++i) {
    // Reference P: the first i bins, the outliers added to the last one.
    std::vector<double> p(bins.begin(), bins.begin() + i);
    for (size_t j = i; j < n; ++j)
      p[i - 1] += bins[j];
    // Candidate Q: the first i bins merged into `levels` levels, expanded
    // back evenly over each level's non-empty bins.
    std::vector<double> levelSum(levels, 0), levelNonZero(levels, 0);
    for (size_t j = 0; j < i; ++j) {
      size_t l = j * levels / i;
      levelSum[l] += bins[j];
      levelNonZero[l] += bins[j] != 0;
    }
    std::vector<double> q(i, 0);
    for (size_t j = 0; j < i; ++j)
      if (bins[j] != 0)
        q[j] = levelSum[j * levels / i] / levelNonZero[j * levels / i];
    double sp = 0, sq = 0;
    for (size_t j = 0; j < i; ++j) {
      sp += p[j];
      sq += q[j];
    }
    double kl = 0;
    for (size_t j = 0; j < i; ++j) {
      if (p[j] == 0)
        continue;
      if (q[j] == 0) {
        kl = std::numeric_limits<double>::infinity();
        break;
      }
      kl += p[j] / sp * std::log((p[j] / sp) / (q[j] / sq));
    }
    if (kl <= bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

/// Histogram counts of x on 2048 bins of width 2^e from -1024 * 2^e (signed)
/// or from 0 (non-negative), built with Histogram::fromBins so both the
/// rule and the slow version see exactly the same bins.
Histogram fixedHistogram(llvm::ArrayRef<float> x, int e, bool nonNegative) {
  double w = std::ldexp(1.0, e);
  int64_t first = nonNegative ? 0 : -1024;
  std::vector<double> edges;
  for (int64_t i = 0; i <= 2048; ++i)
    edges.push_back(double(first + i) * w);
  std::vector<int64_t> counts(2048, 0);
  for (float v : x) {
    int64_t bin = int64_t(std::floor(v / w)) - first;
    ++counts[std::clamp<int64_t>(bin, 0, 2047)];
  }
  return Histogram::fromBins(edges, counts);
}

/// The magnitude histogram of one side (`negative`: of -x) the rule works
/// on, taken by hand.
std::vector<double> foldByHand(const Histogram &h, bool nonNegative,
                               bool negative) {
  auto c = h.counts();
  std::vector<double> mag;
  if (nonNegative) {
    mag.assign(c.begin(), c.end());
  } else {
    for (size_t j = 0; j < 1024; ++j)
      mag.push_back(double(negative ? c[1023 - j] : c[1024 + j]));
  }
  while (mag.size() > 1 && mag.back() == 0)
    mag.pop_back();
  return mag;
}

TEST(ActivationClipTest, KlMatchesSlowReimplementation) {
  uint64_t seed = 10;
  int cases = 0;
  for (Family family :
       {Family::Gauss, Family::Laplace, Family::Uniform, Family::Skewed}) {
    for (bool nonNegative : {false, true}) {
      for (unsigned bits : {3u, 4u, 6u, 8u}) {
        std::vector<float> x = sample(family, 100000, seed++, nonNegative);
        // A few far outliers, as real activations have.
        for (int k = 0; k < 5; ++k)
          x.push_back(float((nonNegative ? 1 : (k % 2 ? -1 : 1)) * 7.5));
        Histogram h = fixedHistogram(x, -7, nonNegative);
        size_t levels = size_t(1) << (nonNegative ? bits : bits - 1);
        double t = double(slowKlThreshold(foldByHand(h, nonNegative, false),
                                          levels)) *
                   h.binWidth();
        double tNeg =
            nonNegative ? 0.0
                        : double(slowKlThreshold(foldByHand(h, false, true),
                                                 levels)) *
                              h.binWidth();

        SCOPED_TRACE(testing::Message()
                     << "family " << int(family) << " nonNegative "
                     << nonNegative << " bits " << bits);
        ActivationRange r = klRange(h, bits, nonNegative);
        llvm::SmallVector<double> edges = h.edges();
        size_t first = 0, last = 2047;
        while (!h.counts()[first])
          ++first;
        while (!h.counts()[last])
          --last;
        if (nonNegative) {
          EXPECT_EQ(r.min, 0.0);
          EXPECT_EQ(r.max, std::min(t, edges[last + 1]));
        } else {
          EXPECT_EQ(r.min, std::max(-tNeg, edges[first]));
          EXPECT_EQ(r.max, std::min(t, edges[last + 1]));
        }
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 32);
}

TEST(ActivationClipTest, KlOnGaussianClipsWellInsideTheMax) {
  std::vector<float> x = sample(Family::Gauss, 1000000, 20, false);
  Histogram h = histogramOf(x);
  double maxAbs = 0;
  for (float v : x)
    maxAbs = std::max(maxAbs, double(std::fabs(v)));
  ActivationRange r = klRange(h, 8, false);
  // Symmetric data, a threshold per side, nearly symmetric; about 4 sigma
  // against a max near 5 sigma.
  EXPECT_NEAR(r.max, -r.min, 0.1 * r.max);
  EXPECT_GT(r.max, 3.0);
  EXPECT_LT(r.max, 0.95 * maxAbs);
  // Fewer bits clip harder.
  ActivationRange r4 = klRange(h, 4, false);
  EXPECT_LT(r4.max, r.max);

  // ReLU'd Gaussian, unsigned grid: the zero spike must not drag the
  // threshold down (the bins[0] = bins[1] rule).
  std::vector<float> relu = sample(Family::Gauss, 1000000, 21, true);
  ActivationRange rr = klRange(histogramOf(relu), 8, true);
  EXPECT_EQ(rr.min, 0.0);
  EXPECT_GT(rr.max, 3.0);
  EXPECT_LT(rr.max, 0.95 * maxAbs);
}

TEST(ActivationClipTest, KlTakesEachSideOfASignedTensor) {
  // A normalized image: most pixels the background, -0.81, the rest up to
  // 2.02. |x| would put the background's spike on the bright side too and
  // clip both at 0.81; each side on its own keeps the bright pixels.
  std::vector<float> x(200000, -0.8102f);
  std::vector<float> bright = sample(Family::Uniform, 100000, 40, true);
  for (float v : bright)
    x.push_back(std::min(2.0227f, std::fabs(v) * 2.0f));
  x.push_back(2.0227f);
  Histogram h = histogramOf(x);
  ActivationRange r = klRange(h, 8, false);
  EXPECT_NEAR(r.min, -0.8102, 2 * h.binWidth());
  EXPECT_GT(r.max, 1.5);
}

TEST(ActivationClipTest, KlSearchStartsAtBin128) {
  // At 3 bits (4 levels a side) the search starts at 128 bins, not 4: on a
  // Laplace tensor over 2048 bins the threshold keeps at least 128.
  std::vector<float> x = sample(Family::Laplace, 200000, 41, true);
  Histogram h = fixedHistogram(x, -8, true);
  for (unsigned bits : {2u, 3u}) {
    ActivationRange r = klRange(h, bits, true);
    EXPECT_GE(r.max, 128 * h.binWidth() - 1e-12) << bits << " bits";
  }
}

TEST(ActivationClipTest, KlIsFast) {
  // Data over all 2048 bins: every threshold from the number of levels to
  // 2048 is evaluated.
  std::vector<float> x = sample(Family::Laplace, 200000, 30, true);
  Histogram h = fixedHistogram(x, -8, true);
  auto start = std::chrono::steady_clock::now();
  for (unsigned bits : {2u, 4u, 8u}) {
    klRange(h, bits, true);
    klRange(h, bits, false);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_LT(seconds, 0.5);
}

TEST(ActivationClipTest, KlDegenerateHistograms) {
  EXPECT_EQ(klRange(Histogram(), 8, false).max, 0.0);
  // All zero: one magnitude bin, fewer bins than levels, keep everything.
  Histogram zeros;
  zeros.add(std::vector<float>(1000, 0.0f));
  ActivationRange z = klRange(zeros, 8, true);
  EXPECT_EQ(z.min, 0.0);
  EXPECT_GE(z.max, 0.0);
  EXPECT_LE(z.max, zeros.binWidth());
  // 16 bits: more levels than bins, no clipping.
  std::vector<float> x = sample(Family::Gauss, 10000, 31, false);
  Histogram h = histogramOf(x);
  ActivationRange r = klRange(h, 16, false);
  EXPECT_LE(r.min, *std::min_element(x.begin(), x.end()));
  EXPECT_GE(r.max, *std::max_element(x.begin(), x.end()));
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

/// The best range of the same family ([0, a], or [-a, a] within the data)
/// by a dense scan of the real quantizer on the raw samples.
double bestRawMse(llvm::ArrayRef<float> x, bool nonNegative, QuantGrid grid) {
  double lo = *std::min_element(x.begin(), x.end());
  double hi = *std::max_element(x.begin(), x.end());
  double top = nonNegative ? hi : std::max(-lo, hi);
  auto mse = [&](double a) {
    ActivationRange r =
        nonNegative ? ActivationRange{0.0, a}
                    : ActivationRange{std::max(-a, lo), std::min(a, hi)};
    return rawMse(x, r, grid);
  };
  // 400 steps over the whole range, then 200 steps of 1/100 of that around
  // the best: a 40 000-step scan where it matters.
  const int kSteps = 400;
  double best = std::numeric_limits<double>::infinity(), bestA = top;
  for (int k = 1; k <= kSteps; ++k) {
    double err = mse(top * k / kSteps);
    if (err < best) {
      best = err;
      bestA = top * k / kSteps;
    }
  }
  double step = top / kSteps;
  for (int k = -100; k <= 100; ++k) {
    double a = bestA + step * k / 100;
    if (a > 0 && a <= top)
      best = std::min(best, mse(a));
  }
  return best;
}

TEST(ActivationClipTest, MseMatchesDenseScanOnRawSamples) {
  uint64_t seed = 40;
  for (Family family : {Family::Gauss, Family::Laplace, Family::Skewed}) {
    for (bool nonNegative : {false, true}) {
      for (unsigned bits : {2u, 4u, 8u}) {
        std::vector<float> x = sample(family, 20000, seed++, nonNegative);
        QuantGrid grid = nonNegative ? QuantGrid::unsignedFull(bits)
                                     : QuantGrid::signedFull(bits);
        ActivationRange r = mseRange(histogramOf(x), bits, nonNegative);
        double ours = rawMse(x, r, grid);
        double best = bestRawMse(x, nonNegative, grid);
        EXPECT_LE(ours, 1.02 * best)
            << "family " << int(family) << " nonNegative " << nonNegative
            << " bits " << bits << " range [" << r.min << ", " << r.max << "]";
      }
    }
  }
}

TEST(ActivationClipTest, HistogramRangeMseMatchesRawSamples) {
  // The per-bin integral against the real quantizer on the samples, for
  // ranges from heavy clipping to none.
  uint64_t seed = 45;
  for (Family family : {Family::Gauss, Family::Laplace, Family::Skewed}) {
    for (bool nonNegative : {false, true}) {
      std::vector<float> x = sample(family, 200000, seed++, nonNegative);
      Histogram h = histogramOf(x);
      double lo = *std::min_element(x.begin(), x.end());
      double hi = *std::max_element(x.begin(), x.end());
      for (unsigned bits : {2u, 4u, 8u, 16u}) {
        QuantGrid grid = nonNegative ? QuantGrid::unsignedFull(bits)
                                     : QuantGrid::signedFull(bits);
        for (double f : {0.1, 0.3, 0.6, 1.0}) {
          ActivationRange r{nonNegative ? 0.0 : f * lo, f * hi};
          double raw = rawMse(x, r, grid);
          double est = histogramRangeMse(h, r, bits, nonNegative);
          // Measured: within 0.4% up to 8 bits. At 16 bits the step is
          // below the spacing of the few samples in the sparse tails, where
          // "uniform within a bin" is rough (up to 12% off at full range).
          double tolerance = bits == 16 ? 0.2 : 0.01;
          EXPECT_NEAR(est, raw, tolerance * raw)
              << "family " << int(family) << " nonNegative " << nonNegative
              << " bits " << bits << " f " << f;
        }
      }
    }
  }
  EXPECT_EQ(histogramRangeMse(Histogram(), {0, 1}, 8, false), 0.0);
}

TEST(ActivationClipTest, MseAtSixteenBitsBarelyClips) {
  // Bins far wider than the grid step: the per-bin integral must not alias
  // bin centers onto levels.
  std::vector<float> x = sample(Family::Laplace, 50000, 50, false);
  Histogram h = histogramOf(x);
  ActivationRange r = mseRange(h, 16, false);
  double lo = *std::min_element(x.begin(), x.end());
  double hi = *std::max_element(x.begin(), x.end());
  EXPECT_GT(r.max - r.min, 0.5 * (hi - lo));
  double ours = rawMse(x, r, QuantGrid::signedFull(16));
  double full = rawMse(x, {lo, hi}, QuantGrid::signedFull(16));
  EXPECT_LE(ours, 1.05 * full);
}

TEST(ActivationClipTest, MseDegenerate) {
  EXPECT_EQ(mseRange(Histogram(), 8, false).max, 0.0);
  Histogram zeros;
  zeros.add(std::vector<float>(100, 0.0f));
  ActivationRange r = mseRange(zeros, 8, true);
  EXPECT_EQ(r.min, 0.0);
  EXPECT_GE(r.max, 0.0);
  Histogram negative; // a "non-negative" tensor that only saw negatives
  negative.add(std::vector<float>(100, -1.0f));
  EXPECT_EQ(mseRange(negative, 8, true).max, 0.0);
}

//===----------------------------------------------------------------------===//
// ACIQ
//===----------------------------------------------------------------------===//

TEST(ActivationClipTest, AciqFollowsTheAuthorsRanges) {
  ActivationMoments s;
  s.count = 1000;
  s.min = -3;
  s.max = 40;
  s.mean = 0.5;
  s.meanAbsDeviation = 0.8;
  s.stddev = 1.1;
  for (unsigned bits : {2u, 4u, 8u}) {
    // Non-negative: [0, max(mean, 0) + k+ * s], capped at the max.
    double kl =
        aciqMultiplier(AciqPrior::Laplace, QuantGrid::unsignedFull(bits));
    double kg = aciqMultiplier(AciqPrior::Gauss, QuantGrid::unsignedFull(bits));
    ActivationRange l = aciqRange(s, AciqPrior::Laplace, bits, true);
    ActivationRange g = aciqRange(s, AciqPrior::Gauss, bits, true);
    EXPECT_EQ(l.min, 0.0);
    EXPECT_DOUBLE_EQ(l.max, 0.5 + kl * 0.8);
    EXPECT_DOUBLE_EQ(g.max, 0.5 + kg * 1.1);
    // Signed: mean +- k * s within [min, max].
    double ks = aciqMultiplier(AciqPrior::Laplace, QuantGrid::signedFull(bits));
    ActivationRange sl = aciqRange(s, AciqPrior::Laplace, bits, false);
    EXPECT_DOUBLE_EQ(sl.min, std::max(-3.0, 0.5 - ks * 0.8));
    EXPECT_DOUBLE_EQ(sl.max, std::min(40.0, 0.5 + ks * 0.8));
  }
  // Capped by the data.
  s.max = 1.0;
  EXPECT_EQ(aciqRange(s, AciqPrior::Laplace, 8, true).max, 1.0);
  // A negative mean does not shift the one-sided clip below k * s.
  s.mean = -2;
  s.max = 100;
  double k8 = aciqMultiplier(AciqPrior::Laplace, QuantGrid::unsignedFull(8));
  EXPECT_DOUBLE_EQ(aciqRange(s, AciqPrior::Laplace, 8, true).max, k8 * 0.8);
  // Constant data: b = sigma = 0, the range collapses to the value.
  ActivationMoments c;
  c.count = 5;
  c.min = c.max = c.mean = 2.0;
  ActivationRange cr = aciqRange(c, AciqPrior::Gauss, 8, false);
  EXPECT_EQ(cr.min, 2.0);
  EXPECT_EQ(cr.max, 2.0);
  EXPECT_EQ(aciqRange(ActivationMoments(), AciqPrior::Gauss, 8, false).max,
            0.0);
}

//===----------------------------------------------------------------------===//
// Nudging
//===----------------------------------------------------------------------===//

void checkNudge(ActivationRange r, QuantGrid grid) {
  SCOPED_TRACE(testing::Message() << "[" << r.min << ", " << r.max << "] "
                                  << (grid.isSigned ? "i" : "ui") << grid.bits);
  AffineQuantization aq = nudgeRange(r, grid);
  double lo = std::min(r.min, 0.0), hi = std::max(r.max, 0.0);
  double steps = double(grid.qmax() - grid.qmin());
  ASSERT_TRUE(std::isfinite(aq.scale));
  EXPECT_GE(aq.scale, double(FLT_MIN));
  EXPECT_GE(aq.zeroPoint, grid.qmin());
  EXPECT_LE(aq.zeroPoint, grid.qmax());
  // 0.0 is exact: it quantizes to the zero point, which maps back to 0.
  EXPECT_EQ(realQuantize(0.0, aq, grid), 0.0);
  EXPECT_EQ(std::nearbyint(0.0 / aq.scale) + aq.zeroPoint, aq.zeroPoint);
  // The reported range is the grid's.
  EXPECT_EQ(aq.min, double(grid.qmin() - aq.zeroPoint) * aq.scale);
  EXPECT_EQ(aq.max, double(grid.qmax() - aq.zeroPoint) * aq.scale);
  EXPECT_LE(aq.min, 0.0);
  EXPECT_GE(aq.max, 0.0);
  if (hi == lo) {
    EXPECT_EQ(aq.scale, 1.0);
    return;
  }
  // TFLite's scale, unless floored at FLT_MIN.
  if ((hi - lo) / steps >= double(FLT_MIN)) {
    EXPECT_DOUBLE_EQ(aq.scale, (hi - lo) / steps);
  }
  // Containment: the requested range lies within the grid's rounding cells,
  // so every requested value is reconstructed within half a step (the
  // nudge moves the range by at most half a step).
  double slack = 1e-9 * aq.scale;
  EXPECT_LE(aq.min - 0.5 * aq.scale, lo + slack);
  EXPECT_GE(aq.max + 0.5 * aq.scale, hi - slack);
  EXPECT_LE(std::fabs(realQuantize(lo, aq, grid) - lo), 0.5 * aq.scale + slack);
  EXPECT_LE(std::fabs(realQuantize(hi, aq, grid) - hi), 0.5 * aq.scale + slack);
  // A range starting at 0 keeps 0 as its lower end exactly.
  if (lo == 0.0) {
    EXPECT_EQ(aq.min, 0.0);
  }
}

TEST(ActivationClipTest, NudgePropertiesOnRandomRanges) {
  std::mt19937_64 rng(60);
  std::uniform_real_distribution<double> u(-1, 1);
  std::uniform_real_distribution<double> logScale(-30, 30);
  std::vector<QuantGrid> grids;
  for (unsigned bits : {2u, 3u, 4u, 8u, 16u}) {
    grids.push_back(QuantGrid::unsignedFull(bits));
    grids.push_back(QuantGrid::signedFull(bits));
    grids.push_back(QuantGrid::signedNarrow(bits));
  }
  for (int i = 0; i < 2000; ++i) {
    double scale = std::exp(logScale(rng));
    double a = u(rng) * scale, b = u(rng) * scale;
    ActivationRange r{std::min(a, b), std::max(a, b)};
    if (i % 5 == 0)
      r.min = std::fabs(r.min); // all positive (widened to 0)
    if (i % 7 == 0)
      r.max = -std::fabs(r.max); // all negative
    if (r.min > r.max)
      std::swap(r.min, r.max);
    for (QuantGrid grid : grids)
      checkNudge(r, grid);
  }
  for (QuantGrid grid : grids) {
    checkNudge({0, 0}, grid);
    checkNudge({-1e-45, 1e-45}, grid);
    checkNudge({-FLT_MAX, FLT_MAX}, grid);
    checkNudge({0, FLT_MAX}, grid);
    checkNudge({-1, 1}, grid);
  }
}

TEST(ActivationClipTest, NudgeKnownValues) {
  // The whitepaper's example: (2.1, 3.5) is relaxed to (0, 3.5).
  AffineQuantization a = nudgeRange({2.1, 3.5}, QuantGrid::unsignedFull(8));
  EXPECT_EQ(a.zeroPoint, 0);
  EXPECT_DOUBLE_EQ(a.scale, 3.5 / 255);
  EXPECT_EQ(a.min, 0.0);
  EXPECT_DOUBLE_EQ(a.max, 3.5);
  // [-1, 2.3] on uint8: zero point round(1 / (3.3 / 255)) = round(77.27).
  AffineQuantization b = nudgeRange({-1, 2.3}, QuantGrid::unsignedFull(8));
  EXPECT_EQ(b.zeroPoint, 77);
  EXPECT_DOUBLE_EQ(b.min, -77 * (3.3 / 255));
  // Degenerate: scale 1, zero point at 0's level.
  AffineQuantization z = nudgeRange({0, 0}, QuantGrid::unsignedFull(8));
  EXPECT_EQ(z.scale, 1.0);
  EXPECT_EQ(z.zeroPoint, 0);
  EXPECT_EQ(z.min, 0.0);
  EXPECT_EQ(z.max, 255.0);
  AffineQuantization zs = nudgeRange({0, 0}, QuantGrid::signedFull(8));
  EXPECT_EQ(zs.zeroPoint, 0);
  EXPECT_EQ(zs.min, -128.0);
  // A symmetric range is a tie (zero point from min = -0.5 on int8, 127.5
  // on uint8); ties go to even, so both storages give the same real grid.
  AffineQuantization si = nudgeRange({-1, 1}, QuantGrid::signedFull(8));
  AffineQuantization su = nudgeRange({-1, 1}, QuantGrid::unsignedFull(8));
  EXPECT_EQ(si.zeroPoint, 0);
  EXPECT_EQ(su.zeroPoint, 128);
  EXPECT_EQ(si.min, su.min);
  EXPECT_EQ(si.max, su.max);
}

} // namespace
