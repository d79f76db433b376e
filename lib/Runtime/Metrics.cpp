//===- Metrics.cpp - compare a model's outputs with a reference -----------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Metrics.h"

#include "llvm/Support/FormatVariadic.h"

#include <cassert>
#include <cmath>
#include <limits>

using namespace mlir::qlip;

double mlir::qlip::maxAbsError(llvm::ArrayRef<double> actual,
                               llvm::ArrayRef<double> reference) {
  assert(actual.size() == reference.size() && "size mismatch");
  double worst = 0.0;
  for (size_t i = 0, e = actual.size(); i < e; ++i) {
    if (sameNonFinite(actual[i], reference[i]))
      continue;
    double error = std::fabs(actual[i] - reference[i]);
    // std::max would drop a NaN that comes second.
    if (std::isnan(error))
      return error;
    if (error > worst)
      worst = error;
  }
  return worst;
}

void SqnrAccumulator::add(llvm::ArrayRef<double> actual,
                          llvm::ArrayRef<double> reference) {
  assert(actual.size() == reference.size() && "size mismatch");
  for (size_t i = 0, e = actual.size(); i < e; ++i) {
    if (sameNonFinite(actual[i], reference[i]))
      continue;
    long double r = reference[i];
    long double d = static_cast<long double>(actual[i]) - r;
    signal += r * r;
    noise += d * d;
  }
}

double SqnrAccumulator::db() const {
  if (std::isnan(static_cast<double>(noise)) ||
      std::isnan(static_cast<double>(signal)))
    return std::numeric_limits<double>::quiet_NaN();
  if (noise == 0.0L)
    return std::numeric_limits<double>::infinity();
  if (signal == 0.0L)
    return -std::numeric_limits<double>::infinity();
  return static_cast<double>(10.0L * std::log10(signal / noise));
}

double mlir::qlip::sqnrDb(llvm::ArrayRef<double> actual,
                          llvm::ArrayRef<double> reference) {
  SqnrAccumulator sum;
  sum.add(actual, reference);
  return sum.db();
}

std::string mlir::qlip::formatDb(double db) {
  if (std::isnan(db))
    return "nan dB";
  if (std::isinf(db))
    return db > 0 ? "inf dB" : "-inf dB";
  return llvm::formatv("{0:f2} dB", db).str();
}

double mlir::qlip::cosineSimilarity(llvm::ArrayRef<double> actual,
                                    llvm::ArrayRef<double> reference) {
  assert(actual.size() == reference.size() && "size mismatch");
  long double dot = 0.0L, normA = 0.0L, normR = 0.0L;
  for (size_t i = 0, e = actual.size(); i < e; ++i) {
    dot += static_cast<long double>(actual[i]) * reference[i];
    normA += static_cast<long double>(actual[i]) * actual[i];
    normR += static_cast<long double>(reference[i]) * reference[i];
  }
  if (std::isnan(static_cast<double>(dot + normA + normR)))
    return std::numeric_limits<double>::quiet_NaN();
  if (normA == 0.0L && normR == 0.0L)
    return 1.0;
  if (normA == 0.0L || normR == 0.0L)
    return 0.0;
  return static_cast<double>(dot / (std::sqrt(normA) * std::sqrt(normR)));
}

std::vector<size_t> mlir::qlip::argmaxRows(llvm::ArrayRef<double> values,
                                           size_t rowLength) {
  assert(rowLength > 0 && values.size() % rowLength == 0 &&
         "values do not form whole rows");
  std::vector<size_t> result;
  result.reserve(values.size() / rowLength);
  for (size_t begin = 0; begin < values.size(); begin += rowLength) {
    size_t best = 0;
    for (size_t i = 0; i < rowLength; ++i) {
      double value = values[begin + i];
      if (std::isnan(value)) {
        best = i;
        break;
      }
      if (value > values[begin + best])
        best = i;
    }
    result.push_back(best);
  }
  return result;
}

size_t mlir::qlip::countTop1Agreement(llvm::ArrayRef<double> actual,
                                      llvm::ArrayRef<double> reference,
                                      size_t rowLength) {
  assert(actual.size() == reference.size() && "size mismatch");
  std::vector<size_t> a = argmaxRows(actual, rowLength);
  std::vector<size_t> r = argmaxRows(reference, rowLength);
  size_t agree = 0;
  for (size_t i = 0, e = a.size(); i < e; ++i)
    agree += a[i] == r[i];
  return agree;
}

size_t mlir::qlip::countTop1Correct(llvm::ArrayRef<double> scores,
                                    size_t rowLength,
                                    llvm::ArrayRef<int64_t> labels) {
  std::vector<size_t> predicted = argmaxRows(scores, rowLength);
  assert(predicted.size() == labels.size() && "one label per row");
  size_t correct = 0;
  for (size_t i = 0, e = predicted.size(); i < e; ++i)
    correct += labels[i] >= 0 && static_cast<size_t>(labels[i]) == predicted[i];
  return correct;
}

Comparison mlir::qlip::compare(llvm::ArrayRef<double> actual,
                               llvm::ArrayRef<double> reference,
                               size_t rowLength) {
  Comparison result;
  result.count = actual.size();
  result.maxAbsError = maxAbsError(actual, reference);
  result.sqnrDb = sqnrDb(actual, reference);
  result.cosine = cosineSimilarity(actual, reference);
  if (rowLength > 0 && !actual.empty()) {
    result.rows = actual.size() / rowLength;
    result.top1Agreement = countTop1Agreement(actual, reference, rowLength);
  }
  return result;
}
