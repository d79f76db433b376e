//===- KernelRows.h - one output row, per code path -------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// The driver (Kernels.cpp) pads the input once per call and splits output
// rows across threads; each code path computes one output row of one image
// over all output channels. The row functions of the AVX2 and AVX-512 paths
// live in files of their own whose functions carry target attributes, so
// nothing else in the library is compiled for a CPU it may not run on.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_KERNELS_KERNELROWS_H
#define QLIP_LIB_KERNELS_KERNELROWS_H

#include <stdint.h>

namespace qlip::kernels {

/// A run of output pixels: `count` pixels from the row-major index `first`
/// on, across output rows and images (so that narrow layers still fill
/// the register tiles), and where their inputs are. Strides count elements
/// of the padded input, [N][Hp][Wp][Cp].
struct Run {
  int64_t imageStride;    // between two images
  int64_t pixelsPerImage; // output pixels of one image
  int64_t rowStride;      // between two output rows (stride)
  int64_t pixelStride;    // between two output pixels (stride)
  int64_t tapStrideW;     // between two taps along W (dilation)
  int64_t tapStrideH;     // between two taps along H (dilation)
  int64_t width;          // output pixels per row
  int64_t first, count;
  const int64_t *offsets; // the input offset of each pixel of the run
  int64_t kh, kw;
  int64_t cp;             // padded input channels
  int64_t oc;             // output channels (== C for depthwise)
};

/// A run of an integer convolution or depthwise convolution. The input is
/// unsigned bytes, Cp = C rounded up to 4 (conv; 8 at 4 bits) or to 16
/// (depthwise).
struct QRow : Run {
  const uint8_t *in;
  const int8_t *weights;
  int64_t weightBits;
  const int32_t *bias;  // folded, padded to the channel tile
  const int32_t *multiplier;
  const int8_t *shift;
  int8_t *out;          // the run's output: count x oc bytes
  int32_t outputZp, outputMin, outputMax;
  bool doubleRound;
  /// The requantization may take a shorter form (shortensEpilogue), which
  /// the vector paths compile separately.
  bool shortEpilogue;
};

/// Whether the requantization of `channels` output channels may fold the
/// zero point into the rounding term, (p + 2^(s-1) + zp * 2^s) >> s being
/// ((p + 2^(s-1)) >> s) + zp exactly (with the same low 32 bits as TOSA's
/// wrapping int32 sum) while it fits 64 bits: with |p| < 2^62 and
/// |zp| <= 255, every shift in [1, 54] (2^62 + 255 * 2^54 + 2^53 < 2^63);
/// and need no double-rounding adjustment (single rounding, or no shift
/// above 31).
inline bool shortensEpilogue(const QRow &r, int64_t channels) {
  if (r.outputZp < -255 || r.outputZp > 255)
    return false;
  for (int64_t c = 0; c < channels; ++c) {
    const int s = r.shift[c];
    if (s < 1 || s > 54 || (r.doubleRound && s > 31))
      return false;
  }
  return true;
}

/// A run of a float convolution or depthwise convolution (Cp = C, or C
/// rounded up to 16 for depthwise).
struct FRow : Run {
  const float *in;
  const float *weights;
  const float *bias;    // padded to the channel tile
  float *out;
  float outputMin, outputMax;
};

/// The input offset of pixel `j` of a run, which the driver computes once
/// per run (fillPixelOffsets).
inline int64_t pixelOffset(const Run &r, int64_t j) { return r.offsets[j]; }

/// The inputs of the M pixels of a tile that starts at pixel `j0`.
template <int M, typename T>
inline void getPixels(const Run &r, const T *in, int64_t j0,
                      const T *(&pixel)[M]) {
  for (int m = 0; m < M; ++m)
    pixel[m] = in + r.offsets[j0 + m];
}

/// Calls the 4-bit or the 8-bit instance of a row function.
inline void byWeightBits(const QRow &r, void (*nibbles)(const QRow &),
                         void (*bytes)(const QRow &)) {
  (r.weightBits == 4 ? nibbles : bytes)(r);
}

/// The input offsets of a run's pixels: one arithmetic sequence per output
/// row it crosses (which the compiler vectorizes), no division per pixel.
inline void fillPixelOffsets(const Run &r, int64_t *out) {
  const int64_t rows = r.pixelsPerImage / r.width;
  int64_t image = r.first / r.pixelsPerImage;
  int64_t rest = r.first % r.pixelsPerImage;
  int64_t y = rest / r.width, x = rest % r.width;
  for (int64_t j = 0; j < r.count;) {
    const int64_t n = r.width - x < r.count - j ? r.width - x : r.count - j;
    const int64_t base =
        image * r.imageStride + y * r.rowStride + x * r.pixelStride;
    for (int64_t k = 0; k < n; ++k)
      out[j + k] = base + k * r.pixelStride;
    j += n;
    x = 0;
    if (++y == rows) {
      y = 0;
      ++image;
    }
  }
}

void qconvRowGeneric(const QRow &row);
void qdepthwiseRowGeneric(const QRow &row);
void fconvRowGeneric(const FRow &row);
void fdepthwiseRowGeneric(const FRow &row);

void qconvRowAvx2(const QRow &row);
void qdepthwiseRowAvx2(const QRow &row);
void fconvRowAvx2(const FRow &row);
void fdepthwiseRowAvx2(const FRow &row);

void qconvRowAvx512(const QRow &row);

/// The 256-bit VNNI path's convolution (its depthwise and float layers
/// are the AVX2 path's).
void qconvRowAvxVnni(const QRow &row);
void qdepthwiseRowAvx512(const QRow &row);
void fconvRowAvx512(const FRow &row);
void fdepthwiseRowAvx512(const FRow &row);

/// The requantization of one accumulator, as integer TOSA's rescale lowers
/// it: the scaled value wraps to int32, the zero point adds in int32.
inline int32_t requantize(int32_t acc, int32_t multiplier, int shift,
                          bool doubleRound, int32_t zp, int32_t lo,
                          int32_t hi) {
  int64_t round = int64_t(1) << (shift - 1);
  if (doubleRound && shift > 31)
    round += acc >= 0 ? (int64_t(1) << 30) : -(int64_t(1) << 30);
  int64_t scaled = (int64_t(acc) * multiplier + round) >> shift;
  int32_t v = int32_t(uint32_t(uint64_t(scaled)) + uint32_t(zp));
  return v < lo ? lo : v > hi ? hi : v;
}

/// Element j of a packed 4-bit block: low nibble of byte j for the first
/// half of the block, high nibble of byte j - half for the second.
inline int8_t unpackNibble(const int8_t *block, int64_t j, int64_t half) {
  uint8_t byte = uint8_t(block[j < half ? j : j - half]);
  int v = j < half ? (byte & 0xF) : (byte >> 4);
  return int8_t(v >= 8 ? v - 16 : v);
}

} // namespace qlip::kernels

#endif // QLIP_LIB_KERNELS_KERNELROWS_H
