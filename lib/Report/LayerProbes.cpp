//===- LayerProbes.cpp - find and expose a model's layers -----------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "LayerProbes.h"

#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/ModelFingerprint.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qlip;

ComputeOps::ComputeOps(func::FuncOp func) : func(func) {
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (!isFingerprintedComputeOp(op))
      return;
    indices[op] = static_cast<int64_t>(ops.size());
    ops.push_back(op);
  });
}

std::optional<ValuePosition> ComputeOps::find(Value value) const {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (arg.getOwner() != &func.getBody().front())
      return std::nullopt;
    return ValuePosition{-1, arg.getArgNumber()};
  }
  auto it = indices.find(value.getDefiningOp());
  if (it == indices.end())
    return std::nullopt;
  return ValuePosition{it->second, cast<OpResult>(value).getResultNumber()};
}

Value ComputeOps::lookup(ValuePosition position) const {
  if (position.op < 0)
    return func.getArgument(position.index);
  return ops[position.op]->getResult(position.index);
}

/// Whether the integer lowering folds `user`, which reads `value`, into the
/// layer that computes `value`: a clamp, a reshape, or a constant added
/// (a bias) or subtracted.
static bool isFoldedIntoLayer(Operation *user, Value value) {
  auto isConstant = [](Value v) { return matchPattern(v, m_Constant()); };
  return llvm::TypeSwitch<Operation *, bool>(user)
      .Case<tosa::ClampOp>([](auto) { return true; })
      .Case<tosa::ReshapeOp>(
          [&](tosa::ReshapeOp op) { return op.getInput1() == value; })
      .Case<tosa::AddOp>([&](tosa::AddOp op) {
        return isConstant(op.getInput1()) || isConstant(op.getInput2());
      })
      .Case<tosa::SubOp>([&](tosa::SubOp op) {
        return op.getInput1() == value && isConstant(op.getInput2());
      })
      .Default([](Operation *) { return false; });
}

/// The fake_quant that quantizes the activation `value` reads, looking
/// through reshapes and transposes (a fully-connected layer's input is
/// often a reshaped pool).
static FakeQuantOp findInputQuantizer(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (auto fakeQuant = dyn_cast<FakeQuantOp>(op))
      return matchPattern(fakeQuant.getInput(), m_Constant()) ? FakeQuantOp()
                                                              : fakeQuant;
    if (!isa<tosa::ReshapeOp, tosa::TransposeOp>(op))
      return {};
    value = op->getOperand(0);
  }
  return {};
}

SmallVector<ProbedLayer> mlir::qlip::findLayers(const ComputeOps &ops) {
  SmallVector<ProbedLayer> layers;
  for (auto [index, op] : llvm::enumerate(ops.getOps())) {
    if (!isWeightLayer(op))
      continue;
    ProbedLayer layer;
    layer.op = static_cast<int64_t>(index);
    layer.weight = op->getOperand(getWeightOperand(op)->index)
                       .getDefiningOp<FakeQuantOp>();
    layer.input = findInputQuantizer(op->getOperand(0));
    Value output = op->getResult(0);
    while (output.hasOneUse()) {
      Operation *user = *output.getUsers().begin();
      if (auto fakeQuant = dyn_cast<FakeQuantOp>(user)) {
        layer.output = fakeQuant;
        break;
      }
      if (!isFoldedIntoLayer(user, output) || !ops.find(user->getResult(0)))
        break;
      output = user->getResult(0);
    }
    layer.outputPosition = *ops.find(output);
    layers.push_back(layer);
  }
  return layers;
}

Value mlir::qlip::getMeasuredValue(const ProbedLayer &layer,
                                   const ComputeOps &ops) {
  if (FakeQuantOp output = layer.output)
    return output.getResult();
  return ops.lookup(layer.outputPosition);
}

void mlir::qlip::stripFakeQuants(
    func::FuncOp func, const llvm::SmallPtrSetImpl<Operation *> &keep) {
  SmallVector<FakeQuantOp> strip;
  func.walk([&](FakeQuantOp op) {
    if (!keep.contains(op))
      strip.push_back(op);
  });
  for (FakeQuantOp op : strip) {
    op.getResult().replaceAllUsesWith(op.getInput());
    op.erase();
  }
}
