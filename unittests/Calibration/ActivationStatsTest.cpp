//===- ActivationStatsTest.cpp - streaming moments and histograms ---------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/ActivationStats.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

using namespace mlir::qlip;

namespace {

//===----------------------------------------------------------------------===//
// Data
//===----------------------------------------------------------------------===//

enum class Family { Gauss, Laplace, Uniform, LogNormal, Relu };

std::vector<float> sample(Family family, size_t n, uint64_t seed,
                          double offset = 0, double scale = 1) {
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
    case Family::LogNormal:
      r = std::exp(2.0 * normal(rng));
      break;
    case Family::Relu:
      r = std::max(0.0, normal(rng));
      break;
    }
    v = float(offset + scale * r);
  }
  return x;
}

/// Random batch boundaries: sizes 0..maxBatch (empty and single-value
/// batches included).
std::vector<llvm::ArrayRef<float>>
splitRandomly(llvm::ArrayRef<float> x, uint64_t seed, size_t maxBatch = 5000) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> size(0, maxBatch);
  std::vector<llvm::ArrayRef<float>> batches;
  size_t start = 0;
  while (start < x.size()) {
    size_t len = std::min(size(rng), x.size() - start);
    if (rng() % 7 == 0)
      len = std::min<size_t>(1, x.size() - start);
    batches.push_back(x.slice(start, len));
    start += len;
  }
  return batches;
}

//===----------------------------------------------------------------------===//
// MomentAccumulator
//===----------------------------------------------------------------------===//

struct Reference {
  long double mean = 0, stddev = 0, kurtosis = 0;
  float min = 0, max = 0;
};

/// Two passes in long double.
Reference twoPass(llvm::ArrayRef<float> x) {
  Reference r;
  long double sum = 0;
  for (float v : x)
    sum += v;
  r.mean = sum / x.size();
  long double m2 = 0, m4 = 0;
  for (float v : x) {
    long double d = v - r.mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  r.stddev = x.size() > 1 ? std::sqrt(m2 / (x.size() - 1)) : 0;
  r.kurtosis = m2 == 0 ? 0 : x.size() * m4 / (m2 * m2);
  r.min = *std::min_element(x.begin(), x.end());
  r.max = *std::max_element(x.begin(), x.end());
  return r;
}

void expectMatches(const MomentAccumulator &m, const Reference &r, size_t n,
                   const char *what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(m.count(), int64_t(n));
  EXPECT_EQ(m.min(), r.min);
  EXPECT_EQ(m.max(), r.max);
  // The mean is compared on the scale of the data (|mean| + stddev), since
  // a mean near 0 has no meaningful relative error.
  double scale = double(std::fabs(r.mean) + r.stddev);
  EXPECT_NEAR(m.mean(), double(r.mean), 1e-12 * scale);
  EXPECT_NEAR(m.stddev(), double(r.stddev), 1e-12 * double(r.stddev));
  EXPECT_NEAR(m.kurtosis(), double(r.kurtosis), 1e-12 * double(r.kurtosis));
}

TEST(MomentAccumulatorTest, MatchesTwoPassInAnyBatchingAndMergeOrder) {
  const Family families[] = {Family::Gauss, Family::Laplace, Family::Uniform,
                             Family::LogNormal, Family::Relu};
  uint64_t seed = 1;
  for (Family family : families) {
    for (double offset : {0.0, 3.0, 1000.0}) {
      std::vector<float> x = sample(family, 60000, seed++, offset, 2.0);
      Reference ref = twoPass(x);
      auto batches = splitRandomly(x, seed++);

      MomentAccumulator sequential;
      std::vector<MomentAccumulator> parts(batches.size());
      for (size_t i = 0; i < batches.size(); ++i) {
        sequential.add(batches[i]);
        parts[i].add(batches[i]);
      }
      expectMatches(sequential, ref, x.size(), "sequential");

      // Merged in a shuffled order, left to right.
      std::vector<size_t> order(parts.size());
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), std::mt19937_64(seed++));
      MomentAccumulator shuffled;
      for (size_t i : order)
        shuffled.merge(parts[i]);
      expectMatches(shuffled, ref, x.size(), "shuffled merge");

      // Merged as a balanced tree.
      std::vector<MomentAccumulator> level = parts;
      while (level.size() > 1) {
        std::vector<MomentAccumulator> next;
        for (size_t i = 0; i < level.size(); i += 2) {
          next.push_back(level[i]);
          if (i + 1 < level.size())
            next.back().merge(level[i + 1]);
        }
        level.swap(next);
      }
      expectMatches(level[0], ref, x.size(), "tree merge");
    }
  }
}

