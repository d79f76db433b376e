//===- KernelsTest.cpp - the CPU microkernels against a reference ---------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// Random convolutions, depthwise convolutions and matrix multiplications
// (as 1x1 convolutions) of odd shapes, with zero points, strides,
// dilations, padding, 4- and 8-bit weights, signed and unsigned inputs and
// both roundings, run on every code path this CPU has, each forced in turn,
// and on several thread counts, against a plain C++ transcription of
// integer TOSA's conv2d/depthwise_conv2d + rescale (+ clamp). Integer
// results must agree bit for bit; float results must agree bit for bit
// across paths and thread counts and closely with a double reference.
//
//===----------------------------------------------------------------------===//

#include "qlip/Kernels/Kernels.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace qlip::kernels;

namespace {

struct Case {
  int64_t n, h, w, c, oc, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr;
  bool depthwise, inputSigned, doubleRound;
  int bits;
  // unfold (set by the tests when shouldUnfoldWidth says so) is not a field
  // of the aggregate initializers below: see pack() and run().
  int64_t inputZp, outputZp, outMin, outMax;
  int64_t oh() const { return (h + pt + pb - (kh - 1) * dh - 1) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - (kw - 1) * dw - 1) / sw + 1; }
};

qlip_memref ref(const void *p) {
  return qlip_memref{const_cast<void *>(p), const_cast<void *>(p), 0};
}

std::vector<int64_t> descriptor(const Case &k, qlip_isa isa, int threads) {
  std::vector<int64_t> d(QLIP_CONV_NUM_FIELDS, 0);
  d[QLIP_CONV_N] = k.n;
  d[QLIP_CONV_H] = k.h;
  d[QLIP_CONV_W] = k.w;
  d[QLIP_CONV_C] = k.c;
  d[QLIP_CONV_OH] = k.oh();
  d[QLIP_CONV_OW] = k.ow();
  d[QLIP_CONV_OC] = k.depthwise ? k.c : k.oc;
  d[QLIP_CONV_KH] = k.kh;
  d[QLIP_CONV_KW] = k.kw;
  d[QLIP_CONV_STRIDE_H] = k.sh;
  d[QLIP_CONV_STRIDE_W] = k.sw;
  d[QLIP_CONV_DILATION_H] = k.dh;
  d[QLIP_CONV_DILATION_W] = k.dw;
  d[QLIP_CONV_PAD_TOP] = k.pt;
  d[QLIP_CONV_PAD_LEFT] = k.pl;
  d[QLIP_CONV_DEPTHWISE] = k.depthwise;
  d[QLIP_CONV_ISA] = isa;
  d[QLIP_CONV_THREADS] = threads;
  d[QLIP_CONV_INPUT_SIGNED] = k.inputSigned;
  d[QLIP_CONV_INPUT_ZP] = k.inputZp;
  d[QLIP_CONV_WEIGHT_BITS] = k.bits;
  d[QLIP_CONV_OUTPUT_ZP] = k.outputZp;
  d[QLIP_CONV_OUTPUT_MIN] = k.outMin;
  d[QLIP_CONV_OUTPUT_MAX] = k.outMax;
  d[QLIP_CONV_DOUBLE_ROUND] = k.doubleRound;
  d[QLIP_CONV_UNFOLD_WIDTH] =
      !k.depthwise && shouldUnfoldWidth(k.kw, k.c, k.bits);
  return d;
}

/// TOSA's rescale of an int32 value (apply_scale_32, wrapping to int32,
/// then the zero point in int32 and the clamp), written out on its own.
int64_t tosaRescale(int32_t acc, int32_t mult, int shift, bool doubleRound,
                    int32_t zp, int64_t lo, int64_t hi) {
  __int128 round = __int128(1) << (shift - 1);
  if (doubleRound && shift > 31)
    round += acc >= 0 ? (int64_t(1) << 30) : -(int64_t(1) << 30);
  __int128 v = (__int128(acc) * mult + round);
  // floor division by 2^shift
  __int128 q = v >= 0 ? v >> shift : -((-v + (__int128(1) << shift) - 1) >> shift);
  int32_t wrapped = int32_t(uint32_t(uint64_t(int64_t(q))));
  int32_t withZp = int32_t(uint32_t(wrapped) + uint32_t(zp));
  return std::min<int64_t>(std::max<int64_t>(withZp, lo), hi);
}

