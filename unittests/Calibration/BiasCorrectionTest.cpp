//===- BiasCorrectionTest.cpp - ACIQ bias correction on the grid -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Aciq.h"
#include "qlip/Calibration/ClipMath.h"
#include "qlip/Calibration/Sawb.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <vector>

using namespace mlir::qlip;

namespace {
struct Moments {
  double mean, stddev;
};

Moments moments(const std::vector<double> &x) {
  double mean = 0;
  for (double v : x)
    mean += v;
  mean /= double(x.size());
  double var = 0;
  for (double v : x)
    var += (v - mean) * (v - mean);
  return {mean, std::sqrt(var / double(x.size()))};
}

std::vector<double> dequantize(const GridBiasCorrection &c) {
  std::vector<double> out;
  for (int64_t q : c.levels)
    out.push_back(double(q) * c.scale);
  return out;
}

TEST(BiasCorrectionTest, RestoresMeanAndStdOnTheGrid) {
  std::mt19937_64 rng(11);
  for (unsigned bits : {2u, 3u, 4u, 8u}) {
    for (int trial = 0; trial < 20; ++trial) {
      // A skewed channel: quantization shifts its mean.
      std::vector<float> w(257);
      sampleWeights(WeightDistribution::Laplace, 0.0, 0.05, rng, w);
      for (float &v : w)
        v += 0.01f;
      QuantGrid grid = QuantGrid::signedNarrow(bits);
      double alpha = mseOptimalClip(w, grid);
      GridBiasCorrection c = correctBiasOnGrid(w, alpha, grid);

      for (int64_t q : c.levels) {
        EXPECT_GE(q, grid.qmin());
        EXPECT_LE(q, grid.qmax());
      }
      std::vector<double> original(w.begin(), w.end());
      Moments want = moments(original), got = moments(dequantize(c));
      // The mean is exact to half a step over n.
      EXPECT_LE(std::fabs(got.mean - want.mean),
                0.5 * c.scale / double(w.size()) + 1e-12)
          << bits << " bits, trial " << trial;
      // The variance step is exact; moving k levels by one perturbs it a
      // little.
      EXPECT_NEAR(got.stddev / want.stddev, 1.0, 0.05) << bits << " bits";
    }
  }
}

TEST(BiasCorrectionTest, ReducesTheMeanErrorOfPlainRounding) {
  std::mt19937_64 rng(3);
  std::vector<float> w(64);
  sampleWeights(WeightDistribution::Gaussian, 0.0, 0.1, rng, w);
  for (float &v : w)
    v = std::fabs(v); // all positive: 2-bit rounding loses most of the mean
  QuantGrid grid = QuantGrid::signedNarrow(2);
  double alpha = clipRange(w, grid);
  double scale = clipScale(alpha, grid);
  double plain = 0, want = 0;
  for (float v : w) {
    plain += fakeQuantize(v, alpha, grid);
    want += v;
  }
  GridBiasCorrection c = correctBiasOnGrid(w, alpha, grid);
  double corrected = 0;
  for (double v : dequantize(c))
    corrected += v;
  EXPECT_LT(std::fabs(corrected - want), std::fabs(plain - want));
  EXPECT_GT(scale, 0.0);
}

TEST(BiasCorrectionTest, DegenerateChannels) {
  QuantGrid grid = QuantGrid::signedNarrow(4);
  // All zero, with the alpha every rule returns for it (finalizeClip):
  // nothing to correct, scale 1.
  std::vector<float> zeros(8, 0.0f);
  GridBiasCorrection z =
      correctBiasOnGrid(zeros, finalizeClip(0.0, 0.0, grid), grid);
  EXPECT_EQ(z.scale, 1.0);
  for (int64_t q : z.levels)
    EXPECT_EQ(q, 0);
  // One element and a constant channel: represented exactly at qmax.
  for (size_t n : {size_t(1), size_t(5)}) {
    std::vector<float> constant(n, 0.3f);
    GridBiasCorrection c =
        correctBiasOnGrid(constant, clipRange(constant, grid), grid);
    for (double v : dequantize(c))
      EXPECT_NEAR(v, 0.3, 1e-7);
  }
  // Empty.
  GridBiasCorrection e = correctBiasOnGrid({}, 1.0, grid);
  EXPECT_TRUE(e.levels.empty());
}

TEST(BiasCorrectionTest, ClampedLevelsAreNeverMovedOffTheGrid) {
  // Every value beyond the clip sits at qmax: the mean cannot be raised, and
  // the levels stay on the grid.
  QuantGrid grid = QuantGrid::signedNarrow(2);
  std::vector<float> w(16, 5.0f);
  GridBiasCorrection c = correctBiasOnGrid(w, 1.0, grid);
  for (int64_t q : c.levels)
    EXPECT_EQ(q, grid.qmax());
}
} // namespace
