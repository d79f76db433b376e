//===- QParamsAttrTest.cpp - #qlip.qparams C++ API ---------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipAttrs.h"
#include "dialects/Qlip/IR/QlipDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::qlip;

namespace {
class QParamsAttrTest : public ::testing::Test {
protected:
  QParamsAttrTest() { context.loadDialect<QlipDialect>(); }

  QParamsAttr perTensor(unsigned bits, bool isSigned, bool narrow,
                        double scale, int64_t zp = 0) {
    return QParamsAttr::get(&context, bits, isSigned, narrow, std::nullopt,
                            {scale}, {zp}, {-1.0}, {1.0}, ClipRule::Max);
  }

  MLIRContext context;
};

/// The level of the grid nearest to x, ties to the even integer, found by
/// trying every level: an independent reference for fakeQuantize.
double nearestLevel(double x, double scale, int64_t zp, int64_t qmin,
                    int64_t qmax) {
  double best = 0, bestDist = INFINITY;
  int64_t bestQ = 0;
  for (int64_t q = qmin; q <= qmax; ++q) {
    double level = static_cast<double>(q - zp) * scale;
    double dist = std::fabs(level - x);
    bool tieToEven = dist == bestDist && (q - zp) % 2 == 0;
    if (dist < bestDist || tieToEven) {
      best = level;
      bestDist = dist;
      bestQ = q;
    }
  }
  (void)bestQ;
  return best;
}
} // namespace

TEST_F(QParamsAttrTest, GridBounds) {
  struct Case {
    unsigned bits;
    bool isSigned, narrow;
    int64_t qmin, qmax;
  } cases[] = {
      {8, true, false, -128, 127}, {8, true, true, -127, 127},
      {8, false, false, 0, 255},   {8, false, true, 0, 254},
      {4, true, true, -7, 7},      {2, true, true, -1, 1},
      {2, false, false, 0, 3},     {16, true, false, -32768, 32767},
  };
  for (const Case &c : cases) {
    QParamsAttr q = perTensor(c.bits, c.isSigned, c.narrow, 1.0);
    EXPECT_EQ(q.getQMin(), c.qmin) << c.bits << " bits";
    EXPECT_EQ(q.getQMax(), c.qmax) << c.bits << " bits";
  }
}

TEST_F(QParamsAttrTest, FakeQuantizeMatchesNearestLevel) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> value(-3.0, 3.0);
  for (unsigned bits : {2u, 3u, 4u, 8u}) {
    for (bool isSigned : {true, false}) {
      for (bool narrow : {true, false}) {
        int64_t zp = isSigned ? 0 : 3;
        QParamsAttr q = perTensor(bits, isSigned, narrow, 0.37, zp);
        for (int i = 0; i < 2000; ++i) {
          double x = value(rng);
          EXPECT_DOUBLE_EQ(
              q.fakeQuantize(x, 0),
              nearestLevel(x, 0.37, zp, q.getQMin(), q.getQMax()))
              << "x = " << x << ", bits = " << bits;
        }
      }
    }
  }
}

TEST_F(QParamsAttrTest, FakeQuantizeRoundsHalfToEven) {
  QParamsAttr q = perTensor(8, true, true, 1.0);
  EXPECT_EQ(q.fakeQuantize(0.5, 0), 0.0);
  EXPECT_EQ(q.fakeQuantize(1.5, 0), 2.0);
  EXPECT_EQ(q.fakeQuantize(-2.5, 0), -2.0);
  EXPECT_EQ(q.fakeQuantize(1000.0, 0), 127.0);
  EXPECT_EQ(q.fakeQuantize(-1000.0, 0), -127.0);
  EXPECT_TRUE(std::isnan(q.fakeQuantize(NAN, 0)));
}

TEST_F(QParamsAttrTest, PerAxisUsesEachChannelsScale) {
  auto q = QParamsAttr::get(&context, 4, true, true, 0, {0.5, 0.25},
                            {0, 0}, {-3.5, -1.75}, {3.5, 1.75},
                            ClipRule::MSE);
  EXPECT_TRUE(q.isPerAxis());
  EXPECT_EQ(q.getNumChannels(), 2u);
  EXPECT_EQ(q.fakeQuantize(1.3, 0), 1.5);
  EXPECT_EQ(q.fakeQuantize(1.3, 1), 1.25);
  EXPECT_EQ(q.fakeQuantize(9.0, 1), 1.75);
}

