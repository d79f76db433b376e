//===- FuzzNpuStream.cpp - libFuzzer target: npu streams and simulator ----===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Any bytes, twice: as they are (the checksum refuses nearly all of them)
// and with the checksum rewritten to match, so that the field checks behind
// it, the simulator's program checks and a run on zero inputs are reached.
// Each either fails with a message or runs to the end; none crashes, reads
// outside a buffer or runs without bound.
//
//===----------------------------------------------------------------------===//

#include "qlip/Npu/CommandStream.h"
#include "qlip/Npu/Simulator.h"

#include <cstdint>
#include <string>

using namespace mlir::npu::stream;

static void readAndRun(llvm::StringRef bytes) {
  llvm::Expected<Program> program = readProgram(bytes, "fuzz.npub");
  if (!program) {
    llvm::consumeError(program.takeError());
    return;
  }
  llvm::Expected<Simulator> simulator = Simulator::create(*program);
  if (!simulator) {
    llvm::consumeError(simulator.takeError());
    return;
  }
  // Programs up to the simulator's limits (1 GiB memories) are valid; a
  // run zero-fills them, which is slow, not wrong: only smaller ones run.
  if (program->dramSize + program->target.scratchpad +
          program->target.weightBuffer >
      (int64_t(1) << 26))
    return;
  std::vector<mlir::qlip::NpyArray> inputs, outputs;
  for (const Boundary &b : program->inputs) {
    // create() bounded each boundary by the DRAM it lies in (2^30 bytes).
    int64_t count = 1;
    for (int64_t d : b.shape)
      count *= d;
    std::vector<float> zeros(count, 0.0f);
    inputs.push_back(mlir::qlip::NpyArray::create<float>(b.shape, zeros));
  }
  if (llvm::Error e = simulator->run(inputs, outputs))
    llvm::consumeError(std::move(e));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  readAndRun(bytes);
  updateChecksum(bytes);
  readAndRun(bytes);
  return 0;
}
