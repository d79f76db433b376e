//===- NpuOps.h - npu operations --------------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUOPS_H
#define QLIP_DIALECT_NPU_IR_NPUOPS_H

#include "dialects/Npu/IR/NpuAttrs.h"
#include "dialects/Npu/IR/NpuDialect.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Npu/IR/NpuOps.h.inc"

#include <optional>

namespace mlir::npu {

/// The bytes a tile of an npu layer needs: its input window (1-byte
/// activations, all input channels for conv2d and matmul, the tile's own
/// for depthwise, pools and adds), its output, and its weights at their
/// width. Defined in NpuTiles.cpp; qlip-npu-plan and `npu.tile`'s
/// verifier share it.
struct TileFootprint {
  int64_t input = 0, output = 0, weights = 0;
};

/// The output rows and channels a layer's tiles divide.
struct TileSpace {
  int64_t rows = 1, channels = 1;
  /// Channel tiles must be multiples of this (a depthwise multiplier).
  int64_t channelStep = 1;
  /// Whether each channel tile reads the whole input (conv2d, matmul).
  bool channelTilesReadAllInput = false;
};

/// Alignment of the plan's scratchpad buffers and of the tensors in DRAM.
inline constexpr int64_t kBufferAlignment = 64;

/// The packed weight bytes of every npu layer under `root`. They stay
/// resident in the weight buffer when they fit it, else stream (the one
/// rule qlip-npu-plan sizes its tiles by and qlip-npu-lower schedules by).
int64_t getTotalWeightBytes(Operation *root);

/// The tile space of an npu layer op, or none for another op.
std::optional<TileSpace> getTileSpace(Operation *op);

/// What a tile of `rows` x `channels` of `op` needs (`op` has a tile space).
TileFootprint getTileFootprint(Operation *op, int64_t rows, int64_t channels);

} // namespace mlir::npu

#endif // QLIP_DIALECT_NPU_IR_NPUOPS_H
