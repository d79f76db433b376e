//===- LayerRules.cpp - integer conv, depthwise, transpose conv, matmul ---===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// A layer with a fake-quantized constant weight and a quantized input
// becomes the same TOSA op on integers: weights as i8 (i4 under EXT-INT4),
// the input's zero point as an operand, int32 accumulation (int48 after
// 16-bit activations), and the float bias, together with any per-channel
// constant added after the layer, as an int32 bias at s_x * s_w[c]. The
// result is an accumulator that the next qlip.fake_quant requantizes.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

#include "qlip/Transforms/LayerNames.h"
#include "dialects/Qlip/IR/FloatElements.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::quantize;

namespace {

/// Where a layer's output channels sit in its weight.
struct WeightLayout {
  /// The weight axis the scales run along.
  int64_t axis;
  /// Output channels, and how many share one weight channel (depthwise
  /// channel multiplier).
  int64_t numOutputs;
  int64_t multiplier = 1;
};

} // namespace

static WeightLayout getWeightLayout(Operation *op, RankedTensorType weight) {
  int64_t axis = getWeightOperand(op)->channelAxis;
  ArrayRef<int64_t> shape = weight.getShape();
  if (isa<tosa::DepthwiseConv2DOp>(op)) // HWCM: C * M outputs
    return {axis, shape[2] * shape[3], shape[3]};
  return {axis, shape[axis]};
}

/// The float values of a constant, or none.
static std::optional<FloatElements> readConstant(Value value) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return FloatElements::read(attr);
}

/// Follows the single-use chain after a layer through reshapes that keep
/// the channel axis innermost and `tosa.add`/`tosa.sub` of per-channel
/// constants (a fully-connected layer's bias, what batch-norm folding
/// left). Adds their values to `bias` and returns the add/sub ops, which
/// the accumulator absorbs.
static SmallVector<Operation *> collectBiasChain(Value result,
                                                 MutableArrayRef<double> bias) {
  SmallVector<Operation *> chain;
  auto numOutputs = static_cast<int64_t>(bias.size());
  Value value = result;
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    auto type = cast<RankedTensorType>(value.getType());
    if (isa<tosa::ReshapeOp>(user)) {
      auto out = cast<RankedTensorType>(user->getResult(0).getType());
      if (out.getRank() == 0 || out.getShape().back() != numOutputs)
        break;
      value = user->getResult(0);
      continue;
    }
    bool isSub = isa<tosa::SubOp>(user);
    if (!isa<tosa::AddOp, tosa::SubOp>(user) ||
        user->getResult(0).getType() != type ||
        (isSub && user->getOperand(0) != value))
      break;
    Value other = user->getOperand(0) == value ? user->getOperand(1)
                                               : user->getOperand(0);
    auto otherType = cast<RankedTensorType>(other.getType());
    ArrayRef<int64_t> shape = otherType.getShape();
    if (otherType.getRank() != type.getRank() ||
        !llvm::all_of(shape.drop_back(), [](int64_t d) { return d == 1; }) ||
        (shape.back() != numOutputs && shape.back() != 1))
      break;
    std::optional<FloatElements> values = readConstant(other);
    if (!values)
      break;
    ArrayRef<float> v = values->values();
    for (int64_t c = 0; c < numOutputs; ++c) {
      double term = v.size() == 1 ? v[0] : v[c];
      bias[c] += isSub ? -term : term;
    }
    chain.push_back(user);
    value = user->getResult(0);
  }
  return chain;
}

/// A matmul of two quantized activations: both operands' zero points go to
/// TOSA, the product has scale s_a * s_b.
static FailureOr<bool> quantizeActivationMatmul(Quantizer &q, Operation *op,
                                                const IntTensor &a,
                                                const IntTensor &b) {
  unsigned width = a.qparams.getStorageBits();
  if (width != 8 || b.qparams.getStorageBits() != 8)
    return false;
  OpBuilder &builder = q.getBuilder();
  Location loc = op->getLoc();
  Value aZp = q.createZeroPoint(loc, 8, a.qparams.getZeroPoints()[0]);
  Value bZp = q.createZeroPoint(loc, 8, b.qparams.getZeroPoints()[0]);
  Type i32 = q.getIntType(32);
  Operation *matmul = cloneWithOperands(
      builder, op, {a.value, b.value, aZp, bZp},
      Quantizer::withElementType(op->getResult(0).getType(), i32), i32);
  q.replaceWith(op, op->getResult(0),
                Accumulator{matmul->getResult(0),
                            {a.qparams.getScales()[0] *
                             b.qparams.getScales()[0]}});
  q.getReport().layers.push_back({describeOp(op),
                                  op->getName().getStringRef().str(), 8, "i8",
                                  "i32", a.qparams.getScales()[0],
                                  a.qparams.getZeroPoints()[0], 0});
  return true;
}

