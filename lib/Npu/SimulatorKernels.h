//===- SimulatorKernels.h - the npu's tile arithmetic -----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What the MAC array and the requantize unit compute on one tile, over the
// tile's dense buffers (docs/npu-command-stream.md, "Arithmetic" and
// "Tiles"). The machine (SimulatorMachine.cpp) has checked the tile
// against its layer and the buffers against their memories before it calls
// these, so they index without checks.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_NPU_SIMULATORKERNELS_H
#define QLIP_LIB_NPU_SIMULATORKERNELS_H

#include "qlip/Npu/CommandStream.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mlir::npu::stream {

/// Output rows [row, +rows) x channels [channel, +channels) of a layer, and
/// the input rows [inputRow, +inputRows) its buffer holds.
struct Tile {
  int64_t inputRow = 0, inputRows = 0;
  int64_t row = 0, rows = 0;
  int64_t channel = 0, channels = 0;
};

/// A MAC layer's epilogue table, one entry per output channel.
struct Epilogue {
  std::vector<int32_t> bias, multiplier;
  std::vector<int8_t> shift;
};

/// Reads the table of `channels` channels from `bytes` (bias i32, multiplier
/// i32, shift i8, each for every channel, little-endian).
Epilogue readEpilogue(const uint8_t *bytes, int64_t channels);

/// The weights of `channels` weight rows at `rows`, unpacked: value k of
/// row c at [c * getWeightRowLength(layer) + k].
std::vector<int8_t> unpackWeights(const Layer &layer, const uint8_t *rows,
                                  int64_t channels);

/// The accumulators of a mac_tile, [N][rows][W_out][channels]. `input` is
/// the tile's input buffer, `weights` unpackWeights' result.
std::vector<int64_t> computeMacTile(const Layer &layer, const Tile &tile,
                                    const int8_t *input,
                                    llvm::ArrayRef<int8_t> weights);

/// Drains `acc` through the epilogue into the output buffer
/// [N][rows][W_out][channels].
void requantizeTile(const Layer &layer, const Epilogue &epilogue,
                    const Tile &tile, llvm::ArrayRef<int64_t> acc,
                    int8_t *output);

/// A vector_tile of a max_pool2d, add or rescale into `output`, which may
/// alias an input. `input2` is an add's second input.
void computeVectorTile(const Layer &layer, const Tile &tile,
                       const int8_t *input, const int8_t *input2,
                       int8_t *output);

} // namespace mlir::npu::stream

#endif // QLIP_LIB_NPU_SIMULATORKERNELS_H