struct Layer {
  Case k;
  std::vector<int8_t> input;   // NHWC, stored bytes
  std::vector<int8_t> weights; // OHWI (conv) or HWC (depthwise)
  std::vector<int32_t> bias, mult;
  std::vector<int8_t> shift;
  int64_t oc() const { return k.depthwise ? k.c : k.oc; }
};

Layer makeLayer(const Case &k, std::mt19937 &rng) {
  Layer l{k, {}, {}, {}, {}, {}};
  std::uniform_int_distribution<int> byte(-128, 127);
  int wmax = k.bits == 4 ? 7 : 127;
  std::uniform_int_distribution<int> weight(-wmax - 1, wmax);
  l.input.resize(k.n * k.h * k.w * k.c);
  for (auto &v : l.input)
    v = int8_t(byte(rng));
  int64_t oc = l.oc();
  l.weights.resize(k.depthwise ? k.kh * k.kw * k.c : oc * k.kh * k.kw * k.c);
  for (auto &v : l.weights)
    v = int8_t(weight(rng));
  std::uniform_int_distribution<int32_t> bias(-100000, 100000);
  std::uniform_int_distribution<int32_t> mult(1 << 29, std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int> shift(20, 40);
  for (int64_t o = 0; o < oc; ++o) {
    l.bias.push_back(bias(rng));
    l.mult.push_back(mult(rng));
    l.shift.push_back(int8_t(shift(rng)));
  }
  return l;
}

/// integer TOSA's conv2d / depthwise_conv2d, then rescale and clamp.
std::vector<int8_t> reference(const Layer &l) {
  const Case &k = l.k;
  const int64_t oh = k.oh(), ow = k.ow(), oc = l.oc();
  std::vector<int8_t> out(k.n * oh * ow * oc);
  for (int64_t b = 0; b < k.n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t o = 0; o < oc; ++o) {
          int64_t acc = l.bias[o];
          for (int64_t i = 0; i < k.kh; ++i)
            for (int64_t j = 0; j < k.kw; ++j) {
              int64_t iy = y * k.sh + i * k.dh - k.pt;
              int64_t ix = x * k.sw + j * k.dw - k.pl;
              if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w)
                continue; // padding holds the zero point: x - zp = 0
              for (int64_t c = 0; c < k.c; ++c) {
                if (k.depthwise && c != o)
                  continue;
                int8_t raw = l.input[((b * k.h + iy) * k.w + ix) * k.c + c];
                int64_t xv = k.inputSigned ? int64_t(raw) : int64_t(uint8_t(raw));
                int64_t wv = k.depthwise
                                 ? l.weights[(i * k.kw + j) * k.c + c]
                                 : l.weights[((o * k.kh + i) * k.kw + j) * k.c + c];
                acc += (xv - k.inputZp) * wv;
              }
            }
          out[((b * oh + y) * ow + x) * oc + o] = int8_t(tosaRescale(
              int32_t(uint32_t(uint64_t(acc))), l.mult[o], l.shift[o],
              k.doubleRound, int32_t(k.outputZp), k.outMin, k.outMax));
        }
  return out;
}

/// What the compiler does at compile time: pack, fold the input offset.
struct Packed {
  std::vector<int8_t> weights, shift;
  std::vector<int32_t> bias, mult;
};

