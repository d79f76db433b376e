//===- NpuLower.cpp - tiled npu layers to an npu.program --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The second level of the npu dialect: a function of planned (npu.tile)
// layers becomes a program of commands. The DRAM map, the weight layout,
// the double-buffered schedule and what may stay on the host are written
// down in Passes.td (qlip-npu-lower); the tile geometry is the command
// stream's (CommandStream.h), which the verifiers and the simulator share.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/Transforms/Passes.h"

#include "dialects/Npu/IR/NpuOps.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::npu {
#define GEN_PASS_DEF_NPULOWERPASS
#include "dialects/Npu/Transforms/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// The values of a constant integer tensor, or none.
std::optional<SmallVector<int64_t>> constantValues(Value value) {
  DenseIntElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<int64_t> values;
  for (const APInt &v : attr.getValues<APInt>())
    values.push_back(v.getSExtValue());
  return values;
}

/// `shape` as the [N, H, W, C] of the vector path: rank 4 as it is, else
/// every dimension but the last folded into W.
SmallVector<int64_t> asNhwc(ArrayRef<int64_t> shape) {
  if (shape.size() == 4)
    return SmallVector<int64_t>(shape);
  int64_t w = 1;
  for (int64_t d : shape.drop_back())
    w *= d;
  return {1, 1, w, shape.back()};
}

/// A MAC layer's weights as the command stream stores them: one
/// byte-aligned row of `bits`-bit values per output channel.
std::vector<uint8_t> packWeights(Operation *op, ArrayRef<int64_t> weights,
                                 int64_t bits, int64_t rowBytes) {
  ArrayRef<int64_t> w = shapeOf(op->getOperand(1));
  // rows[c] lists the flat indices of channel c's weights in row order.
  SmallVector<SmallVector<int64_t>> rows;
  llvm::TypeSwitch<Operation *>(op)
      .Case<Conv2DOp>([&](auto) { // OHWI
        int64_t per = w[1] * w[2] * w[3];
        for (int64_t c = 0; c < w[0]; ++c) {
          auto &row = rows.emplace_back();
          for (int64_t k = 0; k < per; ++k)
            row.push_back(c * per + k);
        }
      })
      .Case<DepthwiseConv2DOp>([&](auto) { // HWCM, channel c * M + m
        for (int64_t c = 0; c < w[2]; ++c)
          for (int64_t m = 0; m < w[3]; ++m) {
            auto &row = rows.emplace_back();
            for (int64_t ky = 0; ky < w[0]; ++ky)
              for (int64_t kx = 0; kx < w[1]; ++kx)
                row.push_back(((ky * w[1] + kx) * w[2] + c) * w[3] + m);
          }
      })
      .Case<MatmulOp>([&](auto) { // [N, K, W]
        for (int64_t c = 0; c < w[2]; ++c) {
          auto &row = rows.emplace_back();
          for (int64_t n = 0; n < w[0]; ++n)
            for (int64_t k = 0; k < w[1]; ++k)
              row.push_back((n * w[1] + k) * w[2] + c);
        }
      });
  std::vector<uint8_t> bytes(rows.size() * rowBytes, 0);
  uint64_t mask = (uint64_t{1} << bits) - 1;
  for (auto [c, row] : llvm::enumerate(rows))
    for (auto [k, index] : llvm::enumerate(row)) {
      int64_t bit = static_cast<int64_t>(k) * bits;
      bytes[c * rowBytes + bit / 8] |=
          static_cast<uint8_t>((static_cast<uint64_t>(weights[index]) & mask)
                               << (bit % 8));
    }
  return bytes;
}

/// What the lowering knows of one npu layer op.
struct Layer {
  Operation *op;
  LayerAttr attr;
  TileAttr tile;
  /// DRAM offsets of the weights (MAC layers) and of the inputs, output.
  int64_t weights = 0;
  SmallVector<int64_t, 2> inputs;
  int64_t output = 0;
};

