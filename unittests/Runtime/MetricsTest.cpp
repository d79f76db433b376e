//===- MetricsTest.cpp - output comparison metrics ------------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Every expected value is computed by hand in the comment next to it.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Metrics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <vector>

using namespace mlir::qlip;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// actual x = [1, 2, 3, -1, 0, 4], reference r = [1, 2, 2.5, -1, 0, 5]:
// x - r = [0, 0, 0.5, 0, 0, -1].
const std::vector<double> kActual = {1, 2, 3, -1, 0, 4};
const std::vector<double> kReference = {1, 2, 2.5, -1, 0, 5};

TEST(MetricsTest, MaxAbsError) {
  EXPECT_EQ(maxAbsError(kActual, kReference), 1.0);
  EXPECT_EQ(maxAbsError({}, {}), 0.0);
  EXPECT_EQ(maxAbsError({-3.0}, {2.0}), 5.0);
  // A NaN anywhere, even after a larger error, is the result.
  EXPECT_TRUE(std::isnan(maxAbsError({5.0, kNaN}, {0.0, 0.0})));
  EXPECT_TRUE(std::isnan(maxAbsError({kNaN, 5.0}, {0.0, 0.0})));
  // NaN where the reference has NaN, and the same infinity, match (numpy's
  // assert_allclose); an infinity against another value or the other
  // infinity does not.
  EXPECT_EQ(maxAbsError({kNaN, kInf, -kInf, 1.5}, {kNaN, kInf, -kInf, 1.0}),
            0.5);
  EXPECT_TRUE(std::isnan(maxAbsError({0.0}, {kNaN})));
  EXPECT_EQ(maxAbsError({kInf}, {1.0}), kInf);
  EXPECT_EQ(maxAbsError({kInf}, {-kInf}), kInf);
}

TEST(MetricsTest, Sqnr) {
  // signal 1 + 4 + 6.25 + 1 + 0 + 25 = 37.25, noise 0.25 + 1 = 1.25:
  // 10 log10(29.8) = 14.742162640762553.
  EXPECT_NEAR(sqnrDb(kActual, kReference), 14.742162640762553, 1e-12);
  // Noise equal to the signal: 0 dB; a tenth of it in amplitude: 20 dB.
  EXPECT_NEAR(sqnrDb({0.0, 0.0}, {1.0, -1.0}), 0.0, 1e-12);
  EXPECT_NEAR(sqnrDb({1.1, -1.1}, {1.0, -1.0}), 20.0, 1e-9);
  EXPECT_EQ(sqnrDb(kReference, kReference), kInf);
  EXPECT_EQ(sqnrDb({1.0}, {0.0}), -kInf);
  EXPECT_TRUE(std::isnan(sqnrDb({kNaN}, {1.0})));
  // Matching NaNs and infinities are left out.
  EXPECT_NEAR(sqnrDb({1.1, kNaN, kInf}, {1.0, kNaN, kInf}), 20.0, 1e-9);
}

TEST(MetricsTest, SqnrInPieces) {
  // kActual and kReference in pieces of 4 and 2 values: the same sums.
  SqnrAccumulator sum;
  EXPECT_EQ(sum.db(), kInf);
  sum.add(llvm::ArrayRef(kActual).take_front(4),
          llvm::ArrayRef(kReference).take_front(4));
  // So far noise 0.25, signal 1 + 4 + 6.25 + 1 = 12.25: 10 log10(49).
  EXPECT_NEAR(sum.db(), 16.901960800285136, 1e-12);
  sum.add(llvm::ArrayRef(kActual).drop_front(4),
          llvm::ArrayRef(kReference).drop_front(4));
  EXPECT_NEAR(sum.db(), 14.742162640762553, 1e-12);
  sum.add({kNaN}, {0.0});
  EXPECT_TRUE(std::isnan(sum.db()));
}

TEST(MetricsTest, Cosine) {
  // x . r = 1 + 4 + 7.5 + 1 + 0 + 20 = 33.5, |x|^2 = 31, |r|^2 = 37.25:
  // 33.5 / sqrt(1154.75) = 0.9858272566491407.
  EXPECT_NEAR(cosineSimilarity(kActual, kReference), 0.9858272566491407, 1e-12);
  EXPECT_NEAR(cosineSimilarity({1.0, 2.0}, {-2.0, -4.0}), -1.0, 1e-15);
  EXPECT_NEAR(cosineSimilarity({1.0, 0.0}, {0.0, 3.0}), 0.0, 1e-15);
  EXPECT_EQ(cosineSimilarity({0.0, 0.0}, {0.0, 0.0}), 1.0);
  EXPECT_EQ(cosineSimilarity({0.0, 0.0}, {1.0, 0.0}), 0.0);
  EXPECT_TRUE(std::isnan(cosineSimilarity({kNaN, 1.0}, {1.0, 1.0})));
}

TEST(MetricsTest, ArgmaxRows) {
  // Rows [1 3 3], [5 -1 2], [0 nan 9]: the first maximum wins a tie, and a
  // NaN is the maximum (numpy's argmax).
  std::vector<size_t> rows =
      argmaxRows({1, 3, 3, 5, -1, 2, 0, kNaN, 9}, /*rowLength=*/3);
  EXPECT_EQ(rows, (std::vector<size_t>{1, 0, 1}));
  // One value per row: every row's argmax is 0.
  EXPECT_EQ(argmaxRows({4, -4}, 1), (std::vector<size_t>{0, 0}));
}

TEST(MetricsTest, Top1) {
  // Rows of actual: [1 2 3] -> 2, [-1 0 4] -> 2; of reference:
  // [1 2 2.5] -> 2, [-1 0 5] -> 2.
  EXPECT_EQ(countTop1Agreement(kActual, kReference, 3), 2u);
  // As three rows of two: actual [1 2] [3 -1] [0 4] -> 1 0 1; reference
  // [1 2] [2.5 -1] [0 5] -> 1 0 1.
  EXPECT_EQ(countTop1Agreement(kActual, kReference, 2), 3u);
  // [2 1] [0 3]: argmax 0, 1 against [0 5] [1 0]: argmax 1, 0.
  EXPECT_EQ(countTop1Agreement({2, 1, 0, 3}, {0, 5, 1, 0}, 2), 0u);

  // Labels: rows predict 2 and 2.
  EXPECT_EQ(countTop1Correct(kActual, 3, {2, 2}), 2u);
  EXPECT_EQ(countTop1Correct(kActual, 3, {2, 0}), 1u);
  EXPECT_EQ(countTop1Correct(kActual, 3, {-2, 7}), 0u);
}

TEST(MetricsTest, Compare) {
  Comparison c = compare(kActual, kReference, 3);
  EXPECT_EQ(c.count, 6u);
  EXPECT_EQ(c.maxAbsError, 1.0);
  EXPECT_NEAR(c.sqnrDb, 14.742162640762553, 1e-12);
  EXPECT_NEAR(c.cosine, 0.9858272566491407, 1e-12);
  EXPECT_EQ(c.rows, 2u);
  EXPECT_EQ(c.top1Agreement, 2u);

  Comparison empty = compare({}, {}, 3);
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.rows, 0u);
  EXPECT_EQ(empty.maxAbsError, 0.0);
}

} // namespace
