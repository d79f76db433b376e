//===- LayerInputsTest.cpp - patch moments against convolution --*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The closed form: for any weight row w, w^T H w is the mean square of the
// layer's output, computed here by a direct convolution.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/LayerInputs.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir::qlip;

namespace {

/// The mean and the mean square of the outputs of a direct NHWC
/// convolution of `samples` with one output channel `w` (KH x KW x C, or
/// KH x KW for the depthwise `channel`).
std::pair<double, double> outputMoments(const PatchGeometry &g,
                                        const std::vector<float> &x,
                                        int64_t samples,
                                        const std::vector<float> &w,
                                        int64_t channel) {
  double sum = 0, sumSquares = 0;
  int64_t count = 0;
  for (int64_t n = 0; n < samples; ++n)
    for (int64_t oy = 0; oy < g.outHeight(); ++oy)
      for (int64_t ox = 0; ox < g.outWidth(); ++ox) {
        double out = 0;
        for (int64_t ky = 0; ky < g.kernelH; ++ky)
          for (int64_t kx = 0; kx < g.kernelW; ++kx) {
            int64_t iy = oy * g.strideH + ky * g.dilationH - g.padTop;
            int64_t ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
            if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width)
              continue;
            const float *pixel =
                x.data() + ((n * g.height + iy) * g.width + ix) * g.channels;
            if (g.depthwise) {
              out += double(w[ky * g.kernelW + kx]) * pixel[channel];
              continue;
            }
            for (int64_t c = 0; c < g.channels; ++c)
              out += double(w[(ky * g.kernelW + kx) * g.channels + c]) *
                     pixel[c];
          }
        sum += out;
        sumSquares += out * out;
        ++count;
      }
  return {sum / double(count), sumSquares / double(count)};
}

double quadratic(const std::vector<double> &h, int64_t group, int64_t k,
                 const std::vector<float> &w) {
  double s = 0;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      s += double(w[i]) * h[(group * k + i) * k + j] * double(w[j]);
  return s;
}

// And w^T E[x] is the mean of the output (what empirical bias correction
// moves the bias by, for the error's row).
TEST(LayerInputs, MomentsGiveTheOutputMeanAndPowerOfAConvolution) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  PatchGeometry plain{7, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false};
  PatchGeometry strided{9, 8, 2, 3, 2, 2, 3, 2, 1, 0, 2, 1, 0, false};
  PatchGeometry pointwise{5, 5, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false};
  PatchGeometry depthwise{6, 7, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true};
  PatchGeometry matmul{1, 1, 10, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false};
  for (const PatchGeometry &g :
       {plain, strided, pointwise, depthwise, matmul}) {
    ASSERT_TRUE(g.isValid());
    const int64_t samples = 5;
    std::vector<float> x(samples * g.sampleSize());
    for (float &v : x)
      v = normal(rng);
    LayerInputMoments moments(g, samples, /*maxRows=*/0);
    // In two calls, as batches arrive.
    moments.addSamples(llvm::ArrayRef<float>(x).take_front(2 * g.sampleSize()));
    moments.addSamples(llvm::ArrayRef<float>(x).drop_front(2 * g.sampleSize()));
    EXPECT_EQ(moments.getRows(), samples * g.patchesPerSample());
    std::vector<double> h = moments.secondMoment();
    std::vector<double> mean = moments.firstMoment();
    int64_t k = g.patchSize();
    ASSERT_EQ(h.size(), size_t(g.groups() * k * k));
    ASSERT_EQ(mean.size(), size_t(g.groups() * k));
    for (int64_t group = 0; group < g.groups(); ++group)
      for (int trial = 0; trial < 3; ++trial) {
        std::vector<float> w(k);
        for (float &v : w)
          v = normal(rng);
        auto [expectedMean, expected] =
            outputMoments(g, x, samples, w, group);
        EXPECT_NEAR(quadratic(h, group, k, w), expected, 1e-9 * expected + 1e-12)
            << "geometry " << g.height << "x" << g.width << "x" << g.channels
            << " group " << group;
        double dot = 0;
        for (int64_t i = 0; i < k; ++i)
          dot += double(w[i]) * mean[group * k + i];
        EXPECT_NEAR(dot, expectedMean, 1e-9 * std::sqrt(expected) + 1e-12)
            << "geometry " << g.height << "x" << g.width << "x" << g.channels
            << " group " << group;
      }
  }
}

TEST(LayerInputs, SubsamplesEvenlyToTheRowBudget) {
  PatchGeometry g{8, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false};
  const int64_t samples = 10; // 640 patches
  LayerInputMoments moments(g, samples, /*maxRows=*/100);
  std::vector<float> x(samples * g.sampleSize(), 1.0f);
  moments.addSamples(x);
  // Every 7th patch: ceil(640 / 7) = 92.
  EXPECT_EQ(moments.getRows(), 92);
  // Untouched by anything: zero.
  LayerInputMoments empty(g, 1, 0);
  for (double v : empty.secondMoment())
    EXPECT_EQ(v, 0.0);
  for (double v : empty.firstMoment())
    EXPECT_EQ(v, 0.0);
}

TEST(LayerInputs, Geometry) {
  PatchGeometry g{5, 5, 1, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, false};
  EXPECT_EQ(g.outHeight(), 2);
  EXPECT_EQ(g.outWidth(), 2);
  EXPECT_EQ(g.patchSize(), 9);
  PatchGeometry tooSmall{2, 2, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, false};
  EXPECT_FALSE(tooSmall.isValid());
  PatchGeometry badStride = g;
  badStride.strideH = 0;
  EXPECT_FALSE(badStride.isValid());
}

} // namespace
