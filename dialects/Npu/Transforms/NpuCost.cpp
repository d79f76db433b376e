//===- NpuCost.cpp - the npu's analytic cost model --------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The model and its assumptions are written down in Passes.td (qlip-npu-cost).
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/Transforms/Passes.h"

#include "dialects/Npu/IR/NpuOps.h"

#include "qlip/Npu/CostModel.h"

#include "llvm/Support/MathExtras.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

namespace mlir::npu {
#define GEN_PASS_DEF_NPUCOSTPASS
#include "dialects/Npu/Transforms/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {

int64_t numElements(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

struct LayerCost {
  std::string name;
  std::string op;
  int64_t bits = 8;
  int64_t macs = 0;
  int64_t computeCycles = 0;
  int64_t weightBytes = 0;
  int64_t inputBytes = 0, outputBytes = 0; // i8 activations
  int64_t dramBytes = 0;
  int64_t dmaCycles = 0;
  double utilization = 0;
  double energyNj = 0;
};

/// Output channels, reduction length and output pixels of a layer.
struct LayerShape {
  int64_t channels, reduction, pixels;
};

LayerShape getShape(Operation *op) {
  auto weight = cast<RankedTensorType>(op->getOperand(1).getType());
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  ArrayRef<int64_t> w = weight.getShape(), o = out.getShape();
  return llvm::TypeSwitch<Operation *, LayerShape>(op)
      .Case<Conv2DOp>([&](auto) {
        return LayerShape{w[0], w[1] * w[2] * w[3], o[0] * o[1] * o[2]};
      })
      .Case<DepthwiseConv2DOp>([&](auto) {
        return LayerShape{w[2] * w[3], w[0] * w[1], o[0] * o[1] * o[2]};
      })
      .Default([&](Operation *) {
        return LayerShape{w[2], w[1], o[0] * o[1]};
      });
}

struct NpuCostPass : npu::impl::NpuCostPassBase<NpuCostPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr target = TargetAttr::lookup(module);
    if (!target) {
      module.emitError("qlip-npu-cost: the module has no npu.target attribute");
      return signalPassFailure();
    }
    SmallVector<LayerCost> layers;
    module.walk([&](Operation *op) {
      // Pools and adds run on the requantize unit's vector path: one value
      // per row per cycle (a max pool reads its window, an add its two
      // inputs), no MACs and no weights.
      if (isa<MaxPool2DOp, AddOp, RescaleOp>(op)) {
        LayerCost cost;
        cost.name = getLayerName(op);
        cost.op = op->getName().stripDialect().str();
        cost.bits = 8;
        int64_t reads = 0;
        if (auto pool = dyn_cast<MaxPool2DOp>(op))
          reads = numElements(pool.getOutput()) * pool.getKernel()[0] *
                  pool.getKernel()[1];
        else
          reads = op->getNumOperands() * numElements(op->getResult(0));
        cost.computeCycles = stream::getVectorCycles(target.getRows(), reads);
        cost.inputBytes = 0;
        for (Value operand : op->getOperands())
          cost.inputBytes += numElements(operand);
        cost.outputBytes = numElements(op->getResult(0));
        layers.push_back(cost);
        return;
      }
      if (!isa<Conv2DOp, DepthwiseConv2DOp, MatmulOp>(op))
        return;
      LayerCost cost;
      cost.name = getLayerName(op);
      cost.op = op->getName().stripDialect().str();
      cost.bits = op->getAttrOfType<IntegerAttr>("weight_bits").getInt();
      LayerShape shape = getShape(op);
      int64_t lanes = stream::getMacLanes(target.getCols(), cost.bits);
      cost.macs = shape.channels * shape.reduction * shape.pixels;
      cost.computeCycles =
          stream::getMacCycles(target.getRows(), target.getCols(), cost.bits,
                               shape.channels, shape.reduction, shape.pixels);
      cost.utilization =
          static_cast<double>(cost.macs) /
          (static_cast<double>(cost.computeCycles) * target.getRows() * lanes);
      cost.weightBytes =
          llvm::divideCeilSigned(numElements(op->getOperand(1)) * cost.bits, 8);
      cost.inputBytes = numElements(op->getOperand(0));
      cost.outputBytes = numElements(op->getResult(0));
      layers.push_back(cost);
    });
    if (layers.empty()) {
      module.emitWarning("qlip-npu-cost: no npu layers to cost");
      return;
    }

    int64_t totalWeights = 0;
    for (const LayerCost &l : layers)
      totalWeights += l.weightBytes;
    bool resident = totalWeights <= target.getWeightBuffer();
    int64_t totalCycles = 0, totalDram = 0, totalMacs = 0;
    double totalEnergy = 0;
    for (auto [i, l] : llvm::enumerate(layers)) {
      int64_t activations = l.inputBytes + l.outputBytes;
      bool fits = activations <= target.getScratchpad();
      l.dramBytes = (resident ? 0 : l.weightBytes) + (fits ? 0 : activations);
      // The model's input and output always cross DRAM.
      if (fits && i == 0)
        l.dramBytes += l.inputBytes;
      if (fits && i + 1 == layers.size())
        l.dramBytes += l.outputBytes;
      l.dmaCycles =
          stream::getDmaCycles(l.dramBytes, target.getDramBytesPerCycle());
      l.energyNj = (l.macs * stream::getMacPicoJoules(l.bits) +
                    l.dramBytes * stream::kDramBytePicoJoules) /
                   1e3;
      totalCycles += std::max(l.computeCycles, l.dmaCycles);
      totalDram += l.dramBytes;
      totalMacs += l.macs;
      totalEnergy += l.energyNj;
    }

    llvm::raw_ostream &os = llvm::errs();
    os << llvm::format("npu %lldx%lld, widths", target.getRows(),
                       target.getCols());
    for (int64_t w : target.getWidths())
      os << " " << w;
    os << llvm::format(
        ", scratchpad %lld B, weight buffer %lld B, %lld B/cycle, "
        "%lld MHz\n",
        target.getScratchpad(), target.getWeightBuffer(),
        target.getDramBytesPerCycle(), target.getClockMhz());
    int width = 10;
    for (const LayerCost &l : layers)
      width = std::max<int>(width, l.name.size());
    os << llvm::format("%-*s %-18s %4s %10s %6s %10s %9s %9s %8s %10s\n", width,
                       "layer", "op", "bits", "MACs", "util%", "cycles",
                       "weights", "DRAM B", "bound", "energy nJ");
    for (const LayerCost &l : layers)
      os << llvm::format(
          "%-*s %-18s %4lld %10lld %6.1f %10lld %9lld %9lld %8s %10.2f\n",
          width, l.name.c_str(), l.op.c_str(), l.bits, l.macs,
          100 * l.utilization, std::max(l.computeCycles, l.dmaCycles),
          l.weightBytes, l.dramBytes,
          l.computeCycles >= l.dmaCycles ? "compute" : "DMA", l.energyNj);
    os << llvm::format("total: %lld MACs, %lld cycles (%.2f us), %lld DRAM "
                       "bytes, weights %lld B %s, %.2f nJ\n",
                       totalMacs, totalCycles,
                       totalCycles / static_cast<double>(target.getClockMhz()),
                       totalDram, totalWeights,
                       resident ? "resident on chip" : "streamed from DRAM",
                       totalEnergy);
  }
};

} // namespace