struct Lowering {
  func::FuncOp func;
  TargetAttr target;
  OpBuilder builder;
  int64_t dramSize = 0, weightBase = 0;
  int64_t nextTag = 0;
  bool resident = false;
  llvm::DenseMap<Value, int64_t> dram;
  std::vector<uint8_t> weightImage, tables;
  SmallVector<Layer, 8> layers;

  Lowering(func::FuncOp func, TargetAttr target)
      : func(func), target(target), builder(func.getContext()) {}

  int64_t allocate(int64_t bytes) {
    int64_t offset = dramSize;
    dramSize = static_cast<int64_t>(llvm::alignTo(dramSize + bytes, kBufferAlignment));
    return offset;
  }

  IntegerAttr i64(int64_t v) { return builder.getI64IntegerAttr(v); }

  LogicalResult collect();
  FailureOr<LayerAttr> describe(Operation *op, int64_t params);
  LogicalResult emit();
  void emitLayer(const Layer &layer);

  /// Issues a DMA of the [N][rows][W][channels] block starting at row
  /// `row`, channel `channel` of the NHWC tensor at DRAM `base` of shape
  /// `shape`, to (load) or from (store) the dense local block at `local`;
  /// returns the tags.
  SmallVector<int64_t> emitBlockDma(bool load, int64_t base,
                                    ArrayRef<int64_t> shape, int64_t row,
                                    int64_t rows, int64_t channel,
                                    int64_t channels, int64_t local);
  int64_t emitDma(bool load, bool weightBuffer, int64_t dramAddress,
                  int64_t local, int64_t count, int64_t bytes,
                  int64_t dramStride, int64_t localStride);
  void emitWait(int64_t tag) { WaitOp::create(builder, func.getLoc(), tag); }
};

int64_t Lowering::emitDma(bool load, bool weightBuffer, int64_t dramAddress,
                          int64_t local, int64_t count, int64_t bytes,
                          int64_t dramStride, int64_t localStride) {
  int64_t tag = nextTag++;
  Location loc = func.getLoc();
  if (load)
    DmaLoadOp::create(builder, loc, tag, dramAddress, local, count, bytes,
                      dramStride, localStride, weightBuffer);
  else
    DmaStoreOp::create(builder, loc, tag, dramAddress, local, count, bytes,
                       dramStride, localStride, /*weight_buffer=*/false);
  return tag;
}

SmallVector<int64_t> Lowering::emitBlockDma(bool load, int64_t base,
                                            ArrayRef<int64_t> shape,
                                            int64_t row, int64_t rows,
                                            int64_t channel, int64_t channels,
                                            int64_t local) {
  SmallVector<int64_t> tags;
  int64_t h = shape[1], w = shape[2], c = shape[3];
  for (int64_t n = 0; n < shape[0]; ++n) {
    int64_t start = base + ((n * h + row) * w) * c + channel;
    int64_t localStart = local + n * rows * w * channels;
    // All channels: the rows are one contiguous run.
    if (channels == c)
      tags.push_back(emitDma(load, false, start, localStart, 1,
                             rows * w * c, rows * w * c, rows * w * c));
    else
      tags.push_back(emitDma(load, false, start, localStart, rows * w,
                             channels, c, channels));
  }
  return tags;
}