TEST(MomentAccumulatorTest, DegenerateInputs) {
  MomentAccumulator empty;
  EXPECT_EQ(empty.count(), 0);
  EXPECT_EQ(empty.stddev(), 0.0);
  EXPECT_EQ(empty.kurtosis(), 0.0);
  empty.add({});
  EXPECT_EQ(empty.count(), 0);

  MomentAccumulator one;
  float v = -2.5f;
  one.add(v);
  EXPECT_EQ(one.count(), 1);
  EXPECT_EQ(one.mean(), -2.5);
  EXPECT_EQ(one.min(), -2.5);
  EXPECT_EQ(one.max(), -2.5);
  EXPECT_EQ(one.stddev(), 0.0);
  EXPECT_EQ(one.kurtosis(), 0.0);

  MomentAccumulator constant;
  std::vector<float> c(10000, 7.25f);
  constant.add(c);
  constant.add(c);
  EXPECT_EQ(constant.mean(), 7.25);
  EXPECT_EQ(constant.stddev(), 0.0);
  EXPECT_EQ(constant.kurtosis(), 0.0);

  // {-1, 1}: M2 = 2, M4 = 2, kurtosis = 2 * 2 / 4 = 1; stddev sqrt(2).
  MomentAccumulator pair;
  std::vector<float> pm = {-1, 1};
  pair.add(pm);
  EXPECT_DOUBLE_EQ(pair.kurtosis(), 1.0);
  EXPECT_DOUBLE_EQ(pair.stddev(), std::sqrt(2.0));

  // Merging into and from empty accumulators changes nothing.
  MomentAccumulator a;
  a.merge(pair);
  a.merge(MomentAccumulator());
  EXPECT_EQ(a.count(), 2);
  EXPECT_DOUBLE_EQ(a.kurtosis(), 1.0);
}

TEST(MomentAccumulatorTest, KurtosisOfKnownDistributions) {
  MomentAccumulator gauss, laplace;
  gauss.add(sample(Family::Gauss, 1000000, 11));
  laplace.add(sample(Family::Laplace, 1000000, 12));
  EXPECT_NEAR(gauss.kurtosis(), 3.0, 0.05);
  EXPECT_NEAR(laplace.kurtosis(), 6.0, 0.2);
}

TEST(MomentAccumulatorTest, LargeOffsetDoesNotCancel) {
  // Data around 1e6 with unit spread: E[x^2] - E[x]^2 would lose everything.
  std::vector<float> x = sample(Family::Gauss, 100000, 13, 1e6, 1.0);
  Reference ref = twoPass(x);
  MomentAccumulator m;
  for (auto batch : splitRandomly(x, 14))
    m.add(batch);
  expectMatches(m, ref, x.size(), "offset 1e6");
}

//===----------------------------------------------------------------------===//
// AbsDeviationAccumulator
//===----------------------------------------------------------------------===//

