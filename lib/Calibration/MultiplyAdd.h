//===- MultiplyAdd.h - the multiply-adds of GPTQ and the moments -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The loops the Cholesky factorization, GPTQ's sweep and the input moments
// spend their time in: rows y += sum_t c_t * x_t over contiguous doubles,
// compiled for AVX-512, AVX2 and SSE2 (VectorClones.h) with the terms
// added one at a time in t's order, so that every clone, and any split of
// the work into kernels and tails, gives the same bits (the file is
// compiled with -ffp-contract=off).
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_CALIBRATION_MULTIPLYADD_H
#define QLIP_LIB_CALIBRATION_MULTIPLYADD_H

#include <cstdint>

namespace mlir::qlip {

/// Terms a kernel call adds, and rows it updates at once.
inline constexpr int64_t kTerms = 8;
inline constexpr int64_t kGroup = 4;

/// y[0, n) += a * x[0, n).
void addScaled(double a, const double *x, double *y, int64_t n);

/// y[r][0, n) += sum_t c[r][t] * x[t][0, n) for `rows` rows and `terms`
/// (at most kTerms) terms, the terms in t's order: the same bits as
/// `terms` addScaled calls per row. The x rows must not overlap the y
/// rows.
void addProducts(double *const *y, int64_t rows, const double (*c)[kTerms],
                 const double *const *x, int64_t terms, int64_t n);

} // namespace mlir::qlip

#endif // QLIP_LIB_CALIBRATION_MULTIPLYADD_H
