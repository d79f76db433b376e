//===- TosaToCpu.cpp - layers onto qlip's CPU kernels ---------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// Two rewrite patterns. The integer one is rooted at the tosa.rescale that
// ends a layer (the npu backend's matcher reads the layer back); the float
// one at the layer. Both pack the constant weights now, with the layout the
// kernels define, so no call ever repacks them.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"
#include "qlip/Conversion/QuantizedLayer.h"
#include "qlip/Kernels/Kernels.h"

#include "dialects/Cpu/IR/CpuOps.h"
#include "dialects/Qlip/IR/FloatElements.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::qlip {
#define GEN_PASS_DEF_TOSATOCPUPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
namespace kernels = ::qlip::kernels;

namespace {

/// The options every rewritten layer carries.
struct KernelOptions {
  std::string isa;
  int64_t threads;
  int64_t nibbleMinBytes; // see chooseQConvPacking
};

/// A layer's shape as a convolution over NHWC: the kernels' view. A matmul
/// [1, M, K] x [1, K, N] is a 1x1 convolution of a 1 x M image.
struct ConvShape {
  SmallVector<int64_t, 4> input, output; // NHWC
  int64_t kh = 1, kw = 1;
  SmallVector<int64_t, 2> stride{1, 1}, dilation{1, 1};
  SmallVector<int64_t, 4> pad{0, 0, 0, 0};
  bool depthwise = false;
};

/// Reads the geometry of a conv2d, depthwise_conv2d (channel multiplier 1)
/// or matmul (batch 1) with static shapes.
FailureOr<ConvShape> getConvShape(Operation *layer) {
  auto inType = dyn_cast<RankedTensorType>(layer->getOperand(0).getType());
  auto wType = dyn_cast<RankedTensorType>(layer->getOperand(1).getType());
  auto outType = dyn_cast<RankedTensorType>(layer->getResult(0).getType());
  if (!inType || !wType || !outType || !inType.hasStaticShape() || !wType.hasStaticShape() ||
      !outType.hasStaticShape())
    return failure();
  ConvShape s;
  if (isa<tosa::MatMulOp>(layer)) {
    ArrayRef<int64_t> a = inType.getShape(), c = outType.getShape();
    if (a[0] != 1 || wType.getShape()[0] != 1)
      return failure();
    s.input = {1, 1, a[1], a[2]};
    s.output = {1, 1, c[1], c[2]};
    return s;
  }
  s.input.assign(inType.getShape().begin(), inType.getShape().end());
  s.output.assign(outType.getShape().begin(), outType.getShape().end());
  auto get = [&](StringRef name) {
    return cast<DenseI64ArrayAttr>(layer->getAttr(name)).asArrayRef();
  };
  s.stride.assign(get("stride").begin(), get("stride").end());
  s.dilation.assign(get("dilation").begin(), get("dilation").end());
  s.pad.assign(get("pad").begin(), get("pad").end());
  if (isa<tosa::DepthwiseConv2DOp>(layer)) {
    // [KH, KW, C, M]
    if (wType.getShape()[3] != 1)
      return failure();
    s.kh = wType.getShape()[0];
    s.kw = wType.getShape()[1];
    s.depthwise = true;
  } else {
    // [O, KH, KW, I]
    s.kh = wType.getShape()[1];
    s.kw = wType.getShape()[2];
  }
  return s;
}

/// The convolution's input, or what a tosa.slice feeding it crops: ONNX
/// importers crop the bottom and right edges a strided convolution never
/// reaches, which would cost a strided copy. The kernels read only the rows
/// and columns the outputs need, so the uncropped tensor serves when no
/// output needs a padding row or column beyond the crop.
Value getUncroppedInput(Value input, ConvShape &s) {
  auto slice = input.getDefiningOp<tosa::SliceOp>();
  // Only an NHWC input (a matmul's [1, M, K] is expanded to 4-D later).
  if (!slice || cast<RankedTensorType>(input.getType()).getRank() != 4)
    return input;
  auto type = dyn_cast<RankedTensorType>(slice.getInput1().getType());
  SmallVector<int64_t> start;
  if (!type || type.getRank() != 4 || !type.hasStaticShape() ||
      !tosa::getConstShapeValues(slice.getStart().getDefiningOp(), start) ||
      llvm::any_of(start, [](int64_t v) { return v != 0; }) ||
      type.getShape()[0] != s.input[0] || type.getShape()[3] != s.input[3])
    return input;
  const int64_t kernel[2] = {s.kh, s.kw};
  for (int d = 0; d < 2; ++d) {
    int64_t needed = (s.output[1 + d] - 1) * s.stride[d] +
                     (kernel[d] - 1) * s.dilation[d] + 1 - s.pad[2 * d];
    if (needed > s.input[1 + d])
      return input;
  }
  s.input[1] = type.getShape()[1];
  s.input[2] = type.getShape()[2];
  return slice.getInput1();
}

/// The weights in the kernels' source order: OHWI for a conv (a matmul's
/// [K, N] transposed), HWC for a depthwise conv.
template <typename T>
SmallVector<T> toSourceOrder(ArrayRef<T> values, Operation *layer,
                             const ConvShape &s) {
  if (!isa<tosa::MatMulOp>(layer))
    return SmallVector<T>(values.begin(), values.end());
  const int64_t k = s.input[3], n = s.output[3];
  SmallVector<T> ohwi(values.size());
  for (int64_t i = 0; i < k; ++i)
    for (int64_t o = 0; o < n; ++o)
      ohwi[o * k + i] = values[i * n + o];
  return ohwi;
}

/// Adds the attributes of the geometry and options to `state`.
void addGeometry(OpBuilder &b, OperationState &state, const ConvShape &s,
                 const KernelOptions &options) {
  state.addAttribute("kernel", b.getDenseI64ArrayAttr({s.kh, s.kw}));
  state.addAttribute("stride", b.getDenseI64ArrayAttr(s.stride));
  state.addAttribute("dilation", b.getDenseI64ArrayAttr(s.dilation));
  state.addAttribute("pad", b.getDenseI64ArrayAttr(s.pad));
  if (s.depthwise)
    state.addAttribute("depthwise", b.getUnitAttr());
  state.addAttribute("isa", b.getStringAttr(options.isa));
  state.addAttribute("threads", b.getI64IntegerAttr(options.threads));
}

/// `value` as the kernels' NHWC input: a matmul's [1, M, K] gets a unit
/// height.
Value expandInput(OpBuilder &b, Location loc, Value value, const ConvShape &s) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 4)
    return value;
  return tensor::ExpandShapeOp::create(
      b, loc, type.clone(s.input), value,
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
}

