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

/// GPTQ for the rows of one layer that share one input (one H).
class GptqSolver {
public:
  /// Factors `h` (k x k, row-major, symmetric positive semi-definite).
  /// Fails only when the damped matrix is not positive definite even at
  /// 100 times the damping (e.g. NaN in `h`).
  static std::optional<GptqSolver> create(llvm::ArrayRef<double> h, int64_t k,
                                          const GptqOptions &options = {});

  int64_t size() const { return k; }

  /// Rounds row `w` (k values) onto `grid` with `scale`: the levels, in
  /// `w`'s order, each within the grid. With `loss`, also outputError()
  /// of the result, in O(k): the rounding accumulates the error under the
  /// matrix it factored (H plus the damping, and a unit diagonal at dead
  /// inputs) as the sum of its squared scaled errors (each step's Optimal
  /// Brain Surgeon loss), and the damping's and dead inputs' share is
  /// taken off, so candidates are ranked without a k x k product each.
  std::vector<int64_t> round(llvm::ArrayRef<float> w, double scale,
                             QuantGrid grid, double *loss = nullptr) const;

  /// (w - s q)^T H (w - s q) with the undamped H: the mean squared error
  /// the row's rounding adds to the layer's output.
  double outputError(llvm::ArrayRef<float> w, llvm::ArrayRef<int64_t> levels,
                     double scale, QuantGrid grid) const;
  /// w^T H w: the mean square of the row's output.
  double outputPower(llvm::ArrayRef<float> w) const;

private:
  GptqSolver() = default;
  int64_t k = 0;
  /// The undamped H (for outputError).
  std::vector<double> h;
  /// What was added to H's diagonal (for tests of the loss).
  double damping = 0.0;

public:
  /// The damping added to H's diagonal.
  double getDamping() const { return damping; }

private:
  /// The rounding order and U (upper, k x k) of the damped, permuted H.
  std::vector<int64_t> order;
  std::vector<double> u;
};

/// Round to nearest: the levels GPTQ is measured against.
std::vector<int64_t> roundToNearest(llvm::ArrayRef<float> w, double scale,
                                    QuantGrid grid);

/// The upper Cholesky factor U of the inverse of symmetric positive
/// definite `a` (k x k): a^-1 = U^T U. Empty when `a` is not positive
/// definite. Computed from the Cholesky factor of `a` with its rows and
/// columns reversed (if P a P = L L^T then U = P L^-1 P), so no inverse is
/// formed.
std::vector<double> inverseUpperCholesky(llvm::ArrayRef<double> a, int64_t k);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_GPTQ_H
