//===- Gptq.cpp - error-compensating weight rounding ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Gptq.h"

#include "MultiplyAdd.h"

#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir::qlip;

bool mlir::qlip::choleskyLower(llvm::MutableArrayRef<double> a, int64_t k) {
  constexpr int64_t kPanel = 32;
  // The panel transposed: panel[p][j] = a[j][jb + p], contiguous in j.
  std::vector<double> panel(kPanel * k);
  for (int64_t jb = 0; jb < k; jb += kPanel) {
    int64_t je = std::min(jb + kPanel, k), width = je - jb;
    // Columns [jb, je) of rows [jb, k), the earlier panels' updates
    // applied: left-looking within the panel.
    for (int64_t j = jb; j < je; ++j) {
      double *rj = a.data() + j * k;
      double d = rj[j];
      for (int64_t p = jb; p < j; ++p)
        d -= rj[p] * rj[p];
      if (!(d > 0.0) || !std::isfinite(d))
        return false;
      d = std::sqrt(d);
      rj[j] = d;
      for (int64_t i = j + 1; i < k; ++i) {
        double *ri = a.data() + i * k;
        double s = ri[j];
        for (int64_t p = jb; p < j; ++p)
          s -= ri[p] * rj[p];
        ri[j] = s / d;
      }
    }
    if (je == k)
      break;
    // The trailing matrix: a[i][j] -= sum_p a[i][p] a[j][p] for i, j >= je,
    // four rows at a time over the columns up to the last of the four (the
    // upper triangle is scratch), eight panel columns a pass.
    for (int64_t p = 0; p < width; ++p)
      for (int64_t j = je; j < k; ++j)
        panel[p * k + j] = a[j * k + jb + p];
    for (int64_t i = je; i < k; i += kGroup) {
      int64_t rows = std::min(kGroup, k - i), end = i + rows;
      double *y[kGroup];
      for (int64_t r = 0; r < rows; ++r)
        y[r] = a.data() + (i + r) * k + je;
      for (int64_t t0 = 0; t0 < width; t0 += kTerms) {
        int64_t terms = std::min(kTerms, width - t0);
        double c[kGroup][kTerms];
        const double *x[kTerms];
        for (int64_t t = 0; t < terms; ++t) {
          x[t] = panel.data() + (t0 + t) * k + je;
          for (int64_t r = 0; r < rows; ++r)
            c[r][t] = -a[(i + r) * k + jb + t0 + t];
        }
        addProducts(y, rows, c, x, terms, end - je);
      }
    }
  }
  for (int64_t i = 0; i < k; ++i)
    std::fill(a.begin() + i * k + i + 1, a.begin() + (i + 1) * k, 0.0);
  return true;
}

std::optional<GptqSolver> GptqSolver::create(llvm::ArrayRef<double> h,
                                             int64_t k,
                                             const GptqOptions &options) {
  GptqSolver solver;
  solver.k = k;
  // An input that never varies from zero carries no output: its weight is
  // free, and a unit diagonal keeps it from touching the others.
  solver.dead.assign(k, false);
  std::vector<double> diagonal(k);
  double meanDiagonal = 0.0;
  for (int64_t i = 0; i < k; ++i) {
    solver.dead[i] = h[i * k + i] == 0.0;
    diagonal[i] = solver.dead[i] ? 1.0 : h[i * k + i];
    meanDiagonal += diagonal[i];
  }
  meanDiagonal /= std::max<int64_t>(k, 1);

  // Act order (descending diagonal), reversed: the factor's last position
  // is rounded first.
  std::vector<int64_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  if (options.actOrder)
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return diagonal[a] > diagonal[b];
    });
  solver.perm.assign(order.rbegin(), order.rend());
  for (int64_t damp = 0; damp < 3; ++damp) {
    double add = options.damp * std::pow(10.0, double(damp)) * meanDiagonal;
    solver.l.assign(k * k, 0.0);
    for (int64_t p = 0; p < k; ++p) {
      int64_t i = solver.perm[p];
      for (int64_t q = 0; q <= p; ++q) {
        int64_t j = solver.perm[q];
        double v = solver.dead[i] || solver.dead[j] ? 0.0 : h[i * k + j];
        solver.l[p * k + q] = p == q ? diagonal[i] + add : v;
      }
    }
    solver.damping = add;
    if (choleskyLower(solver.l, k))
      return solver;
  }
  return std::nullopt;
}

