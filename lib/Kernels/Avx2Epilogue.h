//===- Avx2Epilogue.h - the requantization of 8 channels --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// The AVX2 epilogue, which the AVX2 and the 256-bit VNNI paths share:
// integer TOSA's rescale of 8 int32 accumulators (64-bit products, the
// arithmetic shift emulated), zero point, clamp, store. Included by files
// that include <immintrin.h> (with GCC 12's uninitialized-use warnings
// silenced, see RowsAvx2.cpp); its functions carry their target.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_KERNELS_AVX2EPILOGUE_H
#define QLIP_LIB_KERNELS_AVX2EPILOGUE_H

#include "KernelRows.h"

#include <immintrin.h>
#include <stdint.h>

#define QLIP_AVX2 __attribute__((target("avx2,fma")))

namespace qlip::kernels {
namespace {

/// Arithmetic right shift of 64-bit lanes by per-lane amounts (AVX2 has
/// only the logical one): floor division works on the complement.
QLIP_AVX2 inline __m256i sravEpi64(__m256i v, __m256i s) {
  __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
  return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, sign), s),
                          sign);
}

/// The constants of the epilogue of 8 channels, loaded once per tile: the
/// bias; for each quarter of 4 channels the 64-bit multiplier and shift and
/// the rounding term for a non-negative and for a negative accumulator
/// (they differ by 2^31 with double rounding and a shift above 31); the
/// zero point and the clamp.
struct Epilogue8 {
  __m256i bias;
  __m256i mult[2], shift[2], roundPos[2], roundNeg[2];
  __m256i zp, lo, hi;
};

QLIP_AVX2 inline Epilogue8 loadEpilogue8(const QRow &r, int64_t oc0) {
  Epilogue8 e;
  e.bias = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(r.bias + oc0));
  const __m256i mult = _mm256_loadu_si256(
      reinterpret_cast<const __m256i *>(r.multiplier + oc0));
  const __m256i shift = _mm256_cvtepi8_epi32(
      _mm_loadl_epi64(reinterpret_cast<const __m128i *>(r.shift + oc0)));
  const __m256i one = _mm256_set1_epi64x(1);
  for (int q = 0; q < 2; ++q) {
    e.mult[q] = _mm256_cvtepi32_epi64(q ? _mm256_extracti128_si256(mult, 1)
                                        : _mm256_castsi256_si128(mult));
    e.shift[q] = _mm256_cvtepi32_epi64(q ? _mm256_extracti128_si256(shift, 1)
                                         : _mm256_castsi256_si128(shift));
    __m256i round = _mm256_sllv_epi64(one, _mm256_sub_epi64(e.shift[q], one));
    e.roundPos[q] = e.roundNeg[q] = round;
    if (r.doubleRound) {
      __m256i adj = _mm256_and_si256(
          _mm256_cmpgt_epi64(e.shift[q], _mm256_set1_epi64x(31)),
          _mm256_set1_epi64x(1LL << 30));
      e.roundPos[q] = _mm256_add_epi64(round, adj);
      e.roundNeg[q] = _mm256_sub_epi64(round, adj);
    }
  }
  e.zp = _mm256_set1_epi32(r.outputZp);
  e.lo = _mm256_set1_epi32(r.outputMin);
  e.hi = _mm256_set1_epi32(r.outputMax);
  return e;
}

/// Four lanes of apply_scale_32 in 64 bits, in the low half of each lane.
QLIP_AVX2 inline __m256i scaleQuarter(__m128i acc, const Epilogue8 &e, int q) {
  __m256i a = _mm256_cvtepi32_epi64(acc);
  __m256i negative = _mm256_cmpgt_epi64(_mm256_setzero_si256(), a);
  __m256i round = _mm256_blendv_epi8(e.roundPos[q], e.roundNeg[q], negative);
  __m256i prod = _mm256_mul_epi32(a, e.mult[q]);
  return sravEpi64(_mm256_add_epi64(prod, round), e.shift[q]);
}

/// The epilogue of 8 channels of one pixel, storing `valid` bytes.
QLIP_AVX2 inline void requantizeStore(__m256i acc, const Epilogue8 &e,
                                      int64_t valid, int8_t *out) {
  acc = _mm256_add_epi32(acc, e.bias);
  __m256i lo = scaleQuarter(_mm256_castsi256_si128(acc), e, 0);
  __m256i hi = scaleQuarter(_mm256_extracti128_si256(acc, 1), e, 1);
  // The low 32 bits of each 64-bit lane, in order: truncation.
  __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  __m256i v = _mm256_permute2x128_si256(
      _mm256_permutevar8x32_epi32(lo, even),
      _mm256_permutevar8x32_epi32(hi, even), 0x20);
  v = _mm256_add_epi32(v, e.zp);
  v = _mm256_max_epi32(v, e.lo);
  v = _mm256_min_epi32(v, e.hi);
  // The low byte of each lane (truncation, so uint8 outputs keep 128 to
  // 255), gathered into the low 8 bytes: a byte shuffle within each
  // 128-bit half, then the two halves' first dwords side by side.
  const __m256i lowBytes = _mm256_setr_epi8(
      0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, //
      0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  __m256i bytes = _mm256_permutevar8x32_epi32(
      _mm256_shuffle_epi8(v, lowBytes), _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0));
  __m128i eight = _mm256_castsi256_si128(bytes);
  if (valid >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i *>(out), eight);
    return;
  }
  alignas(16) int8_t lanes[16];
  _mm_store_si128(reinterpret_cast<__m128i *>(lanes), eight);
  for (int64_t i = 0; i < valid; ++i)
    out[i] = lanes[i];
}

} // namespace
} // namespace qlip::kernels

#endif // QLIP_LIB_KERNELS_AVX2EPILOGUE_H
