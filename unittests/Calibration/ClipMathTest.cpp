//===- ClipMathTest.cpp - Tests for grids and the MSE clip search ---------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/ClipMath.h"
#include "qlip/Calibration/Sawb.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace mlir::qlip;

namespace {

TEST(ClipMathTest, GridBounds) {
  EXPECT_EQ(QuantGrid::signedNarrow(8).qmin(), -127);
  EXPECT_EQ(QuantGrid::signedNarrow(8).qmax(), 127);
  EXPECT_EQ(QuantGrid::signedNarrow(2).qmin(), -1);
  EXPECT_EQ(QuantGrid::signedNarrow(2).qmax(), 1);
  EXPECT_EQ(QuantGrid::signedFull(8).qmin(), -128);
  EXPECT_EQ(QuantGrid::signedFull(8).qmax(), 127);
  EXPECT_EQ(QuantGrid::unsignedFull(8).qmin(), 0);
  EXPECT_EQ(QuantGrid::unsignedFull(8).qmax(), 255);
  QuantGrid unsignedNarrow{8, false, true, false};
  EXPECT_EQ(unsignedNarrow.qmax(), 254);
  EXPECT_EQ(QuantGrid::sawb(2).qmin(), -2);
  EXPECT_EQ(QuantGrid::sawb(2).qmax(), 1);
  EXPECT_EQ(QuantGrid::signedNarrow(16).qmax(), 32767);
  EXPECT_EQ(QuantGrid::unsignedFull(16).qmax(), 65535);

  EXPECT_DOUBLE_EQ(QuantGrid::signedNarrow(8).scaleDivisor(), 127.0);
  EXPECT_DOUBLE_EQ(QuantGrid::sawb(2).scaleDivisor(), 1.5);

  EXPECT_TRUE(QuantGrid::signedNarrow(2).isValid());
  EXPECT_TRUE(QuantGrid::unsignedFull(1).isValid());
  EXPECT_TRUE(QuantGrid::sawb(1).isValid());
  // A 1-bit signed zero-level grid has no positive level for alpha.
  EXPECT_FALSE(QuantGrid::signedNarrow(1).isValid());
  EXPECT_FALSE(QuantGrid::signedFull(1).isValid());
  EXPECT_FALSE(QuantGrid::signedNarrow(17).isValid());
  EXPECT_FALSE(QuantGrid::signedNarrow(0).isValid());
  EXPECT_FALSE((QuantGrid{4, false, false, true}.isValid()));
}

TEST(ClipMathTest, RoundHalfToEven) {
  EXPECT_EQ(roundHalfToEven(0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(1.5), 2.0);
  EXPECT_EQ(roundHalfToEven(2.5), 2.0);
  EXPECT_EQ(roundHalfToEven(-0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(-1.5), -2.0);
  EXPECT_EQ(roundHalfToEven(-2.5), -2.0);
  EXPECT_EQ(roundHalfToEven(2.4999), 2.0);
  EXPECT_EQ(roundHalfToEven(-2.5001), -3.0);
}

TEST(ClipMathTest, FakeQuantizeSignedNarrow) {
  // 4 bits narrow: qmax 7; alpha 1.75 -> scale 0.25 (exact ties below).
  QuantGrid g = QuantGrid::signedNarrow(4);
  EXPECT_EQ(clipScale(1.75, g), 0.25);
  EXPECT_EQ(fakeQuantize(0.125, 1.75, g), 0.0); // 0.5 -> 0
  EXPECT_EQ(fakeQuantize(0.375, 1.75, g), 0.5); // 1.5 -> 2
  EXPECT_EQ(fakeQuantize(0.625, 1.75, g), 0.5); // 2.5 -> 2
  EXPECT_EQ(fakeQuantize(-0.375, 1.75, g), -0.5);
  EXPECT_EQ(fakeQuantize(0.3, 1.75, g), 0.25);
  EXPECT_EQ(fakeQuantize(10.0, 1.75, g), 1.75);
  EXPECT_EQ(fakeQuantize(-10.0, 1.75, g), -1.75);
  EXPECT_EQ(quantizeToLevel(-10.0, 0.25, g), -7);
}

TEST(ClipMathTest, FakeQuantizeOtherGrids) {
  QuantGrid full = QuantGrid::signedFull(4);
  EXPECT_EQ(fakeQuantize(-10.0, 1.75, full), -2.0); // one step past -alpha
  EXPECT_EQ(fakeQuantize(10.0, 1.75, full), 1.75);

  QuantGrid u = QuantGrid::unsignedFull(4); // qmax 15
  EXPECT_EQ(clipScale(3.75, u), 0.25);
  EXPECT_EQ(fakeQuantize(-1.0, 3.75, u), 0.0);
  EXPECT_EQ(fakeQuantize(0.4, 3.75, u), 0.5);
  EXPECT_EQ(fakeQuantize(100.0, 3.75, u), 3.75);

  // Mid-rise 3 bits: q in [-4, 3], levels (q + 1/2) s, alpha = 3.5 s.
  QuantGrid m = QuantGrid::sawb(3);
  EXPECT_EQ(clipScale(3.5, m), 1.0);
  EXPECT_EQ(fakeQuantize(0.1, 3.5, m), 0.5);
  EXPECT_EQ(fakeQuantize(-0.1, 3.5, m), -0.5);
  EXPECT_EQ(fakeQuantize(1.2, 3.5, m), 1.5);
  EXPECT_EQ(fakeQuantize(9.0, 3.5, m), 3.5);
  EXPECT_EQ(fakeQuantize(-9.0, 3.5, m), -3.5);
}

TEST(ClipMathTest, QuantizationMseMatchesFakeQuantize) {
  std::mt19937_64 rng(11);
  std::vector<float> x(777);
  sampleWeights(WeightDistribution::Laplace, 0.0, 0.3, rng, x);
  for (QuantGrid g : {QuantGrid::signedNarrow(3), QuantGrid::unsignedFull(5),
                      QuantGrid::signedFull(4), QuantGrid::sawb(2)}) {
    for (double alpha : {0.05, 0.4, 1.0, 3.0}) {
      double sum = 0.0;
      for (float v : x) {
        double e = double(v) - fakeQuantize(v, alpha, g);
        sum += e * e;
      }
      EXPECT_NEAR(quantizationMse(x, alpha, g), sum / double(x.size()),
                  1e-15 * sum);
    }
  }
  EXPECT_EQ(quantizationMse({}, 1.0, QuantGrid::signedNarrow(8)), 0.0);
}

TEST(ClipMathTest, ChannelStats) {
  std::vector<float> x = {1.0f, 2.0f, 3.0f, 4.0f};
  ChannelStats s = computeChannelStats(x);
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.meanAbsDeviation, 1.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(s.meanAbs, 2.5);
  EXPECT_DOUBLE_EQ(s.rms, std::sqrt(7.5));
  EXPECT_DOUBLE_EQ(s.maxAbs, 4.0);
  EXPECT_DOUBLE_EQ(s.maxPositive, 4.0);

  std::vector<float> y = {-6.0f, 0.0f, 1.0f, 3.0f};
  ChannelStats t = computeChannelStats(y);
  EXPECT_DOUBLE_EQ(t.mean, -0.5);
  EXPECT_DOUBLE_EQ(t.meanAbsDeviation, (5.5 + 0.5 + 1.5 + 3.5) / 4.0);
  EXPECT_DOUBLE_EQ(t.maxAbs, 6.0);
  EXPECT_DOUBLE_EQ(t.maxPositive, 3.0);
  EXPECT_DOUBLE_EQ(t.positiveMean, 2.0);
  EXPECT_DOUBLE_EQ(t.positiveRms, std::sqrt(5.0));
  EXPECT_DOUBLE_EQ(clipRange(y, QuantGrid::signedNarrow(4)), 6.0);
  EXPECT_DOUBLE_EQ(clipRange(y, QuantGrid::unsignedFull(4)), 3.0);

  // A large common offset must not destroy the spread (two-pass).
  std::vector<float> z = {1000000.0f, 1000001.0f, 1000002.0f, 1000003.0f};
  EXPECT_DOUBLE_EQ(computeChannelStats(z).meanAbsDeviation, 1.0);
  EXPECT_DOUBLE_EQ(computeChannelStats(z).stddev, std::sqrt(5.0 / 3.0));
}

TEST(ClipMathTest, GoldenSectionFindsParabolaMinimum) {
  double best = 0.0;
  double x = minimizeGoldenSection(
      [](double v) { return (v - 0.3) * (v - 0.3) + 2.0; }, -1.0, 4.0, 60,
      &best);
  EXPECT_NEAR(x, 0.3, 1e-7);
  EXPECT_NEAR(best, 2.0, 1e-14);
}

TEST(ClipMathTest, FinalizeClipConventions) {
  QuantGrid g = QuantGrid::signedNarrow(8);
  EXPECT_EQ(finalizeClip(0.5, 1.0, g), 0.5);
  EXPECT_EQ(finalizeClip(2.0, 1.0, g), 1.0);  // never beyond the data
  EXPECT_EQ(finalizeClip(-1.0, 1.0, g), 1.0); // non-positive -> range
  EXPECT_EQ(finalizeClip(std::nan(""), 1.0, g), 1.0);
  EXPECT_EQ(finalizeClip(0.3, 0.0, g), 127.0); // all zero -> scale 1
  EXPECT_EQ(clipScale(finalizeClip(0.0, 0.0, g), g), 1.0);
  EXPECT_EQ(clipScale(finalizeClip(1e-44, 1e-43, g), g), double(FLT_MIN));
  EXPECT_EQ(clipScale(0.0, g), double(FLT_MIN));
  EXPECT_EQ(unitScaleClip(QuantGrid::sawb(2)), 1.5);
}

/// The brute-force reference: the best of `n` uniformly spaced candidates.
static double denseScanMse(llvm::ArrayRef<float> x, QuantGrid g, int n) {
  double range = clipRange(x, g), best = quantizationMse(x, range, g);
  for (int k = 1; k < n; ++k)
    best = std::min(best, quantizationMse(x, range * k / n, g));
  return best;
}

TEST(ClipMathTest, MseOptimalClipMatchesDenseScan) {
  std::mt19937_64 rng(2024);
  struct Family {
    WeightDistribution dist;
    double dof;
  };
  const Family families[] = {{WeightDistribution::Gaussian, 0.0},
                             {WeightDistribution::Laplace, 0.0},
                             {WeightDistribution::StudentT, 3.0}};
  const QuantGrid grids[] = {
      QuantGrid::signedNarrow(2), QuantGrid::signedNarrow(3),
      QuantGrid::signedNarrow(4), QuantGrid::signedNarrow(8),
      QuantGrid::unsignedFull(4), QuantGrid::sawb(2)};
  int cases = 0;
  for (const Family &f : families) {
    for (size_t n : {9u, 64u, 1024u}) {
      std::vector<float> x(n);
      sampleWeights(f.dist, f.dof, 0.02, rng, x);
      for (QuantGrid g : grids) {
        double alpha = mseOptimalClip(x, g);
        double mse = quantizationMse(x, alpha, g);
        double scan = denseScanMse(x, g, 5000);
        EXPECT_LE(mse, scan * 1.005)
            << "n=" << n << " bits=" << g.bits << " signed=" << g.isSigned;
        EXPECT_LE(mse, quantizationMse(x, clipRange(x, g), g));
        EXPECT_GT(alpha, 0.0);
        EXPECT_LE(alpha, clipRange(x, g));
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 54);
}

TEST(ClipMathTest, MseOptimalClipOnlyPositivePartMattersForUnsigned) {
  // Negative values all map to 0 on an unsigned grid; the range is max(x).
  std::vector<float> x = {-5.0f, -1.0f, 0.2f, 0.4f, 0.9f, 1.0f};
  double alpha = mseOptimalClip(x, QuantGrid::unsignedFull(8));
  EXPECT_LE(alpha, 1.0);
  EXPECT_GT(alpha, 0.9);
}

TEST(ClipMathTest, FiniteChecks) {
  std::vector<float> ok = {0.0f, -1.0f, FLT_MAX, -FLT_MAX, FLT_TRUE_MIN};
  EXPECT_TRUE(allFinite(ok));
  EXPECT_FALSE(firstNonFinite(ok).has_value());
  EXPECT_TRUE(allFinite({}));

  std::vector<float> bad = ok;
  bad.push_back(std::numeric_limits<float>::quiet_NaN());
  bad.push_back(std::numeric_limits<float>::infinity());
  EXPECT_FALSE(allFinite(bad));
  EXPECT_EQ(firstNonFinite(bad), std::optional<size_t>(5));
  bad[2] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(firstNonFinite(bad), std::optional<size_t>(2));
}

} // namespace
