//===- AdaRound.h - learned rounding of a weight row ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// AdaRound (Nagel et al., 2020): each weight is rounded down or up, and
// which is learned by minimizing the layer's output error rather than
// each weight's own. With H the second moment of the layer's inputs (as
// GPTQ uses it), a row's output error is e^T H e, e = w - s q; AdaRound
// relaxes each choice to h_i in [0, 1] through a rectified sigmoid,
//
//   h(v) = clamp(sigmoid(v) (zeta - gamma) + gamma, 0, 1),
//   zeta = 1.1, gamma = -0.1,
//
// and minimizes e(h)^T H e(h) / (s^2 mean diag H) + lambda sum (1 -
// |2h - 1|^beta) with Adam: the regularizer, off for the first fifth of
// the iterations, then with beta annealed from 20 to 2, pushes every h to
// 0 or 1. The data term is exact (H, not mini-batches of activations), so
// a few hundred iterations settle it. The result is h >= 1/2. Plain
// double arithmetic in a fixed order: deterministic.
//
// Each iteration is one product with H (k^2), against GPTQ's one pass for
// the whole row: AdaRound costs `iterations` GPTQs. Tests compare it with
// a brute-force search of every rounding on small rows.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_ADAROUND_H
#define QLIP_CALIBRATION_ADAROUND_H

#include "qlip/Calibration/Gptq.h"

namespace mlir::qlip {

struct AdaRoundOptions {
  int64_t iterations = 500;
  /// The regularizer's weight against the normalized output error.
  double lambda = 1.0;
  double learningRate = 0.2;
  /// The share of iterations before the regularizer starts.
  double warmup = 0.2;
  double betaStart = 20.0, betaEnd = 2.0;
};

/// The levels AdaRound chooses for row `w` at `scale` on `grid`, each the
/// level below or above w_i / scale (clamped to the grid), with the output
/// error measured by `solver`'s matrix.
std::vector<int64_t> adaRound(const GptqSolver &solver,
                              llvm::ArrayRef<float> w, double scale,
                              QuantGrid grid,
                              const AdaRoundOptions &options = {});

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_ADAROUND_H
