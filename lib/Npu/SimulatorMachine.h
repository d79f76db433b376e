//===- SimulatorMachine.h - the npu's memories and commands -----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// One run of a program: the three memories, the DMAs in flight, the
// configured layer and the accumulators, and the clocks of the cycle
// model. Simulator::run makes one per inference, fills its DRAM with the
// quantized inputs, executes every command and reads the outputs back.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_NPU_SIMULATORMACHINE_H
#define QLIP_LIB_NPU_SIMULATORMACHINE_H

#include "SimulatorKernels.h"

#include "qlip/Npu/CommandStream.h"
#include "qlip/Npu/Simulator.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::npu::stream {

enum class Memory { Dram, Scratchpad, WeightBuffer };

/// Bytes of one memory a command reads or writes: `count` chunks of
/// `bytes`, `stride` (> 0) apart from `base`.
struct Region {
  Memory memory = Memory::Scratchpad;
  int64_t base = 0, count = 1, bytes = 0, stride = 1;
  bool write = false;

  /// A dense buffer.
  static Region dense(Memory memory, int64_t base, int64_t bytes, bool write) {
    return {memory, base, 1, bytes, bytes > 0 ? bytes : 1, write};
  }
  /// Whether a chunk meets [begin, end).
  bool meets(int64_t begin, int64_t end) const;
  bool overlaps(const Region &other) const;
};

/// A DMA issued and not yet waited for.
struct InFlightDma {
  int64_t tag;
  size_t command;
  Region dram, local;
  /// When the DMA engine finishes it.
  int64_t end;
};

class Machine {
public:
  explicit Machine(const Program &program);

  /// The DRAM image: the segments, then whatever the host and the commands
  /// put there.
  std::vector<uint8_t> &getDram() { return dram; }

  /// Runs command `index` of the program.
  llvm::Error execute(size_t index);
  /// Checks the end state (no DMA in flight) and completes the stats.
  llvm::Error finish();
  const Stats &getStats() const { return stats; }

private:
  // The commands.
  llvm::Error configure(int64_t layerIndex);
  llvm::Error dma(const Command &command);
  llvm::Error wait(int64_t tag);
  llvm::Error macTile(const Command &command);
  llvm::Error requantize(int64_t output);
  llvm::Error vectorTile(const Command &command);

  // Checks, each an error naming the current command.
  llvm::Error error(const llvm::Twine &message) const;
  /// A layer is configured, and it is (not) a MAC layer.
  llvm::Error checkLayer(bool mac) const;
  /// The tile of a mac_tile or vector_tile (the same arguments), checked
  /// against the configured layer (which must (not) be a MAC layer).
  llvm::Expected<Tile> getTile(const Command &command, bool mac) const;
  /// `region` inside its memory, and (with `dma`) no conflict with a DMA in
  /// flight, else (a tile's use) no DMA in flight on any byte of it.
  llvm::Error checkRegion(llvm::StringRef what, const Region &region, bool dma);
  uint8_t *getBytes(const Region &region);
  /// The memory a region lies in.
  std::vector<uint8_t> &getMemory(Memory memory);

  // The cycle model.
  /// A transfer of `bytes` on the DMA engine; returns when it ends.
  int64_t transfer(int64_t bytes);
  /// The stats of what runs now: the configured layer, or the preload.
  LayerStats &getStretch();
  /// Ends the current stretch's cycles at `now`.
  void closeStretch();

  const Program &program;
  std::vector<uint8_t> dram, scratchpad, weightBuffer;
  std::vector<InFlightDma> inFlight;
  size_t index = 0;

  std::optional<size_t> layer;
  Epilogue epilogue;
  /// The last mac_tile of the configured layer and its accumulators.
  std::optional<Tile> accTile;
  std::vector<int64_t> acc;

  /// The control clock (in-order issue) and when the DMA engine is free.
  int64_t now = 0, dmaFree = 0;
  int64_t stretchStart = 0;
  Stats stats;
};

} // namespace mlir::npu::stream

#endif // QLIP_LIB_NPU_SIMULATORMACHINE_H
