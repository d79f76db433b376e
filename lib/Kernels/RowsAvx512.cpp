//===- RowsAvx512.cpp - the kernels with AVX-512 VNNI ---------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// Register tiles of M output pixels x NB tiles of 16 output channels held in
// zmm accumulators. Integer convolutions step through the reduction 4 input
// channels at a time: one broadcast of 4 unsigned activation bytes, one
// vpdpbusd per 16 channels (64 multiply-adds). The requantizing epilogue
// works on the accumulators in registers (64-bit products, variable
// arithmetic shifts) before the one store of the output bytes.
//
// Every function carries the target attribute instead of the file being
// compiled for AVX-512, so no inline function of a shared header is ever
// emitted here with instructions other CPUs lack. Hence no standard library
// templates in this file.
//
//===----------------------------------------------------------------------===//

#include "KernelRows.h"

#include "qlip/Kernels/Kernels.h"

// GCC 12's intrinsics headers start some conversions from an undefined
// register, which its own uninitialized-use warnings then flag.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <string.h>

#include <utility>

#define QLIP_AVX512                                                            \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,fma")))

using namespace qlip::kernels;

namespace {

inline int64_t minInt(int64_t a, int64_t b) { return a < b ? a : b; }

/// acc + the dot products of the unsigned bytes of x with the signed bytes
/// of w, 4 by 4 (vpdpbusd). GCC 12 does not tie the accumulator of
/// _mm512_dpbusd_epi32 to one register across a loop and copies every
/// accumulator twice per step; the instruction written out keeps them in
/// place (1.3x on a 16-channel 3x3 layer).
QLIP_AVX512 inline __m512i dpbusd(__m512i acc, __m512i x, __m512i w) {
#if defined(__GNUC__) && !defined(__clang__)
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
  return acc;
#else
  return _mm512_dpbusd_epi32(acc, x, w);
#endif
}

/// One group of 4 reduction elements of a tile: the 4 input bytes of each
/// pixel at `offset` broadcast and dotted with each channel tile's weights.
template <int M, int NB>
QLIP_AVX512 inline void dotGroup(__m512i (&acc)[M][NB],
                                 const uint8_t *const (&pixel)[M],
                                 int64_t offset, const __m512i (&w)[NB]) {
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m) {
    int32_t four;
    memcpy(&four, pixel[m] + offset, 4);
    const __m512i xv = _mm512_set1_epi32(four);
#pragma GCC unroll 2
    for (int nb = 0; nb < NB; ++nb)
      acc[m][nb] = dpbusd(acc[m][nb], xv, w[nb]);
  }
}

/// The constants of the epilogue of 16 channels, loaded once per tile in
/// the form the per-pixel arithmetic takes them: the bias; for the even and
/// for the odd channels (the 64-bit lanes of vpmuldq) the multiplier, the
/// shift and the rounding term for a non-negative and for a negative
/// accumulator (they differ by 2^31 with double rounding and a shift above
/// 31); the zero point and the clamp. The short form (QRow::shortEpilogue)
/// has one rounding term, which carries the zero point too.
struct Epilogue {
  __m512i bias;
  __m512i mult[2], shift[2], roundPos[2], roundNeg[2];
  __m512i zp, lo, hi;
};

