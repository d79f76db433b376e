//===- SawbTest.cpp - Tests for SAWB clipping and its coefficient fit -----===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Sawb.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace mlir::qlip;

namespace {

/// IBM fms_mo `sawb_params` (PAPERS.md section 2): bits -> (c1, c2).
struct IbmEntry {
  unsigned bits;
  double c1, c2;
};
const IbmEntry kIbmTable[] = {{2, 3.12, 2.064},
                              {3, 7.509, 6.892},
                              {4, 12.68, 12.80},
                              {5, 17.74, 18.64},
                              {8, 31.76, 35.04}};

TEST(SawbTest, DefaultTableUsesIbmCoefficients) {
  for (const IbmEntry &e : kIbmTable) {
    SawbCoefficients c = defaultSawbCoefficients(e.bits);
    EXPECT_EQ(c.c1, e.c1);
    EXPECT_EQ(c.c2, e.c2);
    EXPECT_EQ(defaultSawbCoefficientSource(e.bits),
              SawbCoefficientSource::IbmFmsMo);
  }
  for (unsigned bits : {1u, 6u, 7u, 9u, 12u, 16u})
    EXPECT_EQ(defaultSawbCoefficientSource(bits),
              SawbCoefficientSource::QlipRefit);
}

TEST(SawbTest, ClipFormula) {
  std::mt19937_64 rng(1);
  std::vector<float> w(4096);
  sampleWeights(WeightDistribution::Gaussian, 0.0, 0.1, rng, w);
  ChannelStats st = computeChannelStats(w);
  for (unsigned bits : {2u, 3u}) {
    SawbCoefficients c = defaultSawbCoefficients(bits);
    double expected = c.c1 * st.rms - c.c2 * st.meanAbs;
    ASSERT_LT(expected, st.maxAbs);
    EXPECT_DOUBLE_EQ(sawbClip(w, bits), expected);
    EXPECT_DOUBLE_EQ(sawbClip(w, c, QuantGrid::signedNarrow(bits)), expected);
  }
  // Clamped to the data range, and max|x| when the formula is <= 0.
  EXPECT_DOUBLE_EQ(sawbClip(w, {100.0, 0.0}, QuantGrid::signedNarrow(4)),
                   st.maxAbs);
  EXPECT_DOUBLE_EQ(sawbClip(w, {1.0, 2.0}, QuantGrid::signedNarrow(4)),
                   st.maxAbs);
}

TEST(SawbTest, TwoBitLevels) {
  const double alpha = 3.0;
  // Levels {-3, -1, 1, 3}, decision thresholds at -2, 0, 2.
  EXPECT_EQ(sawbQuantize2Bit(-7.0, alpha), -3.0);
  EXPECT_EQ(sawbQuantize2Bit(-2.1, alpha), -3.0);
  EXPECT_EQ(sawbQuantize2Bit(-1.9, alpha), -1.0);
  EXPECT_EQ(sawbQuantize2Bit(-0.1, alpha), -1.0);
  EXPECT_EQ(sawbQuantize2Bit(0.1, alpha), 1.0);
  EXPECT_EQ(sawbQuantize2Bit(1.9, alpha), 1.0);
  EXPECT_EQ(sawbQuantize2Bit(2.1, alpha), 3.0);
  EXPECT_EQ(sawbQuantize2Bit(50.0, alpha), 3.0);
  // Ties round half to even in units of the step, as torch.round does in
  // IBM's SAWBSTE: 0 -> +alpha/3, 2 -> alpha/3, -2 -> -alpha.
  EXPECT_EQ(sawbQuantize2Bit(0.0, alpha), 1.0);
  EXPECT_EQ(sawbQuantize2Bit(2.0, alpha), 1.0);
  EXPECT_EQ(sawbQuantize2Bit(-2.0, alpha), -3.0);
  // Only the four levels ever come out.
  for (double x = -5.0; x <= 5.0; x += 0.01) {
    double q = sawbQuantize2Bit(x, alpha);
    EXPECT_TRUE(q == -3.0 || q == -1.0 || q == 1.0 || q == 3.0) << x;
  }
}

TEST(SawbTest, SamplerMoments) {
  std::mt19937_64 rng(3);
  std::vector<float> x(200000);
  auto moments = [&](WeightDistribution d, double dof) {
    sampleWeights(d, dof, 2.0, rng, x);
    ChannelStats s = computeChannelStats(x);
    return std::make_pair(s.rms / 2.0, s.meanAbs / 2.0);
  };
  auto [gRms, gAbs] = moments(WeightDistribution::Gaussian, 0.0);
  EXPECT_NEAR(gRms, 1.0, 0.01);
  EXPECT_NEAR(gAbs, std::sqrt(2.0 / 3.14159265358979), 0.01);
  auto [lRms, lAbs] = moments(WeightDistribution::Laplace, 0.0);
  EXPECT_NEAR(lRms, std::sqrt(2.0), 0.02);
  EXPECT_NEAR(lAbs, 1.0, 0.01);
  auto [uRms, uAbs] = moments(WeightDistribution::Uniform, 0.0);
  EXPECT_NEAR(uRms, 1.0 / std::sqrt(3.0), 0.01);
  EXPECT_NEAR(uAbs, 0.5, 0.01);
  EXPECT_LE(computeChannelStats(x).maxAbs, 2.0);
  auto [tRms, tAbs] = moments(WeightDistribution::StudentT, 10.0);
  EXPECT_NEAR(tRms, std::sqrt(10.0 / 8.0), 0.02);
  (void)tAbs;

  // Deterministic given the seed.
  std::mt19937_64 a(9), b(9);
  std::vector<float> xa(101), xb(101);
  sampleWeights(WeightDistribution::StudentT, 3.0, 1.0, a, xa);
  sampleWeights(WeightDistribution::StudentT, 3.0, 1.0, b, xb);
  EXPECT_EQ(xa, xb);
}

TEST(SawbTest, LeastSquaresReproducesKnownCoefficientsExactly) {
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> ratio(0.55, 0.9), logScale(-6, 2);
  for (const IbmEntry &e : kIbmTable) {
    std::vector<SawbSample> samples;
    for (int i = 0; i < 50; ++i) {
      double rms = std::exp(logScale(rng));
      double meanAbs = ratio(rng) * rms;
      samples.push_back({rms, meanAbs, e.c1 * rms - e.c2 * meanAbs});
    }
    std::optional<SawbCoefficients> c = solveSawbLeastSquares(samples);
    ASSERT_TRUE(c.has_value());
    EXPECT_NEAR(c->c1, e.c1, 1e-9 * e.c1);
    EXPECT_NEAR(c->c2, e.c2, 1e-9 * e.c2);
  }
}

TEST(SawbTest, LeastSquaresTrimsGrossOutliers) {
  std::vector<SawbSample> samples;
  for (int i = 0; i < 60; ++i) {
    double rms = 0.1 + 0.01 * i, meanAbs = (0.6 + 0.005 * i) * rms;
    // Small, symmetric noise on the target.
    double noise = (i % 2 ? 1.0 : -1.0) * 1e-3 * rms;
    samples.push_back({rms, meanAbs, 3.0 * rms - 2.0 * meanAbs + noise});
  }
  // Three heavy-tailed vectors whose optimum jumped to an outlier.
  samples.push_back({1.0, 0.5, 12.0});
  samples.push_back({1.0, 0.52, 20.0});
  samples.push_back({2.0, 1.0, 30.0});
  std::optional<SawbCoefficients> c = solveSawbLeastSquares(samples);
  ASSERT_TRUE(c.has_value());
  EXPECT_NEAR(c->c1, 3.0, 0.02);
  EXPECT_NEAR(c->c2, 2.0, 0.03);
}

TEST(SawbTest, LeastSquaresRejectsSingularInput) {
  EXPECT_FALSE(solveSawbLeastSquares({}).has_value());
  EXPECT_FALSE(solveSawbLeastSquares({{1.0, 0.8, 1.0}}).has_value());
  // One distinct meanAbs/rms ratio: c1 and c2 are not identifiable.
  EXPECT_FALSE(
      solveSawbLeastSquares({{1.0, 0.8, 1.0}, {2.0, 1.6, 2.1}}).has_value());
  EXPECT_FALSE(
      solveSawbLeastSquares({{0.0, 0.8, 1.0}, {2.0, 1.0, 2.1}}).has_value());
  SawbFitOptions none;
  none.vectorsPerCase = 0;
  EXPECT_FALSE(fitSawbCoefficients(QuantGrid::signedNarrow(2), none));
}

TEST(SawbTest, OneBitFitIsMeanAbs) {
  // On the 1-bit SAWB grid {-alpha, alpha} the MSE is E(|w| - alpha)^2, so
  // alpha* = E|w| exactly: c1 = 0, c2 = -1 (IBM's 1-bit rule wclip = L1).
  SawbFitOptions small;
  small.vectorsPerCase = 3;
  std::optional<SawbCoefficients> c =
      fitSawbCoefficients(QuantGrid::sawb(1), small);
  ASSERT_TRUE(c.has_value());
  EXPECT_NEAR(c->c1, 0.0, 1e-4);
  EXPECT_NEAR(c->c2, -1.0, 1e-4);
}

TEST(SawbTest, DefaultTableRefitEntriesAreReproducible) {
  // The QlipRefit entries of the default table are the default fit on SAWB's
  // grid, rounded to 4 decimals.
  for (unsigned bits : {6u, 7u}) {
    std::optional<SawbCoefficients> c =
        fitSawbCoefficients(QuantGrid::sawb(bits));
    ASSERT_TRUE(c.has_value());
    EXPECT_NEAR(c->c1, defaultSawbCoefficients(bits).c1, 6e-5) << bits;
    EXPECT_NEAR(c->c2, defaultSawbCoefficients(bits).c2, 6e-5) << bits;
  }
}

TEST(SawbTest, FitIsScaleInvariant) {
  SawbFitOptions a, b;
  a.vectorsPerCase = b.vectorsPerCase = 3;
  a.scales = {1.0};
  b.scales = {1e-3};
  SawbCoefficients ca = *fitSawbCoefficients(QuantGrid::signedNarrow(3), a);
  SawbCoefficients cb = *fitSawbCoefficients(QuantGrid::signedNarrow(3), b);
  EXPECT_NEAR(ca.c1, cb.c1, 1e-3 * ca.c1);
  EXPECT_NEAR(ca.c2, cb.c2, 1e-3 * ca.c2);
}

/// Percentile of v (nearest rank).
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

TEST(SawbTest, FittedQlipGridCoefficientsTrackMseOptimalClip) {
  // Stated tolerances, over fresh vectors (a seed the fit never saw) of
  // length 1024 and 4096 from all six training families, 10 per family and
  // length: median and 90th percentile of |alpha_sawb - alpha*| / alpha* and
  // of MSE(alpha_sawb) / MSE(alpha*). The worst case is not bounded: a
  // Student-t(3) vector can have its optimum on one outlier (alpha* several
  // times the rule's; MSE ratio up to ~1.3 at 2 bits over seeds 1, 2, 777).
  struct Tolerance {
    unsigned bits;
    double medianRel, p90Rel, medianMse, p90Mse;
  };
  // 4 bits is worse: the uniform family's optimum is its range and the
  // linear rule under-clips it by ~8% (MSE ratio up to 2.6 there).
  const Tolerance tolerances[] = {{2, 0.05, 0.10, 1.01, 1.02},
                                  {3, 0.05, 0.10, 1.01, 1.03},
                                  {4, 0.10, 0.20, 1.05, 1.5}};
  struct Family {
    WeightDistribution dist;
    double dof;
  };
  const Family families[] = {{WeightDistribution::Gaussian, 0.0},
                             {WeightDistribution::Laplace, 0.0},
                             {WeightDistribution::Uniform, 0.0},
                             {WeightDistribution::StudentT, 3.0},
                             {WeightDistribution::StudentT, 5.0},
                             {WeightDistribution::StudentT, 10.0}};
  for (const Tolerance &t : tolerances) {
    QuantGrid g = QuantGrid::signedNarrow(t.bits);
    std::optional<SawbCoefficients> c = fitSawbCoefficients(g);
    ASSERT_TRUE(c.has_value());
    std::mt19937_64 rng(777);
    std::vector<double> rel, mseRatio;
    for (const Family &f : families) {
      for (size_t n : {1024u, 4096u}) {
        std::vector<float> w(n);
        for (int v = 0; v < 10; ++v) {
          sampleWeights(f.dist, f.dof, 0.05, rng, w);
          double alpha = sawbClip(w, *c, g), best = mseOptimalClip(w, g);
          rel.push_back(std::fabs(alpha - best) / best);
          mseRatio.push_back(quantizationMse(w, alpha, g) /
                             quantizationMse(w, best, g));
        }
      }
    }
    EXPECT_LE(percentile(rel, 0.5), t.medianRel) << t.bits;
    EXPECT_LE(percentile(rel, 0.9), t.p90Rel) << t.bits;
    EXPECT_LE(percentile(mseRatio, 0.5), t.medianMse) << t.bits;
    EXPECT_LE(percentile(mseRatio, 0.9), t.p90Mse) << t.bits;
  }
}

/// The narrow-grid table is what the fit produces (2 and 4 bits re-fitted
/// here; the rest come from the same routine via qlip-sawb-fit).
TEST(SawbTest, NarrowGridTableIsReproducible) {
  for (unsigned bits : {2u, 4u}) {
    std::optional<SawbCoefficients> fit =
        fitSawbCoefficients(QuantGrid::signedNarrow(bits));
    ASSERT_TRUE(fit.has_value());
    SawbCoefficients table = narrowGridSawbCoefficients(bits);
    EXPECT_NEAR(fit->c1, table.c1, 1e-3) << bits;
    EXPECT_NEAR(fit->c2, table.c2, 1e-3) << bits;
  }
}

/// On qlip's grid the narrow-grid coefficients clip tighter than SAWB's own
/// at 2 bits, and land near the MSE-optimal clip for Gaussian weights.
TEST(SawbTest, NarrowClipTracksMseOnGaussianWeights) {
  std::mt19937_64 rng(7);
  std::vector<float> w(4096);
  sampleWeights(WeightDistribution::Gaussian, 0.0, 0.1, rng, w);
  QuantGrid grid = QuantGrid::signedNarrow(2);
  double narrow = sawbNarrowClip(w, 2);
  EXPECT_LT(narrow, sawbClip(w, 2));
  double best = mseOptimalClip(w, grid);
  EXPECT_LT(quantizationMse(w, narrow, grid),
            1.05 * quantizationMse(w, best, grid));
}

} // namespace
