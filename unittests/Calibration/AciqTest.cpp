//===- AciqTest.cpp - Tests for ACIQ clipping and bias correction ---------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Aciq.h"
#include "qlip/Calibration/Sawb.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <thread>
#include <vector>

using namespace mlir::qlip;

namespace {

constexpr double kPi = 3.14159265358979323846;

//===----------------------------------------------------------------------===//
// Reference tables (PAPERS.md section 3): the authors' code / Distiller
// AciqClipper, indexed by bit width M.
//===----------------------------------------------------------------------===//

/// Two-sided multipliers for M = 1..8 (Laplace in units of b, Gauss in
/// units of sigma).
const double kPaperLaplace[9] = {0,   1.86, 2.83, 3.89, 5.03,
                                 6.2, 7.41, 8.64, 9.89};
const double kPaperGauss[9] = {0,    1.24, 1.71, 2.15, 2.55,
                               2.93, 3.28, 3.61, 3.92};
/// One-sided ("positive") tables for M = 1..8.
const double kPaperLaplacePositive[9] = {0,    2.83, 3.89, 5.02, 6.2,
                                         7.41, 8.64, 9.89, 11.16};
const double kPaperGaussPositive[9] = {0,    1.71, 2.15, 2.55, 2.93,
                                       3.28, 3.61, 3.92, 4.2};
/// optimal_alpha.ipynb full precision for M = 2..8.
const double kNotebookLaplace[7] = {2.83068299, 3.89722946, 5.02864014,
                                    6.20476633, 7.41312622, 8.64561995,
                                    9.89675982};
const double kNotebookGauss[7] = {1.71063516, 2.1515927,  2.55913642,
                                  2.93620058, 3.28691461, 3.61511418,
                                  3.92403337};

/// The papers print 2 or 3 significant digits, sometimes truncated
/// (8.6456 -> 8.64), sometimes rounded (5.0286 -> 5.03): require agreement
/// to within one unit of the last printed digit.
double lastDigitUnit(double printed) {
  double scaled = printed * 100.0;
  return std::fabs(scaled - std::round(scaled)) < 1e-9 &&
                 std::fmod(std::round(scaled), 10.0) != 0.0
             ? 0.01
             : 0.1;
}

TEST(AciqTest, PaperModelReproducesPublishedTwoSidedTables) {
  for (unsigned m = 1; m <= 8; ++m) {
    QuantGrid g = QuantGrid::signedNarrow(m);
    g.narrowRange = false; // irrelevant for the paper model
    double kl = aciqMultiplier(AciqPrior::Laplace, g, AciqModel::Paper);
    double kg = aciqMultiplier(AciqPrior::Gauss, g, AciqModel::Paper);
    EXPECT_NEAR(kl, kPaperLaplace[m], 0.01) << "M=" << m;
    EXPECT_NEAR(kg, kPaperGauss[m], 0.01) << "M=" << m;
    if (m >= 2) {
      EXPECT_NEAR(kl, kNotebookLaplace[m - 2], 1e-6 * kl) << "M=" << m;
      EXPECT_NEAR(kg, kNotebookGauss[m - 2], 1e-6 * kg) << "M=" << m;
    }
  }
}

TEST(AciqTest, PaperModelReproducesPublishedOneSidedTables) {
  for (unsigned m = 1; m <= 8; ++m) {
    QuantGrid g = QuantGrid::unsignedFull(m);
    double kl = aciqMultiplier(AciqPrior::Laplace, g, AciqModel::Paper);
    double kg = aciqMultiplier(AciqPrior::Gauss, g, AciqModel::Paper);
    EXPECT_NEAR(kl, kPaperLaplacePositive[m],
                lastDigitUnit(kPaperLaplacePositive[m]))
        << "M=" << m;
    EXPECT_NEAR(kg, kPaperGaussPositive[m],
                lastDigitUnit(kPaperGaussPositive[m]))
        << "M=" << m;
    // The one-sided model is half the two-sided one at M + 1 bits.
    QuantGrid twoSided = QuantGrid::signedFull(m + 1);
    EXPECT_NEAR(kl,
                aciqMultiplier(AciqPrior::Laplace, twoSided, AciqModel::Paper),
                1e-7 * kl);
    EXPECT_NEAR(kg,
                aciqMultiplier(AciqPrior::Gauss, twoSided, AciqModel::Paper),
                1e-7 * kg);
  }
}

TEST(AciqTest, ExactGridClipsTighterAtLowBitWidths) {
  // qlip's grids have a zero level and, signed, one level fewer than the
  // paper's 2^M bins; at 2 and 3 bits that clearly shrinks the optimum.
  for (AciqPrior prior : {AciqPrior::Laplace, AciqPrior::Gauss}) {
    for (QuantGrid g :
         {QuantGrid::signedNarrow(2), QuantGrid::signedNarrow(3),
          QuantGrid::unsignedFull(2), QuantGrid::unsignedFull(3)}) {
      double exact = aciqMultiplier(prior, g, AciqModel::Exact);
      double paper = aciqMultiplier(prior, g, AciqModel::Paper);
      // Unsigned 3 bits has 7 positive levels and differs least (3%).
      double factor = g.isSigned || g.bits == 2 ? 0.92 : 0.98;
      EXPECT_LT(exact, factor * paper)
          << "bits=" << g.bits << " signed=" << g.isSigned;
    }
  }
  // Ternary grid under Laplace(0, 1): the MSE is 2 - 4 d e^{-d} with
  // d = alpha / 2, minimized at d = 1, so alpha* = 2 exactly.
  EXPECT_NEAR(aciqMultiplier(AciqPrior::Laplace, QuantGrid::signedNarrow(2)),
              2.0, 1e-7);
  // A signed narrow b-bit grid has the positive half of an unsigned
  // (b-1)-bit grid, so under a symmetric prior the optima coincide.
  for (unsigned bits = 2; bits <= 8; ++bits)
    EXPECT_NEAR(
        aciqMultiplier(AciqPrior::Gauss, QuantGrid::signedNarrow(bits)),
        aciqMultiplier(AciqPrior::Gauss, QuantGrid::unsignedFull(bits - 1)),
        1e-6);
}

TEST(AciqTest, ExactModelConvergesToPaperModelAtHighBitWidths) {
  for (AciqPrior prior : {AciqPrior::Laplace, AciqPrior::Gauss}) {
    QuantGrid g = QuantGrid::signedNarrow(12);
    EXPECT_NEAR(aciqMultiplier(prior, g),
                aciqMultiplier(prior, g, AciqModel::Paper),
                2e-3 * aciqMultiplier(prior, g));
  }
}

//===----------------------------------------------------------------------===//
// The exact expected error against direct numerical integration.
//===----------------------------------------------------------------------===//

double priorDensity(AciqPrior prior, double x) {
  if (prior == AciqPrior::Laplace)
    return 0.5 * std::exp(-std::fabs(x));
  return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi);
}