Packed pack(const Layer &l) {
  const Case &k = l.k;
  const int64_t oc = l.oc(), ocp = roundUp(oc, kChannelTile);
  Packed p;
  std::vector<int64_t> sums(oc, 0);
  if (k.depthwise) {
    p.weights = packDepthwiseWeights(l.weights.data(), k.kh, k.kw, k.c, k.bits);
    for (int64_t t = 0; t < k.kh * k.kw; ++t)
      for (int64_t c = 0; c < k.c; ++c)
        sums[c] += l.weights[t * k.c + c];
  } else {
    // As the compiler does: a KH x 1 kernel over KW * C channels where
    // that wastes fewer padded channels.
    p.weights = shouldUnfoldWidth(k.kw, k.c, k.bits)
                    ? packConvWeights(l.weights.data(), oc, k.kh, 1,
                                      k.kw * k.c, k.bits)
                    : packConvWeights(l.weights.data(), oc, k.kh, k.kw, k.c,
                                      k.bits);
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t e = 0; e < k.kh * k.kw * k.c; ++e)
        sums[o] += l.weights[o * k.kh * k.kw * k.c + e];
  }
  const bool unfold = !k.depthwise && shouldUnfoldWidth(k.kw, k.c, k.bits);
  EXPECT_EQ(int64_t(p.weights.size()),
            k.depthwise ? getPackedDepthwiseWeightBytes(k.kh, k.kw, k.c, k.bits)
            : unfold    ? getPackedConvWeightBytes(oc, k.kh, 1, k.kw * k.c, k.bits)
                        : getPackedConvWeightBytes(oc, k.kh, k.kw, k.c, k.bits));
  p.bias = foldInputOffset(l.bias.data(), sums,
                           getUnsignedOffset(k.inputZp, k.inputSigned), ocp);
  p.mult.assign(ocp, 0);
  p.shift.assign(ocp, 2);
  std::copy(l.mult.begin(), l.mult.end(), p.mult.begin());
  std::copy(l.shift.begin(), l.shift.end(), p.shift.begin());
  return p;
}

std::vector<int8_t> run(const Layer &l, const Packed &p, qlip_isa isa,
                        int threads) {
  const Case &k = l.k;
  std::vector<int64_t> d = descriptor(k, isa, threads);
  std::vector<int8_t> out(k.n * k.oh() * k.ow() * l.oc(), 0x55);
  qlip_memref dr = ref(d.data()), in = ref(l.input.data()),
              w = ref(p.weights.data()), b = ref(p.bias.data()),
              m = ref(p.mult.data()), s = ref(p.shift.data()),
              o = ref(out.data());
  _mlir_ciface_qlip_qconv2d(&dr, &in, &w, &b, &m, &s, &o);
  return out;
}

std::vector<qlip_isa> supportedPaths() {
  std::vector<qlip_isa> paths;
  for (qlip_isa isa : {QLIP_ISA_GENERIC, QLIP_ISA_AVX2, QLIP_ISA_AVX_VNNI,
                       QLIP_ISA_AVX512_VNNI})
    if (qlip_isa_supported(isa))
      paths.push_back(isa);
  return paths;
}

/// Packs `l` as the compiler does and expects every path this CPU has, on
/// one thread, to give integer TOSA's bytes; `what` names the case.
void expectEveryPathMatches(const Layer &l, const std::string &what) {
  Packed p = pack(l);
  std::vector<int8_t> expected = reference(l);
  for (qlip_isa isa : supportedPaths())
    EXPECT_EQ(run(l, p, isa, 1), expected) << qlip_isa_name(isa) << what;
}

Case randomCase(std::mt19937 &rng, bool depthwise, bool matmul) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  Case k{};
  k.depthwise = depthwise;
  k.n = pick(1, 3);
  if (matmul) { // tosa.matmul [1, M, K] x [1, K, N] as a 1x1 convolution
    k.h = 1;
    k.w = pick(1, 40);
    k.c = pick(1, 70);
    k.kh = k.kw = k.sh = k.sw = k.dh = k.dw = 1;
  } else {
    k.h = pick(1, 12);
    k.w = pick(1, 19);
    k.c = pick(1, depthwise ? 40 : 37);
    k.kh = pick(1, std::min<int>(k.h + 2, 5));
    k.kw = pick(1, std::min<int>(k.w + 2, 5));
    k.sh = pick(1, 3);
    k.sw = pick(1, 3);
    k.dh = pick(1, 2);
    k.dw = pick(1, 2);
    k.pt = pick(0, 2);
    k.pb = pick(0, 2);
    k.pl = pick(0, 2);
    k.pr = pick(0, 2);
  }
  k.oc = pick(1, 50);
  k.inputSigned = pick(0, 1);
  k.inputZp = k.inputSigned ? pick(-128, 127) : pick(0, 255);
  k.bits = pick(0, 1) ? 4 : 8;
  k.doubleRound = pick(0, 1);
  bool unsignedOut = pick(0, 1);
  k.outputZp = unsignedOut ? pick(0, 255) : pick(-128, 127);
  k.outMin = unsignedOut ? 0 : -128;
  k.outMax = unsignedOut ? 255 : 127;
  if (pick(0, 2) == 0) { // a fused clamp (ReLU6, PACT)
    k.outMin = std::max<int64_t>(k.outMin, k.outputZp);
    k.outMax = std::min<int64_t>(k.outMax, k.outputZp + pick(0, 100));
  }
  return k;
}

