//===- Kernels.h - qlip's CPU microkernels ----------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// The microkernels that compiled models call for their convolutions and
// matrix multiplications, in the manner of IREE's ukernels: the compiler
// packs each layer's constant weights at compile time into the tile layout
// these kernels read (the packing functions below are the one definition of
// that layout), folds the input zero point into the bias, and emits one call
// per layer; the kernel picks its code path from the CPU's features at run
// time (or the one the compiler or the user forces) and splits output rows
// across threads.
//
// Integer kernels compute exactly what integer TOSA defines (conv2d or
// depthwise_conv2d with int32 accumulation, then rescale with
// apply_scale_32 and an optional clamp), bit for bit, on every path:
//   acc  = bias[o] + sum (x - zp) * w           (int32, wrapping)
//   v    = (int32)(((int64)acc * mult[o] + round) >> shift[o]) + out_zp
//   out  = clamp(v, out_min, out_max)
// where round = 2^(shift-1), plus +-2^30 with double rounding and shift > 31.
//
// Paths: generic C++ (every CPU), AVX2 (vpmaddwd on widened int8, exact),
// AVX-VNNI (vpdpbusd on ymm, for CPUs without AVX-512) and AVX-512 VNNI
// (vpdpbusd on zmm): unsigned activations times signed weights; signed
// activations are offset by 128 and the offset folded into the bias.
//
// This library needs neither MLIR nor LLVM: an ahead-of-time object links
// it as it is (libQlipKernels.a, with -lstdc++ -lpthread).
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_KERNELS_KERNELS_H
#define QLIP_KERNELS_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The kernels' code paths. `QLIP_ISA_AUTO` picks the best one the CPU has.
enum qlip_isa {
  QLIP_ISA_AUTO = 0,
  QLIP_ISA_GENERIC = 1,
  QLIP_ISA_AVX2 = 2,
  QLIP_ISA_AVX512_VNNI = 3,
  /// vpdpbusd on ymm: VEX-encoded (AVX-VNNI) where the CPU has it, else
  /// EVEX-encoded (AVX-512 VL + VNNI).
  QLIP_ISA_AVX_VNNI = 4,
};

/// The fields of a convolution's descriptor, an int64 array that the
/// compiler emits as a constant beside the packed weights.
enum qlip_conv_field {
  QLIP_CONV_N, // input NHWC
  QLIP_CONV_H,
  QLIP_CONV_W,
  QLIP_CONV_C,
  QLIP_CONV_OH, // output NHWC (same N)
  QLIP_CONV_OW,
  QLIP_CONV_OC,
  QLIP_CONV_KH, // kernel
  QLIP_CONV_KW,
  QLIP_CONV_STRIDE_H,
  QLIP_CONV_STRIDE_W,
  QLIP_CONV_DILATION_H,
  QLIP_CONV_DILATION_W,
  QLIP_CONV_PAD_TOP,
  QLIP_CONV_PAD_LEFT,
  QLIP_CONV_DEPTHWISE,    // 1: depthwise (OC == C), 0: full convolution
  QLIP_CONV_ISA,          // a qlip_isa; QLIP_ISA_AUTO decides at run time
  QLIP_CONV_THREADS,      // 0: the process default (qlip_set_num_threads)
  // Integer convolutions only:
  QLIP_CONV_INPUT_SIGNED, // 1: input stored as int8, 0: as uint8
  QLIP_CONV_INPUT_ZP,     // the input's zero point (what padding holds)
  QLIP_CONV_WEIGHT_BITS,  // 8 (a byte each) or 4 (two per byte)
  QLIP_CONV_OUTPUT_ZP,
  QLIP_CONV_OUTPUT_MIN, // the output type's range intersected with a clamp
  QLIP_CONV_OUTPUT_MAX,
  QLIP_CONV_DOUBLE_ROUND,
  // Float convolutions only: the clamp, as the bits of two floats.
  QLIP_CONV_FLOAT_MIN,
  QLIP_CONV_FLOAT_MAX,
  // Integer convolutions: 1 when the weights were packed as a KH x 1
  // kernel over KW * C channels (shouldUnfoldWidth).
  QLIP_CONV_UNFOLD_WIDTH,
  QLIP_CONV_NUM_FIELDS
};

/// The head of an MLIR memref descriptor, which every rank shares: the
/// compiled code passes each buffer as a pointer to its descriptor
/// (`llvm.emit_c_interface`).
struct qlip_memref {
  void *allocated;
  void *aligned;
  int64_t offset;
};