/// Integral of (x - Q(x))^2 p(x) over [a, b] with 10-point Gauss-Legendre on
/// unit-or-smaller pieces (the integrand is smooth inside each piece).
double integratePiece(AciqPrior prior, double alpha, QuantGrid g, double a,
                      double b) {
  static const double nodes[5] = {0.1488743389816312, 0.4333953941292472,
                                  0.6794095682990244, 0.8650633666889845,
                                  0.9739065285171717};
  static const double weights[5] = {0.2955242247147529, 0.2692667193099963,
                                    0.2190863625159820, 0.1494513491505806,
                                    0.0666713443086881};
  double mid = 0.5 * (a + b), half = 0.5 * (b - a), sum = 0.0;
  for (int i = 0; i < 5; ++i) {
    for (double sign : {-1.0, 1.0}) {
      double x = mid + sign * half * nodes[i];
      double e = x - fakeQuantize(x, alpha, g);
      sum += weights[i] * e * e * priorDensity(prior, x);
    }
  }
  return sum * half;
}

double numericExpectedMse(AciqPrior prior, double alpha, QuantGrid g) {
  // Breakpoints: every rounding-cell boundary, 0 (Laplace kink) and a unit
  // mesh out to |x| = 60 in the tails.
  double s = clipScale(alpha, g), off = g.levelOffset();
  std::vector<double> cuts = {0.0};
  for (int64_t q = g.qmin(); q < g.qmax(); ++q)
    cuts.push_back((double(q) + off + 0.5) * s);
  for (double x = -60.0; x <= 60.0; x += 0.5)
    cuts.push_back(x);
  std::sort(cuts.begin(), cuts.end());
  double lo = g.isSigned ? -60.0 : 0.0, sum = 0.0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    double a = std::max(cuts[i], lo), b = cuts[i + 1];
    if (b > a)
      sum += integratePiece(prior, alpha, g, a, b);
  }
  return sum;
}

