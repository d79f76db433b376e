//===- Simulator.h - a bit-exact simulator of the npu -----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Runs a command stream (CommandStream.h) on the machine that
// docs/npu-command-stream.md describes: the DRAM image, the scratchpad, the
// weight buffer, the DMA engine with its tags, the MAC array and the
// requantize unit, bit-exact, checking every address and every use of a
// buffer with a DMA in flight. It times the program as it runs, with the
// formulas of CostModel.h. What `qlip-npu-sim` drives; it needs only LLVM's
// Support library and qlip's .npy arrays.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_NPU_SIMULATOR_H
#define QLIP_NPU_SIMULATOR_H

#include "qlip/Npu/CommandStream.h"
#include "qlip/Runtime/Npy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::npu::stream {

/// apply_scale_32 as the npu computes it: (value * multiplier +
/// 2^(shift - 1)) >> shift, exactly (arithmetic shift), saturated to int32.
/// `shift` must be in [1, 62]; the simulator rejects programs with others.
int32_t applyScale32(int64_t value, int64_t multiplier, int64_t shift);

/// What one stretch of the program did: a layer, from each `configure` of it
/// to the next `configure` (or the end), or the preload before the first
/// `configure`.
struct LayerStats {
  std::string name;
  /// None for the preload.
  std::optional<LayerKind> kind;
  /// The MAC layers' weight width; 8 for the others, 0 for the preload.
  int64_t weightBits = 0;
  /// mac_tile and vector_tile commands.
  int64_t tiles = 0;
  int64_t macs = 0;
  /// Cycles the MAC array or the vector path is busy.
  int64_t computeCycles = 0;
  /// Cycles the DMA engine is busy with the stretch's transfers (and its
  /// epilogue table).
  int64_t dmaCycles = 0;
  /// The control clock's advance over the stretch.
  int64_t cycles = 0;
  /// Bytes read from and written to DRAM.
  int64_t dramBytes = 0;
  double energyNj = 0;
  /// macs / (computeCycles * rows * lanes at the weight width); 0 without
  /// MACs.
  double utilization = 0;

  /// Compute-bound: the MAC array (or the vector path) is busy at least as
  /// long as the DMA engine (qlip-npu-cost's rule).
  bool isComputeBound() const { return computeCycles >= dmaCycles; }
};

/// One inference of a program.
struct Stats {
  /// The commands before the first configure (resident weights' loads),
  /// if there are any.
  std::optional<LayerStats> preload;
  /// One per layer of the program, at the layer's index; a layer the
  /// program never configures keeps zeros.
  std::vector<LayerStats> layers;
  int64_t cycles = 0;
  /// cycles at the target's clock.
  double microseconds = 0;
  int64_t macs = 0;
  int64_t dramBytes = 0;
  double energyNj = 0;
  /// One past the highest scratchpad byte any command touches.
  int64_t peakScratchpad = 0;
  /// The program loads the weight buffer only before its first configure.
  bool weightsResident = true;
};

/// A program, checked, ready to run on input arrays.
class Simulator {
public:
  /// Checks what the program holds besides its commands (target,
  /// segments, boundaries, layers), so that no layer's arithmetic can
  /// overflow or index outside its tiles; commands are checked as they
  /// run.
  static llvm::Expected<Simulator> create(const Program &program);

  /// Runs the program once. `inputs` are f32 arrays, one per model input,
  /// each of exactly its boundary's shape; `outputs` receives one f32 array
  /// per model output. Fails, naming the command, on any address outside
  /// its memory, a use of bytes with a DMA in flight, a tile that does not
  /// fit its layer, or a DMA never waited for.
  llvm::Error run(llvm::ArrayRef<qlip::NpyArray> inputs,
                  std::vector<qlip::NpyArray> &outputs);

  /// The counts and timing of the last successful run (the same for every
  /// run: nothing in the model depends on the data).
  const Stats &getStats() const { return stats; }
  const Program &getProgram() const { return program; }

private:
  explicit Simulator(Program program) : program(std::move(program)) {}

  Program program;
  Stats stats;
};

} // namespace mlir::npu::stream

#endif // QLIP_NPU_SIMULATOR_H
