//===- Gptq.h - error-compensating weight rounding --------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// GPTQ (Frantar et al., 2023, after Optimal Brain Quantization): a weight
// row w is rounded one element at a time, and each element's rounding error
// is spread over the elements not yet rounded so that the layer's output
// on its calibration inputs moves as little as possible. With H = E[x x^T]
// the second moment of the layer's input patches (LayerInputMoments), the
// output error of a row is (w - q)^T H (w - q); after rounding element i
// the optimal update of the rest is
//
//   w_F -= (w_i - q_i) / [H_F^-1]_ii * [H_F^-1]_{i,F}
//
// where F are the elements left. GPTQ takes the elements in one order for
// every row and gets every [H_F^-1] at once from the upper Cholesky factor
// U of H^-1 (H^-1 = U^T U): row i of U divided by U_ii is exactly the
// update above. The order is the descending diagonal of H ("act order":
// the inputs with the most energy are rounded first, while the most
// elements are left to take up their error).
//
// H is damped by `damp` times its mean diagonal (an input that is always
// zero gets H_ii = 1: its weight is free), which also keeps the Cholesky
// factorization stable. Everything is deterministic and in double.
//
// No inverse is formed. With V = U^-T (lower triangular, H = V^T V), the
// error vector GPTQ leaves, e = V (w - q), gives each element's value at
// its turn as
//
//   w_i + (sum_{j<i} V_ij (w_j - q_j)) / V_ii
//
// and V is the transposed Cholesky factor of H with its order reversed:
// one factorization (k^3 / 6 multiply-adds, half of factor-and-invert),
// after which each row costs k^2 / 2, taken a row of the factor at a
// time, for tiles of rows at once (the factor streams from memory once
// per tile), in blocks of steps (eight factor rows per pass over a row).
// The order of every sum is fixed, so the tiling and the CPU's vector
// width do not change a bit of the result.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_GPTQ_H
#define QLIP_CALIBRATION_GPTQ_H

#include "qlip/Calibration/ClipMath.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::qlip {

struct GptqOptions {
  /// Added to H's diagonal, relative to its mean diagonal.
  double damp = 0.01;
  /// Round inputs in the order of descending H_ii (else in index order).
  bool actOrder = true;
};

/// One row to round: its weights, scale and grid.
struct GptqRow {
  llvm::ArrayRef<float> weights;
  double scale = 1.0;
  QuantGrid grid;
};

/// GPTQ for the rows of one layer that share one input (one H).
class GptqSolver {
public:
  /// Factors `h` (k x k, row-major, symmetric positive semi-definite).
  /// Fails only when the damped matrix is not positive definite even at
  /// 100 times the damping (e.g. NaN in `h`).
  static std::optional<GptqSolver> create(llvm::ArrayRef<double> h, int64_t k,
                                          const GptqOptions &options = {});

  int64_t size() const { return k; }

  /// Rounds every row onto its grid with its scale: `levels[r]` gets the
  /// levels in the row's order. With `losses`, also outputError() of each
  /// result, at no extra cost: the rounding yields the error under the
  /// matrix it factored (H plus the damping, and a unit diagonal at dead
  /// inputs), and the damping's and dead inputs' share is taken off, so
  /// candidates are ranked without another k x k product each.
  void roundRows(llvm::ArrayRef<GptqRow> rows,
                 llvm::MutableArrayRef<std::vector<int64_t>> levels,
                 llvm::MutableArrayRef<double> losses = {}) const;
  /// One row of roundRows().
  std::vector<int64_t> round(llvm::ArrayRef<float> w, double scale,
                             QuantGrid grid, double *loss = nullptr) const;

  /// (w - s q)^T H (w - s q) with the undamped H, for each row and its
  /// levels: the mean squared error the rounding adds to the layer's
  /// output.
  std::vector<double>
  outputErrors(llvm::ArrayRef<GptqRow> rows,
               llvm::ArrayRef<std::vector<int64_t>> levels) const;
  double outputError(llvm::ArrayRef<float> w, llvm::ArrayRef<int64_t> levels,
                     double scale, QuantGrid grid) const;
  /// w^T H w of each row: the mean square of its output.
  std::vector<double>
  outputPowers(llvm::ArrayRef<llvm::ArrayRef<float>> rows) const;
  double outputPower(llvm::ArrayRef<float> w) const;

  /// The damping added to H's diagonal.
  double getDamping() const { return damping; }
  /// The matrix this solver factored (H, damped, with a unit diagonal at
  /// dead inputs) times `d`, into `out` (both by input index): two
  /// triangular products with the factor, k^2 multiply-adds.
  void multiply(llvm::ArrayRef<double> d, llvm::MutableArrayRef<double> out) const;
  /// The mean of that matrix's diagonal.
  double meanDiagonal() const;

private:
  GptqSolver() = default;
  /// ||V c||^2 of every row, where row r's coefficient at position p (in
  /// the factor's order) is coefficient(r, p, s), s being
  /// sum_{j<i} V_ij c_j at that point: the one pass behind rounding,
  /// errors and powers.
  template <typename Coefficient>
  void sweep(int64_t rows, Coefficient coefficient,
             llvm::MutableArrayRef<double> norms) const;
  /// ||V d||^2 less the damping's and dead inputs' share: d^T H d.
  double undamped(double norm, llvm::ArrayRef<double> d) const;

  int64_t k = 0;
  double damping = 0.0;
  /// Inputs whose H_ii is 0 (by input index).
  std::vector<bool> dead;
  /// perm[p] is the input at position p of the factor: act order reversed.
  std::vector<int64_t> perm;
  /// Lower Cholesky factor (k x k, row-major) of the damped H permuted by
  /// perm; V_ij = l[perm^-1(j)][perm^-1(i)].
  std::vector<double> l;
};

/// Round to nearest: the levels GPTQ is measured against.
std::vector<int64_t> roundToNearest(llvm::ArrayRef<float> w, double scale,
                                    QuantGrid grid);

/// Factors symmetric positive definite `a` (k x k, row-major) in place into
/// its lower Cholesky factor L (a = L L^T; the upper triangle is zeroed).
/// False when `a` is not positive definite (or holds NaN). Blocked: the
/// updates outside each panel of 32 columns are multiply-adds over
/// contiguous rows, in a fixed order.
bool choleskyLower(llvm::MutableArrayRef<double> a, int64_t k);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_GPTQ_H