TEST(AbsDeviationAccumulatorTest, MatchesBruteForce) {
  uint64_t seed = 100;
  for (Family family : {Family::Gauss, Family::Laplace, Family::LogNormal}) {
    std::vector<float> x = sample(family, 50000, seed++, 1.5, 3.0);
    Reference ref = twoPass(x);
    double mean = double(ref.mean);
    long double brute = 0;
    for (float v : x)
      brute += std::fabs(v - (long double)mean);
    brute /= x.size();

    auto batches = splitRandomly(x, seed++);
    AbsDeviationAccumulator sequential(mean);
    std::vector<AbsDeviationAccumulator> parts;
    for (auto batch : batches) {
      sequential.add(batch);
      parts.emplace_back(mean);
      parts.back().add(batch);
    }
    std::shuffle(parts.begin(), parts.end(), std::mt19937_64(seed++));
    AbsDeviationAccumulator merged(mean);
    for (const auto &p : parts)
      merged.merge(p);
    EXPECT_EQ(sequential.count(), int64_t(x.size()));
    EXPECT_EQ(merged.count(), int64_t(x.size()));
    EXPECT_NEAR(sequential.meanAbsDeviation(), double(brute),
                1e-12 * double(brute));
    EXPECT_NEAR(merged.meanAbsDeviation(), double(brute),
                1e-12 * double(brute));
  }
  AbsDeviationAccumulator none(0.0);
  EXPECT_EQ(none.meanAbsDeviation(), 0.0);
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

/// Histogram of all the data at `h`'s final edges, by binary search on the
/// edges (exact comparisons), and the check that it equals `h` bin for bin.
void expectExact(const Histogram &h, llvm::ArrayRef<float> all) {
  llvm::SmallVector<double> edges = h.edges();
  ASSERT_EQ(edges.size(), h.numBins() + 1);
  for (size_t i = 1; i < edges.size(); ++i)
    ASSERT_LT(edges[i - 1], edges[i]);
  // Equally spaced, exactly.
  double width = h.binWidth();
  for (size_t i = 1; i < edges.size(); ++i)
    ASSERT_EQ(edges[i] - edges[i - 1], width) << "edge " << i;
  std::vector<int64_t> brute(h.numBins(), 0);
  for (float v : all) {
    double x = v;
    ASSERT_GE(x, h.lo());
    ASSERT_LT(x, h.hi());
    size_t bin =
        std::upper_bound(edges.begin(), edges.end(), x) - edges.begin() - 1;
    ++brute[bin];
  }
  EXPECT_EQ(h.total(), int64_t(all.size()));
  size_t mismatches = 0;
  for (size_t i = 0; i < brute.size(); ++i)
    mismatches += brute[i] != h.counts()[i];
  EXPECT_EQ(mismatches, 0u);
}

Histogram streamed(llvm::ArrayRef<float> x, uint64_t seed,
                   unsigned bins = 2048) {
  Histogram h(bins);
  int64_t added = 0;
  for (auto batch : splitRandomly(x, seed)) {
    h.add(batch);
    added += batch.size();
    EXPECT_EQ(h.total(), added);
  }
  return h;
}

TEST(HistogramTest, StreamedEqualsBruteForceAtFinalEdges) {
  uint64_t seed = 200;
  for (Family family : {Family::Gauss, Family::Laplace, Family::Uniform,
                        Family::LogNormal, Family::Relu}) {
    for (unsigned bins : {2048u, 2049u, 64u, 7u}) {
      std::vector<float> x = sample(family, 40000, seed++, 0.5, 1.7);
      Histogram h = streamed(x, seed++, bins);
      EXPECT_EQ(h.numBins(), bins);
      expectExact(h, x);
    }
  }
}

TEST(HistogramTest, UsesMostBinsAfterGrowth) {
  // After growing, the data spans more than a quarter of the bins (the
  // price of exact power-of-two merging is at most a factor 4 in
  // resolution against min/max-fitted bins).
  for (Family family : {Family::Gauss, Family::Laplace, Family::Uniform}) {
    std::vector<float> x = sample(family, 100000, 300 + int(family));
    Histogram h = streamed(x, 301);
    double span = *std::max_element(x.begin(), x.end()) -
                  *std::min_element(x.begin(), x.end());
    EXPECT_GT(span / h.binWidth(), h.numBins() / 4.0);
  }
}

TEST(HistogramTest, GrowsInBothDirections) {
  Histogram h;
  std::vector<float> all;
  auto add = [&](std::vector<float> batch) {
    h.add(batch);
    all.insert(all.end(), batch.begin(), batch.end());
  };
  add(sample(Family::Uniform, 1000, 1, 0.5, 0.5)); // [0, 1]
  double w0 = h.binWidth();
  add(sample(Family::Uniform, 1000, 2, -9.5, 0.5)); // [-10, -9]
  EXPECT_LE(h.lo(), -10);
  add(sample(Family::Uniform, 1000, 3, 100.5, 0.5)); // [100, 101]
  EXPECT_GT(h.hi(), 101);
  add(sample(Family::Uniform, 1000, 4, -1000.5, 0.5)); // [-1001, -1000]
  EXPECT_LE(h.lo(), -1001);
  EXPECT_GT(h.binWidth(), w0);
  expectExact(h, all);
}

TEST(HistogramTest, ConstantFirstBatchThenData) {
  for (float c : {3.5f, -1e-3f, 0.0f, 1e30f, FLT_MIN, 1e-44f}) {
    SCOPED_TRACE(c);
    Histogram h;
    std::vector<float> all(5000, c);
    h.add(all);
    EXPECT_EQ(h.total(), 5000);
    EXPECT_LE(h.lo(), c);
    EXPECT_GT(h.hi(), c);
    EXPECT_GT(h.binWidth(), 0.0);
    expectExact(h, all);
    // A second constant batch of the same value changes nothing.
    h.add(std::vector<float>(10, c));
    all.insert(all.end(), 10, c);
    expectExact(h, all);
    // Then real data, far wider.
    std::vector<float> x = sample(Family::Gauss, 20000, 5, 0.0, 4.0);
    h.add(x);
    all.insert(all.end(), x.begin(), x.end());
    expectExact(h, all);
  }
}

TEST(HistogramTest, AllZeroData) {
  Histogram h;
  std::vector<float> zeros(10000, 0.0f);
  for (int i = 0; i < 5; ++i)
    h.add(zeros);
  EXPECT_EQ(h.total(), 50000);
  EXPECT_LE(h.lo(), 0.0);
  EXPECT_GT(h.hi(), 0.0);
  // All in one bin, whose lower edge is 0.
  int nonEmpty = 0;
  for (size_t i = 0; i < h.numBins(); ++i) {
    if (h.counts()[i]) {
      ++nonEmpty;
      EXPECT_EQ(h.edges()[i], 0.0);
    }
  }
  EXPECT_EQ(nonEmpty, 1);
  // -0.0 counts as 0 too.
  h.add(std::vector<float>(3, -0.0f));
  EXPECT_EQ(h.total(), 50003);
}

TEST(HistogramTest, HugeDynamicRangeKeepsEveryCount) {
  // |x| log-uniform in [1e-6, 1e6], random signs, the magnitudes arriving
  // in increasing order (a growth nearly every batch), then shuffled.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> logMag(std::log(1e-6), std::log(1e6));
  std::vector<float> x(200000);
  for (float &v : x)
    v = float((rng() & 1 ? 1 : -1) * std::exp(logMag(rng)));
  std::vector<float> ascending = x;
  std::sort(ascending.begin(), ascending.end(),
            [](float a, float b) { return std::fabs(a) < std::fabs(b); });

  auto start = std::chrono::steady_clock::now();
  Histogram grown;
  for (size_t i = 0; i < ascending.size(); i += 1000)
    grown.add(llvm::ArrayRef<float>(ascending).slice(
        i, std::min<size_t>(1000, ascending.size() - i)));
  Histogram shuffled = streamed(x, 8);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_LT(seconds, 2.0);
  expectExact(grown, ascending);
  expectExact(shuffled, x);
  EXPECT_LE(grown.lo(), -9.9e5);
  EXPECT_GE(grown.hi(), 9.9e5);
}

TEST(HistogramTest, ExtremeFloats) {
  std::vector<float> x = {FLT_MAX, -FLT_MAX, 1e-45f, -1e-45f,
                          0.0f,    FLT_MIN,  1.0f,   -1.0f};
  Histogram h;
  for (float v : x)
    h.add(v);
  expectExact(h, x);
  Histogram once;
  once.add(x);
  expectExact(once, x);
}

TEST(HistogramTest, NonFiniteValuesAreSkipped) {
  Histogram h;
  std::vector<float> x = {1.0f,  std::numeric_limits<float>::quiet_NaN(),
                          2.0f,  std::numeric_limits<float>::infinity(),
                          -3.0f, -std::numeric_limits<float>::infinity()};
  h.add(x);
  EXPECT_EQ(h.total(), 3);
  EXPECT_LT(h.hi(), 100.0);
  std::vector<float> nans(4, std::numeric_limits<float>::quiet_NaN());
  Histogram empty;
  empty.add(nans);
  EXPECT_TRUE(empty.empty());
  EXPECT_TRUE(empty.edges().empty());
}

TEST(HistogramTest, MemoryIsProportionalToBins) {
  // Only the counts and a re-binning buffer of the same size live on the
  // heap; the object itself is small and nothing grows with the data.
  EXPECT_LE(sizeof(Histogram), 160u);
  Histogram h(4096);
  std::vector<float> x = sample(Family::LogNormal, 100000, 9);
  for (int i = 0; i < 20; ++i)
    h.add(x);
  EXPECT_EQ(h.numBins(), 4096u);
  EXPECT_EQ(h.counts().size(), 4096u);
  EXPECT_EQ(h.edges().size(), 4097u);
  EXPECT_EQ(h.total(), 2000000);
}

TEST(HistogramTest, MergeIsExact) {
  uint64_t seed = 400;
  for (int trial = 0; trial < 6; ++trial) {
    // Two observers' streams with different ranges and scales.
    std::vector<float> a = sample(Family::Gauss, 30000, seed++, -2.0, 0.3);
    std::vector<float> b =
        sample(trial % 2 ? Family::LogNormal : Family::Laplace, 20000, seed++,
               5.0, trial + 1.0);
    Histogram ha = streamed(a, seed++), hb = streamed(b, seed++);
    std::vector<float> all = a;
    all.insert(all.end(), b.begin(), b.end());

    Histogram ab = ha;
    ab.merge(hb);
    expectExact(ab, all);
    Histogram ba = hb;
    ba.merge(ha);
    expectExact(ba, all);

    Histogram empty;
    empty.merge(ha);
    expectExact(empty, a);
    Histogram other(512);
    other.merge(hb);
    other.merge(ha);
    expectExact(other, all);
    ha.merge(Histogram());
    expectExact(ha, a);
  }
}

TEST(HistogramTest, FromBinsRoundTripStaysExact) {
  std::vector<float> x = sample(Family::Laplace, 30000, 500, 1.0, 2.0);
  Histogram h = streamed(x, 501);
  llvm::SmallVector<double> edges = h.edges();
  Histogram back = Histogram::fromBins(edges, h.counts());
  EXPECT_EQ(back.lo(), h.lo());
  EXPECT_EQ(back.hi(), h.hi());
  EXPECT_EQ(back.binWidth(), h.binWidth());
  EXPECT_EQ(back.total(), h.total());
  EXPECT_TRUE(llvm::equal(back.edges(), edges));
  EXPECT_TRUE(llvm::equal(back.counts(), h.counts()));
  // Aligned edges come back aligned: later batches still bin exactly.
  std::vector<float> more = sample(Family::Gauss, 20000, 502, -20.0, 3.0);
  back.add(more);
  x.insert(x.end(), more.begin(), more.end());
  expectExact(back, x);
}

TEST(HistogramTest, FromBinsWithArbitraryEdges) {
  // Decimal edges (not a power-of-two grid): kept as given for reading;
  // further adds re-bin by bin center and keep every count.
  std::vector<double> edges;
  for (int i = 0; i <= 10; ++i)
    edges.push_back(-0.5 + 0.1 * i);
  std::vector<int64_t> counts = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  Histogram h = Histogram::fromBins(edges, counts);
  EXPECT_EQ(h.lo(), -0.5);
  EXPECT_EQ(h.hi(), edges.back());
  EXPECT_EQ(h.total(), 55);
  EXPECT_TRUE(llvm::equal(h.counts(), counts));
  std::vector<float> x = {0.05f, 3.0f, -2.0f};
  h.add(x);
  EXPECT_EQ(h.total(), 58);
  int64_t sum = 0;
  for (int64_t c : h.counts())
    sum += c;
  EXPECT_EQ(sum, 58);
  EXPECT_LE(h.lo(), -2.0);
  EXPECT_GT(h.hi(), 3.0);

  Histogram merged;
  merged.merge(Histogram::fromBins(edges, counts));
  EXPECT_EQ(merged.total(), 55);
}

} // namespace

