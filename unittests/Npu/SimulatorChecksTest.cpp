//===- SimulatorChecksTest.cpp - the simulator's checks and timing --------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// apply_scale_32's rounding, every error a program can make (each names
// its command), and the cycle model on a program small enough to time by
// hand.
//
//===----------------------------------------------------------------------===//

#include "NpuTestPrograms.h"

#include "gtest/gtest.h"

#include <limits>

using namespace npu_test;
using mlir::qlip::NpyArray;

namespace {

TEST(NpuApplyScale32, RoundsHalfUpAndShiftsArithmetically) {
  // (v * 2^30 + 2^30) >> 31 = floor((v + 1) / 2): v / 2 rounded half up.
  EXPECT_EQ(applyScale32(3, 1 << 30, 31), 2);
  EXPECT_EQ(applyScale32(2, 1 << 30, 31), 1);
  EXPECT_EQ(applyScale32(-3, 1 << 30, 31), -1);
  EXPECT_EQ(applyScale32(-5, 1 << 30, 31), -2);
  EXPECT_EQ(applyScale32(-6, 1 << 30, 31), -3);
  EXPECT_EQ(applyScale32(-1, 1, 1), 0);
  EXPECT_EQ(applyScale32(-2, 1, 1), -1);
  EXPECT_EQ(applyScale32(0, INT32_MAX, 62), 0);
  // 1000 * 0.75, exactly.
  EXPECT_EQ(applyScale32(1000, 3 << 29, 31), 750);
  EXPECT_EQ(applyScale32(-1000, 3 << 29, 31), -750);
}

TEST(NpuApplyScale32, Saturates) {
  EXPECT_EQ(applyScale32(INT32_MAX, INT32_MAX, 1),
            std::numeric_limits<int32_t>::max());
  EXPECT_EQ(applyScale32(INT32_MIN, INT32_MAX, 1),
            std::numeric_limits<int32_t>::min());
  // The exact product, not an int64 one that would wrap.
  EXPECT_EQ(applyScale32(int64_t(1) << 40, int64_t(1) << 40, 62), 1 << 18);
}

/// A 1x1 conv of a 4-pixel, 4-channel image to 2 channels on a 2x2 array
/// at 4 DRAM bytes a cycle. DRAM: input [0, 16), output [16, 24), weights
/// [24, 32), epilogue [32, 50).
Program makeTinyProgram() {
  Program p;
  p.target = makeTarget(/*scratchpad=*/64, /*weightBuffer=*/8);
  p.target.rows = 2;
  p.target.cols = 2;
  p.target.dramBytesPerCycle = 4;
  p.target.clockMhz = 100;
  p.dramSize = 50;
  Layer l;
  l.kind = LayerKind::Conv2D;
  l.name = "conv";
  l.input = {1, 1, 4, 4};
  l.output = {1, 1, 4, 2};
  l.params = 32;
  p.layers = {l};
  std::vector<int8_t> weights = {1, 2, 3, 4, -1, -2, -3, -4};
  p.segments.push_back({24, packWeightRows(weights, 2, 8)});
  p.segments.push_back(
      {32, packEpilogue({0, 5}, {1 << 30, 1 << 30}, {31, 31})});
  Boundary in, out;
  in.shape = {1, 1, 4, 4};
  out.offset = 16;
  out.shape = {1, 1, 4, 2};
  p.inputs = {in};
  p.outputs = {out};
  p.commands = {
      load(1, 24, 0, 8, 0),            // 0: weights, cycles [0, 2)
      waitOn(0),                       // 1: now 2
      configure(0),                    // 2: 18-byte table, [2, 7)
      load(0, 0, 0, 16, 1),            // 3: input, [7, 11)
      waitOn(1),                       // 4: now 11
      load(0, 0, 32, 16, 2),           // 5: prefetch, [11, 15)
      macTile(0, 0, 1, 0, 0, 1, 0, 2), // 6: 1 * 2 * 4 cycles: now 19
      requantize(16),                  // 7: no cycles
      store(16, 16, 8, 3),             // 8: [19, 21)
      load(0, 0, 48, 16, 4),           // 9: queued behind it, [21, 25)
      waitOn(2),                       // 10: done at 15: now stays 19
      waitOn(3),                       // 11: now 21
      waitOn(4),                       // 12: now 25
  };
  return p;
}

std::vector<NpyArray> makeTinyInput() {
  std::vector<float> x(16);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(i) - 8;
  return {NpyArray::create<float>({1, 1, 4, 4}, x)};
}

TEST(NpuSimulatorTiming, MatchesHandComputedCycles) {
  RunResult r = runProgram(makeTinyProgram(), makeTinyInput());
  ASSERT_EQ(r.error, "");
  const Stats &s = r.stats;
  EXPECT_EQ(s.cycles, 25);
  EXPECT_DOUBLE_EQ(s.microseconds, 0.25);
  ASSERT_TRUE(s.preload.has_value());
  EXPECT_EQ(s.preload->cycles, 2);
  EXPECT_EQ(s.preload->dmaCycles, 2);
  EXPECT_EQ(s.preload->dramBytes, 8);
  const LayerStats &conv = s.layers.at(0);
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(conv.cycles, 23);
  EXPECT_EQ(conv.computeCycles, 8);
  EXPECT_EQ(conv.dmaCycles, 5 + 4 + 4 + 2 + 4);
  EXPECT_EQ(conv.dramBytes, 18 + 16 + 16 + 8 + 16);
  EXPECT_EQ(conv.macs, 4 * 2 * 4);
  EXPECT_EQ(conv.tiles, 1);
  // 32 MACs in 8 cycles on 2 rows x 2 lanes.
  EXPECT_DOUBLE_EQ(conv.utilization, 1.0);
  EXPECT_FALSE(conv.isComputeBound());
  EXPECT_DOUBLE_EQ(conv.energyNj, (32 * 0.2 + 74 * 160.0) / 1e3);
  EXPECT_DOUBLE_EQ(s.energyNj, conv.energyNj + 8 * 160.0 / 1e3);
  EXPECT_EQ(s.dramBytes, 82);
  EXPECT_EQ(s.macs, 32);
  EXPECT_EQ(s.peakScratchpad, 64);
  EXPECT_TRUE(s.weightsResident);

  // The values: channel 0 sums x * (1, 2, 3, 4), channel 1 its negation
  // plus 5, both halved (rounding half up) by 2^30 / 2^31.
  llvm::ArrayRef<float> y = r.outputs.at(0).getValues<float>();
  std::vector<float> expected;
  for (int pixel = 0; pixel < 4; ++pixel) {
    int64_t sum = 0;
    for (int c = 0; c < 4; ++c)
      sum += (pixel * 4 + c - 8) * (c + 1);
    expected.push_back(static_cast<float>((sum + 1) >> 1));
    expected.push_back(static_cast<float>((-sum + 5 + 1) >> 1));
  }
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), expected);
}

