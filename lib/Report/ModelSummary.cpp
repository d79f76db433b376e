//===- ModelSummary.cpp - what quantization chose, and where it runs ------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Report/ModelSummary.h"

#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Transforms/LayerNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::qlip;

/// "i4" or "ui8", and the rule: how a fake_quant's grid is described.
static std::string describeGrid(QParamsAttr params) {
  return (llvm::Twine(params.getIsSigned() ? "i" : "ui") +
          llvm::Twine(params.getBits()))
      .str();
}

/// The fake_quant that `value` is, looking through the ops that only move
/// values (reshape, transpose, pad): what a layer's input was rounded to.
static FakeQuantOp findFakeQuant(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto fakeQuant = dyn_cast<FakeQuantOp>(def))
      return fakeQuant;
    if (!isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::PadOp>(def))
      return nullptr;
    value = def->getOperand(0);
  }
  return nullptr;
}

RangeSummary mlir::qlip::summarizeRanges(ModuleOp module) {
  RangeSummary summary;
  llvm::SmallVector<std::pair<std::string, int64_t>> &kinds =
      summary.activationKinds;
  size_t position = 0;
  module.walk([&](Operation *op) {
    if (auto fakeQuant = dyn_cast<FakeQuantOp>(op)) {
      if (!matchPattern(fakeQuant.getInput(), m_Constant())) {
        QParamsAttr params = fakeQuant.getQparams();
        std::string kind = describeGrid(params) + " " +
                           stringifyClipRule(params.getRule()).str();
        auto *known = llvm::find_if(
            kinds, [&](const auto &entry) { return entry.first == kind; });
        if (known == kinds.end())
          kinds.push_back({kind, 1});
        else
          ++known->second;
        ++summary.activations;
      }
      return;
    }
    if (!isWeightLayer(op))
      return;
    std::optional<WeightOperand> weight = getWeightOperand(op);
    LayerChoice layer;
    layer.name = getLayerName(op, position++);
    layer.op = op->getName().stripDialect().str();
    Value weightValue = op->getOperand(weight->index);
    layer.weightElements =
        cast<ShapedType>(weightValue.getType()).getNumElements();
    summary.floatWeightBytes += layer.weightElements * 4;
    if (auto fakeQuant = weightValue.getDefiningOp<FakeQuantOp>()) {
      layer.weightBits = fakeQuant.getQparams().getBits();
      layer.weightRule =
          stringifyClipRule(fakeQuant.getQparams().getRule()).str();
      summary.quantizedWeightBytes +=
          double(layer.weightElements) * layer.weightBits / 8.0;
    } else {
      summary.quantizedWeightBytes += double(layer.weightElements) * 4.0;
    }
    if (FakeQuantOp input = findFakeQuant(op->getOperand(0))) {
      layer.inputBits = input.getQparams().getBits();
      layer.inputRule = stringifyClipRule(input.getQparams().getRule()).str();
    }
    summary.layers.push_back(std::move(layer));
  });
  return summary;
}

llvm::SmallVector<Placement>
mlir::qlip::summarizePlacement(ModuleOp module, llvm::StringRef kernelIsa) {
  llvm::SmallVector<Placement> placements;
  module.walk([&](Operation *op) {
    if (isa<ModuleOp, func::FuncOp, func::ReturnOp, tosa::ConstOp,
            tosa::ConstShapeOp, tosa::ReshapeOp, tensor::EmptyOp,
            tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op) ||
        op->hasTrait<OpTrait::ConstantLike>() || op->getNumResults() == 0)
      return;
    StringRef dialect = op->getDialect() ? op->getDialect()->getNamespace()
                                         : StringRef();
    std::string where;
    if (op->getName().getStringRef() == "cpu.qconv2d")
      where = ("int8 kernel (" + kernelIsa + ")").str();
    else if (op->getName().getStringRef() == "cpu.conv2d")
      where = ("float kernel (" + kernelIsa + ")").str();
    else if (dialect == "npu")
      where = "npu";
    else
      where = isa_and_nonnull<FloatType>(
                  getElementTypeOrSelf(op->getResult(0).getType()))
                  ? "host loops (float)"
                  : "host loops (integer)";
    StringRef name = op->getName().getStringRef();
    auto *known = llvm::find_if(placements, [&](const Placement &placement) {
      return placement.op == name && placement.where == where;
    });
    if (known == placements.end())
      placements.push_back({name.str(), where, 1});
    else
      ++known->count;
  });
  return placements;
}

void mlir::qlip::printRangeSummary(llvm::raw_ostream &os,
                                   const RangeSummary &summary) {
  size_t nameWidth = 5;
  for (const LayerChoice &layer : summary.layers)
    nameWidth = std::max(nameWidth, layer.name.size());
  nameWidth = std::min<size_t>(nameWidth, 40);
  os << "  " << llvm::left_justify("layer", nameWidth)
     << llvm::formatv(" {0,-16} {1,9}  {2,-22} {3}\n", "op", "weights",
                      "weight bits, rule", "input bits, rule");
  auto describe = [](unsigned bits, const std::string &rule) -> std::string {
    return bits ? llvm::formatv("{0}, {1}", bits, rule).str() : "float";
  };
  for (const LayerChoice &layer : summary.layers)
    os << "  " << llvm::left_justify(layer.name, nameWidth)
       << llvm::formatv(" {0,-16} {1,9}  {2,-22} {3}\n", layer.op,
                        layer.weightElements,
                        describe(layer.weightBits, layer.weightRule),
                        describe(layer.inputBits, layer.inputRule));
  os << "  activations: " << summary.activations << " quantized";
  if (!summary.activationKinds.empty()) {
    os << " (";
    llvm::interleaveComma(summary.activationKinds, os, [&](const auto &kind) {
      os << kind.second << " " << kind.first;
    });
    os << ")";
  }
  os << "\n";
  if (llvm::any_of(summary.layers, [](const LayerChoice &layer) {
        return layer.weightRule == "auto";
      }))
    os << "  (weight rule auto: per channel the rule with the lowest error "
          "at the layer's output)\n";
}

void mlir::qlip::printPlacement(llvm::raw_ostream &os,
                                llvm::ArrayRef<Placement> placements) {
  for (const Placement &placement : placements)
    os << llvm::formatv("  {0,5} x {1,-24} {2}\n", placement.count,
                        placement.op, placement.where);
}