TEST(AciqTest, ExactExpectedMseMatchesNumericalIntegration) {
  const QuantGrid grids[] = {
      QuantGrid::signedNarrow(2), QuantGrid::signedNarrow(4),
      QuantGrid::signedNarrow(8), QuantGrid::signedNarrow(11),
      QuantGrid::signedFull(4),   QuantGrid::unsignedFull(1),
      QuantGrid::unsignedFull(3), QuantGrid::unsignedFull(8),
      QuantGrid::sawb(1),         QuantGrid::sawb(2),
      QuantGrid::sawb(5)};
  for (AciqPrior prior : {AciqPrior::Laplace, AciqPrior::Gauss}) {
    for (QuantGrid g : grids) {
      for (double alpha : {0.3, 1.7, 4.0, 11.0}) {
        double exact = aciqExpectedMse(prior, alpha, g);
        double numeric = numericExpectedMse(prior, alpha, g);
        EXPECT_NEAR(exact, numeric, 1e-9 * numeric)
            << "prior=" << int(prior) << " bits=" << g.bits
            << " signed=" << g.isSigned << " midRise=" << g.midRise
            << " alpha=" << alpha;
      }
    }
  }
}

TEST(AciqTest, PaperMseClosedForms) {
  // Spot values of PAPERS.md section 3's formulas.
  EXPECT_NEAR(aciqPaperMse(AciqPrior::Laplace, 3.0, 4, false),
              2.0 * std::exp(-3.0) + 9.0 / (3.0 * 256.0), 1e-15);
  EXPECT_NEAR(aciqPaperMse(AciqPrior::Laplace, 3.0, 4, true),
              std::exp(-3.0) + 9.0 / (24.0 * 256.0), 1e-15);
  double a = 2.0;
  double gaussClip = (a * a + 1.0) * std::erfc(a / std::sqrt(2.0)) -
                     std::sqrt(2.0 / kPi) * a * std::exp(-a * a / 2.0);
  EXPECT_NEAR(aciqPaperMse(AciqPrior::Gauss, a, 3, false),
              gaussClip + a * a / (3.0 * 64.0), 1e-15);
}

TEST(AciqTest, ExactMultiplierIsTheGlobalMinimum) {
  for (AciqPrior prior : {AciqPrior::Laplace, AciqPrior::Gauss}) {
    for (unsigned bits = 2; bits <= 8; ++bits) {
      for (QuantGrid g :
           {QuantGrid::signedNarrow(bits), QuantGrid::unsignedFull(bits),
            QuantGrid::sawb(bits)}) {
        double k = aciqMultiplier(prior, g);
        double best = aciqExpectedMse(prior, k, g);
        for (int i = 0; i <= 300; ++i) {
          double alpha = 0.05 * std::pow(1000.0, i / 300.0); // 0.05 .. 50
          EXPECT_LE(best, aciqExpectedMse(prior, alpha, g) * (1.0 + 1e-12))
              << "bits=" << bits << " alpha=" << alpha;
        }
      }
    }
  }
}