bool valid(const Case &k) {
  return k.oh() >= 1 && k.ow() >= 1 && (k.kh - 1) * k.dh < k.h + k.pt + k.pb &&
         (k.kw - 1) * k.dw < k.w + k.pl + k.pr;
}

void checkRandomLayers(bool depthwise, bool matmul, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<qlip_isa> paths = supportedPaths();
  for (int trial = 0; trial < 120; ++trial) {
    Case k = randomCase(rng, depthwise, matmul);
    if (!valid(k))
      continue;
    Layer l = makeLayer(k, rng);
    Packed p = pack(l);
    std::vector<int8_t> expected = reference(l);
    for (qlip_isa isa : paths)
      for (int threads : {1, 2, 3}) {
        std::vector<int8_t> got = run(l, p, isa, threads);
        ASSERT_EQ(got, expected)
            << "path " << qlip_isa_name(isa) << ", threads " << threads
            << ", trial " << trial << ": n" << k.n << " h" << k.h << " w"
            << k.w << " c" << k.c << " oc" << k.oc << " k" << k.kh << "x"
            << k.kw << " s" << k.sh << "x" << k.sw << " d" << k.dh << "x"
            << k.dw << " pad" << k.pt << k.pb << k.pl << k.pr << " bits"
            << k.bits << " signed" << k.inputSigned << " zp" << k.inputZp
            << " ozp" << k.outputZp << " clamp [" << k.outMin << ", "
            << k.outMax << "] double" << k.doubleRound;
      }
  }
}

} // namespace

TEST(Kernels, PathsAreDetected) {
  EXPECT_TRUE(qlip_isa_supported(QLIP_ISA_GENERIC));
  EXPECT_TRUE(qlip_isa_supported(qlip_get_best_isa()));
  EXPECT_EQ(qlip_set_isa(QLIP_ISA_GENERIC), 0);
  EXPECT_EQ(qlip_get_isa(), QLIP_ISA_GENERIC);
  EXPECT_EQ(qlip_set_isa(QLIP_ISA_AUTO), 0);
  EXPECT_EQ(qlip_get_isa(), qlip_get_best_isa());
  EXPECT_EQ(qlip_set_isa(17), -1);
  EXPECT_EQ(qlip_set_isa(-1), -1);
  // Each run says what it tested: a path missing here is reported, not
  // silently passed over.
  std::string paths;
  for (qlip_isa isa : supportedPaths())
    paths += std::string(" ") + qlip_isa_name(isa);
  std::printf("kernel paths on this CPU:%s\n", paths.c_str());
}

TEST(Kernels, ConvMatchesTosaOnEveryPath) { checkRandomLayers(false, false, 1); }

