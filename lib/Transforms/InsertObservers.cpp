//===- InsertObservers.cpp - observe the quantized activations --*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// A whole-module, one-shot transform: ids must be unique across the module
// and assigned in program order, so it walks instead of running patterns.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/Passes.h"

#include "qlip/Transforms/LayerNames.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_INSERTOBSERVERSPASS
#include "qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {

/// The operands of `op` that are activations qlip quantizes.
SmallVector<Value> getQuantizedInputs(Operation *op) {
  return llvm::TypeSwitch<Operation *, SmallVector<Value>>(op)
      .Case<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp,
            tosa::AvgPool2dOp, tosa::MaxPool2dOp, tosa::SigmoidOp, tosa::TanhOp,
            tosa::ReduceSumOp>(
          [](Operation *op) { return SmallVector<Value>{op->getOperand(0)}; })
      .Case<tosa::MatMulOp, tosa::MulOp>([](Operation *op) {
        return SmallVector<Value>{op->getOperand(0), op->getOperand(1)};
      })
      // Adding a constant is a bias: the integer kernel adds it to the int32
      // accumulator of the layer before, so there is nothing to quantize.
      .Case<tosa::AddOp, tosa::SubOp>([](Operation *op) {
        if (matchPattern(op->getOperand(0), m_Constant()) ||
            matchPattern(op->getOperand(1), m_Constant()))
          return SmallVector<Value>{};
        return SmallVector<Value>{op->getOperand(0), op->getOperand(1)};
      })
      .Case<tosa::ConcatOp>(
          [](tosa::ConcatOp op) { return SmallVector<Value>(op.getInput1()); })
      .Case<func::ReturnOp>([](func::ReturnOp op) {
        return SmallVector<Value>(op.getOperands());
      })
      .Default([](Operation *) { return SmallVector<Value>{}; });
}

/// Whether `value` is an activation that still needs an observer.
bool needsObserver(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !isa<FloatType>(type.getElementType()))
    return false;
  if (matchPattern(value, m_Constant()))
    return false; // A weight: its range comes from its values.
  if (value.getDefiningOp<ObserveOp>() || value.getDefiningOp<FakeQuantOp>())
    return false;
  return llvm::none_of(value.getUsers(),
                       [](Operation *user) { return isa<ObserveOp>(user); });
}

struct InsertObserversPass
    : qlip::impl::InsertObserversPassBase<InsertObserversPass> {
  void runOnOperation() override;

private:
  std::string baseId(Value value, func::FuncOp func);
  std::string uniqueId(std::string id);

  llvm::StringSet<> usedIds;
  unsigned anonymous = 0;
};

std::string InsertObserversPass::baseId(Value value, func::FuncOp func) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (std::optional<std::string> name = getLocationName(arg.getLoc()))
      return *name;
    return (func.getSymName() + ".input" + Twine(arg.getArgNumber())).str();
  }
  Operation *op = value.getDefiningOp();
  // A name the model gives the op, else its kind and rank in program order.
  // Never the op's file position: the id goes into the model's fingerprint,
  // which must not change when the same model is read from another path.
  std::optional<std::string> name = getLocationName(op->getLoc());
  if (!name)
    name = (op->getName().stripDialect() + "_" + Twine(anonymous++)).str();
  if (op->getNumResults() > 1)
    *name += "#" + std::to_string(cast<OpResult>(value).getResultNumber());
  return *name;
}

std::string InsertObserversPass::uniqueId(std::string id) {
  std::string unique = id;
  for (unsigned n = 1; !usedIds.insert(unique).second; ++n)
    unique = id + "." + std::to_string(n);
  return unique;
}

void InsertObserversPass::runOnOperation() {
  usedIds.clear();
  anonymous = 0;
  // An empty file parses to an empty module: quantizing it would write an
  // empty "model" and exit 0.
  bool hasBody = false;
  getOperation().walk([&](func::FuncOp func) { hasBody |= !func.isExternal(); });
  if (!hasBody) {
    getOperation().emitError(getArgument())
        << ": the module has no function with a body (an empty file, or "
           "declarations only): there is no model to quantize";
    return signalPassFailure();
  }
  // Ids already in the module (from an earlier run) stay taken.
  getOperation().walk([&](ObserveOp op) { usedIds.insert(op.getId()); });

  getOperation().walk([&](func::FuncOp func) {
    if (func.isExternal())
      return;
    // Inputs first, then values in the order their first reader appears.
    llvm::SetVector<Value> values;
    for (BlockArgument arg : func.getArguments())
      if (needsObserver(arg))
        values.insert(arg);
    func.walk([&](Operation *op) {
      for (Value input : getQuantizedInputs(op))
        if (needsObserver(input))
          values.insert(input);
    });

    OpBuilder builder(func.getContext());
    for (Value value : values) {
      if (auto arg = dyn_cast<BlockArgument>(value))
        builder.setInsertionPointToStart(arg.getOwner());
      else
        builder.setInsertionPointAfterValue(value);
      std::string id = uniqueId(baseId(value, func));
      auto observe = ObserveOp::create(builder, value.getLoc(), value,
                                       builder.getStringAttr(id),
                                       /*stats=*/nullptr);
      value.replaceAllUsesExcept(observe.getResult(), observe);
    }
  });
}

} // namespace
