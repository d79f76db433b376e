//===- LayerNames.cpp - names users know layers by --------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/LayerNames.h"

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Visitors.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/Twine.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qlip;

static std::string formatPosition(FileLineColLoc file) {
  return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
          Twine(file.getColumn()))
      .str();
}

std::optional<std::string> mlir::qlip::getLocationName(Location loc) {
  std::optional<std::string> name;
  loc->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

std::optional<std::string> mlir::qlip::getLocationPosition(Location loc) {
  std::optional<std::string> position;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      position = formatPosition(file);
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return position;
}

std::string mlir::qlip::describePositions(Location loc) {
  std::string text;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner))
      text += formatPosition(file) + " ";
    return WalkResult::advance();
  });
  return text;
}

bool mlir::qlip::isLayerNamed(Operation *op, StringRef name, StringRef entry) {
  return entry == name ||
         StringRef(describePositions(op->getLoc())).contains(entry);
}

bool mlir::qlip::isSupportedBitWidth(unsigned bits) {
  return (bits >= 2 && bits <= 8) || bits == 16;
}

LogicalResult mlir::qlip::parseLayerBits(
    ArrayRef<std::string> entries, llvm::StringMap<unsigned> &overrides,
    llvm::function_ref<InFlightDiagnostic()> emitError) {
  overrides.clear();
  for (const std::string &entry : entries) {
    auto [name, value] = StringRef(entry).rsplit('=');
    unsigned bits;
    if (name.empty() || value.getAsInteger(10, bits) ||
        !isSupportedBitWidth(bits))
      return emitError() << "expected NAME=BITS with BITS 2 to 8 or 16 in "
                            "layer-bits, got '"
                         << entry << "'";
    overrides[name] = bits;
  }
  return success();
}

LogicalResult mlir::qlip::checkLayerBitsUsed(
    const llvm::StringMap<unsigned> &overrides,
    const llvm::StringMap<bool> &used, ArrayRef<std::string> known,
    Location loc, StringRef passName) {
  llvm::SmallVector<StringRef> requested;
  for (const auto &entry : overrides)
    requested.push_back(entry.getKey());
  return checkOverridesUsed(requested, used, known, loc, passName,
                            "layer-bits");
}

LogicalResult mlir::qlip::checkOverridesUsed(ArrayRef<StringRef> requested,
                                             const llvm::StringMap<bool> &used,
                                             ArrayRef<std::string> known,
                                             Location loc, StringRef passName,
                                             StringRef optionName) {
  llvm::SmallVector<StringRef> unused;
  for (StringRef name : requested)
    if (!used.count(name))
      unused.push_back(name);
  if (unused.empty())
    return success();
  llvm::sort(unused);
  InFlightDiagnostic diag = emitError(loc)
                            << passName << ": " << optionName << " names ";
  llvm::interleave(
      unused, diag, [&](StringRef name) { diag << "'" << name << "'"; }, ", ");
  diag << ", which " << (unused.size() == 1 ? "is" : "are")
       << " not in the model; it has: ";
  llvm::interleaveComma(known, diag);
  return failure();
}

std::optional<WeightOperand> mlir::qlip::getWeightOperand(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<WeightOperand>>(op)
      // OHWI: output channels first.
      .Case<tosa::Conv2DOp, tosa::TransposeConv2DOp>(
          [](auto) { return WeightOperand{1, 0}; })
      // HWCM: output channel c * M + m; with M = 1 (the common case) axis 2
      // is exactly the output channel.
      .Case<tosa::DepthwiseConv2DOp>([](auto) { return WeightOperand{1, 2}; })
      // A [N, K, OUT] constant B: the fully-connected form.
      .Case<tosa::MatMulOp>([](auto) { return WeightOperand{1, 2}; })
      .Default([](Operation *) { return std::nullopt; });
}

llvm::SmallVector<std::pair<Operation *, WeightOperand>>
mlir::qlip::collectUnquantizedLayers(Operation *root) {
  llvm::SmallVector<std::pair<Operation *, WeightOperand>> layers;
  root->walk([&](Operation *op) {
    std::optional<WeightOperand> weight = getWeightOperand(op);
    if (!weight)
      return;
    Value value = op->getOperand(weight->index);
    // Already quantized: running the pass twice changes nothing.
    if (value.getDefiningOp<FakeQuantOp>() || !matchPattern(value, m_Constant()))
      return;
    layers.push_back({op, *weight});
  });
  return layers;
}

bool mlir::qlip::isWeightLayer(Operation *op) {
  std::optional<WeightOperand> operand = getWeightOperand(op);
  if (!operand)
    return false;
  Value weight = op->getOperand(operand->index);
  if (auto fakeQuant = weight.getDefiningOp<FakeQuantOp>())
    weight = fakeQuant.getInput();
  return matchPattern(weight, m_Constant());
}

std::string mlir::qlip::getLayerName(Operation *op, size_t position) {
  if (std::optional<std::string> name = getLocationName(op->getLoc()))
    return *name;
  StringRef opName = op->getName().stripDialect();
  return (opName + "_" + Twine(position)).str();
}
