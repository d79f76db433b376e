//===- BitAllocationTest.cpp - Tests for ACIQ per-channel bit allocation --===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/BitAllocation.h"

#include "gtest/gtest.h"

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace mlir::qlip;

namespace {

llvm::SmallVector<unsigned> allocateOrFail(llvm::ArrayRef<double> scales,
                                           double avg, unsigned minBits = 1,
                                           unsigned maxBits = 8) {
  llvm::Expected<llvm::SmallVector<unsigned>> bits =
      allocateChannelBits(scales, avg, minBits, maxBits);
  if (!bits) {
    ADD_FAILURE() << llvm::toString(bits.takeError());
    return {};
  }
  return *bits;
}

std::string errorOf(llvm::ArrayRef<double> scales, double avg,
                    unsigned minBits = 1, unsigned maxBits = 8) {
  llvm::Expected<llvm::SmallVector<unsigned>> bits =
      allocateChannelBits(scales, avg, minBits, maxBits);
  if (bits)
    return "";
  return llvm::toString(bits.takeError());
}

TEST(BitAllocationTest, IdealBitsFollowEquationTen) {
  // bins ~ alpha^(2/3): alphas 1 and 8 have weights 1 and 4, i.e. bins in
  // ratio 1:4, two bits apart, centred (in log2) on the average.
  llvm::SmallVector<double> ideal = idealChannelBits({1.0, 8.0}, 4.0);
  EXPECT_NEAR(ideal[1] - ideal[0], 2.0, 1e-12);
  // The geometric mean of the bins is not the budget; the sum is:
  // 2^i0 + 2^i1 == 2 * 2^4.
  EXPECT_NEAR(std::exp2(ideal[0]) + std::exp2(ideal[1]), 32.0, 1e-9);

  llvm::SmallVector<double> zero = idealChannelBits({0.0, 0.0, 0.0}, 3.5);
  for (double v : zero)
    EXPECT_EQ(v, 3.5);
  llvm::SmallVector<double> mixed = idealChannelBits({0.0, 1.0}, 3.0);
  EXPECT_TRUE(std::isinf(mixed[0]) && mixed[0] < 0.0);
  EXPECT_NEAR(mixed[1], 4.0, 1e-12); // all bins to the one live channel
}

TEST(BitAllocationTest, BudgetMetExactlyOnRandomCases) {
  std::mt19937_64 rng(123);
  std::lognormal_distribution<double> scale(0.0, 1.5);
  std::uniform_int_distribution<int> channels(1, 300);
  std::uniform_real_distribution<double> avg(1.0, 8.0);
  for (int trial = 0; trial < 500; ++trial) {
    int c = channels(rng);
    std::vector<double> scales(c);
    for (double &s : scales)
      s = scale(rng);
    if (trial % 7 == 0)
      scales[0] = 0.0; // a dead channel now and then
    double avgBits = avg(rng);
    llvm::SmallVector<unsigned> bits = allocateOrFail(scales, avgBits);
    ASSERT_EQ(bits.size(), size_t(c));
    unsigned sum = std::accumulate(bits.begin(), bits.end(), 0u);
    EXPECT_EQ(double(sum), std::nearbyint(avgBits * c)) << "trial " << trial;
    for (int i = 0; i < c; ++i) {
      EXPECT_GE(bits[i], 1u);
      EXPECT_LE(bits[i], 8u);
      // A larger scale never gets fewer bits.
      for (int j = 0; j < c; ++j) {
        if (scales[i] > scales[j]) {
          EXPECT_GE(bits[i], bits[j]) << "trial " << trial;
        }
      }
    }
  }
}

TEST(BitAllocationTest, CustomBoundsRespected) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> scale(0.0, 2.0);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<double> scales(64);
    for (double &s : scales)
      s = scale(rng);
    llvm::SmallVector<unsigned> bits = allocateOrFail(scales, 4.3, 2, 6);
    unsigned sum = std::accumulate(bits.begin(), bits.end(), 0u);
    EXPECT_EQ(sum, unsigned(std::nearbyint(4.3 * 64)));
    for (unsigned b : bits) {
      EXPECT_GE(b, 2u);
      EXPECT_LE(b, 6u);
    }
  }
}

TEST(BitAllocationTest, EqualScalesGetEqualBits) {
  for (unsigned avg : {1u, 2u, 4u, 8u}) {
    llvm::SmallVector<unsigned> bits =
        allocateOrFail(std::vector<double>(37, 0.25), double(avg));
    for (unsigned b : bits)
      EXPECT_EQ(b, avg);
  }
  // Two groups of equal scales whose ideal widths are whole numbers.
  std::vector<double> scales = {1.0, 8.0, 1.0, 8.0, 8.0, 1.0};
  llvm::SmallVector<unsigned> bits = allocateOrFail(scales, 4.0);
  for (size_t i = 0; i < scales.size(); ++i)
    EXPECT_EQ(bits[i], scales[i] == 1.0 ? bits[0] : bits[1]);
  EXPECT_EQ(bits[1], bits[0] + 2);
}