TEST(NpuSimulatorTiming, WaitBlocksUntilTheDmaEnds) {
  // Without the prefetch and the last load, the store's wait is what ends
  // the program: 19 cycles of work, then the store's 2.
  Program p = makeTinyProgram();
  p.commands = {p.commands[0], p.commands[1], p.commands[2],
                p.commands[3], p.commands[4], p.commands[6],
                p.commands[7], p.commands[8], p.commands[11]};
  RunResult r = runProgram(p, makeTinyInput());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.stats.cycles, 21);
  EXPECT_EQ(r.stats.layers[0].cycles, 19);
  EXPECT_EQ(r.stats.peakScratchpad, 24);
}

/// The error of running `program` on the tiny input.
std::string runError(const Program &program) {
  return runProgram(program, makeTinyInput()).error;
}

TEST(NpuSimulatorChecks, ReadBeforeWaitIsInFlight) {
  Program p = makeTinyProgram();
  p.commands.erase(p.commands.begin() + 4); // the input's wait
  EXPECT_EQ(runError(p), "command 5 (mac_tile): the input tile [0, +16) uses "
                         "scratchpad bytes in flight (tag 1, issued by "
                         "command 3)");
}

TEST(NpuSimulatorChecks, DmaConflictsWithDmaInFlight) {
  Program p = makeTinyProgram();
  // Storing bytes a load is still writing.
  p.commands = {load(0, 0, 0, 16, 1), store(16, 8, 8, 2)};
  EXPECT_EQ(runError(p), "command 1 (dma_store): the local range [8, +8) "
                         "uses scratchpad bytes in flight (tag 1, issued by "
                         "command 0)");
  // Two loads may read the same DRAM bytes, and two stores may write
  // interleaved bytes: chunks, not their hull, conflict.
  p.commands = {load(0, 0, 0, 16, 1),
                load(0, 0, 16, 16, 2),
                waitOn(1),
                waitOn(2),
                dmaStore(16, 0, 4, 1, 2, 1, 3),
                dmaStore(17, 4, 4, 1, 2, 1, 4),
                dmaStore(20, 8, 2, 1, 1, 1, 5)};
  EXPECT_EQ(runError(p), "command 6 (dma_store): the DRAM range [20, +2) "
                         "uses DRAM bytes in flight (tag 3, issued by "
                         "command 4)");
}

