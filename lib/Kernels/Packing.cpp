//===- Packing.cpp - the kernels' weight layouts --------------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// The one definition of the tile layouts the kernels read. The compiler
// calls these at compile time; the unit tests call them to feed the
// kernels.
//
//===----------------------------------------------------------------------===//

#include "qlip/Kernels/Kernels.h"

using namespace qlip::kernels;

/// Packs a block of bytes at 4 bits: element j in the low nibble of byte j,
/// element j + half in the high nibble.
static void packNibbles(const int8_t *block, int64_t size, int8_t *out) {
  int64_t half = size / 2;
  for (int64_t j = 0; j < half; ++j)
    out[j] = int8_t((uint8_t(block[j]) & 0xF) |
                    ((uint8_t(block[j + half]) & 0xF) << 4));
}

int64_t qlip::kernels::getPackedConvWeightBytes(int64_t o, int64_t kh,
                                                int64_t kw, int64_t i,
                                                int bits) {
  int64_t bytes = roundUp(o, kChannelTile) * kh * kw *
                  getPaddedConvChannels(i, bits);
  return bits == 4 ? bytes / 2 : bytes;
}

int64_t qlip::kernels::getPackedDepthwiseWeightBytes(int64_t kh, int64_t kw,
                                                     int64_t c, int bits) {
  int64_t bytes = kh * kw * roundUp(c, kChannelTile);
  return bits == 4 ? bytes / 2 : bytes;
}

std::vector<int8_t> qlip::kernels::packConvWeights(const int8_t *ohwi,
                                                   int64_t o, int64_t kh,
                                                   int64_t kw, int64_t i,
                                                   int bits) {
  const int64_t groups = getPaddedConvChannels(i, bits) / kReductionTile;
  const int64_t blockSize = kChannelTile * kReductionTile;
  const int64_t numBlocks = roundUp(o, kChannelTile) / kChannelTile * kh * kw *
                            groups;
  std::vector<int8_t> bytes(numBlocks * blockSize, 0);
  // Blocks in [ocb][y][x][group] order, each [16 channels][4 inputs].
  for (int64_t oc = 0; oc < o; ++oc)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        for (int64_t c = 0; c < i; ++c) {
          int64_t block = ((oc / kChannelTile * kh + y) * kw + x) * groups +
                          c / kReductionTile;
          int64_t lane = oc % kChannelTile;
          bytes[block * blockSize + lane * kReductionTile + c % kReductionTile] =
              ohwi[((oc * kh + y) * kw + x) * i + c];
        }
  if (bits != 4)
    return bytes;
  // Blocks 2p and 2p + 1 of a tap are adjacent: pack their 128 bytes.
  std::vector<int8_t> packed(bytes.size() / 2);
  for (int64_t b = 0; b < numBlocks; b += 2)
    packNibbles(&bytes[b * blockSize], 2 * blockSize,
                &packed[b * blockSize / 2]);
  return packed;
}

std::vector<int8_t> qlip::kernels::packDepthwiseWeights(const int8_t *hwc,
                                                        int64_t kh, int64_t kw,
                                                        int64_t c, int bits) {
  const int64_t cp = roundUp(c, kChannelTile);
  std::vector<int8_t> bytes(kh * kw * cp, 0);
  for (int64_t tap = 0; tap < kh * kw; ++tap)
    for (int64_t ch = 0; ch < c; ++ch)
      bytes[tap * cp + ch] = hwc[tap * c + ch];
  if (bits != 4)
    return bytes;
  std::vector<int8_t> packed(bytes.size() / 2);
  for (int64_t b = 0, e = int64_t(bytes.size()) / kChannelTile; b < e; ++b)
    packNibbles(&bytes[b * kChannelTile], kChannelTile,
                &packed[b * kChannelTile / 2]);
  return packed;
}

std::vector<int32_t>
qlip::kernels::foldInputOffset(const int32_t *bias,
                               const std::vector<int64_t> &weightSums,
                               int64_t offset, int64_t paddedChannels) {
  std::vector<int32_t> folded(paddedChannels, 0);
  for (size_t oc = 0; oc < weightSums.size(); ++oc) {
    // The accumulator wraps modulo 2^32, and so may the folded term.
    uint64_t term = uint64_t(offset) * uint64_t(weightSums[oc]);
    folded[oc] = int32_t(uint32_t(uint32_t(bias[oc]) - uint32_t(term)));
  }
  return folded;
}