TEST(BitAllocationTest, RoundedAllocationNeedsNoRepair) {
  // Ideal widths 3 + log2(w / mean w): with weights 1, 2, 4 (alphas 1,
  // 2^1.5, 8) mean 7/3, ideals are 1.78, 2.78, 3.78 -> 2, 3, 4 = 9 bits.
  llvm::SmallVector<unsigned> bits =
      allocateOrFail({1.0, std::pow(2.0, 1.5), 8.0}, 3.0);
  EXPECT_EQ(bits[0], 2u);
  EXPECT_EQ(bits[1], 3u);
  EXPECT_EQ(bits[2], 4u);
}

TEST(BitAllocationTest, RepairMovesTheLargestResidualFirst) {
  // Ideals for alphas (1, 1, 1, 64): weights 1, 1, 1, 16, mean 4.75:
  // 4 + log2(1/4.75) = 1.75 (x3) and 4 + log2(16/4.75) = 5.75.
  // Rounded: 2, 2, 2, 6 = 12 of a 16-bit budget; the residuals are equal
  // (0.25 each), so ties go to the lower index: channels 0..3 each +1.
  llvm::SmallVector<unsigned> bits = allocateOrFail({1.0, 1.0, 1.0, 64.0}, 4.0);
  EXPECT_EQ(std::accumulate(bits.begin(), bits.end(), 0u), 16u);
  EXPECT_EQ(bits[0], 3u);
  EXPECT_EQ(bits[3], 7u);
}

TEST(BitAllocationTest, InfeasibleOrInvalidInputsAreErrors) {
  std::vector<double> scales = {1.0, 2.0, 3.0};
  EXPECT_NE(errorOf(scales, 9.0), "");       // above 8 bits per channel
  EXPECT_NE(errorOf(scales, 0.4), "");       // below 1 bit per channel
  EXPECT_NE(errorOf(scales, 4.0, 5, 8), ""); // budget below 3 * 5
  EXPECT_NE(errorOf(scales, 4.0, 6, 5), ""); // min > max
  EXPECT_NE(errorOf(scales, 4.0, 1, 17), "");
  EXPECT_NE(errorOf(scales, std::nan("")), "");
  EXPECT_NE(errorOf({1.0, -1.0}, 4.0), "");
  EXPECT_NE(errorOf({1.0, std::nan("")}, 4.0), "");
  EXPECT_NE(errorOf({1.0, HUGE_VAL}, 4.0), "");
  // Exactly at the bounds is feasible.
  EXPECT_EQ(errorOf(scales, 8.0), "");
  EXPECT_EQ(errorOf(scales, 1.0), "");
  llvm::SmallVector<unsigned> top = allocateOrFail(scales, 8.0);
  for (unsigned b : top)
    EXPECT_EQ(b, 8u);
}

TEST(BitAllocationTest, DegenerateInputs) {
  EXPECT_TRUE(allocateOrFail({}, 4.0).empty());
  EXPECT_EQ(allocateOrFail({3.0}, 4.0)[0], 4u);
  EXPECT_EQ(allocateOrFail({0.0}, 4.0)[0], 4u);
  llvm::SmallVector<unsigned> zeros = allocateOrFail({0.0, 0.0, 0.0}, 2.0);
  for (unsigned b : zeros)
    EXPECT_EQ(b, 2u);
  // A dead channel gets the minimum while the budget allows it.
  llvm::SmallVector<unsigned> dead = allocateOrFail({0.0, 1.0, 1.0}, 4.0);
  EXPECT_EQ(dead[0], 1u);
  EXPECT_EQ(dead[1] + dead[2], 11u);
  // Huge and tiny scales together.
  llvm::SmallVector<unsigned> wide = allocateOrFail({1e-30, 1e30}, 4.5);
  EXPECT_EQ(wide[0], 1u);
  EXPECT_EQ(wide[1], 8u);
}

TEST(BitAllocationTest, ManyChannelsAreFast) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> scale(0.0, 3.0);
  std::vector<double> scales(200000);
  for (double &s : scales)
    s = scale(rng);
  llvm::SmallVector<unsigned> bits = allocateOrFail(scales, 3.7);
  EXPECT_EQ(std::accumulate(bits.begin(), bits.end(), 0ull),
            (unsigned long long)std::nearbyint(3.7 * 200000));
}

} // namespace
