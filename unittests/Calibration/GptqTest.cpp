//===- GptqTest.cpp - GPTQ against its references ---------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// GPTQ against Optimal Brain Quantization written out with an explicit
// inverse (which GPTQ's Cholesky form must reproduce exactly), against
// round to nearest where compensation cannot help (diagonal H), and against
// a brute-force search of every rounding on small rows.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Gptq.h"

#include "gtest/gtest.h"

#include <cmath>
#include <numeric>
#include <random>

using namespace mlir::qlip;

namespace {

/// A random positive semi-definite H = X^T X / n with correlated inputs.
std::vector<double> randomHessian(int64_t k, int64_t n, std::mt19937 &rng) {
  std::normal_distribution<double> normal;
  std::vector<double> mix(k * k);
  for (double &v : mix)
    v = normal(rng);
  std::vector<double> h(k * k, 0.0);
  std::vector<double> x(k);
  for (int64_t r = 0; r < n; ++r) {
    std::vector<double> z(k);
    for (double &v : z)
      v = normal(rng);
    for (int64_t i = 0; i < k; ++i) {
      x[i] = z[i];
      for (int64_t j = 0; j < k; ++j)
        x[i] += 0.7 * mix[i * k + j] * z[j];
    }
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < k; ++j)
        h[i * k + j] += x[i] * x[j] / double(n);
  }
  return h;
}

std::vector<float> randomRow(int64_t k, std::mt19937 &rng) {
  std::normal_distribution<float> normal;
  std::vector<float> w(k);
  for (float &v : w)
    v = normal(rng);
  return w;
}

double maxAbs(const std::vector<float> &w) {
  double m = 0;
  for (float v : w)
    m = std::max(m, double(std::fabs(v)));
  return m;
}

/// Optimal Brain Quantization in a fixed order with the inverse kept
/// explicitly: after rounding element i, the rest move by
/// -(w_i - q_i) / Hinv_ii * Hinv_{i,:}, and i is eliminated from Hinv.
std::vector<int64_t> obqReference(std::vector<double> h, int64_t k,
                                  std::vector<float> w, double scale,
                                  QuantGrid grid, const GptqOptions &options) {
  // The damping GptqSolver applies (no input is dead here).
  double mean = 0;
  for (int64_t i = 0; i < k; ++i)
    mean += h[i * k + i];
  mean /= k;
  for (int64_t i = 0; i < k; ++i)
    h[i * k + i] += options.damp * mean;
  std::vector<int64_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  if (options.actOrder)
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return h[a * k + a] > h[b * k + b];
    });
  // Gauss-Jordan inverse.
  std::vector<double> a = h, inv(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    inv[i * k + i] = 1;
  for (int64_t c = 0; c < k; ++c) {
    double pivot = a[c * k + c];
    for (int64_t j = 0; j < k; ++j) {
      a[c * k + j] /= pivot;
      inv[c * k + j] /= pivot;
    }
    for (int64_t r = 0; r < k; ++r) {
      if (r == c)
        continue;
      double f = a[r * k + c];
      for (int64_t j = 0; j < k; ++j) {
        a[r * k + j] -= f * a[c * k + j];
        inv[r * k + j] -= f * inv[c * k + j];
      }
    }
  }
  std::vector<double> rest(w.begin(), w.end());
  std::vector<int64_t> levels(k);
  for (int64_t step = 0; step < k; ++step) {
    int64_t i = order[step];
    int64_t q = quantizeToLevel(rest[i], scale, grid);
    levels[i] = q;
    double error = (rest[i] - double(q) * scale) / inv[i * k + i];
    for (int64_t s = step + 1; s < k; ++s) {
      int64_t j = order[s];
      rest[j] -= error * inv[i * k + j];
    }
    // Eliminate i: Hinv -= Hinv[:, i] Hinv[i, :] / Hinv_ii.
    std::vector<double> column(k);
    for (int64_t r = 0; r < k; ++r)
      column[r] = inv[r * k + i];
    double d = inv[i * k + i];
    for (int64_t r = 0; r < k; ++r)
      for (int64_t j = 0; j < k; ++j)
        inv[r * k + j] -= column[r] * column[j] / d;
  }
  return levels;
}

