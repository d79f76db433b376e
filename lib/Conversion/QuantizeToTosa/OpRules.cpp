//===- OpRules.cpp - integer rules for the ops between layers ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// qlip.fake_quant (quantize, rescale or requantize to its grid), clamps
// (folded into the requantized range), data movement (scales pass
// through), pools, elementwise add, sub and mul (inputs rescaled to a
// common scale) and concat (inputs rescaled to one grid).
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

#include "dialects/Qlip/IR/FloatElements.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

#include <array>
#include <cmath>

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::quantize;

/// `op` again with `operands` and one result of `resultType`.
static Value cloneWithResult(OpBuilder &builder, Operation *op,
                             ValueRange operands, Type resultType) {
  return cloneWithOperands(builder, op, operands, resultType)->getResult(0);
}

/// The integer element type of a grid's storage.
static Type storageType(Quantizer &q, QParamsAttr qparams) {
  return q.getIntType(qparams.getStorageBits());
}

FailureOr<bool> Quantizer::quantizeFakeQuant(Operation *op) {
  auto fakeQuant = cast<FakeQuantOp>(op);
  QParamsAttr qparams = fakeQuant.getQparams();
  // Per-channel parameters and constants are weights: their layer reads
  // them.
  if (qparams.isPerAxis() || matchPattern(fakeQuant.getInput(), m_Constant()))
    return false;
  QParamsAttr target = qparams.getSignedStorage();
  Location loc = op->getLoc();
  if (target.getStorageBits() == 16)
    report.needsInt16 = true;
  const QuantState *state = lookup(fakeQuant.getInput());
  if (!state) {
    Type type = withElementType(op->getResult(0).getType(),
                                storageType(*this, target));
    Value quantized =
        QuantizeOp::create(builder, loc, type, fakeQuant.getInput(), target);
    replaceWith(op, op->getResult(0), IntTensor{quantized, target});
    return true;
  }
  FailureOr<IntTensor> result =
      requantize(loc, *state, target, describeOp(op));
  if (failed(result))
    return failure();
  replaceWith(op, op->getResult(0), *result);
  return true;
}

/// The bounds of a float tosa.clamp.
static std::optional<std::pair<double, double>> getClampBounds(Operation *op) {
  auto clamp = cast<tosa::ClampOp>(op);
  auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  if (!lo || !hi)
    return std::nullopt;
  return std::make_pair(lo.getValueAsDouble(), hi.getValueAsDouble());
}

/// The level of `x` on the per-tensor grid `qparams`, clamped to it.
static int64_t levelOf(QParamsAttr qparams, double x) {
  if (std::isinf(x))
    return x < 0 ? qparams.getQMin() : qparams.getQMax();
  return qparams.quantize(x, 0);
}

FailureOr<bool> Quantizer::quantizeClamp(Operation *op) {
  std::optional<std::pair<double, double>> bounds = getClampBounds(op);
  const QuantState *state = lookup(op->getOperand(0));
  if (!bounds || !state)
    return false;
  auto [lo, hi] = *bounds;
  if (const auto *acc = std::get_if<Accumulator>(state)) {
    // Applied when the accumulator is requantized, in its output range.
    Accumulator clamped = *acc;
    clamped.clampLo = std::max(clamped.clampLo, lo);
    clamped.clampHi = std::min(clamped.clampHi, hi);
    replaceWith(op, op->getResult(0), clamped);
    return true;
  }
  const auto &in = std::get<IntTensor>(*state);
  Value clamped = emitIntClamp(op->getLoc(), in.value, levelOf(in.qparams, lo),
                               levelOf(in.qparams, hi));
  replaceWith(op, op->getResult(0), IntTensor{clamped, in.qparams});
  return true;
}

/// Whether a data-movement op keeps every element's index along the last
/// axis, so per-channel accumulator scales still apply.
static bool keepsLastAxis(Operation *op) {
  auto in = cast<RankedTensorType>(op->getOperand(0).getType());
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  if (in.getRank() == 0 || out.getRank() == 0 ||
      ShapedType::isDynamic(in.getShape().back()) ||
      in.getShape().back() != out.getShape().back())
    return false;
  if (auto transpose = dyn_cast<tosa::TransposeOp>(op))
    return transpose.getPerms().back() == in.getRank() - 1;
  // A reshape keeping the innermost size keeps index mod C; a slice of the
  // full last axis starts it at 0.
  return true;
}