TEST(AciqTest, MultipliersCoverAllBitWidths) {
  for (unsigned bits = 1; bits <= 16; ++bits) {
    for (AciqPrior prior : {AciqPrior::Laplace, AciqPrior::Gauss}) {
      std::vector<QuantGrid> grids = {QuantGrid::unsignedFull(bits),
                                      QuantGrid::sawb(bits)};
      if (bits >= 2)
        grids.push_back(QuantGrid::signedNarrow(bits));
      for (QuantGrid g : grids) {
        for (AciqModel model : {AciqModel::Paper, AciqModel::Exact}) {
          double k = aciqMultiplier(prior, g, model);
          EXPECT_TRUE(std::isfinite(k) && k > 0.0);
          QuantGrid smaller = g;
          smaller.bits = bits - 1;
          if (bits > 1 && smaller.isValid()) {
            EXPECT_GT(k, aciqMultiplier(prior, smaller, model));
          }
        }
      }
    }
  }
}

TEST(AciqTest, CacheIsThreadSafeAndStable) {
  QuantGrid g = QuantGrid::signedFull(7);
  std::vector<double> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back(
        [&, t] { results[t] = aciqMultiplier(AciqPrior::Gauss, g); });
  for (std::thread &t : threads)
    t.join();
  for (double r : results)
    EXPECT_EQ(r, aciqMultiplier(AciqPrior::Gauss, g));
}

//===----------------------------------------------------------------------===//
// Sampled data.
//===----------------------------------------------------------------------===//

/// Brute-force minimum of quantizationMse over alpha: a global scan of (0,
/// range] plus a fine scan (1% steps, +-20%) around `near`.
double bruteForceMse(llvm::ArrayRef<float> x, QuantGrid g, double near) {
  double range = clipRange(x, g), best = quantizationMse(x, range, g);
  for (int k = 1; k < 20; ++k)
    best = std::min(best, quantizationMse(x, range * k / 20.0, g));
  for (int k = -20; k <= 20; ++k)
    best = std::min(
        best, quantizationMse(x, std::min(range, near * (1.0 + 0.01 * k)), g));
  return best;
}

/// Expected number of the n samples beyond the clip k (unit prior).
double expectedTailCount(AciqPrior prior, double k, size_t n, bool oneSided) {
  double p = prior == AciqPrior::Laplace ? std::exp(-k)
                                         : std::erfc(k / std::sqrt(2.0));
  return double(n) * (oneSided ? 0.5 * p : p);
}

/// The allowed MSE excess over the sample's brute-force optimum. The sample
/// optimum over-fits the samples beyond the clip; once fewer than ~100 are
/// expected there (7-8 bits at 200k two-sided samples, 5+ bits at 100k
/// rectified ones), the sample's MSE curve depends on which few extreme
/// values were drawn, and the ACIQ clip, which minimizes the population
/// error, lost up to 11% on the sample over seeds 1..8 with 10..100 expected
/// tail samples, and up to 30% below 10 (where a single 5-sigma draw
/// decides; seed 43 has one in the rectified Gaussian data). Such cases get a
/// sanity bound, or none.
std::optional<double> allowedExcess(double tailCount) {
  if (tailCount >= 100.0)
    return 1.02;
  if (tailCount >= 10.0)
    return 1.15;
  return std::nullopt;
}

TEST(AciqTest, ExactMultiplierIsNearOptimalOnSampledData) {
  constexpr size_t n = 200000;
  std::mt19937_64 rng(42);
  std::vector<float> laplace(n), gauss(n);
  sampleWeights(WeightDistribution::Laplace, 0.0, 0.05, rng, laplace);
  sampleWeights(WeightDistribution::Gaussian, 0.0, 0.05, rng, gauss);
  int strict = 0;
  for (unsigned bits = 2; bits <= 8; ++bits) {
    QuantGrid g = QuantGrid::signedNarrow(bits);
    for (auto [prior, data] : {std::make_pair(AciqPrior::Laplace, &laplace),
                               std::make_pair(AciqPrior::Gauss, &gauss)}) {
      double alpha = aciqClip(*data, prior, g);
      double mse = quantizationMse(*data, alpha, g);
      double best = bruteForceMse(*data, g, alpha);
      double tail =
          expectedTailCount(prior, aciqMultiplier(prior, g), n, false);
      strict += tail >= 100.0;
      EXPECT_LE(alpha, clipRange(*data, g));
      if (std::optional<double> excess = allowedExcess(tail)) {
        EXPECT_LE(mse, *excess * best)
            << "bits=" << bits << " prior=" << int(prior) << " tail=" << tail;
      }
    }
  }
  EXPECT_EQ(strict, 10); // 2..6 bits, both priors, at the 2% bound
}

