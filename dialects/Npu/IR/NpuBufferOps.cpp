//===- NpuBufferOps.cpp - npu buffer-level operations -----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The verifiers of the command ops: each checks its own ranges against the
// target and the program's DRAM, and its tile against the layer the
// nearest `npu.configure` before it sets; the program checks what needs
// the order of commands (DMAs in flight against the tiles that use their
// buffers). The tile geometry is the command stream's (CommandStream.h),
// which the simulator runs.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/IR/NpuOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::npu;

namespace {

/// A byte range of the scratchpad or the weight buffer.
struct Access {
  bool weightBuffer;
  int64_t offset, size;
  bool overlaps(const Access &other) const {
    return weightBuffer == other.weightBuffer &&
           offset < other.offset + other.size &&
           other.offset < offset + size;
  }
};

} // namespace

/// The nearest op of type OpTy before `op` in the layer `op` belongs to
/// (none past an npu.configure, unless OpTy is ConfigureOp).
template <typename OpTy> static OpTy findInLayer(Operation *op) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto found = dyn_cast<OpTy>(prev))
      return found;
    if (isa<ConfigureOp>(prev))
      return {};
  }
  return {};
}

static LayerAttr getConfiguredLayer(Operation *op) {
  ConfigureOp configure = findInLayer<ConfigureOp>(op);
  return configure ? configure.getLayer() : LayerAttr();
}

static int64_t getDramSize(Operation *op) {
  return static_cast<int64_t>(op->getParentOfType<ProgramOp>().getDramSize());
}

static LogicalResult checkRange(Operation *op, StringRef what, int64_t offset,
                                int64_t size, StringRef memory,
                                int64_t limit) {
  if (offset < 0 || size < 0 || offset + size > limit)
    return op->emitOpError() << what << " [" << offset << ", +" << size
                             << ") lies outside the " << limit << "-byte "
                             << memory;
  return success();
}

static LogicalResult checkLocal(Operation *op, StringRef what,
                                const Access &access) {
  TargetAttr target = TargetAttr::lookup(op);
  if (!target)
    return op->emitOpError("needs an npu.target on the module");
  return access.weightBuffer
             ? checkRange(op, what, access.offset, access.size,
                          "weight buffer", target.getWeightBuffer())
             : checkRange(op, what, access.offset, access.size, "scratchpad",
                          target.getScratchpad());
}

/// Checks a tile command (output rows [row, +rows) x channels [channel,
/// +channels)) against `layer`, and its input rows against the window's;
/// returns its input buffer.
template <typename TileOp>
static FailureOr<Access> checkTile(TileOp tile, const stream::Layer &layer) {
  auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
  int64_t row = v(tile.getRow()), rows = v(tile.getRows());
  int64_t channel = v(tile.getChannel()), channels = v(tile.getChannels());
  int64_t inputRow = v(tile.getInputRow()), inputRows = v(tile.getInputRows());
  if (row < 0 || rows < 1 || row + rows > layer.output[1] || channel < 0 ||
      channels < 1 || channel + channels > layer.output[3])
    return tile.emitOpError("tile rows [")
           << row << ", +" << rows << ") x channels [" << channel << ", +"
           << channels << ") is not inside the layer's " << layer.output[1]
           << " x " << layer.output[3] << " output";
  if (layer.kind == stream::LayerKind::DepthwiseConv2D &&
      (channel % layer.multiplier || channels % layer.multiplier))
    return tile.emitOpError("a depthwise tile's channels must be whole "
                            "multiples of the channel multiplier ")
           << layer.multiplier;
  stream::RowRange need = stream::getInputRows(layer, row, rows);
  if (inputRow != need.first || inputRows != need.count)
    return tile.emitOpError("the tile's window reads input rows [")
           << need.first << ", +" << need.count << "), but the tile holds ["
           << inputRow << ", +" << inputRows << ")";
  return Access{false, v(tile.getInput()),
                stream::getInputTileBytes(layer, inputRows, channels)};
}