FailureOr<bool> Quantizer::quantizeLayer(Operation *op) {
  bool isMatmul = isa<tosa::MatMulOp>(op);
  Value weight = op->getOperand(1);
  const IntTensor *x = lookupInt(op->getOperand(0));
  if (!x)
    return false;
  if (isMatmul)
    if (const IntTensor *b = lookupInt(weight))
      return quantizeActivationMatmul(*this, op, *x, *b);

  // The weight: a fake-quantized constant on a symmetric grid of at most 8
  // bits (TOSA has no wider integer weights).
  auto fakeQuant = weight.getDefiningOp<FakeQuantOp>();
  if (!fakeQuant)
    return false;
  QParamsAttr wq = fakeQuant.getQparams();
  if (!wq.getIsSigned() || wq.getBits() > 8 ||
      llvm::any_of(wq.getZeroPoints(), [](int64_t z) { return z != 0; }))
    return false;
  std::optional<FloatElements> weights = readConstant(fakeQuant.getInput());
  if (!weights)
    return false;

  auto weightType = cast<RankedTensorType>(weight.getType());
  WeightLayout layout = getWeightLayout(op, weightType);
  if (wq.isPerAxis() && *wq.getAxis() != layout.axis)
    return false;

  // The float bias: the layer's own operand plus what follows it.
  SmallVector<double> bias(layout.numOutputs, 0.0);
  if (!isMatmul) {
    std::optional<FloatElements> b = readConstant(op->getOperand(2));
    if (!b)
      return false;
    ArrayRef<float> v = b->values();
    if (v.size() != 1 && static_cast<int64_t>(v.size()) != layout.numOutputs)
      return false;
    for (int64_t c = 0; c < layout.numOutputs; ++c)
      bias[c] = v.size() == 1 ? v[0] : v[c];
  }
  SmallVector<Operation *> chain = collectBiasChain(op->getResult(0), bias);

  unsigned inWidth = x->qparams.getStorageBits();
  int64_t inZp = x->qparams.getZeroPoints()[0];
  if (inWidth == 16 && inZp != 0)
    return emitError(op, "16-bit activations need zero point 0 in TOSA "
                         "(EXT-INT16), but the input has zero point ")
           << inZp;
  unsigned accWidth = inWidth == 16 ? 48 : 32;
  if (isMatmul && accWidth == 48 && llvm::any_of(bias, [](double b) {
        return b != 0.0;
      }))
    return false; // TOSA adds no 48-bit tensors.
  double inScale = x->qparams.getScales()[0];

  // Weight scales per weight channel; a bias too large for the accumulator
  // at s_x * s_w[c] raises that channel's weight scale until it fits.
  SmallVector<double> wScales(wq.getScales().asArrayRef());
  auto weightChannel = [&](int64_t out) -> int64_t {
    return wq.isPerAxis() ? out / layout.multiplier : 0;
  };
  double limit = std::ldexp(1.0, static_cast<int>(accWidth) - 1) - 1.0;
  unsigned adjusted = 0;
  for (int64_t c = 0; c < layout.numOutputs; ++c) {
    double &wScale = wScales[weightChannel(c)];
    double level = std::nearbyint(bias[c] / (inScale * wScale));
    if (std::fabs(level) <= limit)
      continue;
    double raised = std::fabs(bias[c]) / (inScale * limit);
    while (std::fabs(std::nearbyint(bias[c] / (inScale * raised))) > limit)
      raised = std::nextafter(raised, INFINITY);
    op->emitWarning() << "qlip-quantize: the bias of output channel " << c
                      << " (" << bias[c] << ") overflows int" << accWidth
                      << " at scale s_x * s_w = " << inScale * wScale
                      << "; weight scale raised from " << wScale << " to "
                      << raised;
    wScale = raised;
    ++adjusted;
  }
  QParamsAttr levels =
      adjusted ? QParamsAttr::get(op->getContext(), wq.getBits(), true,
                                  wq.getNarrowRange(), wq.getAxis(),
                                  DenseF64ArrayAttr::get(op->getContext(),
                                                         wScales),
                                  wq.getZeroPoints(), wq.getClipMin(),
                                  wq.getClipMax(), wq.getRule())
               : wq;

  // Integer weights, channel by channel along the axis.
  ArrayRef<int64_t> shape = weightType.getShape();
  int64_t inner = 1;
  for (int64_t d = layout.axis + 1; d < weightType.getRank(); ++d)
    inner *= shape[d];
  ArrayRef<float> w = weights->values();
  SmallVector<int64_t> wLevels(w.size());
  levels.quantizeAll(w, inner, wLevels);
  // A weight scale raised for the bias may round a whole channel to 0: the
  // layer then outputs its bias alone. That happens only when the input's
  // calibrated range is orders of magnitude narrower than the weights and
  // bias were trained for (a calibration set of tiny or denormal values):
  // the model would be wrong on real inputs, so it is an error.
  if (adjusted) {
    int64_t numWeightChannels = wq.isPerAxis() ? shape[layout.axis] : 1;
    SmallVector<bool> anyNonZero(numWeightChannels, false);
    for (auto [i, level] : llvm::enumerate(wLevels))
      if (level != 0)
        anyNonZero[wq.isPerAxis() ? (i / inner) % numWeightChannels : 0] = true;
    for (int64_t c = 0; c < layout.numOutputs; ++c) {
      int64_t channel = weightChannel(c);
      if (anyNonZero[channel] ||
          wScales[channel] == wq.getScales()[channel])
        continue;
      return emitError(op, "the bias of output channel ")
             << c << " (" << bias[c] << ") fits int" << accWidth
             << " only at a weight scale (" << wScales[channel]
             << ") that rounds every weight of the channel to 0: the "
                "layer's input was calibrated to the range ["
             << x->qparams.getClipMin()[0] << ", "
             << x->qparams.getClipMax()[0]
             << "], far narrower than its weights and bias expect; "
                "calibrate on samples that represent the model's inputs";
    }
  }
  // TOSA takes i4 weights in convolutions (EXT-INT4), not in matmul, whose
  // operands share one type.
  unsigned wWidth = 8;
  if (isMatmul)
    wWidth = inWidth;
  else if (wq.getBits() <= 4 && options.int4Weights)
    wWidth = 4;

  SmallVector<int64_t> biasLevels(layout.numOutputs);
  SmallVector<double> accScales(layout.numOutputs);
  for (int64_t c = 0; c < layout.numOutputs; ++c) {
    accScales[c] = inScale * wScales[weightChannel(c)];
    biasLevels[c] = static_cast<int64_t>(std::nearbyint(bias[c] / accScales[c]));
  }

  Location loc = op->getLoc();
  Value wConst = createIntConstant(loc, shape, wWidth, wLevels);
  Value inZpConst = createZeroPoint(loc, inWidth, inZp);
  Value wZpConst = createZeroPoint(loc, wWidth, 0);
  Type accType = getIntType(accWidth);
  Type resultType = withElementType(op->getResult(0).getType(), accType);
  Value acc;
  if (isMatmul) {
    acc = cloneWithOperands(builder, op, {x->value, wConst, inZpConst, wZpConst},
                     resultType, accType)
              ->getResult(0);
    if (llvm::any_of(biasLevels, [](int64_t b) { return b != 0; })) {
      SmallVector<int64_t> biasShape(3, 1);
      biasShape.back() = layout.numOutputs;
      Value biasConst = createIntConstant(loc, biasShape, 32, biasLevels);
      acc = tosa::AddOp::create(builder, loc, resultType, acc, biasConst);
    }
  } else {
    Value biasConst =
        createIntConstant(loc, {layout.numOutputs}, accWidth, biasLevels);
    acc = cloneWithOperands(builder, op,
                     {x->value, wConst, biasConst, inZpConst, wZpConst},
                     resultType, accType)
              ->getResult(0);
  }
  replaceWith(op, op->getResult(0), Accumulator{acc, accScales});
  for (Operation *absorbed : chain)
    absorbedBias.insert(absorbed);

  if (wWidth == 4)
    report.needsInt4 = true;
  if (inWidth == 16)
    report.needsInt16 = true;
  report.layers.push_back({describeOp(op), op->getName().getStringRef().str(),
                           wq.getBits(), "i" + std::to_string(wWidth),
                           "i" + std::to_string(accWidth), inScale, inZp,
                           adjusted});
  return true;
}