/// The kernels' NHWC output as the layer's result type.
Value collapseOutput(OpBuilder &b, Location loc, Value value,
                     RankedTensorType layerType) {
  if (layerType.getRank() == 4)
    return value;
  return tensor::CollapseShapeOp::create(
      b, loc, value, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
}

template <typename T>
Value constant1D(OpBuilder &b, Location loc, Type elementType,
                 ArrayRef<T> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, elementType);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

/// The per-channel values of a rescale operand, `channels` of them (a
/// per-tensor operand is broadcast), padded with `pad` to the tile.
FailureOr<SmallVector<int64_t>> getPerChannel(Value operand, int64_t channels,
                                              int64_t pad) {
  DenseIntElementsAttr attr;
  if (!matchPattern(operand, m_Constant(&attr)))
    return failure();
  SmallVector<int64_t> values;
  for (const APInt &v : attr.getValues<APInt>())
    values.push_back(v.getSExtValue());
  if (values.size() == 1)
    values.assign(channels, values.front());
  if (int64_t(values.size()) != channels)
    return failure();
  values.resize(kernels::roundUp(channels, kernels::kChannelTile), pad);
  return values;
}

struct QuantizedLayerToCpu : OpRewritePattern<tosa::RescaleOp> {
  QuantizedLayerToCpu(MLIRContext *context, KernelOptions options)
      : OpRewritePattern(context), options(std::move(options)) {}

  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    auto outType = dyn_cast<RankedTensorType>(rescale.getType());
    if (!outType)
      return failure();
    bool doubleRound =
        rescale.getRoundingMode() == tosa::RoundingMode::DOUBLE_ROUND;
    // Signless i8: the op's result holds an unsigned output's bits too.
    if (!rescale.getScale32() || rescale.getInputUnsigned() ||
        !outType.getElementType().isSignlessInteger(8) ||
        (!doubleRound &&
         rescale.getRoundingMode() != tosa::RoundingMode::SINGLE_ROUND))
      return rewriter.notifyMatchFailure(rescale, "not an int8 requantize");
    FailureOr<mlir::qlip::QuantizedLayer> q =
        mlir::qlip::matchQuantizedLayer(rescale, rewriter);
    if (failed(q))
      return failure();
    FailureOr<ConvShape> shape = getConvShape(q->layer);
    if (failed(shape))
      return rewriter.notifyMatchFailure(q->layer, "not a kernel's shape");
    const int64_t oc = shape->output[3];
    // i4 weights two per byte where that pays (chooseQConvPacking); a
    // narrow input unfolds its width.
    static_assert(kernels::kCacheResidentWeightBytes == 16384,
                  "the default of nibble-min-bytes (Passes.td)");
    const kernels::QConvPacking packing = kernels::chooseQConvPacking(
        oc, shape->kh, shape->kw, shape->input[3],
        q->weights.getElementType().getIntOrFloatBitWidth() == 4 ? 4 : 8,
        shape->depthwise, options.nibbleMinBytes);

    FailureOr<SmallVector<int64_t>> mult =
        getPerChannel(rescale.getMultiplier(), oc, 0);
    FailureOr<SmallVector<int64_t>> shift =
        getPerChannel(rescale.getShift(), oc, 2);
    if (failed(mult) || failed(shift))
      return rewriter.notifyMatchFailure(rescale, "scales not constant");
    for (int64_t c = 0; c < oc; ++c)
      if ((*mult)[c] < 0 || (*shift)[c] < 2 || (*shift)[c] > 62)
        return rewriter.notifyMatchFailure(rescale, "scale out of range");

    // The output range, narrowed by a clamp on a signed output (whose i8
    // comparison is the kernels').
    const bool outUnsigned = rescale.getOutputUnsigned();
    int64_t lo = outUnsigned ? 0 : -128, hi = outUnsigned ? 255 : 127;
    Operation *last = rescale;
    if (!outUnsigned && rescale->hasOneUse())
      if (auto clamp = dyn_cast<tosa::ClampOp>(*rescale->user_begin())) {
        auto min = dyn_cast<IntegerAttr>(clamp.getMinValAttr());
        auto max = dyn_cast<IntegerAttr>(clamp.getMaxValAttr());
        if (min && max && std::max(lo, min.getInt()) <= std::min(hi, max.getInt())) {
          lo = std::max(lo, min.getInt());
          hi = std::min(hi, max.getInt());
          last = clamp;
        }
      }

    // Pack, and fold the input offset into the bias.
    SmallVector<int8_t> values;
    if (q->weights.getElementType().isSignlessInteger(8))
      llvm::append_range(values, q->weights.getValues<int8_t>());
    else
      for (const APInt &v : q->weights.getValues<APInt>())
        values.push_back(int8_t(v.getSExtValue()));
    values = toSourceOrder<int8_t>(values, q->layer, *shape);
    std::vector<int64_t> sums = packing.sumWeights(values.data());
    std::vector<int8_t> packed = packing.pack(values.data());
    SmallVector<int32_t> bias;
    for (const APInt &v : q->bias.getValues<APInt>())
      bias.push_back(int32_t(v.getSExtValue()));
    std::vector<int32_t> folded = kernels::foldInputOffset(
        bias.data(), sums, kernels::getUnsignedOffset(q->inputZp, true),
        kernels::roundUp(oc, kernels::kChannelTile));
    SmallVector<int32_t> mult32(mult->begin(), mult->end());
    SmallVector<int8_t> shift8(shift->begin(), shift->end());

    Location loc = q->layer->getLoc();
    rewriter.setInsertionPoint(last);
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    auto resultType = RankedTensorType::get(shape->output, i8);
    OperationState state(loc, cpu::QConv2DOp::getOperationName());
    Value input = getUncroppedInput(q->input, *shape);
    state.addOperands(
        {expandInput(rewriter, loc, input, *shape),
         constant1D<int8_t>(rewriter, loc, i8, packed),
         constant1D<int32_t>(rewriter, loc, i32, folded),
         constant1D<int32_t>(rewriter, loc, i32, mult32),
         constant1D<int8_t>(rewriter, loc, i8, shift8),
         tensor::EmptyOp::create(rewriter, loc, shape->output, i8)});
    state.addTypes(resultType);
    addGeometry(rewriter, state, *shape, options);
    auto i64 = [&](int64_t v) { return rewriter.getI64IntegerAttr(v); };
    state.addAttribute("input_zp", i64(q->inputZp));
    state.addAttribute("weight_bits", i64(packing.bits));
    state.addAttribute("output_zp", i64(q->outputZp));
    state.addAttribute("output_min", i64(lo));
    state.addAttribute("output_max", i64(hi));
    if (doubleRound)
      state.addAttribute("double_round", rewriter.getUnitAttr());
    if (packing.unfold)
      state.addAttribute("unfold_width", rewriter.getUnitAttr());
    Value result = rewriter.create(state)->getResult(0);
    auto layerType = cast<RankedTensorType>(q->layer->getResult(0).getType());
    result = collapseOutput(rewriter, loc, result, layerType.clone(i8));
    if (q->reshape)
      result = tosa::ReshapeOp::create(rewriter, q->reshape.getLoc(), outType,
                                       result, q->reshape.getShape());
    rewriter.replaceOp(last, result);
    return success();
  }

  KernelOptions options;
};