TEST(Kernels, UnfoldsNarrowInputs) {
  // One channel under a 3-wide kernel: one group of 4 per tap row, not 3.
  EXPECT_TRUE(shouldUnfoldWidth(3, 1, 8));
  EXPECT_TRUE(shouldUnfoldWidth(7, 3, 8));   // 24 channels, not 7 x 4
  EXPECT_FALSE(shouldUnfoldWidth(3, 4, 8));  // nothing wasted
  EXPECT_FALSE(shouldUnfoldWidth(1, 1, 8));  // 1 x 1: nothing to merge
  EXPECT_TRUE(shouldUnfoldWidth(3, 2, 4));   // 8 channels, not 3 x 8
}
TEST(Kernels, ChoosesThePacking) {
  // A first layer's one channel under a 3-wide kernel: unfolded, and its
  // 4-bit weights a byte each (3 channels pad to 4, not to 8).
  QConvPacking first = chooseQConvPacking(16, 3, 3, 1, 4, false);
  EXPECT_TRUE(first.unfold);
  EXPECT_EQ(first.bits, 8);
  EXPECT_EQ(first.getReduction(), 3 * 4);
  // Whole pairs of groups, past the L1-resident size: nibbles.
  QConvPacking inner = chooseQConvPacking(64, 3, 3, 64, 4, false);
  EXPECT_FALSE(inner.unfold);
  EXPECT_EQ(inner.bits, 4);
  EXPECT_EQ(inner.getPackedBytes(), 64 * 9 * 64 / 2);
  // 12 channels: 16 at 4 bits against 12 at 8, so bytes.
  EXPECT_EQ(chooseQConvPacking(256, 3, 3, 12, 4, false).bits, 8);
  // Sums too long for 16 * w: bytes.
  EXPECT_EQ(chooseQConvPacking(16, 3, 3, 8192, 4, false).bits, 8);
  EXPECT_EQ(chooseQConvPacking(64, 3, 3, 64, 8, false).bits, 8);
  // Weights that stay in L1 at a byte each: bytes, up to the bound.
  EXPECT_EQ(chooseQConvPacking(16, 3, 3, 16, 4, false).bits, 8);
  // (Output channels pack in whole tiles of 16.)
  const int64_t fits = kCacheResidentWeightBytes / (9 * 16) / 16 * 16;
  EXPECT_EQ(chooseQConvPacking(fits, 3, 3, 16, 4, false).bits, 8);
  EXPECT_EQ(chooseQConvPacking(fits + 16, 3, 3, 16, 4, false).bits, 4);
  EXPECT_EQ(chooseQConvPacking(16, 3, 3, 16, 4, true).bits, 8);
  EXPECT_EQ(chooseQConvPacking(16, 3, 3, 4096, 4, true).bits, 4);
  // A bound of 0: nibbles wherever they pad no more and sum exactly.
  EXPECT_EQ(chooseQConvPacking(16, 3, 3, 16, 4, false, 0).bits, 4);
  EXPECT_EQ(chooseQConvPacking(16, 3, 3, 1, 4, false, 0).bits, 8);
}

TEST(Kernels, DepthwiseMatchesTosaOnEveryPath) { checkRandomLayers(true, false, 2); }
TEST(Kernels, MatmulMatchesTosaOnEveryPath) { checkRandomLayers(false, true, 3); }

TEST(Kernels, ExtremesMatchTosa) {
  // Saturated inputs and weights, large biases and multipliers: the
  // accumulator and the scaled value wrap exactly as TOSA's int32 do.
  std::mt19937 rng(4);
  for (bool inputSigned : {false, true})
    for (int bits : {4, 8}) {
      Case k{1, 5, 7, 67, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1,
             false, inputSigned, true, bits, inputSigned ? -128 : 0, -3,
             -128, 127};
      Layer l = makeLayer(k, rng);
      int8_t hi = bits == 4 ? 7 : 127, lo = bits == 4 ? -8 : -128;
      for (size_t i = 0; i < l.input.size(); ++i)
        l.input[i] = int8_t(inputSigned ? 127 : -1); // 255 unsigned
      for (size_t i = 0; i < l.weights.size(); ++i)
        l.weights[i] = i % 3 ? hi : lo;
      for (size_t o = 0; o < l.bias.size(); ++o) {
        l.bias[o] = o % 2 ? std::numeric_limits<int32_t>::max() - 5
                          : std::numeric_limits<int32_t>::min() + 5;
        l.mult[o] = std::numeric_limits<int32_t>::max();
        l.shift[o] = int8_t(o % 2 ? 2 : 62);
      }
      expectEveryPathMatches(l, "");
    }
}

