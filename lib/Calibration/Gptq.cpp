//===- Gptq.cpp - error-compensating weight rounding ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Gptq.h"

#include "VectorClones.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir::qlip;

/// y[0, n) -= a * x[0, n).
QLIP_VECTOR_CLONES static void subtractScaled(double a, const double *x,
                                              double *y, int64_t n) {
  for (int64_t j = 0; j < n; ++j)
    y[j] -= a * x[j];
}

/// y[0, n) += a * x[0, n).
QLIP_VECTOR_CLONES static void addScaled(double a, const double *x, double *y,
                                         int64_t n) {
  for (int64_t j = 0; j < n; ++j)
    y[j] += a * x[j];
}

std::vector<double> mlir::qlip::inverseUpperCholesky(llvm::ArrayRef<double> a,
                                                     int64_t k) {
  // L L^T = P a P, lower triangular, in place.
  std::vector<double> l(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j <= i; ++j)
      l[i * k + j] = a[(k - 1 - i) * k + (k - 1 - j)];
  for (int64_t j = 0; j < k; ++j) {
    double d = l[j * k + j];
    for (int64_t p = 0; p < j; ++p)
      d -= l[j * k + p] * l[j * k + p];
    if (!(d > 0.0) || !std::isfinite(d))
      return {};
    d = std::sqrt(d);
    l[j * k + j] = d;
    for (int64_t i = j + 1; i < k; ++i) {
      double s = l[i * k + j];
      for (int64_t p = 0; p < j; ++p)
        s -= l[i * k + p] * l[j * k + p];
      l[i * k + j] = s / d;
    }
  }
  // M = L^-1 (lower), a row at a time: row i of L M = I gives
  // m_i = (e_i - sum_{p<i} l_ip m_p) / l_ii, contiguous axpys.
  std::vector<double> m(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i) {
    double *row = m.data() + i * k;
    row[i] = 1.0;
    for (int64_t p = 0; p < i; ++p) {
      double c = l[i * k + p];
      if (c == 0.0)
        continue;
      subtractScaled(c, m.data() + p * k, row, p + 1);
    }
    double inv = 1.0 / l[i * k + i];
    for (int64_t j = 0; j <= i; ++j)
      row[j] *= inv;
  }
  // U = P M P.
  std::vector<double> u(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j)
      u[i * k + j] = m[(k - 1 - i) * k + (k - 1 - j)];
  return u;
}

std::optional<GptqSolver> GptqSolver::create(llvm::ArrayRef<double> h,
                                             int64_t k,
                                             const GptqOptions &options) {
  GptqSolver solver;
  solver.k = k;
  solver.h.assign(h.begin(), h.end());
  // An input that never varies from zero carries no output: its weight is
  // free, and a unit diagonal keeps it from touching the others.
  std::vector<double> damped(h.begin(), h.end());
  double meanDiagonal = 0.0;
  for (int64_t i = 0; i < k; ++i) {
    if (damped[i * k + i] == 0.0) {
      for (int64_t j = 0; j < k; ++j)
        damped[i * k + j] = damped[j * k + i] = 0.0;
      damped[i * k + i] = 1.0;
    }
    meanDiagonal += damped[i * k + i];
  }
  meanDiagonal /= std::max<int64_t>(k, 1);

  solver.order.resize(k);
  std::iota(solver.order.begin(), solver.order.end(), 0);
  if (options.actOrder)
    std::stable_sort(solver.order.begin(), solver.order.end(),
                     [&](int64_t a, int64_t b) {
                       return damped[a * k + a] > damped[b * k + b];
                     });
  std::vector<double> permuted(k * k);
  for (int64_t damp = 0; damp < 3; ++damp) {
    double add = options.damp * std::pow(10.0, double(damp)) * meanDiagonal;
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < k; ++j)
        permuted[i * k + j] =
            damped[solver.order[i] * k + solver.order[j]] + (i == j ? add : 0);
    solver.u = inverseUpperCholesky(permuted, k);
    solver.damping = add;
    if (!solver.u.empty())
      return solver;
  }
  return std::nullopt;
}

std::vector<int64_t> GptqSolver::round(llvm::ArrayRef<float> w, double scale,
                                       QuantGrid grid, double *loss) const {
  std::vector<double> rest(k);
  for (int64_t i = 0; i < k; ++i)
    rest[i] = w[order[i]];
  std::vector<int64_t> levels(k);
  double offset = grid.levelOffset();
  double total = 0.0;
  for (int64_t i = 0; i < k; ++i) {
    int64_t q = quantizeToLevel(rest[i], scale, grid);
    levels[order[i]] = q;
    const double *row = u.data() + i * k;
    double error = (rest[i] - (double(q) + offset) * scale) / row[i];
    total += error * error;
    subtractScaled(error, row + i + 1, rest.data() + i + 1, k - i - 1);
  }
  if (loss) {
    // total is the error under the factored H' + damping I, where H' is H
    // with a unit diagonal at its dead inputs; the error under H follows
    // exactly by taking those two off.
    double squared = 0.0, dead = 0.0;
    for (int64_t i = 0; i < k; ++i) {
      double delta = double(w[i]) - (double(levels[i]) + offset) * scale;
      squared += delta * delta;
      if (h[i * k + i] == 0.0)
        dead += delta * delta;
    }
    *loss = std::max(0.0, total - damping * squared - dead);
  }
  return levels;
}

/// v^T h v for symmetric h: t = h v as a sum of rows scaled by v_j (axpys,
/// which vectorize without reassociating a sum), then v . t.
static double quadraticForm(llvm::ArrayRef<double> h, int64_t k,
                            llvm::ArrayRef<double> v) {
  std::vector<double> t(k, 0.0);
  for (int64_t j = 0; j < k; ++j) {
    double vj = v[j];
    if (vj == 0.0)
      continue;
    addScaled(vj, h.data() + j * k, t.data(), k);
  }
  double total = 0.0;
  for (int64_t i = 0; i < k; ++i)
    total += v[i] * t[i];
  return total;
}

double GptqSolver::outputError(llvm::ArrayRef<float> w,
                               llvm::ArrayRef<int64_t> levels, double scale,
                               QuantGrid grid) const {
  std::vector<double> delta(k);
  for (int64_t i = 0; i < k; ++i)
    delta[i] = double(w[i]) - (double(levels[i]) + grid.levelOffset()) * scale;
  return quadraticForm(h, k, delta);
}

double GptqSolver::outputPower(llvm::ArrayRef<float> w) const {
  std::vector<double> v(w.begin(), w.end());
  return quadraticForm(h, k, v);
}

std::vector<int64_t> mlir::qlip::roundToNearest(llvm::ArrayRef<float> w,
                                                double scale, QuantGrid grid) {
  std::vector<int64_t> levels;
  levels.reserve(w.size());
  for (float v : w)
    levels.push_back(quantizeToLevel(v, scale, grid));
  return levels;
}
