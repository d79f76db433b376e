//===- QlipOps.cpp - qlip operations ----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::qlip;

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

LogicalResult ObserveOp::verify() {
  // The id names the observer in the statistics file: an empty one could
  // never be matched.
  if (getId().empty())
    return emitOpError("requires a non-empty observer id");
  return success();
}

//===----------------------------------------------------------------------===//
// FakeQuantOp
//===----------------------------------------------------------------------===//

LogicalResult FakeQuantOp::verify() {
  QParamsAttr qparams = getQparams();
  std::optional<int64_t> axis = qparams.getAxis();
  if (!axis)
    return success();
  auto type = cast<RankedTensorType>(getInput().getType());
  if (*axis >= type.getRank())
    return emitOpError("quantization axis ")
           << *axis << " is out of range for a tensor of rank "
           << type.getRank();
  int64_t channels = type.getDimSize(*axis);
  if (!ShapedType::isDynamic(channels) &&
      static_cast<int64_t>(qparams.getNumChannels()) != channels)
    return emitOpError("expected ")
           << channels << " scales for the " << channels
           << " channels along axis " << *axis << ", got "
           << qparams.getNumChannels();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Qlip/IR/QlipOps.cpp.inc"