TEST(Kernels, ShortEpilogueAtItsBounds) {
  // The vector paths fold the zero point into the rounding term where
  // that fits 64 bits (shifts up to 54): the largest products with shifts
  // on both sides of that limit and of 31 (double rounding), both
  // roundings, the extreme zero points of int8 and uint8 outputs, with and
  // without a clamp.
  std::mt19937 rng(9);
  const int shifts[] = {1, 2, 31, 32, 33, 53, 54, 55, 62};
  struct Out {
    int64_t zp, lo, hi;
  };
  const Out outs[] = {{-128, -128, 127}, {127, -128, 127}, {-128, -100, 15},
                      {255, 0, 255},     {0, 0, 255},      {200, 200, 210}};
  for (bool doubleRound : {false, true})
    for (const Out &out : outs) {
      Case k{2, 3, 5, 19, 18, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1,
             false, true, doubleRound, 8, -7, out.zp, out.lo, out.hi};
      Layer l = makeLayer(k, rng);
      for (size_t o = 0; o < l.bias.size(); ++o) {
        l.bias[o] = o % 2 ? std::numeric_limits<int32_t>::max() - 9
                          : std::numeric_limits<int32_t>::min() + 9;
        l.mult[o] = std::numeric_limits<int32_t>::max() - int32_t(o);
        l.shift[o] = int8_t(shifts[o % 9]);
      }
      const std::string what = " double" + std::to_string(doubleRound) +
                               " zp" + std::to_string(out.zp);
      expectEveryPathMatches(l, what);
      // Every channel within the limits: the whole layer takes the short
      // form on the vector paths.
      for (size_t o = 0; o < l.shift.size(); ++o)
        l.shift[o] = int8_t(shifts[o % (doubleRound ? 3 : 7)]);
      expectEveryPathMatches(l, what + " (short)");
      // One shift past the limit: the long form, whose sums would
      // overflow 64 bits in the short one.
      for (size_t o = 0; o < l.shift.size(); ++o)
        l.shift[o] = int8_t(o % 2 ? 55 : 20);
      expectEveryPathMatches(l, what + " (past the limit)");
    }
}

TEST(Kernels, NibblePackingRoundTrips) {
  // packConvWeights at 4 bits holds the same values as at 8 bits.
  std::vector<int8_t> w(19 * 3 * 2 * 5);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = int8_t(int(i * 7 % 16) - 8);
  std::vector<int8_t> bytes = packConvWeights(w.data(), 19, 3, 2, 5, 8);
  std::vector<int8_t> nibbles = packConvWeights(w.data(), 19, 3, 2, 5, 4);
  // 5 inputs: two groups at 8 bits, a pair of groups at 4.
  ASSERT_EQ(bytes.size(), size_t(getPackedConvWeightBytes(19, 3, 2, 5, 8)));
  ASSERT_EQ(nibbles.size(), size_t(getPackedConvWeightBytes(19, 3, 2, 5, 4)));
  ASSERT_EQ(nibbles.size() * 2, bytes.size());
  // Blocks 2p and 2p + 1 share 64 bytes: low and high nibbles.
  for (size_t b = 0; b < bytes.size() / 64; ++b)
    for (int j = 0; j < 64; ++j) {
      uint8_t byte = uint8_t(nibbles[b / 2 * 64 + j]);
      int v = b % 2 == 0 ? (byte & 0xF) : (byte >> 4);
      EXPECT_EQ(int8_t(v >= 8 ? v - 16 : v), bytes[b * 64 + j]);
    }
}

TEST(Kernels, NibbleSumsAtTheLimit) {
  // The longest reduction canPackNibbles allows, every product at its
  // largest: the vector paths' 16 * w sums are still exact.
  int64_t c = 8;
  while (canPackNibbles(c + 8))
    c += 8;
  ASSERT_FALSE(canPackNibbles(c + 8));
  std::mt19937 rng(6);
  for (int8_t w : {int8_t(-8), int8_t(7)}) {
    Case k{1, 1, 2, c, 17, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0,
           false, true, false, 4, -128, 0, -128, 127};
    Layer l = makeLayer(k, rng);
    std::fill(l.input.begin(), l.input.end(), int8_t(127)); // x - zp = 255
    std::fill(l.weights.begin(), l.weights.end(), w);
    std::fill(l.mult.begin(), l.mult.end(), 1 << 30);
    std::fill(l.shift.begin(), l.shift.end(), int8_t(50));
    expectEveryPathMatches(l, "");
  }
}