FailureOr<bool> Quantizer::quantizeDataMovement(Operation *op) {
  const QuantState *state = lookup(op->getOperand(0));
  if (!state)
    return false;
  SmallVector<Value> operands(op->getOperands());
  Type floatType = op->getResult(0).getType();
  if (const auto *acc = std::get_if<Accumulator>(state)) {
    if (acc->scales.size() > 1 && !keepsLastAxis(op))
      return false;
    operands[0] = acc->value;
    Accumulator moved = *acc;
    moved.value = cloneWithResult(
        builder, op, operands,
        withElementType(floatType, getElementTypeOrSelf(acc->value)));
    replaceWith(op, op->getResult(0), moved);
    return true;
  }
  const auto &in = std::get<IntTensor>(*state);
  operands[0] = in.value;
  Value moved = cloneWithResult(builder, op, operands,
                          withElementType(floatType,
                                          getElementTypeOrSelf(in.value)));
  replaceWith(op, op->getResult(0), IntTensor{moved, in.qparams});
  return true;
}

FailureOr<bool> Quantizer::quantizePad(Operation *op) {
  auto pad = cast<tosa::PadOp>(op);
  const IntTensor *in = lookupInt(pad.getInput1());
  ElementsAttr padConst;
  if (!in || !matchPattern(pad.getPadConst(), m_Constant(&padConst)))
    return false;
  std::optional<FloatElements> value = FloatElements::read(padConst);
  if (!value || value->values().size() != 1)
    return false;
  // The padding value on the input's grid (0.0 pads with the zero point).
  Value padLevel =
      createIntConstant(op->getLoc(), {1}, in->qparams.getStorageBits(),
                        {levelOf(in->qparams, value->values()[0])});
  Value padded = cloneWithResult(
      builder, op, {in->value, pad.getPadding(), padLevel},
      withElementType(op->getResult(0).getType(),
                      getElementTypeOrSelf(in->value)));
  replaceWith(op, op->getResult(0), IntTensor{padded, in->qparams});
  return true;
}

FailureOr<bool> Quantizer::quantizeMaxPool(Operation *op) {
  // Quantization is monotone: the max of the levels is the level of the
  // max.
  const IntTensor *in = lookupInt(op->getOperand(0));
  if (!in)
    return false;
  Value pooled = cloneWithResult(builder, op, {in->value},
                           withElementType(op->getResult(0).getType(),
                                           getElementTypeOrSelf(in->value)));
  replaceWith(op, op->getResult(0), IntTensor{pooled, in->qparams});
  return true;
}

FailureOr<bool> Quantizer::quantizeAvgPool(Operation *op) {
  auto pool = cast<tosa::AvgPool2dOp>(op);
  const IntTensor *in = lookupInt(pool.getInput());
  if (!in)
    return false;
  Location loc = op->getLoc();
  int64_t zeroPoint = in->qparams.getZeroPoints()[0];
  unsigned width = in->qparams.getStorageBits();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  ArrayRef<int64_t> kernel = pool.getKernel();
  bool unpadded = llvm::all_of(pool.getPad(), [](int64_t p) { return p == 0; });

  // The sum needs the channel count for its weight of ones.
  if (unpadded && width == 8 && !ShapedType::isDynamic(outType.getShape().back())) {
    // Every window holds kh * kw values: sum them in int32 with a depthwise
    // conv of ones, and let the requantization divide (scale s / (kh*kw)),
    // so the mean is rounded once, on the next grid.
    int64_t channels = outType.getShape().back();
    SmallVector<int64_t> ones(kernel[0] * kernel[1] * channels, 1);
    Value weight =
        createIntConstant(loc, {kernel[0], kernel[1], channels, 1}, 8, ones);
    Value bias = createIntConstant(loc, {channels}, 32,
                                   SmallVector<int64_t>(channels, 0));
    Type i32 = getIntType(32);
    OperationState state(loc, tosa::DepthwiseConv2DOp::getOperationName());
    state.addOperands({in->value, weight, bias,
                       createZeroPoint(loc, 8, zeroPoint),
                       createZeroPoint(loc, 8, 0)});
    state.addTypes(withElementType(outType, i32));
    state.addAttribute("pad", builder.getDenseI64ArrayAttr({0, 0, 0, 0}));
    state.addAttribute("stride", pool.getStrideAttr());
    state.addAttribute("dilation", builder.getDenseI64ArrayAttr({1, 1}));
    state.addAttribute("acc_type", TypeAttr::get(i32));
    Value sum = builder.create(state)->getResult(0);
    double count = static_cast<double>(kernel[0] * kernel[1]);
    replaceWith(op, op->getResult(0),
                Accumulator{sum, {in->qparams.getScales()[0] / count}});
    return true;
  }
  // Padded windows divide by their own count: TOSA's integer avg_pool2d,
  // which rounds the mean to the input's grid.
  Value zp = createZeroPoint(loc, width, zeroPoint);
  Value pooled =
      cloneWithOperands(builder, op, {in->value, zp, zp},
                        withElementType(outType, getElementTypeOrSelf(in->value)),
                        getIntType(32))
          ->getResult(0);
  replaceWith(op, op->getResult(0), IntTensor{pooled, in->qparams});
  return true;
}

