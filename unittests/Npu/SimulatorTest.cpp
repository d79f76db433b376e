//===- SimulatorTest.cpp - the npu simulator against the doc's formulas ---===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Each test builds one layer's program by hand, tiled into row and channel
// tiles whose input DMAs are double-buffered against the MAC array, runs
// it on random data (fixed seeds) and compares the simulator's output with
// a brute-force reference written here from docs/npu-command-stream.md:
// whole tensors, the doc's index formulas, no tiles.
//
//===----------------------------------------------------------------------===//

#include "NpuTestPrograms.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <set>

using namespace npu_test;
using mlir::qlip::NpyArray;

namespace {

int64_t product(llvm::ArrayRef<int64_t> values) {
  int64_t p = 1;
  for (int64_t v : values)
    p *= v;
  return p;
}

bool hasWindow(const Layer &l) {
  return l.kind == LayerKind::Conv2D || l.kind == LayerKind::DepthwiseConv2D ||
         l.kind == LayerKind::MaxPool2D;
}

/// Values in a weight row: conv2d (ky, kx, ci), depthwise (ky, kx), matmul
/// (n, k).
int64_t getRowLength(const Layer &l) {
  switch (l.kind) {
  case LayerKind::Conv2D:
    return l.kernel[0] * l.kernel[1] * l.input[3];
  case LayerKind::DepthwiseConv2D:
    return l.kernel[0] * l.kernel[1];
  case LayerKind::Matmul:
    return l.input[0] * l.input[3];
  default:
    return 0;
  }
}

/// The products summed into one output value.
int64_t getOutputReduction(const Layer &l) {
  return l.kind == LayerKind::Matmul ? l.input[3] : getRowLength(l);
}

/// A layer and its data: input levels in NHWC order (and an add's second
/// input), weights [C_out][row length], the epilogue table.
struct LayerCase {
  Layer layer;
  std::vector<int8_t> input, input2, weights;
  std::vector<int32_t> bias, multiplier;
  std::vector<int8_t> shift;
};

LayerCase makeCase(const Layer &layer, uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto levels = [&](int64_t count, int64_t lo, int64_t hi) {
    std::vector<int8_t> values(count);
    for (int8_t &v : values)
      v = static_cast<int8_t>(uniform(lo, hi));
    return values;
  };
  LayerCase c;
  c.layer = layer;
  c.input = levels(product(layer.input), -128, 127);
  if (layer.kind == LayerKind::Add)
    c.input2 = levels(product(layer.input), -128, 127);
  if (layer.kind == LayerKind::Add)
    c.layer.rescale = {uniform(-20, 20),
                       uniform(1 << 30, INT32_MAX),
                       11,
                       uniform(1 << 30, INT32_MAX),
                       11,
                       uniform(1 << 30, INT32_MAX),
                       51};
  if (layer.kind == LayerKind::Rescale)
    c.layer.rescale = {uniform(1 << 30, INT32_MAX), 31};
  if (!isMacLayer(layer.kind))
    return c;

  int64_t channels = layer.output[3], bits = layer.weightBits;
  int64_t half = int64_t(1) << (bits - 1);
  c.weights = levels(channels * getRowLength(layer), -half, half - 1);
  // A shift that maps a typical accumulator (a sum of `reduction` products
  // of roughly uniform values) to about +-50, so that outputs spread over
  // the range and some reach the clamps.
  double typical = std::sqrt(double(getOutputReduction(layer))) * 74 *
                   std::max<double>(half / 1.7, 0.6);
  int64_t exponent = std::max<int64_t>(0, std::lround(std::log2(typical / 50)));
  for (int64_t i = 0; i < channels; ++i) {
    c.bias.push_back(static_cast<int32_t>(uniform(-300, 300)));
    c.multiplier.push_back(static_cast<int32_t>(uniform(1 << 30, INT32_MAX)));
    // Per-channel shifts, so that a channel reading another's fails.
    c.shift.push_back(static_cast<int8_t>(31 + exponent + uniform(-1, 1)));
  }
  return c;
}

//===----------------------------------------------------------------------===//
// The reference
//===----------------------------------------------------------------------===//

/// The doc's apply_scale_32, in int64 (the tests' values are small enough).
int64_t refScale(int64_t v, int64_t m, int64_t s) {
  int64_t r = (v * m + (int64_t(1) << (s - 1))) >> s;
  return std::clamp<int64_t>(r, INT32_MIN, INT32_MAX);
}

std::vector<int8_t> reference(const LayerCase &c) {
  const Layer &l = c.layer;
  auto [N, H, W, C] = l.input;
  auto [No, Ho, Wo, Co] = l.output;
  auto in = [&](const std::vector<int8_t> &t, int64_t n, int64_t y, int64_t x,
                int64_t ch) -> int64_t {
    return t[((n * H + y) * W + x) * C + ch];
  };
  auto clampOut = [&](int64_t v) {
    return static_cast<int8_t>(std::clamp(v, l.clampMin, l.clampMax));
  };
  int64_t length = getRowLength(l);
  std::vector<int8_t> out;
  for (int64_t n = 0; n < No; ++n)
    for (int64_t y = 0; y < Ho; ++y)
      for (int64_t x = 0; x < Wo; ++x)
        for (int64_t co = 0; co < Co; ++co) {
          const int8_t *w = c.weights.data() + co * length;
          int64_t acc = 0;
          std::optional<int64_t> best;
          for (int64_t ky = 0; hasWindow(l) && ky < l.kernel[0]; ++ky)
            for (int64_t kx = 0; kx < l.kernel[1]; ++kx) {
              int64_t iy = y * l.stride[0] - l.pad[0] + ky * l.dilation[0];
              int64_t ix = x * l.stride[1] - l.pad[2] + kx * l.dilation[1];
              if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                continue;
              int64_t k = ky * l.kernel[1] + kx;
              if (l.kind == LayerKind::Conv2D)
                for (int64_t ci = 0; ci < C; ++ci)
                  acc +=
                      (in(c.input, n, iy, ix, ci) - l.inputZp) * w[k * C + ci];
              else if (l.kind == LayerKind::DepthwiseConv2D)
                acc += (in(c.input, n, iy, ix, co / l.multiplier) - l.inputZp) *
                       w[k];
              else
                best =
                    std::max(best.value_or(-128), in(c.input, n, iy, ix, co));
            }
          if (l.kind == LayerKind::Matmul)
            for (int64_t k = 0; k < C; ++k)
              acc += (in(c.input, n, y, 0, k) - l.inputZp) * w[n * C + k];
          const auto &r = l.rescale;
          switch (l.kind) {
          case LayerKind::MaxPool2D:
            out.push_back(clampOut(*best));
            break;
          case LayerKind::Add: {
            int64_t a =
                refScale(in(c.input, n, y, x, co) - l.inputZp, r[1], r[2]);
            int64_t b = refScale(in(c.input2, n, y, x, co) - r[0], r[3], r[4]);
            out.push_back(clampOut(refScale(a + b, r[5], r[6]) + l.outputZp));
            break;
          }
          case LayerKind::Rescale:
            out.push_back(clampOut(
                refScale(in(c.input, n, y, x, co) - l.inputZp, r[0], r[1]) +
                l.outputZp));
            break;
          default:
            out.push_back(clampOut(
                refScale(acc + c.bias[co], c.multiplier[co], c.shift[co]) +
                l.outputZp));
          }
        }
  return out;
}

//===----------------------------------------------------------------------===//
// The program
//===----------------------------------------------------------------------===//

/// Output rows and channels, each a list of [first, count) tiles, and
/// whether weights are loaded per tile (after configure) or once before.
struct Tiling {
  std::vector<std::pair<int64_t, int64_t>> rows, channels;
  bool streamWeights = false;
};

struct TileSpec {
  int64_t row, rows, channel, channels, inputRow, inputRows;
};

/// The input rows a tile's window reaches, inside the input.
std::pair<int64_t, int64_t> getNeededRows(const Layer &l, int64_t row,
                                          int64_t rows) {
  if (!hasWindow(l))
    return {row, rows};
  int64_t first = row * l.stride[0] - l.pad[0];
  int64_t last = (row + rows - 1) * l.stride[0] - l.pad[0] +
                 (l.kernel[0] - 1) * l.dilation[0];
  first = std::max<int64_t>(first, 0);
  last = std::min(last, l.input[1] - 1);
  return {first, std::max<int64_t>(last - first + 1, 0)};
}

/// Input channels of a tile's buffer and the first of them.
std::pair<int64_t, int64_t> getInputChannels(const Layer &l,
                                             const TileSpec &t) {
  switch (l.kind) {
  case LayerKind::Conv2D:
  case LayerKind::Matmul:
    return {l.input[3], 0};
  case LayerKind::DepthwiseConv2D:
    return {t.channels / l.multiplier, t.channel / l.multiplier};
  default:
    return {t.channels, t.channel};
  }
}

/// DRAM: the inputs, the output, the packed weights, the epilogue table.
/// Scratchpad: two input slots (and two for an add's second input), two
/// output slots; exactly as large as the tiles need, so that a tile one
/// byte too large would fail the bounds check.
Program buildProgram(const LayerCase &c, const Tiling &tiling) {
  const Layer &l = c.layer;
  bool mac = isMacLayer(l.kind), add = l.kind == LayerKind::Add;
  auto [N, H, W, C] = l.input;
  auto [No, Ho, Wo, Co] = l.output;
  Program p;
  p.target = makeTarget();
  p.layers = {l};

  int64_t inBytes = product(l.input), outBytes = product(l.output);
  int64_t in2Base = inBytes, outBase = inBytes * (add ? 2 : 1);
  int64_t weightBase = outBase + outBytes;
  std::vector<uint8_t> packed;
  if (mac)
    packed = packWeightRows(c.weights, Co, l.weightBits);
  int64_t rowBytes = mac ? packed.size() / Co : 0;
  int64_t tableBase = weightBase + packed.size();
  p.layers[0].params = tableBase;
  p.dramSize = tableBase + (mac ? 9 * Co : 0);
  if (mac) {
    p.segments.push_back({weightBase, packed});
    p.segments.push_back(
        {tableBase, packEpilogue(c.bias, c.multiplier, c.shift)});
  }
  auto boundary = [](int64_t offset, const std::array<int64_t, 4> &shape) {
    Boundary b;
    b.offset = offset;
    b.shape.assign(shape.begin(), shape.end());
    return b;
  };
  p.inputs.push_back(boundary(0, l.input));
  if (add)
    p.inputs.push_back(boundary(in2Base, l.input));
  p.outputs.push_back(boundary(outBase, l.output));

  std::vector<TileSpec> tiles;
  for (auto [channel, channels] : tiling.channels)
    for (auto [row, rows] : tiling.rows) {
      auto [inputRow, inputRows] = getNeededRows(l, row, rows);
      tiles.push_back({row, rows, channel, channels, inputRow, inputRows});
    }
  int64_t inSlot = 1, outSlot = 1, weightSlot = 1;
  for (const TileSpec &t : tiles) {
    inSlot =
        std::max(inSlot, N * t.inputRows * W * getInputChannels(l, t).first);
    outSlot = std::max(outSlot, No * t.rows * Wo * t.channels);
    weightSlot = std::max(weightSlot, t.channels * rowBytes);
  }
  auto in = [&](size_t i) { return int64_t(i % 2) * inSlot; };
  auto in2 = [&](size_t i) { return (2 + int64_t(i % 2)) * inSlot; };
  auto out = [&](size_t i) { return 4 * inSlot + int64_t(i % 2) * outSlot; };
  p.target.scratchpad = 4 * inSlot + 2 * outSlot;
  p.target.weightBuffer =
      tiling.streamWeights ? weightSlot : std::max<int64_t>(1, packed.size());

  std::vector<Command> &cmds = p.commands;
  int64_t tag = 0;
  if (mac && !tiling.streamWeights) {
    cmds.push_back(load(1, weightBase, 0, packed.size(), tag));
    cmds.push_back(waitOn(tag++));
  }
  cmds.push_back(configure(0));
  std::vector<std::vector<int64_t>> loadTags(tiles.size()),
      storeTags(tiles.size());
  auto issueLoads = [&](size_t i) {
    const TileSpec &t = tiles[i];
    auto [channels, first] = getInputChannels(l, t);
    for (int second = 0; second < (add ? 2 : 1) && t.inputRows; ++second) {
      int64_t base = second ? in2Base : 0, local = second ? in2(i) : in(i);
      if (l.kind == LayerKind::Conv2D || l.kind == LayerKind::Matmul) {
        // Whole rows: one chunk per image.
        int64_t chunk = t.inputRows * W * C;
        cmds.push_back(dmaLoad(0, base + t.inputRow * W * C, local, N, chunk,
                               H * W * C, chunk, tag));
        loadTags[i].push_back(tag++);
        continue;
      }
      // A channel slice of every pixel: one DMA per image.
      for (int64_t n = 0; n < N; ++n) {
        cmds.push_back(dmaLoad(0, base + (n * H + t.inputRow) * W * C + first,
                               local + n * t.inputRows * W * channels,
                               t.inputRows * W, channels, C, channels, tag));
        loadTags[i].push_back(tag++);
      }
    }
  };
  issueLoads(0);
  for (size_t i = 0; i < tiles.size(); ++i) {
    const TileSpec &t = tiles[i];
    int64_t weights = t.channel * rowBytes;
    if (mac && tiling.streamWeights) {
      cmds.push_back(load(1, weightBase + t.channel * rowBytes, 0,
                          t.channels * rowBytes, tag));
      cmds.push_back(waitOn(tag++));
      weights = 0;
    }
    // The next tile's input comes in while this one computes.
    if (i + 1 < tiles.size())
      issueLoads(i + 1);
    for (int64_t waited : loadTags[i])
      cmds.push_back(waitOn(waited));
    // The output slot's previous store must be done before it is rewritten.
    if (i >= 2)
      for (int64_t waited : storeTags[i - 2])
        cmds.push_back(waitOn(waited));
    if (mac) {
      cmds.push_back(macTile(in(i), t.inputRow, t.inputRows, weights, t.row,
                             t.rows, t.channel, t.channels));
      cmds.push_back(requantize(out(i)));
    } else {
      cmds.push_back(vectorTile(in(i), t.inputRow, t.inputRows, in2(i), t.row,
                                t.rows, t.channel, t.channels, out(i)));
    }
    for (int64_t n = 0; n < No; ++n) {
      cmds.push_back(
          dmaStore(outBase + ((n * Ho + t.row) * Wo) * Co + t.channel,
                   out(i) + n * t.rows * Wo * t.channels, t.rows * Wo,
                   t.channels, Co, t.channels, tag));
      storeTags[i].push_back(tag++);
    }
  }
  for (size_t i = tiles.size() >= 2 ? tiles.size() - 2 : 0; i < tiles.size();
       ++i)
    for (int64_t waited : storeTags[i])
      cmds.push_back(waitOn(waited));
  return p;
}

NpyArray makeInput(const std::array<int64_t, 4> &shape,
                   const std::vector<int8_t> &levels) {
  std::vector<float> values(levels.begin(), levels.end());
  return NpyArray::create<float>(shape, values);
}

/// Runs the tiled program and expects the reference's output exactly.
RunResult expectMatchesReference(const LayerCase &c, const Tiling &tiling) {
  Program program = buildProgram(c, tiling);
  std::vector<NpyArray> inputs{makeInput(c.layer.input, c.input)};
  if (c.layer.kind == LayerKind::Add)
    inputs.push_back(makeInput(c.layer.input, c.input2));
  RunResult result = runProgram(program, inputs);
  EXPECT_EQ(result.error, "");
  if (!result.error.empty())
    return result;
  std::vector<int8_t> expected = reference(c);
  llvm::ArrayRef<float> values = result.outputs.at(0).getValues<float>();
  std::vector<int8_t> actual(values.begin(), values.end());
  EXPECT_EQ(actual, expected);
  // Random data that all lands on one value would prove little.
  std::set<int8_t> distinct(expected.begin(), expected.end());
  EXPECT_GE(distinct.size(), 8u);
  int64_t tiles = tiling.rows.size() * tiling.channels.size();
  EXPECT_EQ(result.stats.layers.at(0).tiles, tiles);
  // DRAM traffic: every DMA's bytes and the epilogue table.
  int64_t dramBytes = isMacLayer(c.layer.kind) ? 9 * c.layer.output[3] : 0;
  for (const Command &command : program.commands)
    if (command.opcode == Opcode::DmaLoad || command.opcode == Opcode::DmaStore)
      dramBytes += command.args[3] * command.args[4];
  EXPECT_EQ(result.stats.dramBytes, dramBytes);
  return result;
}

Layer makeLayer(LayerKind kind, std::array<int64_t, 4> input,
                std::array<int64_t, 4> output) {
  Layer l;
  l.kind = kind;
  l.name = std::string(getLayerKindName(kind));
  l.input = input;
  l.output = output;
  l.inputZp = 3;
  l.outputZp = -4;
  l.clampMin = -120;
  l.clampMax = 110;
  return l;
}

/// 7x6 input, 3x2 window, stride (2, 1), dilation (1, 2), padding top 1,
/// bottom 2, left 1, right 0: a 4x5 output.
Layer makeConv(int64_t bits) {
  Layer l = makeLayer(LayerKind::Conv2D, {2, 7, 6, 3}, {2, 4, 5, 8});
  l.kernel = {3, 2};
  l.stride = {2, 1};
  l.dilation = {1, 2};
  l.pad = {1, 2, 1, 0};
  l.weightBits = bits;
  return l;
}

//===----------------------------------------------------------------------===//
// The tests
//===----------------------------------------------------------------------===//

TEST(NpuSimulator, Conv2DTiledMatchesReference) {
  LayerCase c = makeCase(makeConv(8), 1);
  RunResult r = expectMatchesReference(
      c, {{{0, 2}, {2, 2}}, {{0, 5}, {5, 3}}, /*streamWeights=*/false});
  const LayerStats &s = r.stats.layers.at(0);
  EXPECT_EQ(s.macs, 2 * 4 * 5 * 8 * (3 * 2 * 3));
  EXPECT_TRUE(r.stats.weightsResident);
  ASSERT_TRUE(r.stats.preload.has_value());
  EXPECT_EQ(r.stats.preload->dramBytes, 8 * 18);
}

class NpuSimulatorWeightBits : public testing::TestWithParam<int64_t> {};

TEST_P(NpuSimulatorWeightBits, Conv2DMatchesReference) {
  int64_t bits = GetParam();
  LayerCase c = makeCase(makeConv(bits), 10 + bits);
  // Streamed weights at 4 bits: loads after configure.
  bool stream = bits == 4;
  RunResult r =
      expectMatchesReference(c, {{{0, 3}, {3, 1}}, {{0, 3}, {3, 5}}, stream});
  EXPECT_EQ(r.stats.weightsResident, !stream);
  EXPECT_EQ(r.stats.preload.has_value(), !stream);
  // 0.2 pJ an 8-bit MAC, scaled by (b / 8)^2, and 160 pJ a DRAM byte.
  const LayerStats &s = r.stats.layers.at(0);
  double scale = (bits / 8.0) * (bits / 8.0);
  EXPECT_DOUBLE_EQ(s.energyNj,
                   (s.macs * 0.2 * scale + s.dramBytes * 160.0) / 1e3);
}

INSTANTIATE_TEST_SUITE_P(Bits, NpuSimulatorWeightBits,
                         testing::Values(2, 4, 8));

TEST(NpuSimulator, DepthwiseMultiplier2MatchesReference) {
  Layer l = makeLayer(LayerKind::DepthwiseConv2D, {2, 5, 6, 3}, {2, 5, 6, 6});
  l.kernel = {3, 3};
  l.pad = {1, 1, 1, 1};
  l.multiplier = 2;
  l.weightBits = 4;
  expectMatchesReference(makeCase(l, 2),
                         {{{0, 3}, {3, 2}}, {{0, 4}, {4, 2}}, false});
}

TEST(NpuSimulator, MatmulMatchesReference) {
  Layer l = makeLayer(LayerKind::Matmul, {2, 3, 1, 5}, {2, 3, 1, 4});
  RunResult r = expectMatchesReference(
      makeCase(l, 3), {{{0, 2}, {2, 1}}, {{0, 3}, {3, 1}}, false});
  // Each output reduces over K = 5 only.
  EXPECT_EQ(r.stats.layers.at(0).macs, 2 * 3 * 4 * 5);
}

TEST(NpuSimulator, MaxPoolWithPaddingMatchesReference) {
  Layer l = makeLayer(LayerKind::MaxPool2D, {2, 7, 7, 5}, {2, 4, 4, 5});
  l.kernel = {3, 3};
  l.stride = {2, 2};
  l.pad = {1, 1, 1, 1};
  l.clampMin = -100;
  l.clampMax = 127;
  RunResult r = expectMatchesReference(
      makeCase(l, 4), {{{0, 1}, {1, 3}}, {{0, 3}, {3, 2}}, false});
  // The vector path reads 9 values an output, 4 a cycle.
  const LayerStats &s = r.stats.layers.at(0);
  int64_t cycles = 0;
  for (int64_t rows : {1, 3})
    for (int64_t channels : {3, 2})
      cycles += (2 * rows * 4 * channels * 9 + 3) / 4;
  EXPECT_EQ(s.computeCycles, cycles);
  EXPECT_EQ(s.macs, 0);
}

TEST(NpuSimulator, AddMatchesReference) {
  Layer l = makeLayer(LayerKind::Add, {2, 3, 4, 6}, {2, 3, 4, 6});
  RunResult r = expectMatchesReference(
      makeCase(l, 5), {{{0, 2}, {2, 1}}, {{0, 4}, {4, 2}}, false});
  EXPECT_EQ(r.stats.layers.at(0).computeCycles,
            (2 * 2 * 4 * 4 * 2 + 3) / 4 + (2 * 1 * 4 * 4 * 2 + 3) / 4 +
                (2 * 2 * 4 * 2 * 2 + 3) / 4 + (2 * 1 * 4 * 2 * 2 + 3) / 4);
}

TEST(NpuSimulator, RescaleMatchesReference) {
  Layer l = makeLayer(LayerKind::Rescale, {1, 4, 5, 3}, {1, 4, 5, 3});
  expectMatchesReference(makeCase(l, 6), {{{0, 4}}, {{0, 3}}, false});
}

/// The host boundary alone: no commands, the output read back from where
/// the input went.
TEST(NpuSimulator, HostQuantizesAndDequantizes) {
  Program p;
  p.target = makeTarget();
  p.dramSize = 8;
  Boundary in;
  in.shape = {1, 8};
  in.scale = 0.5;
  in.zeroPoint = 3;
  in.qmin = -10;
  in.qmax = 10;
  Boundary out = in;
  out.scale = 0.25;
  out.zeroPoint = -1;
  p.inputs = {in};
  p.outputs = {out};
  float inf = std::numeric_limits<float>::infinity();
  // x / 0.5: 0.5 and -0.5 and 2.5 round to even; NaN is the zero point.
  std::vector<float> x = {0.25f,   0.75f, -0.25f, 100.0f,
                          -100.0f, NAN,   1.25f,  inf};
  RunResult r = runProgram(p, {NpyArray::create<float>({1, 8}, x)});
  ASSERT_EQ(r.error, "");
  // Levels 3, 5, 3, 10, -10, 3, 5, 10, then (q + 1) * 0.25.
  std::vector<float> expected = {1.0f,   1.5f, 1.0f, 2.75f,
                                 -2.25f, 1.0f, 1.5f, 2.75f};
  llvm::ArrayRef<float> values = r.outputs.at(0).getValues<float>();
  EXPECT_EQ(std::vector<float>(values.begin(), values.end()), expected);
  EXPECT_EQ(r.stats.cycles, 0);
  EXPECT_FALSE(r.stats.preload.has_value());
}

} // namespace