template <bool Short>
QLIP_AVX512 inline Epilogue loadEpilogue(const QRow &r, int64_t oc0) {
  Epilogue e;
  e.bias = _mm512_loadu_si512(r.bias + oc0);
  const __m512i mult = _mm512_loadu_si512(r.multiplier + oc0);
  const __m512i shift = _mm512_cvtepi8_epi32(
      _mm_loadu_si128(reinterpret_cast<const __m128i *>(r.shift + oc0)));
  const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFF);
  const __m512i one = _mm512_set1_epi64(1);
  for (int odd = 0; odd < 2; ++odd) {
    // Channel 2i + odd in 64-bit lane i (multipliers and shifts are
    // non-negative, so zero extension is exact).
    e.mult[odd] = _mm512_and_si512(odd ? _mm512_srli_epi64(mult, 32) : mult,
                                   low32);
    e.shift[odd] = _mm512_and_si512(
        odd ? _mm512_srli_epi64(shift, 32) : shift, low32);
    __m512i round =
        _mm512_sllv_epi64(one, _mm512_sub_epi64(e.shift[odd], one));
    if (Short) {
      // (p + round + zp * 2^s) >> s is ((p + round) >> s) + zp exactly, and
      // its low 32 bits are the int32 sum TOSA wraps.
      round = _mm512_add_epi64(
          round, _mm512_sllv_epi64(_mm512_set1_epi64(r.outputZp),
                                   e.shift[odd]));
    }
    e.roundPos[odd] = e.roundNeg[odd] = round;
    if (!Short && r.doubleRound) {
      __mmask8 big =
          _mm512_cmpgt_epi64_mask(e.shift[odd], _mm512_set1_epi64(31));
      e.roundPos[odd] = _mm512_mask_add_epi64(round, big, round,
                                              _mm512_set1_epi64(1LL << 30));
      e.roundNeg[odd] = _mm512_mask_sub_epi64(round, big, round,
                                              _mm512_set1_epi64(1LL << 30));
    }
  }
  e.zp = _mm512_set1_epi32(r.outputZp);
  e.lo = _mm512_set1_epi32(r.outputMin);
  e.hi = _mm512_set1_epi32(r.outputMax);
  return e;
}

/// apply_scale_32 of the even (odd = 0) or odd channels of `acc`, in 64-bit
/// lanes: vpmuldq multiplies the low 32 bits of each lane as signed.
template <bool Short>
QLIP_AVX512 inline __m512i scaleLanes(__m512i acc, const Epilogue &e,
                                      int odd) {
  __m512i a = odd ? _mm512_srli_epi64(acc, 32) : acc;
  __m512i round = e.roundPos[odd];
  if (!Short) {
    // The sign of the 32-bit value: bit 31 of the lane.
    __mmask8 negative =
        _mm512_test_epi64_mask(a, _mm512_set1_epi64(0x80000000));
    round = _mm512_mask_blend_epi64(negative, e.roundPos[odd], e.roundNeg[odd]);
  }
  __m512i prod = _mm512_mul_epi32(a, e.mult[odd]);
  return _mm512_srav_epi64(_mm512_add_epi64(prod, round), e.shift[odd]);
}

/// The epilogue of 16 channels of one pixel: rescale, zero point, clamp,
/// and the store of the `valid` bytes. `acc` holds the bias already.
template <bool Short>
QLIP_AVX512 inline void requantizeStore(__m512i acc, const Epilogue &e,
                                        __mmask16 valid, int8_t *out) {
  // Truncation to int32: the even results' low halves, and the odd ones'
  // low halves moved up a lane (vpshufd, merged under the odd mask).
  __m512i v = _mm512_mask_shuffle_epi32(scaleLanes<Short>(acc, e, 0),
                                        __mmask16(0xAAAA),
                                        scaleLanes<Short>(acc, e, 1),
                                        _MM_PERM_CDAB);
  if (!Short) // the short form's rounding term holds the zero point
    v = _mm512_add_epi32(v, e.zp);
  v = _mm512_max_epi32(v, e.lo);
  v = _mm512_min_epi32(v, e.hi);
  _mm512_mask_cvtepi32_storeu_epi8(out, valid, v);
}

inline __mmask16 laneMask(int64_t valid) {
  return valid >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1);
}