FailureOr<bool> Quantizer::quantizeAddSub(Operation *op) {
  // Both operands quantized, or one quantized and one a float constant.
  std::array<const IntTensor *, 2> ints{lookupInt(op->getOperand(0)),
                                        lookupInt(op->getOperand(1))};
  if (!ints[0] && !ints[1])
    return false;
  double maxScale = 0;
  unsigned bits = 0;
  for (const IntTensor *in : ints)
    if (in) {
      maxScale = std::max(maxScale, in->qparams.getScales()[0]);
      bits = std::max(bits, in->qparams.getStorageBits());
    }
  // The common scale keeps 29 - bits fractional bits of the coarser input:
  // each rescaled operand stays below 2^29 in magnitude, so the sum fits
  // int32, and rescaling either input costs under 2^-(29-bits) of a step.
  double common = std::ldexp(maxScale, -static_cast<int>(29 - bits));

  Location loc = op->getLoc();
  SmallVector<Value> operands;
  for (auto [operand, in] : llvm::zip(op->getOperands(), ints)) {
    if (in) {
      FailureOr<Value> wide = toInt32(loc, *in, common);
      if (failed(wide))
        return failure();
      operands.push_back(*wide);
      continue;
    }
    std::optional<FloatElements> values;
    ElementsAttr attr;
    if (matchPattern(operand, m_Constant(&attr)))
      values = FloatElements::read(attr);
    if (!values)
      return false;
    SmallVector<int64_t> levels;
    for (float v : values->values()) {
      double level = std::nearbyint(v / common);
      if (!(std::fabs(level) < 0x1p29))
        return false; // Too large for the common scale: stays float.
      levels.push_back(static_cast<int64_t>(level));
    }
    auto type = cast<RankedTensorType>(operand.getType());
    if (levels.size() == 1 && type.getNumElements() != 1)
      levels.resize(type.getNumElements(), levels[0]);
    operands.push_back(createIntConstant(loc, type.getShape(), 32, levels));
  }
  Value sum = cloneWithResult(builder, op, operands,
                        withElementType(op->getResult(0).getType(),
                                        getIntType(32)));
  replaceWith(op, op->getResult(0), Accumulator{sum, {common}});
  return true;
}

FailureOr<bool> Quantizer::quantizeMul(Operation *op) {
  auto mul = cast<tosa::MulOp>(op);
  const IntTensor *a = lookupInt(mul.getInput1());
  const IntTensor *b = lookupInt(mul.getInput2());
  // 8-bit operands: the product of two centred levels fits int32.
  if (!a || !b || a->qparams.getStorageBits() != 8 ||
      b->qparams.getStorageBits() != 8)
    return false;
  Location loc = op->getLoc();
  SmallVector<Value> operands;
  for (const IntTensor *in : {a, b}) {
    // Scale 1: exactly q - z, in int32.
    FailureOr<Value> wide = toInt32(loc, *in, in->qparams.getScales()[0]);
    if (failed(wide))
      return failure();
    operands.push_back(*wide);
  }
  operands.push_back(createIntConstant(loc, {1}, 8, {0}));
  Value product = cloneWithResult(builder, op, operands,
                            withElementType(op->getResult(0).getType(),
                                            getIntType(32)));
  replaceWith(op, op->getResult(0),
              Accumulator{product, {a->qparams.getScales()[0] *
                                    b->qparams.getScales()[0]}});
  return true;
}

FailureOr<bool> Quantizer::quantizeConcat(Operation *op) {
  SmallVector<const IntTensor *> ins;
  for (Value operand : op->getOperands()) {
    const IntTensor *in = lookupInt(operand);
    if (!in)
      return false;
    ins.push_back(in);
  }
  // One grid for the result: the grid of the fake_quant that reads it, or
  // else the input grid with the widest range.
  QParamsAttr target;
  Value result = op->getResult(0);
  if (result.hasOneUse())
    if (auto next = dyn_cast<FakeQuantOp>(*result.getUsers().begin()))
      if (!next.getQparams().isPerAxis())
        target = next.getQparams().getSignedStorage();
  if (!target) {
    auto range = [](QParamsAttr p) {
      return p.getScales()[0] * static_cast<double>(p.getQMax() - p.getQMin());
    };
    target = ins[0]->qparams;
    for (const IntTensor *in : ins)
      if (range(in->qparams) > range(target))
        target = in->qparams;
  }
  Location loc = op->getLoc();
  SmallVector<Value> operands;
  for (const IntTensor *in : ins) {
    FailureOr<IntTensor> onGrid =
        requantize(loc, *in, target, describeOp(op));
    if (failed(onGrid))
      return failure();
    operands.push_back(onGrid->value);
  }
  Value joined = cloneWithResult(builder, op, operands,
                           withElementType(result.getType(),
                                           storageType(*this, target)));
  replaceWith(op, result, IntTensor{joined, target});
  return true;
}