namespace {
std::vector<float> runFloat(const Case &k, const std::vector<float> &input,
                            const std::vector<float> &weights,
                            const std::vector<float> &bias, float lo, float hi,
                            qlip_isa isa, int threads) {
  std::vector<int64_t> d = descriptor(k, isa, threads);
  uint32_t bits;
  std::memcpy(&bits, &lo, 4);
  d[QLIP_CONV_FLOAT_MIN] = bits;
  std::memcpy(&bits, &hi, 4);
  d[QLIP_CONV_FLOAT_MAX] = bits;
  int64_t oc = k.depthwise ? k.c : k.oc;
  std::vector<float> packed =
      k.depthwise ? packDepthwiseWeightsF32(weights.data(), k.kh, k.kw, k.c)
                  : packConvWeightsF32(weights.data(), oc, k.kh, k.kw, k.c);
  std::vector<float> paddedBias(roundUp(oc, kChannelTile), 0.0f);
  std::copy(bias.begin(), bias.end(), paddedBias.begin());
  std::vector<float> out(k.n * k.oh() * k.ow() * oc, -7.0f);
  qlip_memref dr = ref(d.data()), in = ref(input.data()),
              w = ref(packed.data()), b = ref(paddedBias.data()),
              o = ref(out.data());
  _mlir_ciface_qlip_conv2d_f32(&dr, &in, &w, &b, &o);
  return out;
}
} // namespace

TEST(Kernels, FloatAgreesAcrossPathsAndThreads) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (int trial = 0; trial < 80; ++trial) {
    Case k = randomCase(rng, trial % 3 == 0, trial % 5 == 0);
    if (!valid(k))
      continue;
    int64_t oc = k.depthwise ? k.c : k.oc;
    std::vector<float> input(k.n * k.h * k.w * k.c), bias(oc);
    std::vector<float> weights(k.depthwise ? k.kh * k.kw * k.c
                                           : oc * k.kh * k.kw * k.c);
    for (float &v : input)
      v = value(rng);
    for (float &v : weights)
      v = value(rng);
    for (float &v : bias)
      v = value(rng);
    if (trial == 1)
      input[0] = std::nanf("");
    float lo = trial % 2 ? 0.0f : -std::numeric_limits<float>::infinity();
    float hi = trial % 4 == 1 ? 6.0f : std::numeric_limits<float>::infinity();
    // A double reference with the kernels' clamp.
    const int64_t oh = k.oh(), ow = k.ow();
    std::vector<double> expected(k.n * oh * ow * oc);
    for (int64_t b = 0; b < k.n; ++b)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x)
          for (int64_t o = 0; o < oc; ++o) {
            double acc = bias[o];
            for (int64_t i = 0; i < k.kh; ++i)
              for (int64_t j = 0; j < k.kw; ++j) {
                int64_t iy = y * k.sh + i * k.dh - k.pt;
                int64_t ix = x * k.sw + j * k.dw - k.pl;
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w)
                  continue;
                for (int64_t c = 0; c < k.c; ++c) {
                  if (k.depthwise && c != o)
                    continue;
                  double wv = k.depthwise
                                  ? weights[(i * k.kw + j) * k.c + c]
                                  : weights[((o * k.kh + i) * k.kw + j) * k.c + c];
                  acc += double(input[((b * k.h + iy) * k.w + ix) * k.c + c]) * wv;
                }
              }
            expected[((b * oh + y) * ow + x) * oc + o] =
                acc < lo ? lo : acc > hi ? hi : acc;
          }
    std::vector<float> generic =
        runFloat(k, input, weights, bias, lo, hi, QLIP_ISA_GENERIC, 1);
    for (size_t i = 0; i < expected.size(); ++i) {
      if (std::isnan(expected[i])) {
        EXPECT_TRUE(std::isnan(generic[i])) << i;
        continue;
      }
      EXPECT_NEAR(generic[i], expected[i], 1e-4) << "trial " << trial << " at " << i;
    }
    for (qlip_isa isa : supportedPaths())
      for (int threads : {1, 2}) {
        std::vector<float> got =
            runFloat(k, input, weights, bias, lo, hi, isa, threads);
        ASSERT_EQ(0, std::memcmp(got.data(), generic.data(),
                                 got.size() * sizeof(float)))
            << qlip_isa_name(isa) << " threads " << threads << " trial "
            << trial;
      }
  }
}
