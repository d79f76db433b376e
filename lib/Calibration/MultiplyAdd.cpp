//===- MultiplyAdd.cpp - the multiply-adds of GPTQ and the moments --------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "MultiplyAdd.h"

#include "VectorClones.h"

using namespace mlir::qlip;

/// y[0, n) += a * x[0, n).
QLIP_VECTOR_CLONES void mlir::qlip::addScaled(double a, const double *x,
                                              double *y, int64_t n) {
  for (int64_t j = 0; j < n; ++j)
    y[j] += a * x[j];
}

/// The multiply-add both the factorization and GPTQ spend their time in:
/// y_r[0, n) += sum_t c[r][t] * x_t[0, n) for four rows y_r and eight rows
/// x_t, the terms added one at a time in t's order, exactly as eight
/// addScaled calls would (so a tail done with addScaled gives the same
/// bits). Each x_t[j] is loaded once for four rows and each y_r[j] once
/// for eight terms.
QLIP_VECTOR_CLONES static void
addProducts4x8(double *__restrict y0, double *__restrict y1,
               double *__restrict y2, double *__restrict y3,
               const double (*c)[8], const double *__restrict x0,
               const double *__restrict x1, const double *__restrict x2,
               const double *__restrict x3, const double *__restrict x4,
               const double *__restrict x5, const double *__restrict x6,
               const double *__restrict x7, int64_t n) {
  const double c00 = c[0][0], c01 = c[0][1], c02 = c[0][2], c03 = c[0][3],
               c04 = c[0][4], c05 = c[0][5], c06 = c[0][6], c07 = c[0][7];
  const double c10 = c[1][0], c11 = c[1][1], c12 = c[1][2], c13 = c[1][3],
               c14 = c[1][4], c15 = c[1][5], c16 = c[1][6], c17 = c[1][7];
  const double c20 = c[2][0], c21 = c[2][1], c22 = c[2][2], c23 = c[2][3],
               c24 = c[2][4], c25 = c[2][5], c26 = c[2][6], c27 = c[2][7];
  const double c30 = c[3][0], c31 = c[3][1], c32 = c[3][2], c33 = c[3][3],
               c34 = c[3][4], c35 = c[3][5], c36 = c[3][6], c37 = c[3][7];
  for (int64_t j = 0; j < n; ++j) {
    const double v0 = x0[j], v1 = x1[j], v2 = x2[j], v3 = x3[j], v4 = x4[j],
                 v5 = x5[j], v6 = x6[j], v7 = x7[j];
    double a = y0[j];
    a += c00 * v0; a += c01 * v1; a += c02 * v2; a += c03 * v3;
    a += c04 * v4; a += c05 * v5; a += c06 * v6; a += c07 * v7;
    y0[j] = a;
    double b = y1[j];
    b += c10 * v0; b += c11 * v1; b += c12 * v2; b += c13 * v3;
    b += c14 * v4; b += c15 * v5; b += c16 * v6; b += c17 * v7;
    y1[j] = b;
    double d = y2[j];
    d += c20 * v0; d += c21 * v1; d += c22 * v2; d += c23 * v3;
    d += c24 * v4; d += c25 * v5; d += c26 * v6; d += c27 * v7;
    y2[j] = d;
    double e = y3[j];
    e += c30 * v0; e += c31 * v1; e += c32 * v2; e += c33 * v3;
    e += c34 * v4; e += c35 * v5; e += c36 * v6; e += c37 * v7;
    y3[j] = e;
  }
}

/// addProducts4x8 for one row.
QLIP_VECTOR_CLONES static void
addProducts1x8(double *__restrict y, const double *c,
               const double *__restrict x0, const double *__restrict x1,
               const double *__restrict x2, const double *__restrict x3,
               const double *__restrict x4, const double *__restrict x5,
               const double *__restrict x6, const double *__restrict x7,
               int64_t n) {
  const double c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4],
               c5 = c[5], c6 = c[6], c7 = c[7];
  for (int64_t j = 0; j < n; ++j) {
    double a = y[j];
    a += c0 * x0[j]; a += c1 * x1[j]; a += c2 * x2[j]; a += c3 * x3[j];
    a += c4 * x4[j]; a += c5 * x5[j]; a += c6 * x6[j]; a += c7 * x7[j];
    y[j] = a;
  }
}

/// y[r][0, n) += sum_t c[r][t] * x[t][0, n) for `rows` rows and `terms`
/// terms: the 4 x 8 kernel where it fits, addScaled elsewhere; the same
/// bits either way.
void mlir::qlip::addProducts(double *const *y, int64_t rows,
                              const double (*c)[kTerms],
                              const double *const *x, int64_t terms,
                              int64_t n) {
  int64_t r = 0;
  if (terms == kTerms)
    for (; r + kGroup <= rows; r += kGroup)
      addProducts4x8(y[r], y[r + 1], y[r + 2], y[r + 3], c + r, x[0], x[1],
                     x[2], x[3], x[4], x[5], x[6], x[7], n);
  for (; r < rows; ++r) {
    if (terms == kTerms) {
      addProducts1x8(y[r], c[r], x[0], x[1], x[2], x[3], x[4], x[5], x[6],
                     x[7], n);
      continue;
    }
    for (int64_t t = 0; t < terms; ++t)
      addScaled(c[r][t], x[t], y[r], n);
  }
}