template <int M, int NB, bool Nibbles, bool Short>
QLIP_AVX512 void qconvTile(const QRow &r, int64_t j0, int64_t ocb,
                           int8_t *out) {
  const uint8_t *pixel[M];
  getPixels(r, r.in, j0, pixel);
  const int64_t groups = r.cp / kReductionTile;
  const int64_t blockBytes = Nibbles ? 32 : 64;
  const int64_t ocbStride = r.kh * r.kw * groups * blockBytes;
  const int8_t *w0 = r.weights + ocb * ocbStride;
  // 8-bit sums start from the bias; 4-bit ones add it once divided back.
  __m512i acc[M][NB];
#pragma GCC unroll 2
  for (int nb = 0; nb < NB; ++nb) {
    const __m512i start =
        Nibbles ? _mm512_setzero_si512()
                : _mm512_loadu_si512(r.bias + (ocb + nb) * kChannelTile);
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m)
      acc[m][nb] = start;
  }
  for (int64_t y = 0; y < r.kh; ++y)
    for (int64_t x = 0; x < r.kw; ++x) {
      const int64_t tap = y * r.tapStrideH + x * r.tapStrideW;
      const int8_t *wt = w0 + (y * r.kw + x) * groups * blockBytes;
      if (!Nibbles) {
        for (int64_t g = 0; g < groups; ++g) {
          __m512i w[NB];
#pragma GCC unroll 2
          for (int nb = 0; nb < NB; ++nb)
            w[nb] = _mm512_loadu_si512(wt + nb * ocbStride + g * blockBytes);
          dotGroup(acc, pixel, tap + g * kReductionTile, w);
        }
        continue;
      }
      // Two groups per 64 bytes, as 16 * w: the low nibbles, then the high.
      for (int64_t g = 0; g < groups; g += 2) {
        __m512i v[NB], w[NB];
        const __m512i high = _mm512_set1_epi8(int8_t(0xF0));
#pragma GCC unroll 2
        for (int nb = 0; nb < NB; ++nb) {
          v[nb] = _mm512_loadu_si512(wt + nb * ocbStride + g * blockBytes);
          w[nb] = _mm512_and_si512(_mm512_slli_epi16(v[nb], 4), high);
        }
        dotGroup(acc, pixel, tap + g * kReductionTile, w);
#pragma GCC unroll 2
        for (int nb = 0; nb < NB; ++nb)
          w[nb] = _mm512_and_si512(v[nb], high);
        dotGroup(acc, pixel, tap + (g + 1) * kReductionTile, w);
      }
    }
#pragma GCC unroll 2
  for (int nb = 0; nb < NB; ++nb) {
    const int64_t oc0 = (ocb + nb) * kChannelTile;
    const __mmask16 valid = laneMask(r.oc - oc0);
    const Epilogue e = loadEpilogue<Short>(r, oc0);
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m)
      requantizeStore<Short>(
          Nibbles ? _mm512_add_epi32(_mm512_srai_epi32(acc[m][nb], 4), e.bias)
                  : acc[m][nb],
          e, valid, out + m * r.oc + oc0);
  }
}

using QTile = void (*)(const QRow &, int64_t, int64_t, int8_t *);

constexpr int kPixels1 = 8; // pixels per tile with one channel tile
constexpr int kPixels2 = 6; // with two

template <int NB, bool Nibbles, bool Short, int... Ms>
constexpr void fillTiles(QTile *table, std::integer_sequence<int, Ms...>) {
  ((table[Ms] = &qconvTile<Ms + 1, NB, Nibbles, Short>), ...);
}

template <bool Nibbles, bool Short> struct QTiles {
  QTile one[kPixels1];
  QTile two[kPixels2];
  QTiles() {
    fillTiles<1, Nibbles, Short>(one,
                                 std::make_integer_sequence<int, kPixels1>());
    fillTiles<2, Nibbles, Short>(two,
                                 std::make_integer_sequence<int, kPixels2>());
  }
};

template <bool Nibbles, bool Short> void qconvRow(const QRow &r) {
  static const QTiles<Nibbles, Short> tiles;
  const int64_t ocBlocks = roundUp(r.oc, kChannelTile) / kChannelTile;
  for (int64_t ocb = 0; ocb < ocBlocks; ocb += 2) {
    const bool pair = ocb + 1 < ocBlocks;
    const int64_t step = pair ? kPixels2 : kPixels1;
    for (int64_t p = 0; p < r.count; p += step) {
      const int64_t m = minInt(step, r.count - p);
      QTile tile = pair ? tiles.two[m - 1] : tiles.one[m - 1];
      tile(r, p, ocb, r.out + p * r.oc);
    }
  }
}

/// 16 depthwise weights of one tap; at 4 bits as 16 * w, from 8 bytes.
template <bool Nibbles>
QLIP_AVX512 inline __m512i loadDepthwiseWeights(const int8_t *w) {
  __m128i bytes;
  if (Nibbles) {
    __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(w));
    __m128i high = _mm_set1_epi8(int8_t(0xF0));
    bytes = _mm_unpacklo_epi64(_mm_and_si128(_mm_slli_epi16(v, 4), high),
                               _mm_and_si128(v, high));
  } else {
    bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(w));
  }
  return _mm512_cvtepi8_epi32(bytes);
}

