//===- RandomRows.h - random layers for the rounding tests ------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What GptqTest and AdaRoundTest share: random input moments with
// correlated inputs and random weight rows.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_UNITTESTS_CALIBRATION_RANDOMROWS_H
#define QLIP_UNITTESTS_CALIBRATION_RANDOMROWS_H

#include <cstdint>
#include <random>
#include <vector>

namespace mlir::qlip::testing {

/// A random positive semi-definite H = X^T X / n with correlated inputs.
inline std::vector<double> randomHessian(int64_t k, int64_t n,
                                         std::mt19937 &rng) {
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

/// k standard normal weights.
inline std::vector<float> randomRow(int64_t k, std::mt19937 &rng) {
  std::normal_distribution<float> normal;
  std::vector<float> w(k);
  for (float &v : w)
    v = normal(rng);
  return w;
}

} // namespace mlir::qlip::testing

#endif // QLIP_UNITTESTS_CALIBRATION_RANDOMROWS_H
