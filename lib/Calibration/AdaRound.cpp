//===- AdaRound.cpp - learned rounding of a weight row ----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/AdaRound.h"

#include <algorithm>
#include <cmath>

using namespace mlir::qlip;

namespace {
constexpr double kZeta = 1.1, kGamma = -0.1;

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
} // namespace

std::vector<int64_t> mlir::qlip::adaRound(const GptqSolver &solver,
                                          llvm::ArrayRef<float> w,
                                          double scale, QuantGrid grid,
                                          const AdaRoundOptions &options) {
  const int64_t k = w.size();
  const double offset = grid.levelOffset();
  const int64_t qmin = grid.qmin(), qmax = grid.qmax();
  // Each weight's two candidate levels (equal where the grid clamps it).
  std::vector<int64_t> down(k), up(k);
  std::vector<double> v(k);
  for (int64_t i = 0; i < k; ++i) {
    double x = double(w[i]) / scale - offset;
    double floor = std::floor(x);
    down[i] = std::clamp<int64_t>(int64_t(floor), qmin, qmax);
    up[i] = std::clamp<int64_t>(int64_t(floor) + 1, qmin, qmax);
    // Start where the relaxation reproduces w: h = x - floor(x).
    double target = ((x - floor) - kGamma) / (kZeta - kGamma);
    v[i] = std::log(target / (1.0 - target));
  }
  double norm = scale * scale * solver.meanDiagonal();
  if (!(norm > 0.0))
    norm = 1.0;

  std::vector<double> h(k), e(k), he(k), grad(k), m(k, 0.0), s2(k, 0.0);
  constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;
  double b1 = 1.0, b2 = 1.0;
  const int64_t warmup = int64_t(options.warmup * double(options.iterations));
  for (int64_t t = 0; t < options.iterations; ++t) {
    for (int64_t i = 0; i < k; ++i) {
      h[i] = std::clamp(sigmoid(v[i]) * (kZeta - kGamma) + kGamma, 0.0, 1.0);
      double level = double(down[i]) + h[i] * double(up[i] - down[i]);
      e[i] = double(w[i]) - (level + offset) * scale;
    }
    solver.multiply(e, he);
    bool regularize = t >= warmup;
    double progress = regularize ? double(t - warmup) /
                                       double(std::max<int64_t>(
                                           options.iterations - warmup, 1))
                                 : 0.0;
    double beta = options.betaStart +
                  (options.betaEnd - options.betaStart) * progress;
    for (int64_t i = 0; i < k; ++i) {
      double s = sigmoid(v[i]);
      double raw = s * (kZeta - kGamma) + kGamma;
      // The clamp passes no gradient.
      double dh = raw > 0.0 && raw < 1.0 ? s * (1.0 - s) * (kZeta - kGamma)
                                         : 0.0;
      // d(e^T H e)/dh_i = 2 (H e)_i de_i/dh_i, de_i/dh_i = -s (up - down).
      double g = -2.0 * he[i] * scale * double(up[i] - down[i]) / norm;
      if (regularize) {
        double c = 2.0 * h[i] - 1.0;
        double a = std::fabs(c);
        // d/dh (1 - |2h - 1|^beta) = -2 beta |2h - 1|^(beta - 1) sign.
        if (a > 0.0)
          g += options.lambda * -2.0 * beta * std::pow(a, beta - 1.0) *
               (c > 0.0 ? 1.0 : -1.0);
      }
      grad[i] = g * dh;
    }
    b1 *= kBeta1;
    b2 *= kBeta2;
    for (int64_t i = 0; i < k; ++i) {
      m[i] = kBeta1 * m[i] + (1.0 - kBeta1) * grad[i];
      s2[i] = kBeta2 * s2[i] + (1.0 - kBeta2) * grad[i] * grad[i];
      double mHat = m[i] / (1.0 - b1), sHat = s2[i] / (1.0 - b2);
      v[i] -= options.learningRate * mHat / (std::sqrt(sHat) + kEpsilon);
    }
  }
  std::vector<int64_t> levels(k);
  for (int64_t i = 0; i < k; ++i) {
    double hi = std::clamp(sigmoid(v[i]) * (kZeta - kGamma) + kGamma, 0.0, 1.0);
    levels[i] = hi >= 0.5 ? up[i] : down[i];
  }
  return levels;
}