/// A float conv2d, depthwise_conv2d or matmul with constant weights (and
/// bias), and a clamp right after it.
template <typename LayerOp>
struct FloatLayerToCpu : OpRewritePattern<LayerOp> {
  FloatLayerToCpu(MLIRContext *context, KernelOptions options)
      : OpRewritePattern<LayerOp>(context), options(std::move(options)) {}

  LogicalResult matchAndRewrite(LayerOp layer,
                                PatternRewriter &rewriter) const override {
    auto layerType = dyn_cast<RankedTensorType>(layer->getResult(0).getType());
    auto inputType = dyn_cast<RankedTensorType>(layer->getOperand(0).getType());
    if (!layerType || !inputType || !layerType.getElementType().isF32() ||
        !inputType.getElementType().isF32())
      return failure();
    // Zero points of float layers are 0, but check.
    for (Value zp : layer->getOperands().drop_front(
             isa<tosa::MatMulOp>(layer.getOperation()) ? 2 : 3)) {
      DenseElementsAttr attr;
      if (!matchPattern(zp, m_Constant(&attr)) || !attr.isSplat() ||
          !attr.getSplatValue<APFloat>().isZero())
        return rewriter.notifyMatchFailure(layer, "zero point not 0");
    }
    FailureOr<ConvShape> shape = getConvShape(layer);
    if (failed(shape))
      return rewriter.notifyMatchFailure(layer, "not a kernel's shape");
    ElementsAttr weightsAttr;
    if (!matchPattern(layer->getOperand(1), m_Constant(&weightsAttr)))
      return rewriter.notifyMatchFailure(layer, "weights not constant");
    std::optional<mlir::qlip::FloatElements> weights =
        mlir::qlip::FloatElements::read(weightsAttr);
    if (!weights)
      return failure();
    const int64_t oc = shape->output[3], c = shape->input[3];
    SmallVector<float> bias(kernels::roundUp(oc, kernels::kChannelTile), 0.0f);
    if (!isa<tosa::MatMulOp>(layer.getOperation())) {
      ElementsAttr biasAttr;
      if (!matchPattern(layer->getOperand(2), m_Constant(&biasAttr)))
        return rewriter.notifyMatchFailure(layer, "bias not constant");
      std::optional<mlir::qlip::FloatElements> b =
          mlir::qlip::FloatElements::read(biasAttr);
      if (!b || (int64_t(b->values().size()) != oc && b->values().size() != 1))
        return failure();
      for (int64_t o = 0; o < oc; ++o)
        bias[o] = b->values()[b->values().size() == 1 ? 0 : o];
    }
    SmallVector<float> values =
        toSourceOrder<float>(weights->values(), layer, *shape);
    std::vector<float> packed =
        shape->depthwise
            ? kernels::packDepthwiseWeightsF32(values.data(), shape->kh,
                                               shape->kw, c)
            : kernels::packConvWeightsF32(values.data(), oc, shape->kh,
                                          shape->kw, c);

    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    Operation *last = layer;
    if (layer->hasOneUse())
      if (auto clamp = dyn_cast<tosa::ClampOp>(*layer->user_begin())) {
        auto min = dyn_cast<FloatAttr>(clamp.getMinValAttr());
        auto max = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
        if (min && max && clamp.getNanMode() == tosa::NanPropagationMode::PROPAGATE &&
            min.getValueAsDouble() <= max.getValueAsDouble()) {
          lo = float(min.getValueAsDouble());
          hi = float(max.getValueAsDouble());
          last = clamp;
        }
      }

    Location loc = layer->getLoc();
    rewriter.setInsertionPoint(last);
    Type f32 = rewriter.getF32Type();
    OperationState state(loc, cpu::Conv2DOp::getOperationName());
    Value input = getUncroppedInput(layer->getOperand(0), *shape);
    state.addOperands({expandInput(rewriter, loc, input, *shape),
                       constant1D<float>(rewriter, loc, f32, packed),
                       constant1D<float>(rewriter, loc, f32, bias),
                       tensor::EmptyOp::create(rewriter, loc, shape->output, f32)});
    state.addTypes(RankedTensorType::get(shape->output, f32));
    addGeometry(rewriter, state, *shape, options);
    state.addAttribute("min", rewriter.getF32FloatAttr(lo));
    state.addAttribute("max", rewriter.getF32FloatAttr(hi));
    Value result = rewriter.create(state)->getResult(0);
    result = collapseOutput(rewriter, loc, result, layerType);
    rewriter.replaceOp(last, result);
    return success();
  }

