//===- Metrics.h - compare a model's outputs with a reference ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// How far a run's outputs are from reference outputs (a float model's, or
// saved ones), and how often its top-1 class is right. Plain C++ on doubles,
// so qlip-run, calibration and the tests share one definition.
//
// Conventions, for `actual` a and `reference` r of the same length:
//  * max abs error = max_i |a_i - r_i|;
//  * SQNR = 10 log10(sum r_i^2 / sum (a_i - r_i)^2) dB: +inf when the
//    arrays are equal, -inf when they differ and r is all zeros;
//  * cosine = sum a_i r_i / (|a| |r|): 1 when both are all zeros, 0 when
//    only one is;
//  * top-1: the arrays are rows of `rowLength` values (the last axis); a
//    row's class is its argmax, the first index of the maximum, NaN counting
//    as the maximum (as numpy's argmax).
// A NaN anywhere makes the error metrics NaN, which no tolerance accepts.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_RUNTIME_METRICS_H
#define QLIP_RUNTIME_METRICS_H

#include "llvm/ADT/ArrayRef.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mlir::qlip {

/// Whether `actual` matches `reference` exactly where neither is finite:
/// both NaN, or the same infinity (numpy's assert_allclose, equal_nan).
/// Such elements count as no error in maxAbsError() and are left out of
/// the SQNR; a NaN or infinity on one side only is an error.
inline bool sameNonFinite(double actual, double reference) {
  return (std::isnan(actual) && std::isnan(reference)) ||
         (std::isinf(actual) && actual == reference);
}

/// max_i |actual_i - reference_i|; 0 for empty arrays. Asserts equal sizes.
double maxAbsError(llvm::ArrayRef<double> actual,
                   llvm::ArrayRef<double> reference);

/// Signal-to-quantization-noise ratio of `actual` against `reference`, dB.
double sqnrDb(llvm::ArrayRef<double> actual, llvm::ArrayRef<double> reference);

/// The SQNR of arrays that arrive in pieces (batches): the sums of
/// sqnrDb() over every add(), so db() equals sqnrDb() of the concatenated
/// arrays.
class SqnrAccumulator {
public:
  /// Adds one piece; asserts equal sizes.
  void add(llvm::ArrayRef<double> actual, llvm::ArrayRef<double> reference);
  /// The SQNR of everything added, with sqnrDb()'s conventions (+inf when
  /// nothing differs, also when nothing was added).
  double db() const;

private:
  // long double: a long output of small errors would lose the noise
  // against the signal in double.
  long double signal = 0.0L, noise = 0.0L;
};

/// A SQNR as tools print it: "14.74 dB", "inf dB", "-inf dB", "nan dB".
std::string formatDb(double db);

/// Cosine similarity of the two arrays taken as vectors.
double cosineSimilarity(llvm::ArrayRef<double> actual,
                        llvm::ArrayRef<double> reference);

/// The argmax of each row of `rowLength` values; `values.size()` must be a
/// multiple of `rowLength` > 0 (asserted).
std::vector<size_t> argmaxRows(llvm::ArrayRef<double> values, size_t rowLength);

/// How many rows agree on their top-1 class.
size_t countTop1Agreement(llvm::ArrayRef<double> actual,
                          llvm::ArrayRef<double> reference, size_t rowLength);

/// How many rows' top-1 class equals their label; one label per row.
size_t countTop1Correct(llvm::ArrayRef<double> scores, size_t rowLength,
                        llvm::ArrayRef<int64_t> labels);

/// Everything qlip-run prints for one output against its reference.
struct Comparison {
  size_t count = 0;
  double maxAbsError = 0.0;
  double sqnrDb = 0.0;
  double cosine = 0.0;
  /// Rows (of the last axis) and how many agree on their top-1 class.
  size_t rows = 0;
  size_t top1Agreement = 0;
};

/// Computes every metric of Comparison.
Comparison compare(llvm::ArrayRef<double> actual,
                   llvm::ArrayRef<double> reference, size_t rowLength);

} // namespace mlir::qlip

#endif // QLIP_RUNTIME_METRICS_H