TEST(Gptq, InverseUpperCholeskyInvertsTheMatrix) {
  std::mt19937 rng(1);
  for (int64_t k : {1, 2, 5, 17}) {
    std::vector<double> h = randomHessian(k, 4 * k + 8, rng);
    std::vector<double> u = inverseUpperCholesky(h, k);
    ASSERT_EQ(u.size(), size_t(k * k));
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < i; ++j)
        EXPECT_EQ(u[i * k + j], 0.0) << "not upper triangular";
    // (U^T U) H = I.
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < k; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) {
          double utu = 0;
          for (int64_t q = 0; q < k; ++q)
            utu += u[q * k + i] * u[q * k + p];
          s += utu * h[p * k + j];
        }
        EXPECT_NEAR(s, i == j ? 1.0 : 0.0, 1e-8) << k << ": " << i << "," << j;
      }
  }
  // Not positive definite: no factor.
  EXPECT_TRUE(inverseUpperCholesky({1, 2, 2, 1}, 2).empty());
  EXPECT_TRUE(inverseUpperCholesky({NAN}, 1).empty());
}

TEST(Gptq, MatchesOptimalBrainQuantizationWithAnExplicitInverse) {
  std::mt19937 rng(2);
  for (bool actOrder : {false, true})
    for (unsigned bits : {2u, 3u, 4u, 8u})
      for (int trial = 0; trial < 20; ++trial) {
        int64_t k = 3 + trial % 9;
        std::vector<double> h = randomHessian(k, 2 * k + 3, rng);
        std::vector<float> w = randomRow(k, rng);
        QuantGrid grid = QuantGrid::signedNarrow(bits);
        double scale = maxAbs(w) * 0.8 / double(grid.qmax());
        GptqOptions options;
        options.actOrder = actOrder;
        auto solver = GptqSolver::create(h, k, options);
        ASSERT_TRUE(solver);
        EXPECT_EQ(solver->round(w, scale, grid),
                  obqReference(h, k, w, scale, grid, options))
            << "k=" << k << " bits=" << bits << " actOrder=" << actOrder;
      }
}

TEST(Gptq, LossIsTheOutputError) {
  // The per-step losses add up to (w - q)^T H_damped (w - q): GPTQ's
  // compensation is exact for the H it factors; without the damping's
  // share it is outputError().
  std::mt19937 rng(6);
  for (int trial = 0; trial < 30; ++trial) {
    int64_t k = 2 + trial % 11;
    std::vector<double> h = randomHessian(k, 3 * k, rng);
    std::vector<float> w = randomRow(k, rng);
    QuantGrid grid = QuantGrid::signedNarrow(2 + trial % 5);
    double scale = maxAbs(w) * 0.9 / double(grid.qmax());
    auto solver = GptqSolver::create(h, k);
    ASSERT_TRUE(solver);
    double loss = -1;
    std::vector<int64_t> levels = solver->round(w, scale, grid, &loss);
    std::vector<double> damped = h;
    for (int64_t i = 0; i < k; ++i)
      damped[i * k + i] += solver->getDamping();
    auto dampedSolver = GptqSolver::create(damped, k, {/*damp=*/0.0, true});
    ASSERT_TRUE(dampedSolver);
    double expected = dampedSolver->outputError(w, levels, scale, grid);
    double squared = 0;
    for (int64_t i = 0; i < k; ++i) {
      double delta = double(w[i]) - double(levels[i]) * scale;
      squared += delta * delta;
    }
    EXPECT_NEAR(loss + solver->getDamping() * squared, expected,
                1e-9 * (1 + expected))
        << "k=" << k;
    double direct = solver->outputError(w, levels, scale, grid);
    EXPECT_NEAR(loss, direct, 1e-9 * (1 + direct)) << "k=" << k;
  }
  // A dead input: its share is taken off too.
  std::vector<double> h = {2, 0, 0.5, 0, 0, 0, 0.5, 0, 1};
  auto solver = GptqSolver::create(h, 3);
  ASSERT_TRUE(solver);
  std::vector<float> w = {0.34f, 5.0f, -0.71f};
  double loss = -1;
  std::vector<int64_t> levels =
      solver->round(w, 0.3, QuantGrid::signedNarrow(3), &loss);
  EXPECT_NEAR(loss,
              solver->outputError(w, levels, 0.3, QuantGrid::signedNarrow(3)),
              1e-12);
}

