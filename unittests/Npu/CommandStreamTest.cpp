//===- CommandStreamTest.cpp - the npu command stream's byte format -------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// writeProgram and readProgram round-trip every field; readProgram fails
// with a message (and never crashes) on every truncation of a program, a
// bad magic or version, and trailing bytes.
//
//===----------------------------------------------------------------------===//

#include "NpuTestPrograms.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace npu_test;

namespace {

/// A program with every field away from its default.
Program makeSampleProgram() {
  Program p;
  p.target = makeTarget(1024, 512);
  p.target.widths = {4, 8};
  p.dramSize = 300;
  p.segments = {{10, {1, 2, 3}}, {200, {0xff, 0x80}}};
  Boundary in;
  in.offset = 20;
  in.shape = {1, 2, 3, 4};
  in.scale = 0.1;
  in.zeroPoint = -3;
  in.qmin = -127;
  in.qmax = 120;
  Boundary out;
  out.offset = 100;
  out.shape = {2, 5};
  out.scale = 1.0 / 3;
  p.inputs = {in};
  p.outputs = {out};
  Layer conv;
  conv.kind = LayerKind::Conv2D;
  conv.name = "features.0";
  conv.input = {1, 2, 3, 4};
  conv.output = {1, 2, 3, 5};
  conv.kernel = {3, 2};
  conv.stride = {2, 1};
  conv.dilation = {1, 2};
  conv.pad = {1, 2, 3, 4};
  conv.weightBits = 4;
  conv.inputZp = -3;
  conv.outputZp = 7;
  conv.clampMin = 0;
  conv.clampMax = 100;
  conv.params = 200;
  Layer add;
  add.kind = LayerKind::Add;
  add.name = "";
  add.multiplier = 2;
  add.rescale = {1, 2, 3, 4, 5, 6, -7};
  p.layers = {conv, add};
  p.commands = {configure(1),
                dmaLoad(1, 2, 3, 4, 5, 6, 7, 8),
                dmaStore(-1, 2, 3, 4, 5, 6, INT64_MAX),
                waitOn(INT64_MIN),
                macTile(1, 2, 3, 4, 5, 6, 7, 8),
                requantize(9),
                vectorTile(1, 2, 3, 4, 5, 6, 7, 8, 9)};
  return p;
}

std::string write(const Program &p) {
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  writeProgram(os, p);
  return bytes;
}

std::string readError(llvm::StringRef bytes) {
  llvm::Expected<Program> p = readProgram(bytes, "p.npub");
  return p ? std::string() : llvm::toString(p.takeError());
}

void expectEqual(const Boundary &a, const Boundary &b) {
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_EQ(a.zeroPoint, b.zeroPoint);
  EXPECT_EQ(a.qmin, b.qmin);
  EXPECT_EQ(a.qmax, b.qmax);
}

void expectEqual(const Layer &a, const Layer &b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.kernel, b.kernel);
  EXPECT_EQ(a.stride, b.stride);
  EXPECT_EQ(a.dilation, b.dilation);
  EXPECT_EQ(a.pad, b.pad);
  EXPECT_EQ(a.multiplier, b.multiplier);
  EXPECT_EQ(a.weightBits, b.weightBits);
  EXPECT_EQ(a.inputZp, b.inputZp);
  EXPECT_EQ(a.outputZp, b.outputZp);
  EXPECT_EQ(a.clampMin, b.clampMin);
  EXPECT_EQ(a.clampMax, b.clampMax);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.rescale, b.rescale);
}

TEST(NpuCommandStream, RoundTripsEveryField) {
  Program p = makeSampleProgram();
  std::string bytes = write(p);
  llvm::Expected<Program> q = readProgram(bytes);
  ASSERT_TRUE(static_cast<bool>(q)) << llvm::toString(q.takeError());
  const Target &a = p.target, &b = q->target;
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.cols, b.cols);
  EXPECT_EQ(a.widths, b.widths);
  EXPECT_EQ(a.scratchpad, b.scratchpad);
  EXPECT_EQ(a.weightBuffer, b.weightBuffer);
  EXPECT_EQ(a.dramBytesPerCycle, b.dramBytesPerCycle);
  EXPECT_EQ(a.clockMhz, b.clockMhz);
  EXPECT_EQ(p.dramSize, q->dramSize);
  ASSERT_EQ(q->segments.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(p.segments[i].offset, q->segments[i].offset);
    EXPECT_EQ(p.segments[i].bytes, q->segments[i].bytes);
  }
  ASSERT_EQ(q->inputs.size(), 1u);
  ASSERT_EQ(q->outputs.size(), 1u);
  expectEqual(p.inputs[0], q->inputs[0]);
  expectEqual(p.outputs[0], q->outputs[0]);
  ASSERT_EQ(q->layers.size(), 2u);
  expectEqual(p.layers[0], q->layers[0]);
  expectEqual(p.layers[1], q->layers[1]);
  ASSERT_EQ(q->commands.size(), p.commands.size());
  for (size_t i = 0; i < p.commands.size(); ++i) {
    EXPECT_EQ(p.commands[i].opcode, q->commands[i].opcode) << i;
    EXPECT_EQ(p.commands[i].args, q->commands[i].args) << i;
  }
  EXPECT_EQ(write(*q), bytes);
  // 80 bytes a command, the last thing in the file.
  EXPECT_EQ(bytes.substr(bytes.size() - 80, 4), std::string("\x07\0\0\0", 4));
}