/// A depthwise sum over 16 * w divided back, exactly (canPackNibbles).
template <bool Nibbles> QLIP_AVX512 inline __m512i unscale(__m512i acc) {
  return Nibbles ? _mm512_srai_epi32(acc, 4) : acc;
}

constexpr int kDepthwisePixels = 4;

template <bool Nibbles, bool Short>
QLIP_AVX512 void qdepthwiseRow(const QRow &r) {
  const int64_t tapBytes = Nibbles ? r.cp / 2 : r.cp;
  const int64_t blockBytes = Nibbles ? kChannelTile / 2 : kChannelTile;
  for (int64_t c0 = 0; c0 < r.oc; c0 += kChannelTile) {
    const __mmask16 valid = laneMask(r.oc - c0);
    const Epilogue e = loadEpilogue<Short>(r, c0);
    const int8_t *wb = r.weights + c0 / kChannelTile * blockBytes;
    int64_t p = 0;
    for (; p + kDepthwisePixels <= r.count; p += kDepthwisePixels) {
      __m512i acc[kDepthwisePixels];
#pragma GCC unroll 4
      for (int m = 0; m < kDepthwisePixels; ++m)
        acc[m] = _mm512_setzero_si512();
      for (int64_t y = 0; y < r.kh; ++y)
        for (int64_t x = 0; x < r.kw; ++x) {
          __m512i w = loadDepthwiseWeights<Nibbles>(wb + (y * r.kw + x) *
                                                             tapBytes);
          const int64_t tap = y * r.tapStrideH + x * r.tapStrideW + c0;
#pragma GCC unroll 4
          for (int m = 0; m < kDepthwisePixels; ++m) {
            __m512i xv = _mm512_cvtepu8_epi32(_mm_loadu_si128(
                reinterpret_cast<const __m128i *>(r.in + pixelOffset(r, p + m) +
                                                  tap)));
            acc[m] = _mm512_add_epi32(acc[m], _mm512_mullo_epi32(xv, w));
          }
        }
#pragma GCC unroll 4
      for (int m = 0; m < kDepthwisePixels; ++m)
        requantizeStore<Short>(_mm512_add_epi32(unscale<Nibbles>(acc[m]), e.bias),
                               e, valid, r.out + (p + m) * r.oc + c0);
    }
    for (; p < r.count; ++p) {
      __m512i acc = _mm512_setzero_si512();
      for (int64_t y = 0; y < r.kh; ++y)
        for (int64_t x = 0; x < r.kw; ++x) {
          __m512i w = loadDepthwiseWeights<Nibbles>(wb + (y * r.kw + x) *
                                                             tapBytes);
          __m512i xv = _mm512_cvtepu8_epi32(_mm_loadu_si128(
              reinterpret_cast<const __m128i *>(
                  r.in + pixelOffset(r, p) + y * r.tapStrideH +
                  x * r.tapStrideW + c0)));
          acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(xv, w));
        }
      requantizeStore<Short>(_mm512_add_epi32(unscale<Nibbles>(acc), e.bias), e,
                             valid, r.out + p * r.oc + c0);
    }
  }
}

/// max(lo, v) then min(hi, v): the second operand wins on NaN, so NaN stays.
QLIP_AVX512 inline __m512 clampFloat(__m512 v, const FRow &r) {
  v = _mm512_max_ps(_mm512_set1_ps(r.outputMin), v);
  return _mm512_min_ps(_mm512_set1_ps(r.outputMax), v);
}

