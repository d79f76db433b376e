//===- RescaleJitTest.cpp - lowered tosa.rescale vs the TOSA spec ---------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// JIT-compiles per-channel tosa.rescale functions with the Runner
// (qlip-lower-to-llvm) and compares every output bit for bit with
// FixedPoint.h's rescaleReference, the TOSA specification's RESCALE with
// apply_scale_32: one channel per shift from 2 to 62 (and a few more),
// random and extreme multipliers, and per configuration over 10,000
// inputs, random within what the specification allows for the channel's
// shift plus the edges (type extremes, the shift's REQUIRE bounds, -1, 0,
// 1), with and without zero points, for single and double rounding, and
// with 16-bit multipliers (scale32 = false: apply_scale_16), and to an
// unsigned 8-bit output (output_unsigned: [0, 255] in i8 storage).
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"
#include "qlip/Runtime/Runner.h"
#include "qlip/Support/FixedPoint.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <ostream>
#include <random>

using namespace mlir;
using namespace mlir::qlip;

namespace {

/// An integer element type of the test: its MLIR name and range.
struct IntType {
  const char *name;
  int64_t min;
  int64_t max;
};
constexpr IntType kI8 = {"i8", INT8_MIN, INT8_MAX};
constexpr IntType kI16 = {"i16", INT16_MIN, INT16_MAX};
constexpr IntType kI32 = {"i32", INT32_MIN, INT32_MAX};
/// Unsigned 8 bits: TOSA stores them in signless i8 with output_unsigned.
constexpr IntType kU8 = {"i8", 0, UINT8_MAX};

struct RescaleConfig {
  IntType input;
  IntType output;
  int32_t inputZp;
  int32_t outputZp;
  RoundingMode mode;
  /// apply_scale_32 with i32 multipliers, else apply_scale_16 with i16 ones.
  bool scale32 = true;
  /// The output (and its zero point) is unsigned: kU8.
  bool outputUnsigned = false;
};

/// The channels: every shift from 2 to 62, then a few shifts again with the
/// multipliers at their extremes. Multipliers are random normalized ones
/// (what computeMultiplierAndShift produces) unless given.
struct Channel {
  int32_t multiplier;
  int8_t shift;
};

std::vector<Channel> makeChannels(std::mt19937_64 &rng, bool scale32) {
  int32_t top = scale32 ? INT32_MAX : INT16_MAX;
  int32_t half = scale32 ? 1 << 30 : 1 << 14;
  std::uniform_int_distribution<int32_t> normalized(half, top);
  std::vector<Channel> channels;
  for (int shift = 2; shift <= 62; ++shift)
    channels.push_back({normalized(rng), static_cast<int8_t>(shift)});
  for (int32_t multiplier : {0, 1, top, half, 3 * (half >> 1)})
    for (int shift : {2, 15, 16, 17, 31, 32, 33, 62})
      channels.push_back({multiplier, static_cast<int8_t>(shift)});
  return channels;
}

llvm::StringRef getModeName(RoundingMode mode) {
  switch (mode) {
  case RoundingMode::Single:
    return "SINGLE_ROUND";
  case RoundingMode::Double:
    return "DOUBLE_ROUND";
  case RoundingMode::Inexact:
    return "INEXACT_ROUND";
  }
  return "";
}

/// How gtest shows a configuration in a failure message.
void PrintTo(const RescaleConfig &c, std::ostream *os) {
  *os << c.input.name << " (zero point " << c.inputZp << ") to "
      << c.output.name << " (zero point " << c.outputZp << "), "
      << getModeName(c.mode).str() << (c.scale32 ? "" : ", scale16")
      << (c.outputUnsigned ? ", unsigned output" : "");
}

/// @main(%x: tensor<ROWSxCxIN>) -> tensor<ROWSxCxOUT>: one per-channel
/// rescale along the last axis.
std::string makeModule(const RescaleConfig &config,
                       llvm::ArrayRef<Channel> channels, int64_t rows) {
  std::string text;
  llvm::raw_string_ostream os(text);
  size_t count = channels.size();
  std::string in =
      llvm::formatv("tensor<{0}x{1}x{2}>", rows, count, config.input.name);
  std::string out =
      llvm::formatv("tensor<{0}x{1}x{2}>", rows, count, config.output.name);
  std::string m = "tensor<" + std::to_string(count) +
                  (config.scale32 ? "xi32>" : "xi16>");
  std::string s = "tensor<" + std::to_string(count) + "xi8>";
  std::string izp = std::string("tensor<1x") + config.input.name + ">";
  std::string ozp = std::string("tensor<1x") + config.output.name + ">";
  os << "func.func @main(%x: " << in << ") -> " << out << " {\n";
  os << "  %m = \"tosa.const\"() <{values = dense<[";
  llvm::interleaveComma(channels, os,
                        [&](const Channel &c) { os << c.multiplier; });
  os << "]> : " << m << "}> : () -> " << m << "\n";
  os << "  %s = \"tosa.const\"() <{values = dense<[";
  llvm::interleaveComma(channels, os,
                        [&](const Channel &c) { os << int(c.shift); });
  os << "]> : " << s << "}> : () -> " << s << "\n";
  os << "  %izp = \"tosa.const\"() <{values = dense<" << config.inputZp
     << "> : " << izp << "}> : () -> " << izp << "\n";
  // An unsigned zero point is written as the i8 with the same bits.
  int64_t outputZpBits = config.outputUnsigned
                             ? int64_t(static_cast<int8_t>(config.outputZp))
                             : int64_t(config.outputZp);
  os << "  %ozp = \"tosa.const\"() <{values = dense<" << outputZpBits
     << "> : " << ozp << "}> : () -> " << ozp << "\n";
  os << "  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = "
     << (config.scale32 ? "true" : "false") << ", "
     << "rounding_mode = " << getModeName(config.mode)
     << ", per_channel = true, input_unsigned = false, "
     << "output_unsigned = " << (config.outputUnsigned ? "true" : "false")
     << "} : (" << in << ", " << m << ", " << s << ", "
     << izp << ", " << ozp << ") -> " << out << "\n";
  os << "  return %0 : " << out << "\n}\n";
  return text;
}

/// The inputs of one channel that the specification allows: the input type,
/// and v = in - zp within [-2^(shift-1), 2^(shift-1)).
std::pair<int64_t, int64_t> getValidInputRange(const RescaleConfig &config,
                                               int shift) {
  int64_t half = int64_t(1) << (shift - 1);
  return {std::max(config.input.min, config.inputZp - half),
          std::min(config.input.max, config.inputZp + half - 1)};
}

NpyArray makeArray(IntType type, llvm::ArrayRef<int64_t> shape,
                   llvm::ArrayRef<int64_t> values) {
  if (type.max == INT8_MAX)
    return NpyArray::create<int8_t>(
        shape, llvm::to_vector(llvm::map_range(
                   values, [](int64_t v) { return static_cast<int8_t>(v); })));
  if (type.max == INT16_MAX)
    return NpyArray::create<int16_t>(
        shape, llvm::to_vector(llvm::map_range(
                   values, [](int64_t v) { return static_cast<int16_t>(v); })));
  return NpyArray::create<int32_t>(
      shape, llvm::to_vector(llvm::map_range(
                 values, [](int64_t v) { return static_cast<int32_t>(v); })));
}

class RescaleJitTest : public ::testing::TestWithParam<RescaleConfig> {};

TEST_P(RescaleJitTest, MatchesTheSpecification) {
  const RescaleConfig &config = GetParam();
  std::mt19937_64 rng(20240501);
  std::vector<Channel> channels = makeChannels(rng, config.scale32);
  constexpr int64_t kRows = 160;
  const int64_t numChannels = static_cast<int64_t>(channels.size());

  // Inputs: a fifth are edges, the rest uniform over the valid range; a
  // value the reference rejects (the result would not fit in int32) is
  // replaced by the zero point.
  std::vector<int64_t> inputs;
  std::vector<int64_t> expected;
  size_t edges = 0;
  for (int64_t row = 0; row < kRows; ++row) {
    for (const Channel &c : channels) {
      auto [lo, hi] = getValidInputRange(config, c.shift);
      int64_t value;
      if (rng() % 5 == 0) {
        const int64_t candidates[] = {lo,
                                      lo + 1,
                                      config.inputZp - 1,
                                      config.inputZp,
                                      config.inputZp + 1,
                                      hi - 1,
                                      hi};
        value = std::clamp(candidates[rng() % 7], lo, hi);
        ++edges;
      } else {
        value = std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      }
      std::optional<int64_t> reference = rescaleReferenceChecked(
          value, config.inputZp, config.outputZp, c.multiplier, c.shift,
          config.scale32, config.mode, config.output.min, config.output.max);
      if (!reference) {
        value = config.inputZp;
        reference = rescaleReferenceChecked(
            value, config.inputZp, config.outputZp, c.multiplier, c.shift,
            config.scale32, config.mode, config.output.min,
            config.output.max);
        ASSERT_TRUE(reference.has_value());
      }
      inputs.push_back(value);
      expected.push_back(*reference);
    }
  }
  ASSERT_GE(inputs.size(), 10000u);
  ASSERT_GT(edges, 1000u);

  MLIRContext context;
  DialectRegistry registry;
  registerAllQlipDialects(registry);
  context.appendDialectRegistry(registry);
  std::string source = makeModule(config, channels, kRows);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module) << source;
  auto runner = Runner::create(*module, "main");
  ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
  auto results =
      (*runner)->run({makeArray(config.input, {kRows, numChannels}, inputs)});
  ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());
  llvm::Expected<std::vector<int64_t>> actual = (*results)[0].toInt64s();
  ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError());

  size_t mismatches = 0;
  // Unsigned outputs come back as the signed i8 with the same bits.
  if (config.outputUnsigned)
    for (int64_t &v : *actual)
      v &= 0xFF;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if ((*actual)[i] == expected[i])
      continue;
    const Channel &c = channels[i % channels.size()];
    if (++mismatches <= 10)
      ADD_FAILURE() << "in " << inputs[i] << " multiplier " << c.multiplier
                    << " shift " << int(c.shift) << ": got " << (*actual)[i]
                    << ", the specification says " << expected[i];
  }
  EXPECT_EQ(mismatches, 0u) << "of " << inputs.size() << " values";
}

