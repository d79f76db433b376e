//===- QlipDialect.cpp - qlip dialect ---------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipDialect.h"
#include "dialects/Qlip/IR/QlipAttrs.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qlip;

#include "dialects/Qlip/IR/QlipDialect.cpp.inc"

void QlipDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/Qlip/IR/QlipOps.cpp.inc"
      >();
}

/// Folded qlip ops become `tosa.const`: qlip's input and output are TOSA, and
/// keeping constants in TOSA keeps `tosa-validate` and the TOSA lowerings
/// applicable to the folded model.
Operation *QlipDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return tosa::ConstOp::create(builder, loc, type, elements);
}

LogicalResult QlipDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attribute) {
  if (attribute.getName() == kWeightBitsAttrName) {
    auto bits = dyn_cast<IntegerAttr>(attribute.getValue());
    // The widths qlip quantizes weights to.
    int64_t width = bits && bits.getValue().getActiveBits() <= 32
                        ? bits.getValue().getZExtValue()
                        : 0;
    if (!((width >= 2 && width <= 8) || width == 16))
      return op->emitError("'")
             << kWeightBitsAttrName
             << "' must be an integer width of 2 to 8 or 16, got "
             << attribute.getValue();
    return success();
  }
  if (attribute.getName() == kKeepFloatAttrName ||
      attribute.getName() == kAddedAttrName) {
    if (!isa<UnitAttr>(attribute.getValue()))
      return op->emitError("'") << attribute.getName()
                                << "' must be a unit attribute, got "
                                << attribute.getValue();
    return success();
  }
  if (attribute.getName() == kPtqOptionsAttrName) {
    if (!isa<ModuleOp>(op) || !isa<StringAttr>(attribute.getValue()))
      return op->emitError("'") << kPtqOptionsAttrName
                                << "' must be a string on a module, got "
                                << attribute.getValue();
    return success();
  }
  // Other `qlip.` names are left to the code that sets them.
  bool isMean = attribute.getName() == kInputMeanAttrName;
  if (attribute.getName() != kInputMomentsAttrName && !isMean)
    return success();
  Attribute attr = attribute.getValue();
  auto typed = dyn_cast<TypedAttr>(attr);
  auto type = typed ? dyn_cast<RankedTensorType>(typed.getType()) : nullptr;
  int64_t rank = isMean ? 2 : 3;
  if (!type || !isa<DenseElementsAttr, DenseF64ResourceElementsAttr>(attr) ||
      !type.getElementType().isF64() || type.getRank() != rank ||
      !type.hasStaticShape() || type.getDimSize(1) != type.getShape().back() ||
      type.getDimSize(0) < 1 || type.getDimSize(1) < 1)
    return op->emitError("'")
           << attribute.getName().getValue()
           << "' must be f64 elements of shape "
           << (isMean ? "[groups, K]" : "[groups, K, K]") << ", got " << attr;
  return success();
}
