//===- RowsAvx2.cpp - the kernels with AVX2 and FMA -----------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// For CPUs without VNNI. Integer convolutions widen both operands to int16
// and multiply-add pairs with vpmaddwd, which is exact for any uint8 x int8
// product pair (vpmaddubsw would saturate). The packed layout is the VNNI
// one: 8 channels x 4 inputs make 32 bytes, widened to two vectors of
// [channel][pair] partial sums that one horizontal add completes.
//
// As in RowsAvx512.cpp, each function carries its target attribute and the
// file instantiates no standard library template.
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

#include "Avx2Epilogue.h"
#include <string.h>

#include <utility>


using namespace qlip::kernels;

namespace {

inline int64_t minInt(int64_t a, int64_t b) { return a < b ? a : b; }

template <int M, bool Nibbles>
QLIP_AVX2 void qconvTile(const QRow &r, int64_t j0, int64_t ocb, int h,
                         int8_t *out) {
  const uint8_t *pixel[M];
  getPixels(r, r.in, j0, pixel);
  const int64_t groups = r.cp / kReductionTile;
  const int64_t blockBytes = Nibbles ? 32 : 64;
  const int8_t *w0 = r.weights + ocb * r.kh * r.kw * groups * blockBytes;
  // acc[m][0]: channels 0-3 as (pair 0, pair 1) sums, acc[m][1]: 4-7.
  __m256i acc[M][2];
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
    acc[m][0] = acc[m][1] = _mm256_setzero_si256();
  for (int64_t t = 0; t < r.kh * r.kw; ++t) {
    const int64_t tap = t / r.kw * r.tapStrideH + t % r.kw * r.tapStrideW;
    const int8_t *wt = w0 + t * groups * blockBytes;
    // At 8 bits one group per step; at 4 bits two, whose 8-channel halves
    // share 32 bytes (low nibbles: the first, as 16 * w).
    for (int64_t g = 0; g < groups; g += Nibbles ? 2 : 1) {
      __m256i w8[2];
      if (Nibbles) {
        __m256i v = _mm256_loadu_si256(
            reinterpret_cast<const __m256i *>(wt + g * blockBytes + h * 32));
        __m256i high = _mm256_set1_epi8(int8_t(0xF0));
        w8[0] = _mm256_and_si256(_mm256_slli_epi16(v, 4), high);
        w8[1] = _mm256_and_si256(v, high);
      } else {
        w8[0] = _mm256_loadu_si256(
            reinterpret_cast<const __m256i *>(wt + g * blockBytes + h * 32));
      }
#pragma GCC unroll 2
      for (int step = 0; step < (Nibbles ? 2 : 1); ++step) {
        __m256i w0v = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(w8[step]));
        __m256i w1v =
            _mm256_cvtepi8_epi16(_mm256_extracti128_si256(w8[step], 1));
#pragma GCC unroll 8
        for (int m = 0; m < M; ++m) {
          int32_t four;
          memcpy(&four, pixel[m] + tap + (g + step) * kReductionTile, 4);
          __m256i xv = _mm256_broadcastq_epi64(
              _mm_cvtepu8_epi16(_mm_cvtsi32_si128(four)));
          acc[m][0] = _mm256_add_epi32(acc[m][0], _mm256_madd_epi16(w0v, xv));
          acc[m][1] = _mm256_add_epi32(acc[m][1], _mm256_madd_epi16(w1v, xv));
        }
      }
    }
  }
  const int64_t oc0 = ocb * kChannelTile + h * 8;
  const Epilogue8 e = loadEpilogue8(r, oc0);
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m) {
    // [0 1 4 5 | 2 3 6 7] -> [0 1 2 3 4 5 6 7]
    __m256i sums = _mm256_permute4x64_epi64(
        _mm256_hadd_epi32(acc[m][0], acc[m][1]), 0xD8);
    if (Nibbles) // the sum of 16 * w, exactly (canPackNibbles)
      sums = _mm256_srai_epi32(sums, 4);
    requantizeStore(sums, e, r.oc - oc0, out + m * r.oc + oc0);
  }
}