FailureOr<LayerAttr> Lowering::describe(Operation *op, int64_t params) {
  MLIRContext *ctx = op->getContext();
  auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
  SmallVector<int64_t> ones = {1, 1}, noPad = {0, 0, 0, 0};
  SmallVector<int64_t> noRescale(7, 0);
  return llvm::TypeSwitch<Operation *, FailureOr<LayerAttr>>(op)
      .Case<Conv2DOp, DepthwiseConv2DOp>([&](auto layer) {
        ArrayRef<int64_t> w = shapeOf(layer.getWeight());
        bool depthwise = isa<DepthwiseConv2DOp>(op);
        SmallVector<int64_t> kernel =
            depthwise ? SmallVector<int64_t>{w[0], w[1]}
                      : SmallVector<int64_t>{w[1], w[2]};
        return LayerAttr::get(
            ctx, depthwise ? "depthwise_conv2d" : "conv2d",
            shapeOf(layer.getInput()), shapeOf(layer.getOutput()), kernel,
            layer.getStride(), layer.getDilation(), layer.getPad(),
            depthwise ? w[3] : 1, v(layer.getWeightBits()),
            v(layer.getInputZp()), v(layer.getOutputZp()),
            v(layer.getClampMin()), v(layer.getClampMax()), params, noRescale);
      })
      .Case<MatmulOp>([&](MatmulOp layer) {
        ArrayRef<int64_t> in = shapeOf(layer.getInput());
        ArrayRef<int64_t> out = shapeOf(layer.getOutput());
        return LayerAttr::get(
            ctx, "matmul", {in[0], in[1], 1, in[2]}, {out[0], out[1], 1, out[2]},
            ones, ones, ones, noPad, 1, v(layer.getWeightBits()),
            v(layer.getInputZp()), v(layer.getOutputZp()),
            v(layer.getClampMin()), v(layer.getClampMax()), params, noRescale);
      })
      .Case<MaxPool2DOp>([&](MaxPool2DOp layer) {
        return LayerAttr::get(ctx, "max_pool2d", shapeOf(layer.getInput()),
                              shapeOf(layer.getOutput()), layer.getKernel(),
                              layer.getStride(), ones, layer.getPad(), 1, 8, 0,
                              0, -128, 127, 0, noRescale);
      })
      .Case<AddOp>([&](AddOp layer) {
        SmallVector<int64_t> shape = asNhwc(shapeOf(layer.getOutput()));
        SmallVector<int64_t> rescale = {
            v(layer.getBZp()),        v(layer.getAMultiplier()),
            v(layer.getAShift()),     v(layer.getBMultiplier()),
            v(layer.getBShift()),     v(layer.getMultiplier()),
            v(layer.getShift())};
        return LayerAttr::get(ctx, "add", shape, shape, ones, ones, ones,
                              noPad, 1, 8, v(layer.getAZp()),
                              v(layer.getOutputZp()), v(layer.getClampMin()),
                              v(layer.getClampMax()), 0, rescale);
      })
      .Case<RescaleOp>([&](RescaleOp layer) {
        SmallVector<int64_t> shape = asNhwc(shapeOf(layer.getOutput()));
        SmallVector<int64_t> rescale = {v(layer.getMultiplier()),
                                        v(layer.getShift()), 0, 0, 0, 0, 0};
        return LayerAttr::get(ctx, "rescale", shape, shape, ones, ones, ones,
                              noPad, 1, 8, v(layer.getInputZp()),
                              v(layer.getOutputZp()), v(layer.getClampMin()),
                              v(layer.getClampMax()), 0, rescale);
      })
      .Default([&](Operation *) -> FailureOr<LayerAttr> { return failure(); });
}

