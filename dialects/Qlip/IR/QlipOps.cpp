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

/// Checks `qparams` against the tensor it describes: a per-axis axis must
/// be a dimension of `type` and have one scale per channel.
static LogicalResult verifyQParamsFor(Operation *op, QParamsAttr qparams,
                                      RankedTensorType type) {
  std::optional<int64_t> axis = qparams.getAxis();
  if (!axis)
    return success();
  if (*axis >= type.getRank())
    return op->emitOpError("quantization axis ")
           << *axis << " is out of range for a tensor of rank "
           << type.getRank();
  int64_t channels = type.getDimSize(*axis);
  if (!ShapedType::isDynamic(channels) &&
      static_cast<int64_t>(qparams.getNumChannels()) != channels)
    return op->emitOpError("expected ")
           << channels << " scales for the " << channels
           << " channels along axis " << *axis << ", got "
           << qparams.getNumChannels();
  return success();
}

LogicalResult FakeQuantOp::verify() {
  return verifyQParamsFor(*this, getQparams(),
                          cast<RankedTensorType>(getInput().getType()));
}

//===----------------------------------------------------------------------===//
// QuantizeOp, DequantizeOp
//===----------------------------------------------------------------------===//

/// Checks that the grid of `qparams` fits in the signed range of the
/// integer storage `storage`.
static LogicalResult verifyStorage(Operation *op, QParamsAttr qparams,
                                   RankedTensorType storage) {
  unsigned width = storage.getElementType().getIntOrFloatBitWidth();
  int64_t lo = -(int64_t{1} << (width - 1));
  int64_t hi = (int64_t{1} << (width - 1)) - 1;
  if (qparams.getQMin() < lo || qparams.getQMax() > hi)
    return op->emitOpError("grid [")
           << qparams.getQMin() << ", " << qparams.getQMax()
           << "] does not fit in the signed range of " << storage
           << " (store unsigned 8- and 16-bit grids with the zero point "
              "moved down by 2^(bits-1))";
  return success();
}

LogicalResult QuantizeOp::verify() {
  auto storage = cast<RankedTensorType>(getOutput().getType());
  if (failed(verifyStorage(*this, getQparams(), storage)))
    return failure();
  return verifyQParamsFor(*this, getQparams(), storage);
}

LogicalResult DequantizeOp::verify() {
  auto storage = cast<RankedTensorType>(getInput().getType());
  if (failed(verifyStorage(*this, getQparams(), storage)))
    return failure();
  return verifyQParamsFor(*this, getQparams(), storage);
}

#define GET_OP_CLASSES
#include "dialects/Qlip/IR/QlipOps.cpp.inc"
