//===- Quantizer.cpp - the qlip-quantize driver -----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The walk over a function, the states of values, and the TOSA every rule
// emits: constants, zero points, rescales, clamps and the dequantization
// of values that float ops read.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

#include "qlip/Transforms/LayerNames.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::quantize;

std::string mlir::qlip::quantize::describeOp(Operation *op) {
  if (std::optional<std::string> name = getLocationName(op->getLoc()))
    return *name;
  if (std::optional<std::string> position = getLocationPosition(op->getLoc()))
    return *position;
  return op->getName().getStringRef().str();
}

Operation *mlir::qlip::quantize::cloneWithOperands(OpBuilder &builder,
                                                   Operation *op,
                                                   ValueRange operands,
                                                   Type resultType,
                                                   Type accType) {
  OperationState state(op->getLoc(), op->getName());
  state.addOperands(operands);
  state.addTypes(resultType);
  for (NamedAttribute attr : op->getAttrs())
    state.addAttribute(attr.getName(), accType && attr.getName() == "acc_type"
                                           ? TypeAttr::get(accType)
                                           : attr.getValue());
  return builder.create(state);
}

//===----------------------------------------------------------------------===//
// States
//===----------------------------------------------------------------------===//

const QuantState *Quantizer::lookup(Value value) const {
  auto it = states.find(value);
  return it == states.end() ? nullptr : &it->second;
}

const IntTensor *Quantizer::lookupInt(Value value) const {
  const QuantState *state = lookup(value);
  return state ? std::get_if<IntTensor>(state) : nullptr;
}

void Quantizer::replaceWith(Operation *op, Value floatValue, QuantState state) {
  states[floatValue] = std::move(state);
  if (erased.empty() || erased.back() != op)
    erased.push_back(op);
}

InFlightDiagnostic Quantizer::emitError(Operation *op, const Twine &message) {
  return op->emitError() << "qlip-quantize: " << message;
}

//===----------------------------------------------------------------------===//
// Emission helpers
//===----------------------------------------------------------------------===//

RankedTensorType Quantizer::withElementType(Type type, Type elementType) {
  return cast<RankedTensorType>(type).clone(elementType);
}

Value Quantizer::createIntConstant(Location loc, ArrayRef<int64_t> shape,
                                   unsigned width, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, getIntType(width));
  // The common widths from a typed buffer (weights are large); others, as
  // i4 and i48, through APInt.
  auto typed = [&](auto zero) {
    SmallVector<decltype(zero)> narrow(values.begin(), values.end());
    return tosa::ConstOp::create(
        builder, loc, type,
        DenseElementsAttr::get(type, ArrayRef<decltype(zero)>(narrow)));
  };
  if (width == 8)
    return typed(int8_t{});
  if (width == 16)
    return typed(int16_t{});
  if (width == 32)
    return typed(int32_t{});
  SmallVector<APInt> bits;
  bits.reserve(values.size());
  for (int64_t value : values)
    bits.push_back(APInt(width, value, /*isSigned=*/true));
  auto attr = DenseElementsAttr::get(type, bits);
  return tosa::ConstOp::create(builder, loc, type, attr);
}

Value Quantizer::createZeroPoint(Location loc, unsigned width, int64_t value) {
  return createIntConstant(loc, {1}, width, {value});
}