INSTANTIATE_TEST_SUITE_P(
    Rescale, RescaleJitTest,
    ::testing::Values(
        // apply_scale_32 as it is: i32 to i32, no zero points.
        RescaleConfig{kI32, kI32, 0, 0, RoundingMode::Single},
        RescaleConfig{kI32, kI32, 0, 0, RoundingMode::Double},
        // An accumulator to i8 with an output zero point and clamping.
        RescaleConfig{kI32, kI8, 0, -3, RoundingMode::Single},
        RescaleConfig{kI32, kI8, 0, -3, RoundingMode::Double},
        // i8 to i8 with both zero points.
        RescaleConfig{kI8, kI8, 5, -7, RoundingMode::Single},
        RescaleConfig{kI8, kI8, 5, -7, RoundingMode::Double},
        // i16 to i16 and i8 to i32.
        RescaleConfig{kI16, kI16, 0, 0, RoundingMode::Double},
        RescaleConfig{kI8, kI32, -128, 0, RoundingMode::Double},
        // 16-bit multipliers (single rounding only: the specification
        // rejects DOUBLE_ROUND without scale32).
        RescaleConfig{kI32, kI8, 0, -3, RoundingMode::Single, false},
        RescaleConfig{kI8, kI8, 5, -7, RoundingMode::Single, false},
        RescaleConfig{kI16, kI16, 0, 0, RoundingMode::Single, false},
        // An accumulator to unsigned 8 bits with zero point 128 (above
        // INT8_MAX: only its bits are stored in the i8 zero point).
        RescaleConfig{kI32, kU8, 0, 128, RoundingMode::Single, true, true},
        RescaleConfig{kI32, kU8, 0, 128, RoundingMode::Double, true, true},
        RescaleConfig{kI8, kU8, -3, 5, RoundingMode::Double, true, true}),
    [](const ::testing::TestParamInfo<RescaleConfig> &info) {
      const RescaleConfig &c = info.param;
      return llvm::formatv("{0}_to_{1}_{2}{3}", c.input.name, c.output.name,
                           c.mode == RoundingMode::Single ? "single" : "double",
                           c.scale32 ? "" : "_scale16")
                 .str() +
             (c.outputUnsigned ? "_unsigned" : "");
    });

} // namespace