/// Checks that every op of the function can be lowered, and lays out the
/// weight image, the epilogue tables and the layers.
LogicalResult Lowering::collect() {
  if (!func.getBody().hasOneBlock())
    return func.emitError("qlip-npu-lower: expected a function of one block");
  for (Operation &op : func.getBody().front()) {
    if (isa<arith::ConstantOp, tosa::ConstOp, tosa::ConstShapeOp,
            qlip::QuantizeOp, qlip::DequantizeOp, tosa::ReshapeOp,
            func::ReturnOp>(op))
      continue;
    if (!getTileSpace(&op))
      return op.emitError("qlip-npu-lower: '")
             << op.getName()
             << "' runs on the host; the command stream takes functions "
                "whose every op between the model's quantize and dequantize "
                "runs on the npu";
    auto tile = op.getAttrOfType<TileAttr>(TileAttr::getAttrName());
    if (!tile)
      return op.emitError("qlip-npu-lower: the layer has no npu.tile (run "
                          "qlip-npu-plan first)");
    Layer layer{&op, {}, tile};
    if (isa<Conv2DOp, DepthwiseConv2DOp, MatmulOp>(op)) {
      std::optional<SmallVector<int64_t>> weights =
          constantValues(op.getOperand(1));
      std::optional<SmallVector<int64_t>> bias =
          constantValues(op.getOperand(2));
      std::optional<SmallVector<int64_t>> multiplier =
          constantValues(op.getOperand(3));
      std::optional<SmallVector<int64_t>> shift =
          constantValues(op.getOperand(4));
      if (!weights || !bias || !multiplier || !shift)
        return op.emitError("qlip-npu-lower: the layer's weights, bias, "
                            "multiplier and shift must be constants");
      int64_t channels = shapeOf(op.getResult(0)).back();
      // The epilogue table: bias, multiplier, shift, each per channel.
      int64_t params = static_cast<int64_t>(tables.size());
      auto append = [&](int64_t value, int bytes) {
        for (int i = 0; i < bytes; ++i)
          tables.push_back(static_cast<uint8_t>(value >> (8 * i)));
      };
      for (int64_t c = 0; c < channels; ++c)
        append((*bias)[c], 4);
      for (int64_t c = 0; c < channels; ++c)
        append((*multiplier)[multiplier->size() == 1 ? 0 : c], 4);
      for (int64_t c = 0; c < channels; ++c)
        append((*shift)[shift->size() == 1 ? 0 : c], 1);
      layer.attr = *describe(&op, params); // made absolute below
      layer.weights = static_cast<int64_t>(weightImage.size());
      std::vector<uint8_t> packed =
          packWeights(&op, *weights, layer.attr.getWeightBits(),
                      layer.attr.getWeightRowBytes());
      weightImage.insert(weightImage.end(), packed.begin(), packed.end());
    } else {
      layer.attr = *describe(&op, 0);
    }
    layers.push_back(layer);
  }
  return success();
}

