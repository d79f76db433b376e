//===- NpuTestPrograms.h - hand-built npu programs for tests ----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// One constructor per command and the packing of weight rows and epilogue
// tables, written from docs/npu-command-stream.md rather than from the
// simulator, so that the tests check the simulator against the document.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_UNITTESTS_NPU_NPUTESTPROGRAMS_H
#define QLIP_UNITTESTS_NPU_NPUTESTPROGRAMS_H

#include "qlip/Npu/CommandStream.h"
#include "qlip/Npu/Simulator.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace npu_test {

using namespace mlir::npu::stream;

inline Command makeCommand(Opcode opcode, llvm::ArrayRef<int64_t> args) {
  Command c;
  c.opcode = opcode;
  for (size_t i = 0; i < args.size(); ++i)
    c.args[i] = args[i];
  return c;
}

inline Command configure(int64_t layer) {
  return makeCommand(Opcode::Configure, {layer});
}
/// memory: 0 scratchpad, 1 weight buffer.
inline Command dmaLoad(int64_t memory, int64_t dram, int64_t local,
                       int64_t count, int64_t bytes, int64_t dramStride,
                       int64_t localStride, int64_t tag) {
  return makeCommand(Opcode::DmaLoad, {memory, dram, local, count, bytes,
                                       dramStride, localStride, tag});
}
inline Command dmaStore(int64_t dram, int64_t local, int64_t count,
                        int64_t bytes, int64_t dramStride, int64_t localStride,
                        int64_t tag) {
  return makeCommand(Opcode::DmaStore, {0, dram, local, count, bytes,
                                        dramStride, localStride, tag});
}
/// A dense load of `bytes` bytes.
inline Command load(int64_t memory, int64_t dram, int64_t local, int64_t bytes,
                    int64_t tag) {
  return dmaLoad(memory, dram, local, 1, bytes, bytes, bytes, tag);
}
inline Command store(int64_t dram, int64_t local, int64_t bytes, int64_t tag) {
  return dmaStore(dram, local, 1, bytes, bytes, bytes, tag);
}
inline Command waitOn(int64_t tag) { return makeCommand(Opcode::Wait, {tag}); }
inline Command macTile(int64_t input, int64_t inputRow, int64_t inputRows,
                       int64_t weights, int64_t row, int64_t rows,
                       int64_t channel, int64_t channels) {
  return makeCommand(Opcode::MacTile, {input, inputRow, inputRows, weights, row,
                                       rows, channel, channels});
}
inline Command requantize(int64_t output) {
  return makeCommand(Opcode::Requantize, {output});
}
inline Command vectorTile(int64_t input, int64_t inputRow, int64_t inputRows,
                          int64_t input2, int64_t row, int64_t rows,
                          int64_t channel, int64_t channels, int64_t output) {
  return makeCommand(Opcode::VectorTile,
                     {input, inputRow, inputRows, input2, row, rows, channel,
                      channels, output});
}

/// A 4x4 array at 2, 4 and 8 bits, 8 DRAM bytes a cycle, 500 MHz.
inline Target makeTarget(int64_t scratchpad = 8192,
                         int64_t weightBuffer = 4096) {
  Target t;
  t.rows = 4;
  t.cols = 4;
  t.widths = {2, 4, 8};
  t.scratchpad = scratchpad;
  t.weightBuffer = weightBuffer;
  t.dramBytesPerCycle = 8;
  t.clockMhz = 500;
  return t;
}

/// `channels` rows of `values.size() / channels` `bits`-bit values: value k
/// of a row in bits [k * bits % 8, ...) of byte k * bits / 8, each row
/// padded to whole bytes.
inline std::vector<uint8_t> packWeightRows(llvm::ArrayRef<int8_t> values,
                                           int64_t channels, int64_t bits) {
  int64_t length = values.size() / channels;
  int64_t rowBytes = (length * bits + 7) / 8;
  std::vector<uint8_t> bytes(channels * rowBytes);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t k = 0; k < length; ++k) {
      uint8_t field =
          static_cast<uint8_t>(values[c * length + k]) & ((1 << bits) - 1);
      bytes[c * rowBytes + k * bits / 8] |= field << (k * bits % 8);
    }
  return bytes;
}

/// bias (i32 x C), multiplier (i32 x C), shift (i8 x C), little-endian.
inline std::vector<uint8_t> packEpilogue(llvm::ArrayRef<int32_t> bias,
                                         llvm::ArrayRef<int32_t> multiplier,
                                         llvm::ArrayRef<int8_t> shift) {
  std::vector<uint8_t> bytes;
  for (llvm::ArrayRef<int32_t> list : {bias, multiplier})
    for (int32_t v : list)
      for (int i = 0; i < 4; ++i)
        bytes.push_back(static_cast<uint32_t>(v) >> (8 * i) & 0xff);
  for (int8_t s : shift)
    bytes.push_back(static_cast<uint8_t>(s));
  return bytes;
}

/// What a run of a program gave: its error message ("" on success), or
/// its outputs and stats.
struct RunResult {
  std::string error;
  std::vector<mlir::qlip::NpyArray> outputs;
  Stats stats;
};

inline RunResult runProgram(const Program &program,
                            llvm::ArrayRef<mlir::qlip::NpyArray> inputs) {
  RunResult result;
  llvm::Expected<Simulator> simulator = Simulator::create(program);
  if (!simulator) {
    result.error = llvm::toString(simulator.takeError());
    return result;
  }
  if (llvm::Error error = simulator->run(inputs, result.outputs)) {
    result.error = llvm::toString(std::move(error));
    return result;
  }
  result.stats = simulator->getStats();
  return result;
}

} // namespace npu_test

#endif // QLIP_UNITTESTS_NPU_NPUTESTPROGRAMS_H