using QTile = void (*)(const QRow &, int64_t, int64_t, int, int8_t *);
constexpr int kPixels = 4;

template <bool Nibbles, int... Ms>
constexpr void fillTiles(QTile *table, std::integer_sequence<int, Ms...>) {
  ((table[Ms] = &qconvTile<Ms + 1, Nibbles>), ...);
}

template <bool Nibbles> struct QTiles {
  QTile tiles[kPixels];
  QTiles() { fillTiles<Nibbles>(tiles, std::make_integer_sequence<int, kPixels>()); }
};

template <bool Nibbles> void qconvRow(const QRow &r) {
  static const QTiles<Nibbles> table;
  for (int64_t oc0 = 0; oc0 < r.oc; oc0 += 8)
    for (int64_t p = 0; p < r.count; p += kPixels) {
      const int64_t m = minInt(kPixels, r.count - p);
      table.tiles[m - 1](r, p, oc0 / kChannelTile,
                         int(oc0 % kChannelTile / 8), r.out + p * r.oc);
    }
}

/// 8 depthwise weights of one tap (channels c0..c0+7 of a 16-block, half
/// h); at 4 bits as 16 * w.
template <bool Nibbles>
QLIP_AVX2 inline __m256i loadDepthwiseWeights(const int8_t *block, int h) {
  __m128i bytes;
  if (Nibbles) {
    __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(block));
    if (!h)
      v = _mm_slli_epi16(v, 4);
    bytes = _mm_and_si128(v, _mm_set1_epi8(int8_t(0xF0)));
  } else {
    bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(block + h * 8));
  }
  return _mm256_cvtepi8_epi32(bytes);
}

template <bool Nibbles>
QLIP_AVX2 void qdepthwiseRow(const QRow &r) {
  const int64_t tapBytes = Nibbles ? r.cp / 2 : r.cp;
  const int64_t blockBytes = Nibbles ? kChannelTile / 2 : kChannelTile;
  for (int64_t c0 = 0; c0 < r.oc; c0 += 8) {
    const int h = int(c0 % kChannelTile / 8);
    const int8_t *wb = r.weights + c0 / kChannelTile * blockBytes;
    const Epilogue8 e = loadEpilogue8(r, c0);
    for (int64_t p = 0; p < r.count; ++p) {
      __m256i acc = _mm256_setzero_si256();
      for (int64_t y = 0; y < r.kh; ++y)
        for (int64_t x = 0; x < r.kw; ++x) {
          __m256i w =
              loadDepthwiseWeights<Nibbles>(wb + (y * r.kw + x) * tapBytes, h);
          __m256i xv = _mm256_cvtepu8_epi32(_mm_loadl_epi64(
              reinterpret_cast<const __m128i *>(r.in + pixelOffset(r, p) +
                                                y * r.tapStrideH +
                                                x * r.tapStrideW + c0)));
          acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(xv, w));
        }
      if (Nibbles)
        acc = _mm256_srai_epi32(acc, 4);
      requantizeStore(acc, e, r.oc - c0, r.out + p * r.oc + c0);
    }
  }
}

QLIP_AVX2 inline __m256 clampFloat(__m256 v, const FRow &r) {
  v = _mm256_max_ps(_mm256_set1_ps(r.outputMin), v);
  return _mm256_min_ps(_mm256_set1_ps(r.outputMax), v);
}

QLIP_AVX2 inline void storeFloats(float *out, __m256 v, int64_t valid) {
  if (valid >= 8) {
    _mm256_storeu_ps(out, v);
    return;
  }
  __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(int(valid)), lane);
  _mm256_maskstore_ps(out, mask, v);
}