TEST(AciqTest, OneSidedMultiplierIsNearOptimalOnRectifiedData) {
  constexpr size_t n = 100000;
  std::mt19937_64 rng(43);
  std::vector<float> laplace(n), gauss(n);
  sampleWeights(WeightDistribution::Laplace, 0.0, 2.0, rng, laplace);
  sampleWeights(WeightDistribution::Gaussian, 0.0, 2.0, rng, gauss);
  for (std::vector<float> *v : {&laplace, &gauss})
    for (float &x : *v)
      x = std::max(x, 0.0f); // ReLU
  int strict = 0;
  for (unsigned bits = 2; bits <= 8; ++bits) {
    QuantGrid g = QuantGrid::unsignedFull(bits);
    for (auto [prior, data] : {std::make_pair(AciqPrior::Laplace, &laplace),
                               std::make_pair(AciqPrior::Gauss, &gauss)}) {
      double alpha = aciqClip(*data, prior, g);
      double mse = quantizationMse(*data, alpha, g);
      double best = bruteForceMse(*data, g, alpha);
      double tail = expectedTailCount(prior, aciqMultiplier(prior, g), n, true);
      strict += tail >= 100.0;
      EXPECT_LE(alpha, clipRange(*data, g));
      if (std::optional<double> excess = allowedExcess(tail)) {
        EXPECT_LE(mse, *excess * best)
            << "bits=" << bits << " prior=" << int(prior) << " tail=" << tail;
      }
    }
  }
  EXPECT_GE(strict, 5); // 2..4 bits for both priors, 5 bits for Gauss
}

TEST(AciqTest, ClipConventions) {
  std::mt19937_64 rng(5);
  std::vector<float> x(4096);
  sampleWeights(WeightDistribution::Laplace, 0.0, 1.0, rng, x);
  for (float &v : x)
    v += 0.25f; // a channel whose mean is not zero
  ChannelStats st = computeChannelStats(x);
  QuantGrid g = QuantGrid::signedNarrow(4);
  // Signed: the window centred on the mean, widened to be symmetric about 0.
  EXPECT_DOUBLE_EQ(aciqClip(x, AciqPrior::Laplace, g),
                   std::fabs(st.mean) + aciqMultiplier(AciqPrior::Laplace, g) *
                                            st.meanAbsDeviation);
  EXPECT_DOUBLE_EQ(aciqClip(x, AciqPrior::Gauss, g),
                   std::fabs(st.mean) +
                       aciqMultiplier(AciqPrior::Gauss, g) * st.stddev);
  EXPECT_DOUBLE_EQ(aciqClip(x, AciqPrior::Laplace, g, AciqModel::Paper),
                   std::fabs(st.mean) +
                       aciqMultiplier(AciqPrior::Laplace, g, AciqModel::Paper) *
                           st.meanAbsDeviation);
  // Unsigned: scale statistics of the positive part, no offset.
  QuantGrid u = QuantGrid::unsignedFull(4);
  EXPECT_DOUBLE_EQ(aciqClip(x, AciqPrior::Laplace, u),
                   aciqMultiplier(AciqPrior::Laplace, u) * st.positiveMean);
  EXPECT_DOUBLE_EQ(aciqClip(x, AciqPrior::Gauss, u),
                   aciqMultiplier(AciqPrior::Gauss, u) * st.positiveRms);
  // Never beyond the data: at 8 bits k * b exceeds max|x| for a short,
  // light-tailed channel.
  std::vector<float> shortChannel(x.begin(), x.begin() + 16);
  EXPECT_DOUBLE_EQ(
      aciqClip(shortChannel, AciqPrior::Laplace, QuantGrid::signedNarrow(8)),
      clipRange(shortChannel, g));
}