LogicalResult Lowering::emit() {
  Location loc = func.getLoc();
  // DRAM: the weight image, the epilogue tables, then every tensor.
  weightBase = allocate(weightImage.size());
  int64_t tableBase = allocate(tables.size());
  // As qlip-npu-plan decided, which sized the tiles by it.
  resident = getTotalWeightBytes(func->getParentOp()) <=
             target.getWeightBuffer();

  builder.setInsertionPoint(func);
  auto program = ProgramOp::create(builder, loc, func.getSymName(), 0);
  builder.setInsertionPointToStart(&program.getBody().emplaceBlock());
  auto segment = [&](int64_t offset, ArrayRef<uint8_t> bytes) {
    if (bytes.empty())
      return;
    auto type = RankedTensorType::get({static_cast<int64_t>(bytes.size())},
                                      builder.getI8Type());
    ArrayRef<char> chars(reinterpret_cast<const char *>(bytes.data()),
                         bytes.size());
    SegmentOp::create(builder, loc, offset,
                      cast<DenseIntElementsAttr>(
                          DenseIntElementsAttr::getFromRawBuffer(type, chars)));
  };
  segment(weightBase, weightImage);
  segment(tableBase, tables);

  // The host boundary and the tensors' DRAM.
  Block &body = func.getBody().front();
  for (Operation &op : body) {
    if (auto quantize = dyn_cast<qlip::QuantizeOp>(op)) {
      auto arg = dyn_cast<BlockArgument>(quantize.getInput());
      qlip::QParamsAttr q = quantize.getQparams();
      if (!arg || q.getNumChannels() != 1 ||
          !quantize.getType().getElementType().isInteger(8) ||
          !cast<RankedTensorType>(arg.getType()).getElementType().isF32())
        return op.emitError("qlip-npu-lower: the host quantizes only f32 "
                            "model inputs, per tensor, to signed 8-bit "
                            "levels");
      int64_t offset = allocate(
          cast<RankedTensorType>(quantize.getType()).getNumElements());
      dram[quantize.getResult()] = offset;
      HostInputOp::create(builder, loc, arg.getArgNumber(), offset,
                          shapeOf(arg), llvm::APFloat(q.getScales()[0]),
                          q.getZeroPoints()[0], q.getQMin(), q.getQMax());
    } else if (auto reshape = dyn_cast<tosa::ReshapeOp>(op)) {
      // NHWC data is contiguous: a reshape is the same bytes.
      auto it = dram.find(reshape.getInput1());
      if (it == dram.end())
        return op.emitError("qlip-npu-lower: a reshape of a tensor not in "
                            "DRAM");
      dram[reshape.getResult()] = it->second;
    } else if (getTileSpace(&op)) {
      dram[op.getResult(0)] =
          allocate(cast<RankedTensorType>(op.getResult(0).getType())
                       .getNumElements());
    }
  }
  for (Layer &layer : layers) {
    for (Value operand : layer.op->getOperands().take_front(
             isa<AddOp>(layer.op) ? 2 : 1)) {
      auto it = dram.find(operand);
      if (it == dram.end())
        return layer.op->emitError("qlip-npu-lower: the layer's input does "
                                   "not come from the host's quantize or an "
                                   "npu layer");
      layer.inputs.push_back(it->second);
    }
    layer.output = dram[layer.op->getResult(0)];
    layer.weights += weightBase;
    // The epilogue table's offset, relative in collect(), now absolute.
    if (layer.attr.isMacLayer())
      layer.attr = *describe(layer.op, layer.attr.getParams() + tableBase);
  }

  // Resident weights: one load before the first layer.
  if (resident && !weightImage.empty()) {
    int64_t bytes = weightImage.size();
    emitWait(emitDma(true, true, weightBase, 0, 1, bytes, bytes, bytes));
  }
  for (const Layer &layer : layers)
    emitLayer(layer);

  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto dequantize = value.getDefiningOp<qlip::DequantizeOp>();
    qlip::QParamsAttr q = dequantize ? dequantize.getQparams() : nullptr;
    if (!dequantize || q.getNumChannels() != 1 ||
        !dram.count(dequantize.getInput()) ||
        !cast<RankedTensorType>(value.getType()).getElementType().isF32())
      return ret.emitError("qlip-npu-lower: result ")
             << index << " must be an f32 per-tensor qlip.dequantize of an "
             << "npu layer's output";
    HostOutputOp::create(builder, loc, index, dram[dequantize.getInput()],
                         shapeOf(value),
                         llvm::APFloat(q.getScales()[0]),
                         q.getZeroPoints()[0], q.getQMin(), q.getQMax());
  }
  program.setDramSize(dramSize);
  return success();
}

