//===- NpuPlan.cpp - tiling and scratchpad planning -------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The plan and its assumptions are written down in Passes.td
// (qlip-npu-plan); the footprint formula is npu::getTileFootprint, which the
// `npu.tile` verifier also uses.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/Transforms/Passes.h"

#include "dialects/Npu/IR/NpuOps.h"

#include "llvm/Support/MathExtras.h"

#include "llvm/Support/Format.h"

namespace mlir::npu {
#define GEN_PASS_DEF_NPUPLANPASS
#include "dialects/Npu/Transforms/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {

int64_t alignUp(int64_t bytes) {
  return static_cast<int64_t>(llvm::alignTo(bytes, kBufferAlignment));
}

/// The scratchpad bytes of a tile's four buffers.
int64_t scratchpadBytes(const TileFootprint &f) {
  return 2 * alignUp(f.input) + 2 * alignUp(f.output);
}

struct LayerPlan {
  Operation *op;
  int64_t rows, channels, tiles, scratchpad, dram;
};

struct NpuPlanPass : npu::impl::NpuPlanPassBase<NpuPlanPass> {
  using NpuPlanPassBase::NpuPlanPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr target = TargetAttr::lookup(module);
    if (!target) {
      module.emitError("qlip-npu-plan: the module has no npu.target attribute");
      return signalPassFailure();
    }
    SmallVector<Operation *> layers;
    module.walk([&](Operation *op) {
      if (getTileSpace(op))
        layers.push_back(op);
    });
    int64_t totalWeights = getTotalWeightBytes(module);
    bool resident = totalWeights <= target.getWeightBuffer();

    SmallVector<LayerPlan> plans;
    for (Operation *op : layers) {
      FailureOr<LayerPlan> plan = planLayer(op, target, resident);
      if (failed(plan))
        return signalPassFailure();
      plans.push_back(*plan);
    }
    if (printReport)
      report(plans, target, resident, totalWeights);
  }

  FailureOr<LayerPlan> planLayer(Operation *op, TargetAttr target,
                                 bool resident) {
    TileSpace space = *getTileSpace(op);
    auto fits = [&](int64_t rows, int64_t channels) {
      TileFootprint f = getTileFootprint(op, rows, channels);
      return scratchpadBytes(f) <= target.getScratchpad() &&
             (resident || 2 * f.weights <= target.getWeightBuffer());
    };
    int64_t channels = space.channels, rows = 0;
    while (true) {
      for (int64_t r = space.rows; r >= 1 && !rows; --r)
        if (fits(r, channels))
          rows = r;
      if (rows || channels == space.channelStep)
        break;
      channels =
          std::max(space.channelStep,
                   llvm::divideCeilSigned(channels / 2, space.channelStep) *
                       space.channelStep);
    }
    if (!rows) {
      TileFootprint f = getTileFootprint(op, 1, space.channelStep);
      op->emitError("qlip-npu-plan: the target cannot hold the smallest tile "
                    "(1 row x ")
          << space.channelStep << " channels): " << scratchpadBytes(f)
          << " scratchpad bytes double-buffered, of " << target.getScratchpad()
          << ", and " << f.weights << " weight bytes"
          << (resident ? "" : " (twice, streamed)") << ", of "
          << target.getWeightBuffer();
      return failure();
    }
    TileFootprint f = getTileFootprint(op, rows, channels);
    int64_t in = alignUp(f.input), out = alignUp(f.output);
    SmallVector<int64_t> buffers = {0,      f.input,  in,           f.input,
                                    2 * in, f.output, 2 * in + out, f.output};
    op->setAttr(TileAttr::getAttrName(),
                TileAttr::get(op->getContext(), rows, channels, buffers));

    // DRAM traffic: each row tile's input window (a partial last tile reads
    // fewer rows), once per channel tile when every channel tile reads all
    // input channels; the output once; streamed weights once.
    int64_t channelTiles = llvm::divideCeilSigned(space.channels, channels);
    int64_t rowTiles = llvm::divideCeilSigned(space.rows, rows);
    int64_t inputBytes = 0;
    for (int64_t t = 0; t < rowTiles; ++t) {
      int64_t tileRows = std::min(rows, space.rows - t * rows);
      inputBytes += getTileFootprint(op, tileRows, space.channels).input;
    }
    if (space.channelTilesReadAllInput)
      inputBytes *= channelTiles;
    TileFootprint whole = getTileFootprint(op, space.rows, space.channels);
    int64_t dram = inputBytes + whole.output + (resident ? 0 : whole.weights);
    return LayerPlan{
        op, rows, channels, rowTiles * channelTiles, scratchpadBytes(f), dram};
  }

  void report(ArrayRef<LayerPlan> plans, TargetAttr target, bool resident,
              int64_t totalWeights) {
    llvm::raw_ostream &os = llvm::errs();
    int width = 10;
    for (const LayerPlan &p : plans)
      width = std::max<int>(width, getLayerName(p.op).size());
    os << llvm::format("npu memory plan: scratchpad %lld B, weight buffer "
                       "%lld B\n",
                       target.getScratchpad(), target.getWeightBuffer());
    os << llvm::format("%-*s %-18s %12s %6s %12s %10s\n", width, "layer", "op",
                       "tile", "tiles", "scratchpad", "DRAM B");
    int64_t totalDram = 0, peak = 0;
    for (const LayerPlan &p : plans) {
      std::string tile =
          std::to_string(p.rows) + "x" + std::to_string(p.channels);
      os << llvm::format("%-*s %-18s %12s %6lld %12lld %10lld\n", width,
                         getLayerName(p.op).c_str(),
                         p.op->getName().stripDialect().str().c_str(),
                         tile.c_str(), p.tiles, p.scratchpad, p.dram);
      totalDram += p.dram;
      peak = std::max(peak, p.scratchpad);
    }
    os << llvm::format("weights: %lld B, %s; peak scratchpad %lld of %lld B; "
                       "DRAM traffic %lld B per inference\n",
                       totalWeights,
                       resident ? "resident in the weight buffer"
                                : "streamed from DRAM",
                       peak, target.getScratchpad(), totalDram);
  }
};

} // namespace