TEST_F(QParamsAttrTest, GetCheckedRejectsBadParameters) {
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  auto emit = [&] { return emitError(UnknownLoc::get(&context)); };
  auto check = [&](unsigned bits, double scale, int64_t zp) {
    message.clear();
    return QParamsAttr::getChecked(emit, &context, bits, true, false,
                                   std::nullopt, {scale}, {zp}, {-1.0},
                                   {1.0}, ClipRule::Max);
  };
  EXPECT_FALSE(check(17, 1.0, 0));
  EXPECT_EQ(message, "bit width must be in [2, 16], got 17");
  EXPECT_FALSE(check(8, 0.0, 0));
  EXPECT_EQ(message, "scale #0 must be positive and finite, got 0.0");
  EXPECT_FALSE(check(8, NAN, 0));
  EXPECT_EQ(message, "scale #0 must be positive and finite, got nan");
  EXPECT_FALSE(check(8, 1.0, 128));
  EXPECT_EQ(message, "zero point #0 = 128 is outside the grid [-128, 127]");
  EXPECT_TRUE(check(8, 1.0, -128));
}

TEST_F(QParamsAttrTest, QuantizeIsTheFakeQuantizersLevel) {
  // quantize() and fakeQuantize() share their rounding: the level
  // dequantizes to the fake-quantized value, for every grid and many x.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> value(-4.0, 4.0);
  for (unsigned bits : {2u, 4u, 8u, 16u}) {
    for (bool isSigned : {true, false}) {
      int64_t zp = isSigned ? -1 : 2;
      QParamsAttr q = perTensor(bits, isSigned, false, 0.03, zp);
      for (int i = 0; i < 1000; ++i) {
        double x = value(rng);
        int64_t level = q.quantize(x, 0);
        EXPECT_GE(level, q.getQMin());
        EXPECT_LE(level, q.getQMax());
        EXPECT_EQ(static_cast<double>(level - zp) * 0.03, q.fakeQuantize(x, 0))
            << bits << " bits, x = " << x;
      }
    }
  }
  // NaN has no level: the zero point.
  EXPECT_EQ(perTensor(8, true, false, 0.5, 3).quantize(NAN, 0), 3);
}

TEST_F(QParamsAttrTest, SignedStorageKeepsTheValues) {
  // ui8 and ui16 grids move to the signed grid of their width with the zero
  // point 2^(bits-1) lower; every level dequantizes to the same value.
  for (unsigned bits : {8u, 16u}) {
    QParamsAttr u = perTensor(bits, false, false, 0.25, 5);
    QParamsAttr s = u.getSignedStorage();
    int64_t offset = int64_t{1} << (bits - 1);
    EXPECT_TRUE(s.getIsSigned());
    EXPECT_EQ(s.getBits(), bits);
    EXPECT_EQ(s.getZeroPoints()[0], 5 - offset);
    EXPECT_EQ(s.getQMin(), u.getQMin() - offset);
    EXPECT_EQ(s.getQMax(), u.getQMax() - offset);
    for (double x : {-1.0, 0.0, 0.3, 17.0, 1e9})
      EXPECT_EQ(u.fakeQuantize(x, 0), s.fakeQuantize(x, 0)) << x;
  }
  // Narrower unsigned grids already fit i8; signed grids are left alone.
  QParamsAttr u4 = perTensor(4, false, false, 0.25);
  EXPECT_EQ(u4.getSignedStorage(), u4);
  QParamsAttr s8 = perTensor(8, true, true, 0.25);
  EXPECT_EQ(s8.getSignedStorage(), s8);
  EXPECT_EQ(u4.getStorageBits(), 8u);
  EXPECT_EQ(perTensor(12, true, false, 1.0).getStorageBits(), 16u);
}