//===----------------------------------------------------------------------===//
// Histogram::meanAbsDeviation (one-pass mean absolute deviation)
//===----------------------------------------------------------------------===//

namespace {
long double bruteMeanAbsDeviation(llvm::ArrayRef<float> x, double center) {
  long double sum = 0;
  for (float v : x)
    sum += std::fabs(v - (long double)center);
  return sum / x.size();
}

/// Half the count of the bin holding `center` times its width, over the
/// total: the bound the one-pass value must meet, from the recounted bins.
double oneBinBound(const Histogram &h, llvm::ArrayRef<float> x, double center) {
  llvm::SmallVector<double> edges = h.edges();
  size_t bin =
      std::upper_bound(edges.begin(), edges.end(), center) - edges.begin() - 1;
  int64_t inBin = 0;
  for (float v : x)
    inBin += v >= edges[bin] && v < edges[bin + 1];
  return inBin * h.binWidth() / 2 / x.size();
}
} // namespace

TEST(HistogramMeanAbsDeviationTest, WithinOneBinOfBruteForce) {
  uint64_t seed = 300;
  for (Family family :
       {Family::Gauss, Family::Laplace, Family::LogNormal, Family::Relu}) {
    std::vector<float> x = sample(family, 60000, seed++, 0.7, 2.0);
    double mean = double(twoPass(x).mean);
    long double brute = bruteMeanAbsDeviation(x, mean);
    // Streamed in random batches, so the range grows and bins merge, and
    // merged from parts: the sums follow the counts either way.
    Histogram h = streamed(x, seed++);
    Histogram merged(2048);
    for (auto batch : splitRandomly(x, seed++)) {
      Histogram part(2048);
      part.add(batch);
      merged.merge(part);
    }
    for (const Histogram *hist : {&h, &merged}) {
      double bound;
      double mad = hist->meanAbsDeviation(mean, &bound);
      double expectedBound = oneBinBound(*hist, x, mean);
      EXPECT_LE(bound, expectedBound * (1 + 1e-12) + 1e-300);
      EXPECT_NEAR(mad, double(brute), bound + 1e-12 * double(brute))
          << "family " << int(family);
      // The bound is small: a bin of 2048 holds little of the mass.
      EXPECT_LT(bound, 1e-2 * double(brute));
    }
    // Around a center far from the mean every bin is on one side: exact.
    double far = double(h.hi()) + 1.0, bound;
    EXPECT_NEAR(h.meanAbsDeviation(far, &bound),
                double(bruteMeanAbsDeviation(x, far)), 1e-12 * far);
    EXPECT_EQ(bound, 0.0);
  }
}