FailureOr<Value> Quantizer::emitRescale(Location loc, Value input,
                                        int64_t inputZp,
                                        ArrayRef<double> scales,
                                        unsigned outWidth, int64_t outputZp,
                                        RescaleRecord *record) {
  auto inType = cast<RankedTensorType>(input.getType());
  unsigned inWidth = inType.getElementTypeBitWidth();
  // TOSA: a nonzero zero point only on (signed or unsigned) 8-bit values.
  if ((inputZp != 0 && inWidth != 8) || (outputZp != 0 && outWidth != 8)) {
    mlir::emitError(loc) << "qlip-quantize: TOSA's rescale takes a nonzero zero "
                      "point only on 8-bit values, but a "
                   << (inputZp != 0 ? inWidth : outWidth)
                   << "-bit value has zero point "
                   << (inputZp != 0 ? inputZp : outputZp)
                   << "; quantize 16-bit activations symmetrically";
    return failure();
  }
  // 48-bit accumulators take 16-bit multipliers, and only single rounding.
  bool scale32 = inWidth != 48;
  RoundingMode mode = scale32 ? options.rounding : RoundingMode::Single;

  // Equal per-channel scales are one per-tensor scale.
  SmallVector<double> distinct(scales.begin(), scales.end());
  if (llvm::all_equal(distinct))
    distinct.resize(1);
  auto multipliers = computeMultipliersAndShifts(distinct, scale32);
  if (!multipliers) {
    mlir::emitError(loc) << "qlip-quantize: cannot requantize: "
                   << llvm::toString(multipliers.takeError());
    return failure();
  }
  SmallVector<int64_t> m, s;
  for (const ScaleMultiplier &multiplier : *multipliers) {
    m.push_back(multiplier.multiplier);
    s.push_back(multiplier.shift);
  }
  bool perChannel = distinct.size() > 1;
  int64_t count = static_cast<int64_t>(distinct.size());
  Value multiplier = createIntConstant(loc, {count}, scale32 ? 32 : 16, m);
  Value shift = createIntConstant(loc, {count}, 8, s);
  Value inZp = createZeroPoint(loc, inWidth, inputZp);
  Value outZp = createZeroPoint(loc, outWidth, outputZp);
  auto rescale = tosa::RescaleOp::create(
      builder, loc, withElementType(inType, getIntType(outWidth)), input,
      multiplier, shift, inZp, outZp, scale32,
      mode == RoundingMode::Double ? tosa::RoundingMode::DOUBLE_ROUND
                                   : tosa::RoundingMode::SINGLE_ROUND,
      perChannel, /*input_unsigned=*/false, /*output_unsigned=*/false);
  if (mode == RoundingMode::Double)
    report.needsDoubleRound = true;
  if (record) {
    auto [minM, maxM] = std::minmax_element(m.begin(), m.end());
    auto [minS, maxS] = std::minmax_element(s.begin(), s.end());
    record->minMultiplier = static_cast<int32_t>(*minM);
    record->maxMultiplier = static_cast<int32_t>(*maxM);
    record->minShift = static_cast<int>(*minS);
    record->maxShift = static_cast<int>(*maxS);
  }
  return rescale.getResult();
}

Value Quantizer::emitIntClamp(Location loc, Value input, int64_t lo,
                              int64_t hi) {
  auto type = cast<RankedTensorType>(input.getType());
  unsigned width = type.getElementTypeBitWidth();
  int64_t typeMin = -(int64_t{1} << (width - 1));
  int64_t typeMax = (int64_t{1} << (width - 1)) - 1;
  if (lo <= typeMin && hi >= typeMax)
    return input;
  Type elementType = type.getElementType();
  return tosa::ClampOp::create(
      builder, loc, type, input,
      builder.getIntegerAttr(elementType, std::max(lo, typeMin)),
      builder.getIntegerAttr(elementType, std::min(hi, typeMax)),
      tosa::NanPropagationModeAttr::get(builder.getContext(),
                                        tosa::NanPropagationMode::PROPAGATE));
}

/// Whether the per-tensor rescale `record` describes (multiplier and shift,
/// input zero point `inZp`, output zero point `outZp`) keeps every input
/// level in [lo, hi] inside [qmin, qmax]. apply_scale_32 with a
/// non-negative multiplier is non-decreasing (double rounding too: its
/// +-2^30 steps up where the value turns non-negative), so the two end
/// levels bound the output.
static bool rescaleStaysWithin(const RescaleRecord &record, int64_t inZp,
                               int64_t outZp, bool doubleRound, int64_t lo,
                               int64_t hi, int64_t qmin, int64_t qmax) {
  if (record.minMultiplier != record.maxMultiplier ||
      record.minShift != record.maxShift)
    return false;
  for (int64_t level : {lo, hi}) {
    std::optional<int32_t> scaled = applyScale32Checked(
        level - inZp, record.minMultiplier, record.minShift, doubleRound);
    if (!scaled || *scaled + outZp < qmin || *scaled + outZp > qmax)
      return false;
  }
  return true;
}

/// The level of the real bound `bound` on the grid (scale `scale`, zero
/// point `zeroPoint`) clamped to [qmin, qmax]: rounding is monotone, so
/// clamping before quantizing equals clamping the levels at the rounded
/// bounds.
static int64_t boundLevel(double bound, double scale, int64_t zeroPoint,
                          int64_t qmin, int64_t qmax) {
  double level = std::nearbyint(bound / scale) + static_cast<double>(zeroPoint);
  if (!(level > static_cast<double>(qmin)))
    return qmin;
  if (!(level < static_cast<double>(qmax)))
    return qmax;
  return static_cast<int64_t>(level);
}