/// A rank-1 memref descriptor, as a function returning `memref<?xi8>`
/// through `llvm.emit_c_interface` fills it.
struct qlip_memref_1d {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};

/// The calling thread's arena of at least `bytes` bytes, 64-byte aligned,
/// for a compiled function's temporaries (qlip-plan-buffers): kept across
/// calls and grown when a call needs more, so calls allocate nothing once
/// the largest model has run. Its contents do not outlive the call.
void _mlir_ciface_qlip_arena(struct qlip_memref_1d *result, int64_t bytes);

/// An integer convolution (or depthwise convolution) with its requantizing
/// epilogue. `input` and `output` are int8/uint8 NHWC; `weights` come from
/// qlip_pack_conv_weights (or _depthwise_); `bias`, `multiplier` (int32)
/// and `shift` (int8) have the packed channel count.
void _mlir_ciface_qlip_qconv2d(const struct qlip_memref *desc,
                               const struct qlip_memref *input,
                               const struct qlip_memref *weights,
                               const struct qlip_memref *bias,
                               const struct qlip_memref *multiplier,
                               const struct qlip_memref *shift,
                               const struct qlip_memref *output);

/// A float convolution (or depthwise convolution) with bias and clamp.
void _mlir_ciface_qlip_conv2d_f32(const struct qlip_memref *desc,
                                  const struct qlip_memref *input,
                                  const struct qlip_memref *weights,
                                  const struct qlip_memref *bias,
                                  const struct qlip_memref *output);

/// The thread count of kernels whose descriptor says 0 (default 1).
void qlip_set_num_threads(int threads);
int qlip_get_num_threads(void);

/// Forces a code path for every kernel whose descriptor says
/// QLIP_ISA_AUTO; QLIP_ISA_AUTO restores the CPU's best. Returns 0, or -1
/// (and changes nothing) when this CPU cannot run that path or `isa` is no
/// qlip_isa value (an int, so that any value a C caller passes is defined
/// to check).
int qlip_set_isa(int isa);

/// The path QLIP_ISA_AUTO runs now, and the best this CPU supports.
enum qlip_isa qlip_get_isa(void);
enum qlip_isa qlip_get_best_isa(void);
int qlip_isa_supported(enum qlip_isa isa);
const char *qlip_isa_name(enum qlip_isa isa);

#ifdef __cplusplus
} // extern "C"

#include <cstddef>
#include <vector>

namespace qlip::kernels {

/// The number of qlip_isa values (QLIP_ISA_AUTO included).
constexpr int kNumIsas = QLIP_ISA_AVX_VNNI + 1;

/// Output channels per tile: one 512-bit vector of int32 or f32.
constexpr int64_t kChannelTile = 16;
/// Reduction elements per VNNI step (4 bytes summed into each int32).
constexpr int64_t kReductionTile = 4;

inline int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/// The input channels of an integer conv, padded: whole groups of 4, and at
/// 4 bits whole pairs of groups.
inline int64_t getPaddedConvChannels(int64_t i, int bits) {
  return roundUp(i, bits == 4 ? 2 * kReductionTile : kReductionTile);
}

/// Whether an integer conv with few input channels runs faster as a KH x 1
/// convolution over KW * C channels: its padded input then holds, at each
/// column, the KW columns a window covers (the kernel's "unfolded" input,
/// made in the same copy that pads it), and the reduction wastes fewer
/// padded channels (a 3x3 conv of one channel: 1 group of 4 per tap row
/// instead of 3). The OHWI weights need no reordering: (KW, C) is already
/// contiguous, so they pack as [O][KH][1][KW * C].
inline bool shouldUnfoldWidth(int64_t kw, int64_t c, int bits) {
  return getPaddedConvChannels(kw * c, bits) < kw * getPaddedConvChannels(c, bits);
}

/// Packs integer conv weights, OHWI (values in [-128, 127], or [-8, 7] for
/// 4 bits) into [ceil(O/16)][KH][KW][groups][16][4] bytes, a group being 4
/// input channels. At 4 bits, the 64-byte blocks of groups 2p and 2p + 1
/// share 64 bytes: byte j holds element j of the first in its low nibble
/// and of the second in its high one, so that one load and three
/// instructions give both blocks (as 16 * w: see canPackNibbles). Padding
/// is zero.
std::vector<int8_t> packConvWeights(const int8_t *ohwi, int64_t o, int64_t kh,
                                    int64_t kw, int64_t i, int bits);

/// Packs integer depthwise weights, [KH][KW][C], into [KH][KW][ceil(C/16)*16]
/// bytes; at 4 bits each tap's 16-channel block becomes 8 bytes holding
/// channel j in the low nibble of byte j and channel j + 8 in the high one.

/// The vector paths read a 4-bit weight as the byte 16 * w (a nibble moved
/// to the high half, no sign extension needed) and divide the sum by 16
/// before adding the bias; that is exact while the sum of 255 * 128 over a
/// reduction of `reduction` elements fits an int32. Layers with longer
/// reductions store their 4-bit weights at 8 bits.
inline bool canPackNibbles(int64_t reduction) {
  return reduction <= (int64_t(1) << 31) / (255 * 128) - 1;
}
std::vector<int8_t> packDepthwiseWeights(const int8_t *hwc, int64_t kh,
                                         int64_t kw, int64_t c, int bits);

/// The packed size in bytes of the two layouts above.
int64_t getPackedConvWeightBytes(int64_t o, int64_t kh, int64_t kw, int64_t i,
                                 int bits);
int64_t getPackedDepthwiseWeightBytes(int64_t kh, int64_t kw, int64_t c,
                                      int bits);

/// How an integer layer's weights are packed: the one place that decides
/// it, for the compiler, the cpu dialect's verifier and the tests.
struct QConvPacking {
  int64_t o, kh, kw, c; // OHWI; a depthwise layer has o == c
  int bits;             // 4: two per byte
  bool depthwise;
  bool unfold;          // packed as KH x 1 over KW * C (shouldUnfoldWidth)

