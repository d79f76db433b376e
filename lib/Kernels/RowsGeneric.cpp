//===- RowsGeneric.cpp - the kernels in portable C++ ----------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// The path every CPU runs, and the one the vector paths must agree with: it
// reads the same packed layouts and sums in the same order.
//
//===----------------------------------------------------------------------===//

#include "KernelRows.h"

#include "qlip/Kernels/Kernels.h"

#include <cmath>

using namespace qlip::kernels;

/// Weight (channel `oc`, tap `tap`, input channel `c`) of a packed conv.
static int32_t getConvWeight(const QRow &row, int64_t oc, int64_t tap,
                             int64_t c) {
  const int64_t groups = row.cp / kReductionTile;
  const int64_t blockSize = kChannelTile * kReductionTile;
  const int64_t block = (oc / kChannelTile * row.kh * row.kw + tap) * groups +
                        c / kReductionTile;
  const int64_t j = oc % kChannelTile * kReductionTile + c % kReductionTile;
  if (row.weightBits == 4)
    // Blocks 2p and 2p + 1 share 64 bytes: low and high nibbles.
    return unpackNibble(row.weights + block / 2 * blockSize,
                        block % 2 * blockSize + j, blockSize);
  return row.weights[block * blockSize + j];
}

void qlip::kernels::qconvRowGeneric(const QRow &row) {
  for (int64_t p = 0; p < row.count; ++p) {
    const uint8_t *px = row.in + pixelOffset(row, p);
    for (int64_t oc = 0; oc < row.oc; ++oc) {
      uint32_t acc = uint32_t(row.bias[oc]);
      for (int64_t y = 0; y < row.kh; ++y)
        for (int64_t x = 0; x < row.kw; ++x) {
          const uint8_t *tap = px + y * row.tapStrideH + x * row.tapStrideW;
          for (int64_t c = 0; c < row.cp; ++c)
            acc += uint32_t(int32_t(tap[c]) *
                            getConvWeight(row, oc, y * row.kw + x, c));
        }
      row.out[p * row.oc + oc] = int8_t(
          requantize(int32_t(acc), row.multiplier[oc], row.shift[oc],
                     row.doubleRound, row.outputZp, row.outputMin,
                     row.outputMax));
    }
  }
}

void qlip::kernels::qdepthwiseRowGeneric(const QRow &row) {
  const int64_t tapBytes = row.weightBits == 4 ? row.cp / 2 : row.cp;
  for (int64_t p = 0; p < row.count; ++p) {
    const uint8_t *px = row.in + pixelOffset(row, p);
    for (int64_t c = 0; c < row.oc; ++c) {
      uint32_t acc = uint32_t(row.bias[c]);
      for (int64_t y = 0; y < row.kh; ++y)
        for (int64_t x = 0; x < row.kw; ++x) {
          const int8_t *w = row.weights + (y * row.kw + x) * tapBytes;
          int32_t weight =
              row.weightBits == 4
                  ? unpackNibble(w + c / kChannelTile * kChannelTile / 2,
                                 c % kChannelTile, kChannelTile / 2)
                  : w[c];
          acc += uint32_t(
              int32_t(px[y * row.tapStrideH + x * row.tapStrideW + c]) *
              weight);
        }
      row.out[p * row.oc + c] = int8_t(
          requantize(int32_t(acc), row.multiplier[c], row.shift[c],
                     row.doubleRound, row.outputZp, row.outputMin,
                     row.outputMax));
    }
  }
}

/// The float clamp, which keeps NaN as the vector paths' max/min do.
static float clampFloat(float v, float lo, float hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

void qlip::kernels::fconvRowGeneric(const FRow &row) {
  for (int64_t p = 0; p < row.count; ++p) {
    const float *px = row.in + pixelOffset(row, p);
    for (int64_t oc = 0; oc < row.oc; ++oc) {
      const float *w = row.weights + oc / kChannelTile * row.kh * row.kw *
                                         row.cp * kChannelTile +
                       oc % kChannelTile;
      float acc = row.bias[oc];
      // Fused multiply-adds in tap-major, channel-minor order, as the
      // vector paths sum each lane.
      for (int64_t y = 0; y < row.kh; ++y)
        for (int64_t x = 0; x < row.kw; ++x) {
          const float *tap = px + y * row.tapStrideH + x * row.tapStrideW;
          const float *wt = w + (y * row.kw + x) * row.cp * kChannelTile;
          for (int64_t c = 0; c < row.cp; ++c)
            acc = std::fma(tap[c], wt[c * kChannelTile], acc);
        }
      row.out[p * row.oc + oc] = clampFloat(acc, row.outputMin, row.outputMax);
    }
  }
}

void qlip::kernels::fdepthwiseRowGeneric(const FRow &row) {
  for (int64_t p = 0; p < row.count; ++p) {
    const float *px = row.in + pixelOffset(row, p);
    for (int64_t c = 0; c < row.oc; ++c) {
      float acc = row.bias[c];
      for (int64_t y = 0; y < row.kh; ++y)
        for (int64_t x = 0; x < row.kw; ++x)
          acc = std::fma(px[y * row.tapStrideH + x * row.tapStrideW + c],
                         row.weights[(y * row.kw + x) * row.cp + c], acc);
      row.out[p * row.oc + c] = clampFloat(acc, row.outputMin, row.outputMax);
    }
  }
}