/// The local buffers a tile command uses, or failure (reported) when it
/// is not a tile of the configured layer.
static FailureOr<SmallVector<Access>> getAccesses(Operation *op) {
  LayerAttr attr = getConfiguredLayer(op);
  if (!attr)
    return op->emitOpError("has no npu.configure before it");
  stream::Layer layer = attr.toStream("");
  return llvm::TypeSwitch<Operation *, FailureOr<SmallVector<Access>>>(op)
      .Case<MacTileOp>([&](MacTileOp tile) -> FailureOr<SmallVector<Access>> {
        if (!attr.isMacLayer())
          return tile.emitOpError("needs a MAC layer, but ")
                 << attr.getKind() << " is configured";
        FailureOr<Access> in = checkTile(tile, layer);
        if (failed(in))
          return failure();
        int64_t w = stream::getWeightTileBytes(layer, tile.getChannels());
        return SmallVector<Access>{
            *in, {true, static_cast<int64_t>(tile.getWeights()), w}};
      })
      .Case<RequantizeOp>(
          [&](RequantizeOp requantize) -> FailureOr<SmallVector<Access>> {
            MacTileOp tile = findInLayer<MacTileOp>(op);
            if (!tile)
              return requantize.emitOpError(
                  "has no npu.mac_tile of the configured layer before it");
            int64_t out = stream::getOutputTileBytes(layer, tile.getRows(),
                                                     tile.getChannels());
            return SmallVector<Access>{
                {false, static_cast<int64_t>(requantize.getOutput()), out}};
          })
      .Case<VectorTileOp>(
          [&](VectorTileOp tile) -> FailureOr<SmallVector<Access>> {
            if (attr.isMacLayer())
              return tile.emitOpError("needs a max_pool2d, add or rescale, "
                                      "but ")
                     << attr.getKind() << " is configured";
            FailureOr<Access> in = checkTile(tile, layer);
            if (failed(in))
              return failure();
            int64_t out = stream::getOutputTileBytes(layer, tile.getRows(),
                                                     tile.getChannels());
            SmallVector<Access> accesses{
                *in, {false, static_cast<int64_t>(tile.getOutput()), out}};
            if (layer.kind == stream::LayerKind::Add)
              accesses.push_back(
                  {false, static_cast<int64_t>(tile.getInput2()), in->size});
            return accesses;
          })
      .Default([&](Operation *) -> FailureOr<SmallVector<Access>> {
        return SmallVector<Access>{};
      });
}

static LogicalResult verifyTileOp(Operation *op) {
  FailureOr<SmallVector<Access>> accesses = getAccesses(op);
  if (failed(accesses))
    return failure();
  const char *names[] = {"the first buffer", "the second buffer",
                         "the third buffer"};
  for (auto [i, access] : llvm::enumerate(*accesses))
    if (failed(checkLocal(op, names[i], access)))
      return failure();
  return success();
}

LogicalResult MacTileOp::verify() {
  if (failed(verifyTileOp(*this)))
    return failure();
  TargetAttr target = TargetAttr::lookup(*this);
  int64_t bits = getConfiguredLayer(*this).getWeightBits();
  if (!target.supportsWidth(bits))
    return emitOpError("the target's MAC array takes no ")
           << bits << "-bit operands";
  return success();
}

LogicalResult RequantizeOp::verify() { return verifyTileOp(*this); }

LogicalResult VectorTileOp::verify() { return verifyTileOp(*this); }

LogicalResult SegmentOp::verify() {
  return checkRange(*this, "the segment", getOffset(),
                    getBytes().getNumElements(), "DRAM", getDramSize(*this));
}

/// Host input and output: inside DRAM, a valid quantizer.
template <typename OpTy> static LogicalResult verifyBoundary(OpTy op) {
  int64_t elements = 1;
  for (int64_t d : op.getShape()) {
    if (d < 1)
      return op.emitOpError("expected a static positive shape");
    elements *= d;
  }
  double scale = op.getScale().convertToDouble();
  auto qmin = static_cast<int64_t>(op.getQmin());
  auto qmax = static_cast<int64_t>(op.getQmax());
  if (!(scale > 0) || !std::isfinite(scale) || qmin < -128 || qmax > 127 ||
      qmin > qmax)
    return op.emitOpError("expected a positive finite scale and a range "
                          "within [-128, 127], got scale ")
           << scale << " and [" << qmin << ", " << qmax << "]";
  return checkRange(op, "the tensor", op.getDram(), elements, "DRAM",
                    getDramSize(op));
}

LogicalResult HostInputOp::verify() { return verifyBoundary(*this); }
LogicalResult HostOutputOp::verify() { return verifyBoundary(*this); }

LogicalResult ConfigureOp::verify() {
  LayerAttr layer = getLayer();
  TargetAttr target = TargetAttr::lookup(*this);
  if (!target)
    return emitOpError("needs an npu.target on the module");
  if (!layer.isMacLayer())
    return success();
  if (!target.supportsWidth(layer.getWeightBits()))
    return emitOpError("the target's MAC array takes no ")
           << layer.getWeightBits() << "-bit operands";
  return checkRange(*this, "the epilogue table", layer.getParams(),
                    9 * layer.getOutput()[3], "DRAM", getDramSize(*this));
}

