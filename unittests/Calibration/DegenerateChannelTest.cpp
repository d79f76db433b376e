//===- DegenerateChannelTest.cpp - Every clip rule on degenerate data -----===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// All-zero, constant, single-element, denormal-only and huge channels, for
// every clip rule and grid: the alpha must be finite and positive, its scale
// a normal float (exactly 1.0 for channels with nothing to represent), and
// quantizing the channel with it must stay finite.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Aciq.h"
#include "qlip/Calibration/ClipMath.h"
#include "qlip/Calibration/Sawb.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace mlir::qlip;

namespace {

struct Channel {
  std::string name;
  std::vector<float> values;
};

std::vector<Channel> degenerateChannels() {
  return {
      {"empty", {}},
      {"allZero", std::vector<float>(16, 0.0f)},
      {"negativeZero", {-0.0f, 0.0f, -0.0f}},
      {"constantPositive", std::vector<float>(16, 0.7f)},
      {"constantNegative", std::vector<float>(16, -3.0f)},
      {"oneElement", {2.5f}},
      {"oneNegativeElement", {-1e-3f}},
      {"allNegative", {-1.0f, -2.0f, -3.0f}},
      {"denormals", {1e-42f, -3e-41f, FLT_TRUE_MIN, 0.0f, -FLT_TRUE_MIN}},
      {"oneDenormal", {FLT_TRUE_MIN}},
      {"smallestNormal", {FLT_MIN, -FLT_MIN}},
      {"huge", {FLT_MAX, -FLT_MAX, 1e38f, -3e38f, 0.5f}},
      {"hugeConstant", std::vector<float>(8, FLT_MAX)},
      {"tinyAndHuge", {FLT_TRUE_MIN, FLT_MAX, -FLT_TRUE_MIN}},
  };
}

struct Rule {
  std::string name;
  std::function<double(llvm::ArrayRef<float>, QuantGrid)> clip;
};

std::vector<Rule> allRules() {
  std::vector<Rule> rules = {
      {"mseOptimalClip", [](llvm::ArrayRef<float> x,
                            QuantGrid g) { return mseOptimalClip(x, g); }},
      {"aciqAuto", [](llvm::ArrayRef<float> x,
                      QuantGrid g) { return aciqAuto(x, g).alpha; }},
      {"sawbDefault",
       [](llvm::ArrayRef<float> x, QuantGrid g) {
         return sawbClip(x, defaultSawbCoefficients(g.bits), g);
       }},
      {"sawbBits",
       [](llvm::ArrayRef<float> x, QuantGrid g) {
         // Uses QuantGrid::sawb(bits) conventions whatever g is.
         return sawbClip(x, g.bits);
       }},
  };
  for (AciqPrior prior : {AciqPrior::Laplace, AciqPrior::Gauss}) {
    for (AciqModel model : {AciqModel::Exact, AciqModel::Paper}) {
      rules.push_back(
          {"aciq" + std::to_string(int(prior)) + std::to_string(int(model)),
           [prior, model](llvm::ArrayRef<float> x, QuantGrid g) {
             return aciqClip(x, prior, g, model);
           }});
    }
  }
  return rules;
}

TEST(DegenerateChannelTest, EveryRuleReturnsAUsableClip) {
  const QuantGrid grids[] = {
      QuantGrid::signedNarrow(2), QuantGrid::signedNarrow(8),
      QuantGrid::signedFull(4),   QuantGrid::unsignedFull(1),
      QuantGrid::unsignedFull(4), QuantGrid::sawb(1),
      QuantGrid::sawb(2),         QuantGrid::signedNarrow(16)};
  int checked = 0;
  for (const Channel &ch : degenerateChannels()) {
    for (QuantGrid requested : grids) {
      for (const Rule &rule : allRules()) {
        QuantGrid g = rule.name == "sawbBits" ? QuantGrid::sawb(requested.bits)
                                              : requested;
        SCOPED_TRACE(ch.name + " / " + rule.name + " / bits " +
                     std::to_string(g.bits) + (g.isSigned ? " signed" : "") +
                     (g.midRise ? " midRise" : ""));
        double alpha = rule.clip(ch.values, g);
        ASSERT_TRUE(std::isfinite(alpha));
        ASSERT_GT(alpha, 0.0);
        double scale = alpha / g.scaleDivisor();
        EXPECT_EQ(clipScale(alpha, g), scale); // no clamping needed
        // The scale is a normal, finite float.
        float scaleF = float(scale);
        EXPECT_TRUE(std::isfinite(scaleF));
        EXPECT_GE(scaleF, FLT_MIN);
        double range = clipRange(ch.values, g);
        if (range == 0.0) {
          EXPECT_EQ(scale, 1.0); // nothing to represent: unit scale
        } else {
          EXPECT_LE(alpha, std::max(range, minimumClip(g)));
        }
        for (float x : ch.values) {
          EXPECT_TRUE(std::isfinite(x / scaleF));
          EXPECT_TRUE(std::isfinite(fakeQuantize(x, alpha, g)));
        }
        EXPECT_TRUE(std::isfinite(quantizationMse(ch.values, alpha, g)));
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 14 * 8 * 8);
}

TEST(DegenerateChannelTest, ConstantChannelsAreRepresentedExactly) {
  QuantGrid g = QuantGrid::signedNarrow(8);
  for (float c : {0.7f, -3.0f, 2.5f, FLT_MAX, 1e-42f}) {
    std::vector<float> x(c == 2.5f ? 1 : 8, c);
    // ACIQ: b = sigma = 0, so alpha = |mean| = |c| and c sits on qmax.
    double expected = std::max(double(std::fabs(c)), minimumClip(g));
    for (AciqPrior prior : {AciqPrior::Laplace, AciqPrior::Gauss})
      EXPECT_EQ(aciqClip(x, prior, g), expected);
    if (std::fabs(c) >= FLT_MIN) {
      EXPECT_EQ(quantizationMse(x, aciqClip(x, AciqPrior::Laplace, g), g), 0.0);
      EXPECT_LE(quantizationMse(x, mseOptimalClip(x, g), g),
                1e-12 * double(c) * double(c));
    }
    // SAWB at 2 bits: (c1 - c2) |c| > |c| is clamped to |c|.
    EXPECT_EQ(sawbClip(x, defaultSawbCoefficients(2), g), expected);
  }
}

TEST(DegenerateChannelTest, BiasCorrectionStaysFinite) {
  for (const Channel &ch : degenerateChannels()) {
    SCOPED_TRACE(ch.name);
    QuantGrid g = QuantGrid::signedNarrow(4);
    double alpha = mseOptimalClip(ch.values, g);
    std::vector<float> q;
    for (float v : ch.values)
      q.push_back(float(fakeQuantize(v, alpha, g)));
    llvm::SmallVector<float> fixed = correctWeightBias(ch.values, q);
    ASSERT_EQ(fixed.size(), ch.values.size());
    for (float v : fixed)
      EXPECT_TRUE(std::isfinite(v));
    // Near FLT_MAX the corrected values are clamped to stay finite, which
    // gives up the exact mean; elsewhere the mean is restored.
    ChannelStats orig = computeChannelStats(ch.values);
    if (!ch.values.empty() && orig.maxAbs < 1e30) {
      EXPECT_NEAR(computeChannelStats(fixed).mean, orig.mean,
                  1e-6 * orig.maxAbs + 1e-45);
    }
  }
}

} // namespace