TEST(NpuCommandStream, RejectsEveryTruncation) {
  std::string bytes = write(makeSampleProgram());
  for (size_t size = 0; size < bytes.size(); ++size) {
    std::string message = readError(llvm::StringRef(bytes).take_front(size));
    EXPECT_FALSE(message.empty()) << size;
    EXPECT_EQ(message.rfind("p.npub: ", 0), 0u) << message;
  }
}

TEST(NpuCommandStream, RejectsBadHeadersAndTrailingBytes) {
  std::string bytes = write(makeSampleProgram());
  std::string magic = bytes;
  magic[3] = 'X';
  EXPECT_EQ(readError(magic),
            "p.npub: not an npu command stream (no QNPU magic)");
  std::string version = bytes;
  version[4] = 3;
  EXPECT_EQ(readError(version),
            "p.npub: command stream version 3, this reader takes 2");
  version[4] = 1;
  EXPECT_EQ(readError(version), "p.npub: command stream version 1, this "
                                "reader takes 2 (recompile the model)");
  std::string trailing = bytes + "x";
  EXPECT_EQ(readError(trailing).rfind("p.npub: checksum mismatch", 0), 0u);
  updateChecksum(trailing);
  EXPECT_EQ(readError(trailing),
            "p.npub: 1 trailing byte(s) after the last command");
  EXPECT_EQ(readError(""), "p.npub: not an npu command stream (no QNPU magic)");
}

// The checksum is CRC-32, which catches every single-bit error: each flip
// of each bit after the magic and version is refused by the checksum.
TEST(NpuCommandStream, RejectsEveryBitFlip) {
  std::string bytes = write(makeSampleProgram());
  EXPECT_EQ(computeChecksum("123456789"), 0xcbf43926u); // CRC-32's check value.
  for (size_t i = 8; i < bytes.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      std::string message = readError(flipped);
      EXPECT_EQ(message.rfind("p.npub: checksum mismatch", 0), 0u)
          << "byte " << i << " bit " << bit << ": " << message;
    }
}

TEST(NpuCommandStream, RejectsFieldsOutOfRange) {
  Program p = makeSampleProgram();
  p.commands[4].opcode = static_cast<Opcode>(8);
  EXPECT_EQ(readError(write(p)), "p.npub: command 4 has unknown opcode 8");
  p = makeSampleProgram();
  p.commands[0] = configure(2);
  EXPECT_EQ(readError(write(p)), "p.npub: command 0 configures layer 2 of 2");
  p = makeSampleProgram();
  p.layers[1].kind = static_cast<LayerKind>(7);
  EXPECT_EQ(readError(write(p)), "p.npub: layer '' has unknown kind 7");
  p = makeSampleProgram();
  p.segments[1].offset = 299;
  EXPECT_EQ(readError(write(p)), "p.npub: a segment [299, +2) lies outside "
                                 "the 300-byte DRAM");
}

} // namespace

// Sizes whose sums or products would overflow int64 are corrupt, not
// accepted: a segment ending past INT64_MAX, a boundary of 2^62 x 2^62.
TEST(NpuCommandStream, RejectsOverflowingSizes) {
  Program program;
  program.target = {4, 4, {8}, 64, 64, 8, 500};
  program.dramSize = 1024;
  program.segments.push_back({INT64_MAX - 1, {1, 2, 3}});
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  writeProgram(os, program);
  llvm::Expected<Program> read = readProgram(bytes, "p.npub");
  ASSERT_FALSE(static_cast<bool>(read));
  EXPECT_NE(llvm::toString(read.takeError()).find("lies outside the 1024-byte DRAM"),
            std::string::npos);

  program.segments.clear();
  Boundary huge;
  huge.shape = {int64_t{1} << 62, int64_t{1} << 62, 4, 4};
  program.inputs.push_back(huge);
  bytes.clear();
  writeProgram(os, program);
  read = readProgram(bytes, "p.npub");
  ASSERT_FALSE(static_cast<bool>(read));
  EXPECT_NE(llvm::toString(read.takeError()).find("more than DRAM holds"),
            std::string::npos);
}