template <int M>
QLIP_AVX2 void fconvTile(const FRow &r, int64_t j0, int64_t ocb,
                         float *out) {
  const float *pixel[M];
  getPixels(r, r.in, j0, pixel);
  const float *w0 = r.weights + ocb * r.kh * r.kw * r.cp * kChannelTile;
  __m256 acc[M][2];
  const float *bias = r.bias + ocb * kChannelTile;
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m) {
    acc[m][0] = _mm256_loadu_ps(bias);
    acc[m][1] = _mm256_loadu_ps(bias + 8);
  }
  for (int64_t t = 0; t < r.kh * r.kw; ++t) {
    const int64_t tap = t / r.kw * r.tapStrideH + t % r.kw * r.tapStrideW;
    const float *wt = w0 + t * r.cp * kChannelTile;
    for (int64_t c = 0; c < r.cp; ++c) {
      __m256 wa = _mm256_loadu_ps(wt + c * kChannelTile);
      __m256 wb = _mm256_loadu_ps(wt + c * kChannelTile + 8);
#pragma GCC unroll 8
      for (int m = 0; m < M; ++m) {
        __m256 xv = _mm256_set1_ps(pixel[m][tap + c]);
        acc[m][0] = _mm256_fmadd_ps(xv, wa, acc[m][0]);
        acc[m][1] = _mm256_fmadd_ps(xv, wb, acc[m][1]);
      }
    }
  }
  const int64_t oc0 = ocb * kChannelTile;
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m) {
    storeFloats(out + m * r.oc + oc0, clampFloat(acc[m][0], r), r.oc - oc0);
    if (r.oc - oc0 > 8)
      storeFloats(out + m * r.oc + oc0 + 8, clampFloat(acc[m][1], r),
                  r.oc - oc0 - 8);
  }
}

using FTile = void (*)(const FRow &, int64_t, int64_t, float *);
constexpr int kFloatPixels = 6;

template <int... Ms>
constexpr void fillFTiles(FTile *table, std::integer_sequence<int, Ms...>) {
  ((table[Ms] = &fconvTile<Ms + 1>), ...);
}

struct FTiles {
  FTile tiles[kFloatPixels];
  FTiles() { fillFTiles(tiles, std::make_integer_sequence<int, kFloatPixels>()); }
};

QLIP_AVX2 void fdepthwiseRowImpl(const FRow &r) {
  for (int64_t c0 = 0; c0 < r.oc; c0 += 8) {
    const __m256 bias = _mm256_loadu_ps(r.bias + c0);
    for (int64_t p = 0; p < r.count; ++p) {
      __m256 acc = bias;
      for (int64_t y = 0; y < r.kh; ++y)
        for (int64_t x = 0; x < r.kw; ++x)
          acc = _mm256_fmadd_ps(
              _mm256_loadu_ps(r.in + pixelOffset(r, p) + y * r.tapStrideH +
                              x * r.tapStrideW + c0),
              _mm256_loadu_ps(r.weights + (y * r.kw + x) * r.cp + c0), acc);
      storeFloats(r.out + p * r.oc + c0, clampFloat(acc, r), r.oc - c0);
    }
  }
}

} // namespace

void qlip::kernels::qconvRowAvx2(const QRow &row) {
  byWeightBits(row, qconvRow<true>, qconvRow<false>);
}

void qlip::kernels::qdepthwiseRowAvx2(const QRow &row) {
  byWeightBits(row, qdepthwiseRow<true>, qdepthwiseRow<false>);
}

void qlip::kernels::fconvRowAvx2(const FRow &r) {
  static const FTiles table;
  const int64_t ocBlocks = roundUp(r.oc, kChannelTile) / kChannelTile;
  for (int64_t ocb = 0; ocb < ocBlocks; ++ocb)
    for (int64_t p = 0; p < r.count; p += kFloatPixels) {
      const int64_t m = minInt(kFloatPixels, r.count - p);
      table.tiles[m - 1](r, p, ocb, r.out + p * r.oc);
    }
}

void qlip::kernels::fdepthwiseRowAvx2(const FRow &row) {
  fdepthwiseRowImpl(row);
}

#pragma GCC diagnostic pop