template <int M, int NB>
QLIP_AVX512 void fconvTile(const FRow &r, int64_t j0, int64_t ocb,
                           float *out) {
  const float *pixel[M];
  getPixels(r, r.in, j0, pixel);
  const int64_t ocbStride = r.kh * r.kw * r.cp * kChannelTile;
  const float *w0 = r.weights + ocb * ocbStride;
  __m512 acc[M][NB];
#pragma GCC unroll 2
  for (int nb = 0; nb < NB; ++nb) {
    __m512 bias = _mm512_loadu_ps(r.bias + (ocb + nb) * kChannelTile);
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m)
      acc[m][nb] = bias;
  }
  for (int64_t y = 0; y < r.kh; ++y)
    for (int64_t x = 0; x < r.kw; ++x) {
      const int64_t tap = y * r.tapStrideH + x * r.tapStrideW;
      const float *wt = w0 + (y * r.kw + x) * r.cp * kChannelTile;
      for (int64_t c = 0; c < r.cp; ++c) {
        __m512 w[NB];
#pragma GCC unroll 2
        for (int nb = 0; nb < NB; ++nb)
          w[nb] = _mm512_loadu_ps(wt + nb * ocbStride + c * kChannelTile);
#pragma GCC unroll 8
        for (int m = 0; m < M; ++m) {
          __m512 xv = _mm512_set1_ps(pixel[m][tap + c]);
#pragma GCC unroll 2
          for (int nb = 0; nb < NB; ++nb)
            acc[m][nb] = _mm512_fmadd_ps(xv, w[nb], acc[m][nb]);
        }
      }
    }
#pragma GCC unroll 2
  for (int nb = 0; nb < NB; ++nb) {
    const int64_t oc0 = (ocb + nb) * kChannelTile;
    const __mmask16 valid = laneMask(r.oc - oc0);
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m)
      _mm512_mask_storeu_ps(out + m * r.oc + oc0, valid,
                            clampFloat(acc[m][nb], r));
  }
}

using FTile = void (*)(const FRow &, int64_t, int64_t, float *);

template <int NB, int... Ms>
constexpr void fillFTiles(FTile *table, std::integer_sequence<int, Ms...>) {
  ((table[Ms] = &fconvTile<Ms + 1, NB>), ...);
}

constexpr int kFloatPixels = 8;

struct FTiles {
  FTile one[kFloatPixels];
  FTile two[kFloatPixels];
  FTiles() {
    fillFTiles<1>(one, std::make_integer_sequence<int, kFloatPixels>());
    fillFTiles<2>(two, std::make_integer_sequence<int, kFloatPixels>());
  }
};

} // namespace

void qlip::kernels::qconvRowAvx512(const QRow &row) {
  if (row.shortEpilogue)
    byWeightBits(row, qconvRow<true, true>, qconvRow<false, true>);
  else
    byWeightBits(row, qconvRow<true, false>, qconvRow<false, false>);
}

void qlip::kernels::qdepthwiseRowAvx512(const QRow &row) {
  if (row.shortEpilogue)
    byWeightBits(row, qdepthwiseRow<true, true>, qdepthwiseRow<false, true>);
  else
    byWeightBits(row, qdepthwiseRow<true, false>, qdepthwiseRow<false, false>);
}

void qlip::kernels::fconvRowAvx512(const FRow &r) {
  static const FTiles tiles;
  const int64_t ocBlocks = roundUp(r.oc, kChannelTile) / kChannelTile;
  for (int64_t ocb = 0; ocb < ocBlocks; ocb += 2) {
    const bool pair = ocb + 1 < ocBlocks;
    for (int64_t p = 0; p < r.count; p += kFloatPixels) {
      const int64_t m = minInt(kFloatPixels, r.count - p);
      FTile tile = pair ? tiles.two[m - 1] : tiles.one[m - 1];
      tile(r, p, ocb, r.out + p * r.oc);
    }
  }
}

QLIP_AVX512 static void fdepthwiseRowImpl(const FRow &r) {
  for (int64_t c0 = 0; c0 < r.oc; c0 += kChannelTile) {
    const __mmask16 valid = laneMask(r.oc - c0);
    const __m512 bias = _mm512_loadu_ps(r.bias + c0);
    for (int64_t p = 0; p < r.count; ++p) {
      __m512 acc = bias;
      for (int64_t y = 0; y < r.kh; ++y)
        for (int64_t x = 0; x < r.kw; ++x)
          acc = _mm512_fmadd_ps(
              _mm512_loadu_ps(r.in + pixelOffset(r, p) + y * r.tapStrideH +
                              x * r.tapStrideW + c0),
              _mm512_loadu_ps(r.weights + (y * r.kw + x) * r.cp + c0), acc);
      _mm512_mask_storeu_ps(r.out + p * r.oc + c0, valid, clampFloat(acc, r));
    }
  }
}

void qlip::kernels::fdepthwiseRowAvx512(const FRow &row) {
  fdepthwiseRowImpl(row);
}

#pragma GCC diagnostic pop
