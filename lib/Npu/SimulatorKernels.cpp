//===- SimulatorKernels.cpp - the npu's tile arithmetic ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The formulas of docs/npu-command-stream.md, one output value at a time:
// the simulator is a reference, so it is written to be read, not to be
// fast. Sums run in int64 (and apply_scale_32 in 128 bits) so that no
// intermediate wraps; only apply_scale_32's result saturates, as the doc
// says.
//
//===----------------------------------------------------------------------===//

#include "SimulatorKernels.h"

#include "qlip/Npu/Simulator.h"

#include "llvm/Support/Endian.h"

#include <algorithm>
#include <cassert>
#include <limits>

using namespace mlir::npu::stream;

int32_t mlir::npu::stream::applyScale32(int64_t value, int64_t multiplier,
                                        int64_t shift) {
  assert(shift >= 1 && shift <= 62 && "apply_scale_32 shift out of range");
  __int128 product = static_cast<__int128>(value) * multiplier;
  __int128 result =
      (product + (static_cast<__int128>(1) << (shift - 1))) >> shift;
  return static_cast<int32_t>(
      std::clamp<__int128>(result, std::numeric_limits<int32_t>::min(),
                           std::numeric_limits<int32_t>::max()));
}

Epilogue mlir::npu::stream::readEpilogue(const uint8_t *bytes,
                                         int64_t channels) {
  Epilogue e;
  for (int64_t c = 0; c < channels; ++c) {
    e.bias.push_back(
        static_cast<int32_t>(llvm::support::endian::read32le(bytes + 4 * c)));
    e.multiplier.push_back(static_cast<int32_t>(
        llvm::support::endian::read32le(bytes + 4 * (channels + c))));
    e.shift.push_back(static_cast<int8_t>(bytes[8 * channels + c]));
  }
  return e;
}

std::vector<int8_t> mlir::npu::stream::unpackWeights(const Layer &layer,
                                                     const uint8_t *rows,
                                                     int64_t channels) {
  int64_t length = getWeightRowLength(layer), rowBytes = getWeightRowBytes(layer);
  int64_t bits = layer.weightBits;
  // 2, 4 and 8 divide 8: a value never straddles two bytes.
  int64_t mask = (1 << bits) - 1, sign = 1 << (bits - 1);
  std::vector<int8_t> weights(channels * length);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t k = 0; k < length; ++k) {
      int64_t bit = k * bits;
      int64_t raw = (rows[c * rowBytes + bit / 8] >> (bit % 8)) & mask;
      weights[c * length + k] =
          static_cast<int8_t>(raw & sign ? raw - (mask + 1) : raw);
    }
  return weights;
}

namespace {

/// Calls f(n, y, x, c, index) for every value of the tile's output buffer,
/// y the layer's output row and c the tile's channel, index its place in
/// [N][rows][W_out][channels].
template <typename F> void forEachOutput(const Layer &l, const Tile &t, F f) {
  int64_t index = 0;
  for (int64_t n = 0; n < l.output[0]; ++n)
    for (int64_t y = t.row; y < t.row + t.rows; ++y)
      for (int64_t x = 0; x < l.output[2]; ++x)
        for (int64_t c = 0; c < t.channels; ++c)
          f(n, y, x, c, index++);
}

/// Calls f(ky * KW + kx, pixel) for every position of output (n, y, x)'s
/// window inside the input; `pixel` is the input pixel's index in the tile
/// buffer [N][input rows][W_in] (times the buffer's channels). Positions
/// in the padding are skipped: they contribute nothing (conv) and never
/// win (max pool).
template <typename F>
void forEachWindowPosition(const Layer &l, const Tile &t, int64_t n, int64_t y,
                           int64_t x, F f) {
  for (int64_t ky = 0; ky < l.kernel[0]; ++ky) {
    int64_t iy = y * l.stride[0] - l.pad[0] + ky * l.dilation[0];
    if (iy < 0 || iy >= l.input[1])
      continue;
    for (int64_t kx = 0; kx < l.kernel[1]; ++kx) {
      int64_t ix = x * l.stride[1] - l.pad[2] + kx * l.dilation[1];
      if (ix < 0 || ix >= l.input[2])
        continue;
      f(ky * l.kernel[1] + kx,
        (n * t.inputRows + iy - t.inputRow) * l.input[2] + ix);
    }
  }
}

int8_t clampToLayer(const Layer &l, int64_t value) {
  return static_cast<int8_t>(std::clamp(value, l.clampMin, l.clampMax));
}

} // namespace