FailureOr<IntTensor> Quantizer::requantize(Location loc,
                                           const QuantState &state,
                                           QParamsAttr target,
                                           StringRef name) {
  double scale = target.getScales()[0];
  int64_t zeroPoint = target.getZeroPoints()[0];
  int64_t qmin = target.getQMin(), qmax = target.getQMax();
  unsigned width = target.getStorageBits();
  RescaleRecord record{name.str(), target.getBits(), scale, zeroPoint};

  if (const auto *in = std::get_if<IntTensor>(&state)) {
    QParamsAttr from = in->qparams;
    if (from.getScales()[0] == scale && from.getZeroPoints()[0] == zeroPoint &&
        from.getQMin() >= qmin && from.getQMax() <= qmax &&
        from.getStorageBits() == width)
      return IntTensor{in->value, target};
    FailureOr<Value> rescaled =
        emitRescale(loc, in->value, from.getZeroPoints()[0],
                    {from.getScales()[0] / scale}, width, zeroPoint, &record);
    if (failed(rescaled))
      return failure();
    report.rescales.push_back(record);
    // No clamp where none can clip (a max pool's output rescaled down).
    // (An int8/int16 input: a 32-bit multiplier, options.rounding.)
    if (rescaleStaysWithin(record, from.getZeroPoints()[0], zeroPoint,
                           options.rounding == RoundingMode::Double,
                           from.getQMin(), from.getQMax(), qmin, qmax))
      return IntTensor{*rescaled, target};
    return IntTensor{emitIntClamp(loc, *rescaled, qmin, qmax), target};
  }

  const auto &acc = std::get<Accumulator>(state);
  SmallVector<double> ratios;
  for (double accScale : acc.scales)
    ratios.push_back(accScale / scale);
  FailureOr<Value> rescaled =
      emitRescale(loc, acc.value, 0, ratios, width, zeroPoint, &record);
  if (failed(rescaled))
    return failure();
  report.rescales.push_back(record);
  // The activation's clamp (ReLU, ReLU6, a PACT alpha) folds into the
  // output range.
  int64_t lo = qmin, hi = qmax;
  if (std::isfinite(acc.clampLo))
    lo = std::max(lo, boundLevel(acc.clampLo, scale, zeroPoint, qmin, qmax));
  if (std::isfinite(acc.clampHi))
    hi = std::min(hi, boundLevel(acc.clampHi, scale, zeroPoint, qmin, qmax));
  hi = std::max(hi, lo);
  return IntTensor{emitIntClamp(loc, *rescaled, lo, hi), target};
}

FailureOr<Value> Quantizer::toInt32(Location loc, const IntTensor &in,
                                    double scale) {
  return emitRescale(loc, in.value, in.qparams.getZeroPoints()[0],
                     {in.qparams.getScales()[0] / scale}, 32, 0, nullptr);
}

Value Quantizer::dequantize(Value floatValue, const QuantState &state,
                            Operation *user) {
  if (Value cached = dequantized.lookup(floatValue))
    return cached;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPoint(user);
  Location loc = floatValue.getLoc();
  Type floatType = floatValue.getType();
  Value result;
  if (const auto *in = std::get_if<IntTensor>(&state)) {
    result = DequantizeOp::create(builder, loc, floatType, in->value,
                                  in->qparams);
  } else {
    // An accumulator: acc * scale[c], then the clamp it still owes.
    const auto &acc = std::get<Accumulator>(state);
    auto type = cast<RankedTensorType>(floatType);
    Value cast = tosa::CastOp::create(builder, loc, type, acc.value);
    SmallVector<int64_t> shape(type.getRank(), 1);
    shape.back() = static_cast<int64_t>(acc.scales.size());
    auto scaleType = RankedTensorType::get(shape, type.getElementType());
    SmallVector<float> scales(acc.scales.begin(), acc.scales.end());
    Value scaleConst = tosa::ConstOp::create(
        builder, loc, scaleType,
        DenseElementsAttr::get(scaleType, ArrayRef<float>(scales)));
    Value shift = createIntConstant(loc, {1}, 8, {0});
    result = tosa::MulOp::create(builder, loc, type, cast, scaleConst, shift);
    if (std::isfinite(acc.clampLo) || std::isfinite(acc.clampHi)) {
      Type elementType = type.getElementType();
      result = tosa::ClampOp::create(
          builder, loc, type, result,
          builder.getFloatAttr(elementType,
                               std::max(acc.clampLo, -3.40282347e38)),
          builder.getFloatAttr(elementType, std::min(acc.clampHi, 3.40282347e38)),
          tosa::NanPropagationModeAttr::get(
              builder.getContext(), tosa::NanPropagationMode::PROPAGATE));
    }
  }
  dequantized[floatValue] = result;
  return result;
}

//===----------------------------------------------------------------------===//
// The walk
//===----------------------------------------------------------------------===//