TEST(NpuSimulatorChecks, OutOfBoundsNamesTheCommand) {
  Program p = makeTinyProgram();
  p.commands = {load(0, 40, 0, 16, 0)};
  EXPECT_EQ(runError(p), "command 0 (dma_load): the DRAM range [40, +16) "
                         "lies outside the 50-byte DRAM");
  p.commands = {dmaLoad(0, 0, 60, 2, 2, 2, 4, 0)};
  EXPECT_EQ(runError(p), "command 0 (dma_load): the local range [60, +6) "
                         "lies outside the 64-byte scratchpad");
  p.commands = {load(1, 24, 4, 8, 0)};
  EXPECT_EQ(runError(p), "command 0 (dma_load): the local range [4, +8) "
                         "lies outside the 8-byte weight buffer");
  p.commands = {load(0, -1, 0, 1, 0)};
  EXPECT_EQ(runError(p), "command 0 (dma_load): the DRAM range [-1, +1) "
                         "lies outside the 50-byte DRAM");
  // Strides that overflow int64 are out of range, not wrapped.
  p.commands = {dmaLoad(0, 0, 0, 3, 1, INT64_MAX, 1, 0)};
  EXPECT_EQ(runError(p), "command 0 (dma_load): the DRAM range [0, +...) "
                         "lies outside the 50-byte DRAM");
  Program tile = makeTinyProgram();
  tile.commands[6] = macTile(56, 0, 1, 0, 0, 1, 0, 2);
  EXPECT_EQ(runError(tile), "command 6 (mac_tile): the input tile [56, +16) "
                            "lies outside the 64-byte scratchpad");
  tile = makeTinyProgram();
  tile.commands[7] = requantize(60);
  EXPECT_EQ(runError(tile), "command 7 (requantize): the output tile [60, +8) "
                            "lies outside the 64-byte scratchpad");
  tile = makeTinyProgram();
  tile.layers[0].params = 40;
  EXPECT_EQ(runError(tile), "command 2 (configure): the epilogue table [40, "
                            "+18) lies outside the 50-byte DRAM");
}