/// The on-chip bytes a DMA moves, from its first chunk to its last.
template <typename OpTy> static Access getLocalAccess(OpTy dma) {
  return {dma.getWeightBuffer(), static_cast<int64_t>(dma.getLocal()),
          dma.getLocalExtent()};
}

/// A DMA command's tag and on-chip bytes.
static std::pair<int64_t, Access> getTagAndAccess(Operation *op) {
  if (auto load = dyn_cast<DmaLoadOp>(op))
    return {static_cast<int64_t>(load.getTag()), getLocalAccess(load)};
  auto store = cast<DmaStoreOp>(op);
  return {static_cast<int64_t>(store.getTag()), getLocalAccess(store)};
}

template <typename OpTy> static LogicalResult verifyDma(OpTy op) {
  auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
  if (v(op.getCount()) < 1 || v(op.getBytes()) < 1 ||
      v(op.getDramStride()) < v(op.getBytes()) ||
      v(op.getLocalStride()) < v(op.getBytes()))
    return op.emitOpError("expected at least one chunk of at least one byte, "
                          "and strides no shorter than a chunk");
  if (v(op.getTag()) < 0)
    return op.emitOpError("tags are non-negative");
  if (failed(checkRange(op, "the DRAM range", v(op.getDram()),
                        op.getDramExtent(), "DRAM", getDramSize(op))))
    return failure();
  return checkLocal(op, "the local range", getLocalAccess(op));
}

LogicalResult DmaLoadOp::verify() { return verifyDma(*this); }

LogicalResult DmaStoreOp::verify() {
  if (getWeightBuffer())
    return emitOpError("stores only from the scratchpad");
  return verifyDma(*this);
}

LogicalResult WaitOp::verify() {
  if (static_cast<int64_t>(getTag()) < 0)
    return emitOpError("tags are non-negative");
  return success();
}

LogicalResult ProgramOp::verifyRegions() {
  // DMAs in flight: tag -> (the op, its local range).
  llvm::DenseMap<int64_t, std::pair<Operation *, Access>> inFlight;
  SmallVector<std::pair<int64_t, int64_t>> segments;
  for (Operation &op : getBody().front()) {
    if (!isa<SegmentOp, HostInputOp, HostOutputOp, ConfigureOp, DmaLoadOp,
             DmaStoreOp, WaitOp, MacTileOp, RequantizeOp, VectorTileOp>(op))
      return op.emitOpError("is not an npu command");
    auto conflict = [&](const Access &access) -> LogicalResult {
      for (auto &[tag, entry] : inFlight)
        if (entry.second.overlaps(access)) {
          InFlightDiagnostic diag =
              op.emitOpError("uses ")
              << (access.weightBuffer ? "weight-buffer" : "scratchpad")
              << " bytes [" << access.offset << ", +" << access.size
              << ") while DMA tag " << tag << " into or out of them is in "
              << "flight";
          diag.attachNote(entry.first->getLoc()) << "the DMA";
          return diag;
        }
      return success();
    };
    if (auto segment = dyn_cast<SegmentOp>(op)) {
      int64_t lo = segment.getOffset();
      int64_t hi = lo + segment.getBytes().getNumElements();
      for (auto [otherLo, otherHi] : segments)
        if (lo < otherHi && otherLo < hi)
          return op.emitOpError("overlaps another segment");
      segments.push_back({lo, hi});
    } else if (isa<DmaLoadOp, DmaStoreOp>(op)) {
      auto [tag, access] = getTagAndAccess(&op);
      if (inFlight.count(tag))
        return op.emitOpError("reuses tag ") << tag << " while it is in flight";
      if (failed(conflict(access)))
        return failure();
      inFlight[tag] = {&op, access};
    } else if (auto wait = dyn_cast<WaitOp>(op)) {
      if (!inFlight.erase(static_cast<int64_t>(wait.getTag())))
        return op.emitOpError("waits for tag ")
               << wait.getTag() << ", which no DMA in flight has";
    } else if (isa<MacTileOp, RequantizeOp, VectorTileOp>(op)) {
      FailureOr<SmallVector<Access>> accesses = getAccesses(&op);
      if (failed(accesses))
        return failure();
      for (const Access &access : *accesses)
        if (failed(conflict(access)))
          return failure();
    }
  }
  if (!inFlight.empty())
    return emitOpError("ends with DMA tag ")
           << inFlight.begin()->first << " still in flight";
  return success();
}