std::vector<float> qlip::kernels::packConvWeightsF32(const float *ohwi,
                                                     int64_t o, int64_t kh,
                                                     int64_t kw, int64_t i) {
  std::vector<float> packed(roundUp(o, kChannelTile) * kh * kw * i, 0.0f);
  for (int64_t oc = 0; oc < o; ++oc)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        for (int64_t c = 0; c < i; ++c)
          packed[(((oc / kChannelTile * kh + y) * kw + x) * i + c) *
                     kChannelTile +
                 oc % kChannelTile] = ohwi[((oc * kh + y) * kw + x) * i + c];
  return packed;
}

std::vector<float> qlip::kernels::packDepthwiseWeightsF32(const float *hwc,
                                                          int64_t kh,
                                                          int64_t kw,
                                                          int64_t c) {
  const int64_t cp = roundUp(c, kChannelTile);
  std::vector<float> packed(kh * kw * cp, 0.0f);
  for (int64_t tap = 0; tap < kh * kw; ++tap)
    for (int64_t ch = 0; ch < c; ++ch)
      packed[tap * cp + ch] = hwc[tap * c + ch];
  return packed;
}

int64_t QConvPacking::getReduction() const {
  if (depthwise)
    return kh * kw;
  return unfold ? kh * getPaddedConvChannels(kw * c, bits)
                : kh * kw * getPaddedConvChannels(c, bits);
}

int64_t QConvPacking::getPackedBytes() const {
  if (depthwise)
    return getPackedDepthwiseWeightBytes(kh, kw, c, bits);
  return unfold ? getPackedConvWeightBytes(o, kh, 1, kw * c, bits)
                : getPackedConvWeightBytes(o, kh, kw, c, bits);
}

std::vector<int8_t> QConvPacking::pack(const int8_t *weights) const {
  if (depthwise)
    return packDepthwiseWeights(weights, kh, kw, c, bits);
  // (KW, C) is contiguous in OHWI: unfolded, the same bytes are a KH x 1
  // kernel over KW * C channels.
  return unfold ? packConvWeights(weights, o, kh, 1, kw * c, bits)
                : packConvWeights(weights, o, kh, kw, c, bits);
}

std::vector<int64_t> QConvPacking::sumWeights(const int8_t *weights) const {
  std::vector<int64_t> sums(o, 0);
  const int64_t taps = kh * kw;
  for (int64_t oc = 0; oc < o; ++oc)
    for (int64_t e = 0; e < (depthwise ? taps : taps * c); ++e)
      sums[oc] += depthwise ? weights[e * c + oc] : weights[oc * taps * c + e];
  return sums;
}

QConvPacking qlip::kernels::chooseQConvPacking(int64_t o, int64_t kh,
                                               int64_t kw, int64_t c, int bits,
                                               bool depthwise,
                                               int64_t cacheResidentBytes) {
  QConvPacking p{o, kh, kw, c, bits, depthwise,
                 !depthwise && shouldUnfoldWidth(kw, c, bits)};
  if (bits != 4)
    return p;
  // Bytes where nibbles cannot hold the sums; where pairs of groups would
  // pad more channels than bytes do (a first layer's 3 unfolded channels:
  // 8 at 4 bits, 4 at 8 bits, in the same memory); and where the weights
  // are small enough at a byte each to stay in the L1 cache for the whole
  // layer, so that nibbles save no memory traffic and their unpacking is
  // pure cost (measured: the bundled CNN's 4-bit model was 5% slower than
  // its 8-bit one with nibbles in its 2 KiB layers, as fast with bytes).
  QConvPacking bytes = chooseQConvPacking(o, kh, kw, c, 8, depthwise);
  if (!canPackNibbles(p.getReduction()) ||
      bytes.getReduction() < p.getReduction() ||
      bytes.getPackedBytes() <= cacheResidentBytes)
    return bytes;
  return p;
}