  /// The elements one output sums, padding included.
  int64_t getReduction() const;
  /// The packed weights' size in bytes.
  int64_t getPackedBytes() const;
  /// Packs the weights, OHWI (conv) or HWC (depthwise).
  std::vector<int8_t> pack(const int8_t *weights) const;
  /// Each output channel's weight sum, for foldInputOffset.
  std::vector<int64_t> sumWeights(const int8_t *weights) const;
};

/// 4-bit weights whose packed bytes at 8 bits fit this are stored a byte
/// each by default: half of the smallest L1 data cache qlip runs on
/// (32 KiB), the other half being the activations'.
constexpr int64_t kCacheResidentWeightBytes = 16 * 1024;

/// The packing of a layer with `bits`-bit weights: the width unfolded
/// where that wastes fewer padded channels, and 4-bit weights a byte each
/// where the reduction is too long for the exact 16 * w sums
/// (canPackNibbles), where a byte each sums fewer padded channels (whole
/// pairs of groups pad 3 channels to 8, bytes to 4: the same memory, half
/// the work), or where they take at most `cacheResidentBytes` at a byte
/// each and so stay in the L1 cache: nibbles save memory traffic, which
/// such layers do not have, and cost an unpacking step.
QConvPacking
chooseQConvPacking(int64_t o, int64_t kh, int64_t kw, int64_t c, int bits,
                   bool depthwise,
                   int64_t cacheResidentBytes = kCacheResidentWeightBytes);

/// The bias the kernels add: bias[o] - zp * (sum of channel o's weights),
/// wrapping in int32 like the accumulator, so that the kernels multiply the
/// stored activations (offset to unsigned) rather than x - zp. `zp` is the
/// offset the kernel's unsigned view carries: the zero point, plus 128 for
/// signed inputs. `weightSums` has one entry per output channel.
std::vector<int32_t> foldInputOffset(const int32_t *bias,
                                     const std::vector<int64_t> &weightSums,
                                     int64_t offset, int64_t paddedChannels);

/// The offset of the kernel's unsigned view of an input: x_u = x + 128 for
/// signed inputs, so x - zp = x_u - (zp + 128).
inline int64_t getUnsignedOffset(int64_t zp, bool inputSigned) {
  return inputSigned ? zp + 128 : zp;
}

/// Packs float conv weights, OHWI, into [ceil(O/16)][KH][KW][I][16].
std::vector<float> packConvWeightsF32(const float *ohwi, int64_t o, int64_t kh,
                                      int64_t kw, int64_t i);
/// Packs float depthwise weights, [KH][KW][C], into [KH][KW][ceil(C/16)*16].
std::vector<float> packDepthwiseWeightsF32(const float *hwc, int64_t kh,
                                           int64_t kw, int64_t c);

} // namespace qlip::kernels
#endif

#endif // QLIP_KERNELS_KERNELS_H