// The work a program asks for is counted before it runs: DMAs of 2^18
// chunks of 2^18 bytes and mac tiles of 2^21 MACs each (each legal in
// size, but hours in all) are refused at once, naming the command that
// crosses 2^38.
TEST(NpuSimulatorChecks, WorkIsBoundedBeforeRunning) {
  Program p = makeTinyProgram();
  p.commands.assign(5, dmaLoad(0, 0, 0, 1 << 18, 1 << 18, 1 << 18, 1 << 18, 0));
  EXPECT_EQ(runError(p), "the commands ask for more than 2^38 MACs, reads "
                         "and DMA bytes (at command 4)");
  p = makeTinyProgram();
  p.layers[0].input = {1, 1, 1 << 10, 1 << 10};
  p.layers[0].output = {1, 1, 1 << 10, 2};
  p.commands.assign(1 << 18, macTile(0, 0, 1, 0, 0, 1, 0, 2));
  p.commands.front() = configure(0);
  EXPECT_EQ(runError(p), "the commands ask for more than 2^38 MACs, reads "
                         "and DMA bytes (at command 131073)");
}

TEST(NpuSimulatorChecks, TagsMustBeInFlight) {
  Program p = makeTinyProgram();
  p.commands = {waitOn(7)};
  EXPECT_EQ(runError(p), "command 0 (wait): tag 7 has no DMA in flight");
  p.commands = {load(0, 0, 0, 4, 1), waitOn(1), waitOn(1)};
  EXPECT_EQ(runError(p), "command 2 (wait): tag 1 has no DMA in flight");
  p.commands = {load(0, 0, 0, 4, 1), load(0, 0, 4, 4, 1)};
  EXPECT_EQ(runError(p), "command 1 (dma_load): tag 1 is still in flight "
                         "(issued by command 0)");
  p.commands = {load(0, 0, 0, 4, 1)};
  EXPECT_EQ(runError(p),
            "the program ends with DMA tag 1 (command 0) in flight");
  p.commands = {dmaLoad(0, 0, 0, 2, 4, 2, 4, 0)};
  EXPECT_EQ(runError(p), "command 0 (dma_load): expected at least one chunk "
                         "of at least one byte, and strides no shorter than "
                         "a chunk");
  p.commands = {dmaStore(0, 0, 1, 4, 4, 4, 0)};
  p.commands[0].args[0] = 1;
  EXPECT_EQ(runError(p), "command 0 (dma_store): stores only from the "
                         "scratchpad (memory 0), not 1");
}

TEST(NpuSimulatorChecks, TilesMustFitTheConfiguredLayer) {
  Program p = makeTinyProgram();
  p.commands = {macTile(0, 0, 1, 0, 0, 1, 0, 2)};
  EXPECT_EQ(runError(p), "command 0 (mac_tile): no layer is configured");

  p = makeTinyProgram();
  p.commands[7] = p.commands[6];
  p.commands[6] = requantize(16);
  EXPECT_EQ(runError(p),
            "command 6 (requantize): no mac_tile of layer 'conv' before it");

  p = makeTinyProgram();
  p.commands[6] = macTile(0, 0, 1, 0, 0, 1, 1, 2);
  EXPECT_EQ(runError(p), "command 6 (mac_tile): tile rows [0, +1) x channels "
                         "[1, +2) is not inside layer 'conv''s 1 x 2 output");

  p = makeTinyProgram();
  p.commands[6] = macTile(0, 0, 2, 0, 0, 1, 0, 2);
  EXPECT_EQ(runError(p), "command 6 (mac_tile): the tile's window reads "
                         "input rows [0, +1), but the tile holds [0, +2)");

  p = makeTinyProgram();
  p.commands[6] = vectorTile(0, 0, 1, 0, 0, 1, 0, 2, 16);
  EXPECT_EQ(runError(p), "command 6 (vector_tile): needs a max_pool2d, add "
                         "or rescale layer, but layer 'conv' is a conv2d");

  p = makeTinyProgram();
  p.commands[2] = configure(3);
  EXPECT_EQ(runError(p),
            "command 2 (configure): no layer 3 (the program has 1)");

  // A tile whose output could never be stored in the scratchpad (found by
  // the npu-stream fuzzer: its accumulators were allocated first).
  p = makeTinyProgram();
  p.layers[0].input = {1, 1, 64, 4};
  p.layers[0].output = {1, 1, 64, 2};
  p.commands = {configure(0), macTile(0, 0, 1, 0, 0, 1, 0, 2)};
  EXPECT_EQ(runError(p), "command 1 (mac_tile): the tile's 128-byte output "
                         "is larger than the 64-byte scratchpad");

  p = makeTinyProgram();
  p.target.widths = {8};
  p.layers[0].weightBits = 4;
  EXPECT_EQ(runError(p), "command 2 (configure): the target's MAC array "
                         "takes no 4-bit operands");

  p = makeTinyProgram();
  p.segments[1] = {32, packEpilogue({0, 5}, {1 << 30, 1 << 30}, {31, 0})};
  EXPECT_EQ(runError(p), "command 2 (configure): channel 1 of layer 'conv' "
                         "has shift 0 (1 to 62)");

  p = makeTinyProgram();
  p.commands[0].opcode = static_cast<Opcode>(9);
  EXPECT_EQ(runError(p), "command 0 (unknown): unknown opcode 9");
}