TEST(HistogramMeanAbsDeviationTest, ExactWhenTheCenterBinIsEmptyOrOnAnEdge) {
  // 1, 2, ..., 30 around 15.5: no value shares a bin with the mean.
  std::vector<float> x(30);
  std::iota(x.begin(), x.end(), 1.0f);
  Histogram h(2048);
  h.add(x);
  double bound;
  EXPECT_DOUBLE_EQ(h.meanAbsDeviation(15.5, &bound), 7.5);
  EXPECT_EQ(bound, 0.0);
  // Four bins of width 8 over [0, 32): 16 is an edge, so both sides exact.
  Histogram coarse(4);
  coarse.add(x);
  ASSERT_EQ(coarse.binWidth(), 8.0);
  EXPECT_DOUBLE_EQ(coarse.meanAbsDeviation(16.0, &bound),
                   double(bruteMeanAbsDeviation(x, 16.0)));
  EXPECT_EQ(bound, 0.0);
  // Around 15.5 the bin [8, 16) holds 8..15: its contribution is bracketed
  // between |sum - 8 * 15.5| and all of its values at the bin's ends, and
  // the estimate is the middle, within the reported bound of the truth.
  double mad = coarse.meanAbsDeviation(15.5, &bound);
  EXPECT_GT(bound, 0.0);
  EXPECT_LE(bound, 8 * 8.0 / 2 / 30);
  EXPECT_NEAR(mad, 7.5, bound + 1e-12);
  Histogram empty(16);
  EXPECT_EQ(empty.meanAbsDeviation(0.0, &bound), 0.0);
  EXPECT_EQ(bound, 0.0);
}