std::vector<int64_t>
mlir::npu::stream::computeMacTile(const Layer &l, const Tile &t,
                                  const int8_t *in,
                                  llvm::ArrayRef<int8_t> weights) {
  int64_t length = getWeightRowLength(l), zp = l.inputZp;
  std::vector<int64_t> acc(l.output[0] * t.rows * l.output[2] * t.channels);
  forEachOutput(
      l, t, [&](int64_t n, int64_t y, int64_t x, int64_t c, int64_t index) {
        const int8_t *w = weights.data() + c * length;
        int64_t sum = 0;
        switch (l.kind) {
        case LayerKind::Conv2D: {
          int64_t cin = l.input[3];
          forEachWindowPosition(l, t, n, y, x, [&](int64_t k, int64_t pixel) {
            for (int64_t ci = 0; ci < cin; ++ci)
              sum += (in[pixel * cin + ci] - zp) * w[k * cin + ci];
          });
          break;
        }
        case LayerKind::DepthwiseConv2D: {
          // The buffer holds input channels [channel / M, +channels / M).
          int64_t m = l.multiplier, tileChannels = t.channels / m;
          int64_t ci = (t.channel + c) / m - t.channel / m;
          forEachWindowPosition(l, t, n, y, x, [&](int64_t k, int64_t pixel) {
            sum += (in[pixel * tileChannels + ci] - zp) * w[k];
          });
          break;
        }
        default: {
          // Matmul: input [N][rows][1][K], weight row (n, k).
          int64_t depth = l.input[3];
          const int8_t *row = in + (n * t.inputRows + y - t.inputRow) * depth;
          for (int64_t k = 0; k < depth; ++k)
            sum += (row[k] - zp) * w[n * depth + k];
          break;
        }
        }
        acc[index] = sum;
      });
  return acc;
}

void mlir::npu::stream::requantizeTile(const Layer &l, const Epilogue &e,
                                       const Tile &t,
                                       llvm::ArrayRef<int64_t> acc,
                                       int8_t *out) {
  forEachOutput(l, t, [&](int64_t, int64_t, int64_t, int64_t c, int64_t index) {
    int64_t channel = t.channel + c;
    int64_t scaled = applyScale32(acc[index] + e.bias[channel],
                                  e.multiplier[channel], e.shift[channel]);
    out[index] = clampToLayer(l, scaled + l.outputZp);
  });
}

void mlir::npu::stream::computeVectorTile(const Layer &l, const Tile &t,
                                          const int8_t *in, const int8_t *in2,
                                          int8_t *out) {
  // Into a copy first: the output may overwrite the inputs in place.
  std::vector<int8_t> result(l.output[0] * t.rows * l.output[2] * t.channels);
  const auto &r = l.rescale;
  forEachOutput(
      l, t, [&](int64_t n, int64_t y, int64_t x, int64_t c, int64_t index) {
        switch (l.kind) {
        case LayerKind::MaxPool2D: {
          int64_t best = std::numeric_limits<int8_t>::min();
          forEachWindowPosition(l, t, n, y, x, [&](int64_t, int64_t pixel) {
            best = std::max<int64_t>(best, in[pixel * t.channels + c]);
          });
          result[index] = clampToLayer(l, best);
          break;
        }
        case LayerKind::Add: {
          // Same layout in and out: the index is the element's in every buffer.
          int64_t a = applyScale32(in[index] - l.inputZp, r[1], r[2]);
          int64_t b = applyScale32(in2[index] - r[0], r[3], r[4]);
          result[index] =
              clampToLayer(l, applyScale32(a + b, r[5], r[6]) + l.outputZp);
          break;
        }
        default:
          result[index] = clampToLayer(
              l, applyScale32(in[index] - l.inputZp, r[0], r[1]) + l.outputZp);
          break;
        }
      });
  std::copy(result.begin(), result.end(), out);
}