TEST(NpuSimulatorChecks, CreateRejectsInconsistentPrograms) {
  auto createError = [](const Program &p) {
    llvm::Expected<Simulator> simulator = Simulator::create(p);
    return simulator ? std::string() : llvm::toString(simulator.takeError());
  };
  Program p = makeTinyProgram();
  EXPECT_EQ(createError(p), "");
  p.dramSize = int64_t(1) << 40;
  EXPECT_EQ(createError(p), "a memory of 1099511627776 bytes (the simulator "
                            "takes 0 to 2^30)");
  p = makeTinyProgram();
  p.target.dramBytesPerCycle = INT64_MAX;
  EXPECT_EQ(createError(p), "the target's array, DRAM bandwidth and clock "
                            "must be 1 to 2^24, got 9223372036854775807");
  p = makeTinyProgram();
  p.layers[0].kind = LayerKind::DepthwiseConv2D;
  p.layers[0].multiplier = 2;
  EXPECT_EQ(createError(p), "layer 0 'conv' (depthwise_conv2d): expected "
                            "input channels x multiplier 2 output channels");
  p = makeTinyProgram();
  p.layers[0].kernel = {0, 1};
  EXPECT_EQ(createError(p), "layer 0 'conv' (conv2d): shapes, windows, "
                            "strides and dilations must be 1 to 2^24, got 0");
  p = makeTinyProgram();
  p.layers[0].clampMax = 300;
  EXPECT_EQ(createError(p), "layer 0 'conv' (conv2d): zero points and clamps "
                            "must be 8-bit values, got 300");
  p = makeTinyProgram();
  p.layers[0].kind = LayerKind::Rescale;
  p.layers[0].output = p.layers[0].input;
  p.layers[0].rescale = {1 << 30, 0};
  EXPECT_EQ(createError(p), "layer 0 'conv' (rescale): a multiplier outside "
                            "int32 or a shift outside 1 to 62");
  p = makeTinyProgram();
  p.outputs[0].offset = 45;
  EXPECT_EQ(createError(p), "model output 0 lies outside DRAM");
  p = makeTinyProgram();
  p.inputs[0].qmax = 200;
  EXPECT_EQ(createError(p), "model input 0 needs a positive finite scale, a "
                            "range within [-128, 127] and an 8-bit zero point");

  // Inputs that do not match the boundaries.
  p = makeTinyProgram();
  EXPECT_EQ(runProgram(p, {}).error, "the program takes 1 input(s), got 0");
  EXPECT_EQ(
      runProgram(p, {NpyArray::create<float>({16}, std::vector<float>(16))})
          .error,
      "input 0 takes shape [1, 1, 4, 4], got [16]");
  EXPECT_EQ(runProgram(p, {NpyArray::create<double>({1, 1, 4, 4},
                                                    std::vector<double>(16))})
                .error,
            "input 0 takes f32 data, got f64");
}

} // namespace