template <typename Coefficient>
void GptqSolver::sweep(int64_t rows, Coefficient coefficient,
                       llvm::MutableArrayRef<double> norms) const {
  // Rows in tiles: each pass over the factor serves a tile. The sums for
  // positions below a block of steps are added a block at a time, in the
  // same order as one step at a time.
  // Tiles are independent (each writes only its rows' norms and whatever
  // `coefficient` writes for its rows), so they run in parallel; the
  // result does not depend on the thread count.
  constexpr int64_t kTileRows = 8;
  int64_t numTiles = (rows + kTileRows - 1) / kTileRows;
  auto runTile = [&](size_t tileIndex) {
    int64_t r0 = int64_t(tileIndex) * kTileRows;
    int64_t tile = std::min(kTileRows, rows - r0);
    std::vector<double> sums(kTileRows * k, 0.0);
    double c[kTileRows][kTerms];
    double *y[kTileRows];
    for (int64_t r = 0; r < tile; ++r) {
      y[r] = sums.data() + r * k;
      norms[r0 + r] = 0.0;
    }
    for (int64_t hi = k; hi > 0; hi -= kTerms) {
      int64_t lo = std::max<int64_t>(hi - kTerms, 0), steps = hi - lo;
      const double *x[kTerms];
      for (int64_t t = 0; t < steps; ++t)
        x[t] = l.data() + (hi - 1 - t) * k;
      for (int64_t r = 0; r < tile; ++r) {
        double *s = y[r];
        for (int64_t t = 0; t < steps; ++t) {
          int64_t p = hi - 1 - t;
          double ct = coefficient(r0 + r, p, s[p]);
          double e = s[p] + ct * x[t][p];
          norms[r0 + r] += e * e;
          c[r][t] = ct;
          for (int64_t q = lo; q < p; ++q)
            s[q] += ct * x[t][q];
        }
      }
      if (lo > 0)
        addProducts(y, tile, c, x, steps, lo);
    }
  };
  // A tile costs about 8 k^2 / 2 multiply-adds: LLVM's thread pool pays
  // off from a few million.
  if (numTiles > 1 && 4 * k * k * kTileRows >= (int64_t(1) << 22))
    llvm::parallelFor(0, numTiles, runTile);
  else
    for (int64_t t = 0; t < numTiles; ++t)
      runTile(t);
}

double GptqSolver::undamped(double norm, llvm::ArrayRef<double> d) const {
  // The norm is under the factored H' + damping I, where H' is H with a
  // unit diagonal at its dead inputs; the error under H follows exactly by
  // taking those two off.
  double squared = 0.0, deadShare = 0.0;
  for (int64_t i = 0; i < k; ++i) {
    squared += d[i] * d[i];
    if (dead[i])
      deadShare += d[i] * d[i];
  }
  return std::max(0.0, norm - damping * squared - deadShare);
}

/// w - (q + offset) * scale, per element.
static std::vector<double> roundingError(const GptqRow &row,
                                         llvm::ArrayRef<int64_t> levels) {
  std::vector<double> d(row.weights.size());
  double offset = row.grid.levelOffset();
  for (size_t i = 0; i < d.size(); ++i)
    d[i] = double(row.weights[i]) - (double(levels[i]) + offset) * row.scale;
  return d;
}