FailureOr<bool> Quantizer::quantizeOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, FailureOr<bool>>(op)
      .Case<FakeQuantOp>([&](Operation *op) { return quantizeFakeQuant(op); })
      .Case<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp,
            tosa::MatMulOp>([&](Operation *op) { return quantizeLayer(op); })
      .Case<tosa::ClampOp>([&](Operation *op) { return quantizeClamp(op); })
      .Case<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp,
            tosa::IdentityOp>(
          [&](Operation *op) { return quantizeDataMovement(op); })
      .Case<tosa::PadOp>([&](Operation *op) { return quantizePad(op); })
      .Case<tosa::MaxPool2dOp>([&](Operation *op) { return quantizeMaxPool(op); })
      .Case<tosa::AvgPool2dOp>([&](Operation *op) { return quantizeAvgPool(op); })
      .Case<tosa::AddOp, tosa::SubOp>(
          [&](Operation *op) { return quantizeAddSub(op); })
      .Case<tosa::MulOp>([&](Operation *op) { return quantizeMul(op); })
      .Case<tosa::ConcatOp>([&](Operation *op) { return quantizeConcat(op); })
      .Default([](Operation *) { return false; });
}

/// Ops that compute nothing a user would call a float layer.
static bool isBookkeeping(Operation *op) {
  return isa<tosa::ConstOp, tosa::ConstShapeOp, FakeQuantOp, ObserveOp,
             func::ReturnOp>(op);
}

void Quantizer::keepFloat(Operation *op) {
  for (OpOperand &operand : op->getOpOperands())
    if (const QuantState *state = lookup(operand.get()))
      operand.set(dequantize(operand.get(), *state, op));
  if (!isBookkeeping(op))
    report.floatOps.push_back(describeOp(op) + " (" +
                              op->getName().getStringRef().str() + ")");
}

void Quantizer::quantizeArguments() {
  Block &entry = func.getBody().front();
  for (BlockArgument arg : entry.getArguments()) {
    if (arg.use_empty())
      continue;
    // Integer I/O only where every use quantizes the same way.
    QParamsAttr qparams;
    bool uniform = llvm::all_of(arg.getUsers(), [&](Operation *user) {
      auto fakeQuant = dyn_cast<FakeQuantOp>(user);
      if (!fakeQuant || fakeQuant.getQparams().isPerAxis())
        return false;
      if (qparams && qparams != fakeQuant.getQparams())
        return false;
      qparams = fakeQuant.getQparams();
      return true;
    });
    if (!uniform)
      continue;
    QParamsAttr storage = qparams.getSignedStorage();
    arg.setType(withElementType(arg.getType(),
                                getIntType(storage.getStorageBits())));
    for (Operation *user : llvm::to_vector(arg.getUsers()))
      replaceWith(user, user->getResult(0), IntTensor{arg, storage});
  }
}

LogicalResult Quantizer::finishReturn(func::ReturnOp ret) {
  builder.setInsertionPoint(ret);
  for (OpOperand &operand : ret->getOpOperands()) {
    const QuantState *state = lookup(operand.get());
    if (!state)
      continue;
    const auto *in = std::get_if<IntTensor>(state);
    if (options.integerIO && in)
      operand.set(in->value);
    else
      operand.set(dequantize(operand.get(), *state, ret));
  }
  return success();
}

LogicalResult Quantizer::run() {
  if (!func.getBody().hasOneBlock())
    return func.emitError("qlip-quantize: expected a function with one block");
  if (options.integerIO)
    quantizeArguments();

  Block &block = func.getBody().front();
  SmallVector<Operation *> ops =
      llvm::to_vector(llvm::make_pointer_range(block));
  for (Operation *op : ops) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      if (failed(finishReturn(ret)))
        return failure();
      continue;
    }
    // Arguments already read as integers (integer I/O).
    if (op->getNumResults() == 1 && lookup(op->getResult(0)))
      continue;
    if (absorbedBias.contains(op)) {
      // Added to the accumulator of the layer before: the same state.
      Value acc = lookup(op->getOperand(0)) ? op->getOperand(0)
                                            : op->getOperand(1);
      replaceWith(op, op->getResult(0), *lookup(acc));
      continue;
    }
    builder.setInsertionPoint(op);
    FailureOr<bool> done = quantizeOp(op);
    if (failed(done))
      return failure();
    if (!*done) {
      if (options.strict && !isBookkeeping(op))
        return emitError(op, "'")
               << op->getName() << "' cannot be made integer here "
               << "(strict mode: every compute op must be quantized)";
      keepFloat(op);
    }
  }

  // Every use of a replaced value now reads its integer state or a
  // dequantization of it.
  for (Operation *op : llvm::reverse(erased)) {
    if (!op->use_empty())
      return op->emitError("qlip-quantize: internal error: a replaced op "
                           "still has uses");
    op->erase();
  }
  // The float weights, zero points and shapes nothing reads any more.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (isOpTriviallyDead(&op))
      op.erase();

  auto *ret = block.getTerminator();
  func.setType(FunctionType::get(func.getContext(), block.getArgumentTypes(),
                                 ret->getOperandTypes()));
  return success();
}