void Lowering::emitLayer(const Layer &layer) {
  Location loc = layer.op->getLoc();
  stream::Layer g = layer.attr.toStream(getLayerName(layer.op));
  ConfigureOp::create(builder, loc, g.name, layer.attr);
  TileAttr tile = layer.tile;
  int64_t outRows = g.output[1], outChannels = g.output[3];
  struct Tile {
    int64_t row, rows, channel, channels;
    bool newChannels;
  };
  SmallVector<Tile> tiles;
  for (int64_t c = 0; c < outChannels; c += tile.getChannels())
    for (int64_t r = 0; r < outRows; r += tile.getRows())
      tiles.push_back({r, std::min(tile.getRows(), outRows - r), c,
                       std::min(tile.getChannels(), outChannels - c), r == 0});
  bool mac = layer.attr.isMacLayer();
  int64_t weightTile = stream::getWeightTileBytes(g, tile.getChannels());
  int64_t rowBytes = mac ? stream::getWeightRowBytes(g) : 0;

  // Tile i's input (and streamed weights) go to ping or pong buffer i % 2.
  SmallVector<SmallVector<int64_t>> loadTags(tiles.size());
  SmallVector<int64_t> storeTags(tiles.size(), -1);
  int64_t channelTile = -1;
  auto issueLoads = [&](size_t i) {
    const Tile &t = tiles[i];
    int64_t in = tile.getOffset(i % 2);
    stream::RowRange rows = stream::getInputRows(g, t.row, t.rows);
    // The input block: all input channels (conv2d, matmul), the tile's
    // channels over the multiplier (depthwise), or the tile's own.
    int64_t channel = t.channel, channels = t.channels;
    if (g.kind == stream::LayerKind::Conv2D ||
        g.kind == stream::LayerKind::Matmul) {
      channel = 0;
      channels = g.input[3];
    } else if (g.kind == stream::LayerKind::DepthwiseConv2D) {
      channel /= g.multiplier;
      channels /= g.multiplier;
    }
    for (auto [k, base] : llvm::enumerate(layer.inputs)) {
      int64_t local =
          in + k * stream::getInputTileBytes(g, rows.count, t.channels);
      loadTags[i].append(emitBlockDma(true, base, g.input, rows.first,
                                      rows.count, channel, channels, local));
    }
    if (mac && !resident && t.newChannels) {
      ++channelTile;
      int64_t bytes = t.channels * rowBytes;
      loadTags[i].push_back(emitDma(true, true,
                                    layer.weights + t.channel * rowBytes,
                                    (channelTile % 2) * weightTile, 1, bytes,
                                    bytes, bytes));
    }
  };
  int64_t computeChannelTile = -1;
  auto compute = [&](size_t i) {
    const Tile &t = tiles[i];
    for (int64_t tag : loadTags[i])
      emitWait(tag);
    if (i >= 2)
      emitWait(storeTags[i - 2]);
    int64_t in = tile.getOffset(i % 2), out = tile.getOffset(2 + i % 2);
    stream::RowRange rows = stream::getInputRows(g, t.row, t.rows);
    if (t.newChannels)
      ++computeChannelTile;
    if (mac) {
      int64_t weights = resident
                            ? layer.weights - weightBase + t.channel * rowBytes
                            : (computeChannelTile % 2) * weightTile;
      MacTileOp::create(builder, loc, in, rows.first, rows.count, weights,
                        t.row, t.rows, t.channel, t.channels);
      RequantizeOp::create(builder, loc, out);
    } else {
      int64_t in2 = in + stream::getInputTileBytes(g, rows.count, t.channels);
      VectorTileOp::create(builder, loc, in, rows.first, rows.count,
                           g.kind == stream::LayerKind::Add ? in2 : 0, t.row,
                           t.rows, t.channel, t.channels, out);
    }
    SmallVector<int64_t> tags = emitBlockDma(
        false, layer.output, g.output, t.row, t.rows, t.channel, t.channels,
        out);
    // One tag stands for the tile's stores: wait for the others now
    // (a batch of N images stores N blocks).
    for (int64_t tag : ArrayRef<int64_t>(tags).drop_back())
      emitWait(tag);
    storeTags[i] = tags.back();
  };
  issueLoads(0);
  for (size_t i = 0; i < tiles.size(); ++i) {
    if (i + 1 < tiles.size())
      issueLoads(i + 1);
    compute(i);
  }
  for (size_t i = tiles.size() >= 2 ? tiles.size() - 2 : 0; i < tiles.size();
       ++i)
    emitWait(storeTags[i]);
}

struct NpuLowerPass : npu::impl::NpuLowerPassBase<NpuLowerPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr target = TargetAttr::lookup(module);
    if (!target) {
      module.emitError("qlip-npu-lower: the module has no npu.target "
                       "attribute");
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() &&
          func.walk([](Operation *op) {
                return getTileSpace(op) ? WalkResult::interrupt()
                                        : WalkResult::advance();
              }).wasInterrupted())
        funcs.push_back(func);
    for (func::FuncOp func : funcs) {
      Lowering lowering(func, target);
      if (failed(lowering.collect()) || failed(lowering.emit()))
        return signalPassFailure();
      func.erase();
    }
  }
};

} // namespace
