//===- sawb-fit.cpp - re-fit SAWB's coefficients ----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Prints the SAWB coefficients (c1, c2) re-fitted by least squares of the
// MSE-optimal clip over Gaussian, Laplace, uniform and Student-t weights,
// for SAWB's own mid-rise grid and for qlip's signed narrow-range grid. The
// tables in lib/Calibration/Sawb.cpp and docs/algorithms.md come from here:
//   build/bin/qlip-sawb-fit
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/Sawb.h"

#include <cmath>
#include <cstdio>

using namespace mlir::qlip;

static void print(const char *name, QuantGrid grid) {
  std::vector<SawbSample> samples = collectSawbSamples(grid, {});
  std::optional<SawbCoefficients> c = solveSawbLeastSquares(samples);
  if (!c) {
    std::printf("%-14s bits=%2u  no fit\n", name, grid.bits);
    return;
  }
  double sumSq = 0.0;
  for (const SawbSample &s : samples) {
    double r = (c->c1 * s.rms - c->c2 * s.meanAbs - s.alpha) / s.alpha;
    sumSq += r * r;
  }
  std::printf("%-14s bits=%2u  c1=%8.4f  c2=%8.4f  rms rel. residual=%.3f\n",
              name, grid.bits, c->c1, c->c2,
              std::sqrt(sumSq / double(samples.size())));
}

int main() {
  for (unsigned bits = 1; bits <= 16; ++bits)
    print("sawb", QuantGrid::sawb(bits));
  for (unsigned bits = 2; bits <= 16; ++bits)
    print("signedNarrow", QuantGrid::signedNarrow(bits));
  return 0;
}