  KernelOptions options;
};

struct TosaToCpuPass : mlir::qlip::impl::TosaToCpuPassBase<TosaToCpuPass> {
  using TosaToCpuPassBase::TosaToCpuPassBase;

  void runOnOperation() override {
    if (cpu::getIsaCode(isa) < 0) {
      getOperation()->emitError("qlip-tosa-to-cpu: unknown isa '")
          << isa << "' (expected auto, generic, avx2, avx-vnni or avx512-vnni)";
      return signalPassFailure();
    }
    if (threads < 0) {
      getOperation()->emitError(
          "qlip-tosa-to-cpu: threads must not be negative, got ")
          << static_cast<int64_t>(threads);
      return signalPassFailure();
    }
    if (nibbleMinBytes < 0) {
      getOperation()->emitError(
          "qlip-tosa-to-cpu: nibble-min-bytes must not be negative, got ")
          << static_cast<int64_t>(nibbleMinBytes);
      return signalPassFailure();
    }
    KernelOptions options{isa, threads, nibbleMinBytes};
    RewritePatternSet patterns(&getContext());
    patterns.add<QuantizedLayerToCpu>(&getContext(), options);
    if (packFloat)
      patterns.add<FloatLayerToCpu<tosa::Conv2DOp>,
                   FloatLayerToCpu<tosa::DepthwiseConv2DOp>,
                   FloatLayerToCpu<tosa::MatMulOp>>(&getContext(), options);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