void GptqSolver::roundRows(llvm::ArrayRef<GptqRow> rows,
                           llvm::MutableArrayRef<std::vector<int64_t>> levels,
                           llvm::MutableArrayRef<double> losses) const {
  for (size_t r = 0; r < rows.size(); ++r)
    levels[r].assign(k, 0);
  std::vector<double> norms(rows.size());
  sweep(
      rows.size(),
      [&](int64_t r, int64_t p, double s) {
        const GptqRow &row = rows[r];
        int64_t input = perm[p];
        double w = row.weights[input];
        // The value left at this turn, after the compensation so far.
        double x = w + s / l[p * k + p];
        int64_t q = quantizeToLevel(x, row.scale, row.grid);
        levels[r][input] = q;
        return w - (double(q) + row.grid.levelOffset()) * row.scale;
      },
      norms);
  if (losses.empty())
    return;
  for (size_t r = 0; r < rows.size(); ++r)
    losses[r] = undamped(norms[r], roundingError(rows[r], levels[r]));
}

std::vector<int64_t> GptqSolver::round(llvm::ArrayRef<float> w, double scale,
                                       QuantGrid grid, double *loss) const {
  std::vector<int64_t> levels;
  double rowLoss = 0.0;
  roundRows(GptqRow{w, scale, grid}, levels,
            loss ? llvm::MutableArrayRef<double>(rowLoss)
                 : llvm::MutableArrayRef<double>());
  if (loss)
    *loss = rowLoss;
  return levels;
}

std::vector<double>
GptqSolver::outputErrors(llvm::ArrayRef<GptqRow> rows,
                         llvm::ArrayRef<std::vector<int64_t>> levels) const {
  std::vector<std::vector<double>> d;
  for (size_t r = 0; r < rows.size(); ++r)
    d.push_back(roundingError(rows[r], levels[r]));
  std::vector<double> norms(rows.size());
  sweep(
      rows.size(),
      [&](int64_t r, int64_t p, double) { return d[r][perm[p]]; }, norms);
  for (size_t r = 0; r < rows.size(); ++r)
    norms[r] = undamped(norms[r], d[r]);
  return norms;
}

double GptqSolver::outputError(llvm::ArrayRef<float> w,
                               llvm::ArrayRef<int64_t> levels, double scale,
                               QuantGrid grid) const {
  return outputErrors(GptqRow{w, scale, grid},
                      std::vector<int64_t>(levels.begin(), levels.end()))
      .front();
}

std::vector<double>
GptqSolver::outputPowers(llvm::ArrayRef<llvm::ArrayRef<float>> rows) const {
  std::vector<double> norms(rows.size());
  sweep(
      rows.size(),
      [&](int64_t r, int64_t p, double) { return double(rows[r][perm[p]]); },
      norms);
  for (size_t r = 0; r < rows.size(); ++r)
    norms[r] = undamped(norms[r],
                        std::vector<double>(rows[r].begin(), rows[r].end()));
  return norms;
}

double GptqSolver::outputPower(llvm::ArrayRef<float> w) const {
  return outputPowers(w).front();
}

void GptqSolver::multiply(llvm::ArrayRef<double> d,
                          llvm::MutableArrayRef<double> out) const {
  // The factored matrix is P L L^T P^T: y = L^T (P^T d), then P (L y).
  std::vector<double> y(k, 0.0);
  for (int64_t p = 0; p < k; ++p) {
    double v = d[perm[p]];
    const double *row = &l[p * k];
    for (int64_t q = 0; q <= p; ++q)
      y[q] += row[q] * v;
  }
  for (int64_t p = 0; p < k; ++p) {
    const double *row = &l[p * k];
    double sum = 0.0;
    for (int64_t q = 0; q <= p; ++q)
      sum += row[q] * y[q];
    out[perm[p]] = sum;
  }
}

double GptqSolver::meanDiagonal() const {
  double sum = 0.0;
  for (int64_t p = 0; p < k; ++p)
    for (int64_t q = 0; q <= p; ++q)
      sum += l[p * k + q] * l[p * k + q];
  return sum / double(std::max<int64_t>(k, 1));
}

std::vector<int64_t> mlir::qlip::roundToNearest(llvm::ArrayRef<float> w,
                                                double scale, QuantGrid grid) {
  std::vector<int64_t> levels;
  levels.reserve(w.size());
  for (float v : w)
    levels.push_back(quantizeToLevel(v, scale, grid));
  return levels;
}