TEST(Gptq, DiagonalHessianRoundsToNearest) {
  // With uncorrelated inputs an error cannot be compensated by any other
  // weight: GPTQ is round to nearest.
  std::mt19937 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    int64_t k = 1 + trial;
    std::vector<double> h(k * k, 0.0);
    for (int64_t i = 0; i < k; ++i)
      h[i * k + i] = 0.5 + i % 3;
    std::vector<float> w = randomRow(k, rng);
    QuantGrid grid = QuantGrid::signedNarrow(3);
    double scale = maxAbs(w) / grid.qmax();
    auto solver = GptqSolver::create(h, k);
    ASSERT_TRUE(solver);
    EXPECT_EQ(solver->round(w, scale, grid), roundToNearest(w, scale, grid));
  }
}

TEST(Gptq, CloseToTheBestRoundingFoundByBruteForce) {
  // Every rounding of a 6-element row onto the 3 levels of a 2-bit grid
  // (729 of them): GPTQ's output error must stay between the optimum and
  // round to nearest's, and on average much nearer the optimum.
  std::mt19937 rng(4);
  const int64_t k = 6;
  QuantGrid grid = QuantGrid::signedNarrow(2);
  double sumOptimal = 0, sumGptq = 0, sumNearest = 0;
  int worseThanNearest = 0;
  const int trials = 200;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<double> h = randomHessian(k, 12, rng);
    std::vector<float> w = randomRow(k, rng);
    double scale = maxAbs(w) * 0.7;
    GptqOptions options;
    options.damp = 1e-6;
    auto solver = GptqSolver::create(h, k, options);
    ASSERT_TRUE(solver);
    double optimal = INFINITY;
    std::vector<int64_t> levels(k);
    for (int code = 0; code < 729; ++code) {
      int c = code;
      for (int64_t i = 0; i < k; ++i, c /= 3)
        levels[i] = c % 3 - 1;
      optimal = std::min(optimal, solver->outputError(w, levels, scale, grid));
    }
    double gptq =
        solver->outputError(w, solver->round(w, scale, grid), scale, grid);
    double nearest = solver->outputError(w, roundToNearest(w, scale, grid),
                                         scale, grid);
    EXPECT_GE(gptq, optimal - 1e-12);
    worseThanNearest += gptq > nearest + 1e-12;
    sumOptimal += optimal;
    sumGptq += gptq;
    sumNearest += nearest;
  }
  // Greedy, so not always better than nearest; on average far better.
  EXPECT_LT(worseThanNearest, trials / 5);
  // Measured with this seed: optimum 284, GPTQ 482, nearest 666 (29 of
  // 200 rows worse than nearest).
  EXPECT_LT(sumGptq, 0.8 * sumNearest);
  EXPECT_LT(sumGptq, 2.0 * sumOptimal);
}

TEST(Gptq, DeadInputsAndOutputPower) {
  // Input 1 is always zero: its weight does not matter and must not
  // disturb the others (which are uncorrelated: round to nearest).
  std::vector<double> h = {2, 0, 0, 0, 0, 0, 0, 0, 1};
  auto solver = GptqSolver::create(h, 3);
  ASSERT_TRUE(solver);
  std::vector<float> w = {0.34f, 5.0f, -0.71f};
  QuantGrid grid = QuantGrid::signedNarrow(4);
  EXPECT_EQ(solver->round(w, 0.1, grid), roundToNearest(w, 0.1, grid));
  double w0 = 0.34f, w2 = -0.71f;
  EXPECT_DOUBLE_EQ(solver->outputPower(w), 2 * w0 * w0 + w2 * w2);
  EXPECT_FALSE(GptqSolver::create({NAN}, 1));
}

} // namespace
