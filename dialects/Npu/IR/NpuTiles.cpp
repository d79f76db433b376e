//===- NpuTiles.cpp - tile footprints and `npu.tile` checks -----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// One formula for what a tile of each npu layer needs, used by the planner
// (qlip-npu-plan) to size tiles and by the dialect's attribute verifier to
// check a plan it is given.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/IR/NpuOps.h"

#include "llvm/Support/MathExtras.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::npu;

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

std::optional<TileSpace> mlir::npu::getTileSpace(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<TileSpace>>(op)
      .Case<Conv2DOp, MaxPool2DOp>([](auto layer) {
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        return TileSpace{out[1], out[3], 1, isa<Conv2DOp>(layer)};
      })
      .Case<DepthwiseConv2DOp>([](DepthwiseConv2DOp layer) {
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        return TileSpace{out[1], out[3], shapeOf(layer.getWeight())[3], false};
      })
      .Case<MatmulOp>([](MatmulOp layer) {
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        return TileSpace{out[1], out[2], 1, true};
      })
      .Case<AddOp, RescaleOp>([](auto layer) {
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        // Rank 4: rows of H; otherwise one row holding everything.
        return out.size() == 4 ? TileSpace{out[1], out[3], 1, false}
                               : TileSpace{1, out.back(), 1, false};
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// Input rows a tile of `rows` output rows reads, from an input of `inRows`
/// rows (padding rows are not stored).
static int64_t windowRows(int64_t rows, int64_t kernel, int64_t stride,
                          int64_t dilation, int64_t inRows) {
  return std::min(inRows, (rows - 1) * stride + (kernel - 1) * dilation + 1);
}

TileFootprint mlir::npu::getTileFootprint(Operation *op, int64_t rows,
                                          int64_t channels) {
  TileFootprint footprint;
  // One byte-aligned row of weights per output channel (the command
  // stream's layout), so that every channel tile starts on a byte.
  auto weightBytes = [](int64_t channels, int64_t perChannel, uint64_t bits) {
    return channels *
           llvm::divideCeilSigned(perChannel * static_cast<int64_t>(bits), 8);
  };
  llvm::TypeSwitch<Operation *>(op)
      .Case<Conv2DOp, DepthwiseConv2DOp>([&](auto layer) {
        ArrayRef<int64_t> in = shapeOf(layer.getInput());
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        ArrayRef<int64_t> w = shapeOf(layer.getWeight());
        bool depthwise = isa<DepthwiseConv2DOp>(op);
        int64_t kh = depthwise ? w[0] : w[1], kw = depthwise ? w[1] : w[2];
        int64_t inRows = windowRows(rows, kh, layer.getStride()[0],
                                    layer.getDilation()[0], in[1]);
        int64_t inChannels =
            depthwise ? llvm::divideCeilSigned(channels, w[3]) : in[3];
        footprint.input = in[0] * inRows * in[2] * inChannels;
        footprint.output = out[0] * rows * out[2] * channels;
        footprint.weights =
            weightBytes(channels, kh * kw * (depthwise ? 1 : in[3]),
                        layer.getWeightBits());
      })
      .Case<MatmulOp>([&](MatmulOp layer) {
        ArrayRef<int64_t> in = shapeOf(layer.getInput());
        footprint.input = in[0] * rows * in[2];
        footprint.output = in[0] * rows * channels;
        footprint.weights =
            weightBytes(channels, in[0] * in[2], layer.getWeightBits());
      })
      .Case<MaxPool2DOp>([&](MaxPool2DOp layer) {
        ArrayRef<int64_t> in = shapeOf(layer.getInput());
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        int64_t inRows = windowRows(rows, layer.getKernel()[0],
                                    layer.getStride()[0], 1, in[1]);
        footprint.input = in[0] * inRows * in[2] * channels;
        footprint.output = out[0] * rows * out[2] * channels;
      })
      .Case<AddOp, RescaleOp>([&](auto layer) {
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        int64_t perRow = 1;
        for (auto [d, dim] : llvm::enumerate(out.drop_back()))
          if (out.size() != 4 || d != 1)
            perRow *= dim;
        footprint.output = perRow * rows * channels;
        // An add's two operands share the input buffer.
        footprint.input =
            (isa<AddOp>(op) ? 2 : 1) * footprint.output;
      });
  return footprint;
}

int64_t mlir::npu::getTotalWeightBytes(Operation *root) {
  int64_t total = 0;
  root->walk([&](Operation *op) {
    if (std::optional<TileSpace> space = getTileSpace(op))
      total += getTileFootprint(op, space->rows, space->channels).weights;
  });
  return total;
}

static LogicalResult verifyTile(Operation *op, TileAttr tile) {
  std::optional<TileSpace> space = getTileSpace(op);
  if (!space)
    return op->emitOpError("has an npu.tile but is not an npu layer");
  if (tile.getRows() > space->rows || tile.getChannels() > space->channels ||
      tile.getChannels() % space->channelStep)
    return op->emitOpError("tile ")
           << tile.getRows() << " x " << tile.getChannels()
           << " does not divide an output of " << space->rows << " rows x "
           << space->channels << " channels (channel step "
           << space->channelStep << ")";
  TileFootprint need = getTileFootprint(op, tile.getRows(), tile.getChannels());
  for (unsigned i = 0; i < 4; ++i) {
    int64_t bytes = i < 2 ? need.input : need.output;
    if (tile.getSize(i) < bytes)
      return op->emitOpError("buffer ")
             << i << " holds " << tile.getSize(i) << " bytes; "
             << (i < 2 ? "an input" : "an output") << " tile needs " << bytes;
  }
  if (TargetAttr target = TargetAttr::lookup(op)) {
    for (unsigned i = 0; i < 4; ++i)
      if (tile.getOffset(i) + tile.getSize(i) > target.getScratchpad())
        return op->emitOpError("buffer ")
               << i << " [" << tile.getOffset(i) << ", " << tile.getSize(i)
               << "] ends past the target's " << target.getScratchpad()
               << "-byte scratchpad";
    if (need.weights > target.getWeightBuffer())
      return op->emitOpError("a tile's ")
             << need.weights << " weight bytes do not fit the target's "
             << target.getWeightBuffer() << "-byte weight buffer";
  }
  return success();
}

LogicalResult NpuDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() == TargetAttr::getAttrName()) {
    if (!isa<TargetAttr>(attr.getValue()))
      return op->emitError("npu.target must be a #npu.target");
    return success();
  }
  if (attr.getName() == TileAttr::getAttrName()) {
    auto tile = dyn_cast<TileAttr>(attr.getValue());
    if (!tile)
      return op->emitError("npu.tile must be a #npu.tile");
    return verifyTile(op, tile);
  }
  return op->emitError("unknown npu attribute '") << attr.getName() << "'";
}