TEST(AciqTest, AutoPicksTheLowerErrorPrior) {
  std::mt19937_64 rng(6);
  const WeightDistribution dists[] = {
      WeightDistribution::Gaussian, WeightDistribution::Laplace,
      WeightDistribution::Uniform, WeightDistribution::StudentT};
  int laplacePicks = 0, gaussPicks = 0;
  for (WeightDistribution d : dists) {
    std::vector<float> x(20000);
    sampleWeights(d, 4.0, 0.1, rng, x);
    for (unsigned bits : {2u, 4u, 8u}) {
      QuantGrid g = QuantGrid::signedNarrow(bits);
      AciqChoice c = aciqAuto(x, g);
      double lap = quantizationMse(x, aciqClip(x, AciqPrior::Laplace, g), g);
      double gau = quantizationMse(x, aciqClip(x, AciqPrior::Gauss, g), g);
      EXPECT_EQ(quantizationMse(x, c.alpha, g), std::min(lap, gau));
      EXPECT_EQ(c.alpha, aciqClip(x, c.prior, g));
      (c.prior == AciqPrior::Laplace ? laplacePicks : gaussPicks) += 1;
    }
  }
  // Both priors win somewhere across these families.
  EXPECT_GT(laplacePicks, 0);
  EXPECT_GT(gaussPicks, 0);
}

//===----------------------------------------------------------------------===//
// Bias correction.
//===----------------------------------------------------------------------===//

void expectMeanAndStd(llvm::ArrayRef<float> x, double mean, double stddev) {
  ChannelStats s = computeChannelStats(x);
  double tol = 1e-6 * (std::fabs(mean) + stddev);
  EXPECT_NEAR(s.mean, mean, tol);
  EXPECT_NEAR(s.stddev, stddev, tol);
}

TEST(AciqTest, BiasCorrectionRestoresMeanAndStd) {
  std::mt19937_64 rng(8);
  for (int trial = 0; trial < 20; ++trial) {
    size_t n = 16 + 97 * trial;
    std::vector<float> w(n), wq(n);
    sampleWeights(trial % 2 ? WeightDistribution::Laplace
                            : WeightDistribution::Gaussian,
                  0.0, 0.05, rng, w);
    for (float &v : w)
      v += 0.01f * float(trial - 10);
    QuantGrid g = QuantGrid::signedNarrow(2 + trial % 3);
    double alpha = aciqClip(w, AciqPrior::Laplace, g);
    for (size_t i = 0; i < n; ++i)
      wq[i] = float(fakeQuantize(w[i], alpha, g));
    ChannelStats orig = computeChannelStats(w);
    ChannelStats quant = computeChannelStats(wq);
    // Quantization really moved the statistics (else the test is vacuous).
    EXPECT_GT(std::fabs(quant.stddev - orig.stddev), 1e-4 * orig.stddev);
    llvm::SmallVector<float> fixed = correctWeightBias(w, wq);
    ASSERT_EQ(fixed.size(), n);
    expectMeanAndStd(fixed, orig.mean, orig.stddev);
  }
}

TEST(AciqTest, BiasCorrectionFormula) {
  // Hand-computed: w mean 2, deviation norm sqrt(8); wq mean 1, norm sqrt(2).
  std::vector<float> w = {0.0f, 2.0f, 4.0f, 2.0f};
  std::vector<float> wq = {0.0f, 1.0f, 2.0f, 1.0f};
  llvm::SmallVector<float> fixed = correctWeightBias(w, wq);
  // xi = 2: (wq - 1) * 2 + 2.
  EXPECT_EQ(fixed[0], 0.0f);
  EXPECT_EQ(fixed[1], 2.0f);
  EXPECT_EQ(fixed[2], 4.0f);
  EXPECT_EQ(fixed[3], 2.0f);
  EXPECT_TRUE(correctWeightBias({}, {}).empty());
}

TEST(AciqTest, BiasCorrectionOfConstantQuantizedChannelOnlyShiftsMean) {
  std::vector<float> w = {0.1f, 0.2f, 0.3f, 0.2f};
  std::vector<float> wq = {0.0f, 0.0f, 0.0f, 0.0f};
  llvm::SmallVector<float> fixed = correctWeightBias(w, wq);
  for (float v : fixed)
    EXPECT_FLOAT_EQ(v, 0.2f);
}

} // namespace
