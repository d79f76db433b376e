//===- TosaToNpu.cpp - integer TOSA layers onto the npu ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// One rewrite pattern, rooted at the tosa.rescale that ends a layer: it
// reads back through the layer's epilogue (an optional reshape and bias add
// after a matmul) to the conv or matmul, checks that the npu can run it,
// and replaces the chain with one npu layer op (plus the reshape, which
// commutes with the per-channel epilogue because it keeps the channels
// innermost). A following tosa.clamp folds in by a second pattern.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"
#include "qlip/Conversion/QuantizedLayer.h"

#include "dialects/Npu/IR/NpuOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_TOSATONPUPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;

namespace {

/// The narrowest width of `target` whose symmetric narrow range holds every
/// level of `weights`, or none.
std::optional<int64_t> chooseWeightBits(DenseIntElementsAttr weights,
                                        npu::TargetAttr target) {
  int64_t maxAbs = 0;
  for (const APInt &v : weights.getValues<APInt>())
    maxAbs = std::max<int64_t>(maxAbs, std::abs(v.getSExtValue()));
  for (int64_t bits : target.getWidths())
    if (maxAbs <= (int64_t{1} << (bits - 1)) - 1)
      return bits;
  return std::nullopt;
}

/// `weights` as i8 storage (i4 constants are widened).
DenseIntElementsAttr toI8(DenseIntElementsAttr weights) {
  auto type = cast<RankedTensorType>(weights.getType());
  if (type.getElementType().isInteger(8))
    return weights;
  SmallVector<APInt> values;
  for (const APInt &v : weights.getValues<APInt>())
    values.push_back(v.sextOrTrunc(8));
  return DenseIntElementsAttr::get(
      type.clone(IntegerType::get(type.getContext(), 8)), values);
}

struct LayerToNpu : OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    npu::TargetAttr target = npu::TargetAttr::lookup(rescale);
    if (!target)
      return rewriter.notifyMatchFailure(rescale, "no npu.target");
    // The requantize unit: single rounding, 32-bit multipliers, signed i8.
    auto outType = cast<RankedTensorType>(rescale.getType());
    if (rescale.getRoundingMode() != tosa::RoundingMode::SINGLE_ROUND ||
        !rescale.getScale32() || rescale.getInputUnsigned() ||
        rescale.getOutputUnsigned() || !outType.getElementType().isInteger(8))
      return rewriter.notifyMatchFailure(rescale, "not the npu's requantize");
    FailureOr<qlip::QuantizedLayer> q = qlip::matchQuantizedLayer(rescale, rewriter);
    if (failed(q))
      return failure();
    Operation *layer = q->layer;
    auto inputType = cast<RankedTensorType>(q->input.getType());
    // The npu's buffers are planned at compile time.
    if (!inputType.hasStaticShape() ||
        !cast<RankedTensorType>(layer->getResult(0).getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(layer, "dynamic shapes stay on host");
    std::optional<int64_t> bits = chooseWeightBits(q->weights, target);
    if (!bits)
      return rewriter.notifyMatchFailure(layer, "no width holds the weights");
    Location loc = layer->getLoc();
    auto layerType = cast<RankedTensorType>(layer->getResult(0).getType());
    auto i64 = [&](int64_t v) { return rewriter.getI64IntegerAttr(v); };
    Value weightConst =
        arith::ConstantOp::create(rewriter, loc, toI8(q->weights));
    Value biasConst = arith::ConstantOp::create(rewriter, loc, q->bias);
    auto npuType = layerType.clone(rewriter.getI8Type());
    SmallVector<NamedAttribute> attrs{
        rewriter.getNamedAttr("input_zp", i64(q->inputZp)),
        rewriter.getNamedAttr("output_zp", i64(q->outputZp)),
        rewriter.getNamedAttr("weight_bits", i64(*bits)),
        rewriter.getNamedAttr("clamp_min", i64(-128)),
        rewriter.getNamedAttr("clamp_max", i64(127))};
    for (StringRef name : {"pad", "stride", "dilation"})
      if (Attribute attr = layer->getAttr(name))
        attrs.push_back(rewriter.getNamedAttr(name, attr));
    SmallVector<Value> operands{q->input, weightConst, biasConst,
                                rescale.getMultiplier(), rescale.getShift()};
    StringRef name = llvm::TypeSwitch<Operation *, StringRef>(layer)
                         .Case<tosa::Conv2DOp>([](auto) {
                           return npu::Conv2DOp::getOperationName();
                         })
                         .Case<tosa::DepthwiseConv2DOp>([](auto) {
                           return npu::DepthwiseConv2DOp::getOperationName();
                         })
                         .Default([](Operation *) {
                           return npu::MatmulOp::getOperationName();
                         });
    OperationState state(loc, name);
    state.addOperands(operands);
    state.addTypes(npuType);
    state.addAttributes(attrs);
    Value result = rewriter.create(state)->getResult(0);
    if (q->reshape)
      result = tosa::ReshapeOp::create(rewriter, q->reshape.getLoc(), outType,
                                       result, q->reshape.getShape());
    rewriter.replaceOp(rescale, result);
    return success();
  }
};

/// A per-tensor SINGLE_ROUND 32-bit-multiplier rescale's constants: input
/// and output zero points, multiplier and shift.
struct ScalarRescale {
  int64_t inZp, outZp, multiplier, shift;
};
std::optional<ScalarRescale> matchScalarRescale(tosa::RescaleOp rescale) {
  if (rescale.getRoundingMode() != tosa::RoundingMode::SINGLE_ROUND ||
      !rescale.getScale32() || rescale.getPerChannel() ||
      rescale.getInputUnsigned() || rescale.getOutputUnsigned())
    return std::nullopt;
  FailureOr<int64_t> inZp = rescale.getInputZeroPoint();
  FailureOr<int64_t> outZp = rescale.getOutputZeroPoint();
  std::optional<int64_t> m = qlip::getScalarConstant(rescale.getMultiplier());
  std::optional<int64_t> sh = qlip::getScalarConstant(rescale.getShift());
  if (failed(inZp) || failed(outZp) || !m || !sh)
    return std::nullopt;
  return ScalarRescale{*inZp, *outZp, *m, *sh};
}

/// qlip-quantize's add: two i8 -> i32 rescales, an i32 tosa.add, and the
/// rescale to i8, all single-round per-tensor: the npu's elementwise add.
struct AddToNpu : OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    if (!npu::TargetAttr::lookup(rescale))
      return failure();
    auto outType = cast<RankedTensorType>(rescale.getType());
    auto add = rescale.getInput().getDefiningOp<tosa::AddOp>();
    if (!add || !add->hasOneUse() || !outType.getElementType().isInteger(8) ||
        !outType.hasStaticShape() ||
        add.getInput1().getType() != add.getInput2().getType() ||
        add.getType() != add.getInput1().getType())
      return failure();
    std::optional<ScalarRescale> out = matchScalarRescale(rescale);
    auto a = add.getInput1().getDefiningOp<tosa::RescaleOp>();
    auto b = add.getInput2().getDefiningOp<tosa::RescaleOp>();
    if (!out || out->inZp != 0 || !a || !b || !a->hasOneUse() ||
        !b->hasOneUse())
      return failure();
    std::optional<ScalarRescale> ra = matchScalarRescale(a);
    std::optional<ScalarRescale> rb = matchScalarRescale(b);
    if (!ra || !rb || ra->outZp != 0 || rb->outZp != 0 ||
        !cast<RankedTensorType>(a.getInput().getType())
             .getElementType()
             .isInteger(8) ||
        !cast<RankedTensorType>(b.getInput().getType())
             .getElementType()
             .isInteger(8))
      return failure();
    auto i64 = [&](int64_t v) { return rewriter.getI64IntegerAttr(v); };
    OperationState state(rescale.getLoc(), npu::AddOp::getOperationName());
    state.addOperands({a.getInput(), b.getInput()});
    state.addTypes(outType);
    state.addAttributes({rewriter.getNamedAttr("a_zp", i64(ra->inZp)),
                         rewriter.getNamedAttr("a_multiplier", i64(ra->multiplier)),
                         rewriter.getNamedAttr("a_shift", i64(ra->shift)),
                         rewriter.getNamedAttr("b_zp", i64(rb->inZp)),
                         rewriter.getNamedAttr("b_multiplier", i64(rb->multiplier)),
                         rewriter.getNamedAttr("b_shift", i64(rb->shift)),
                         rewriter.getNamedAttr("multiplier", i64(out->multiplier)),
                         rewriter.getNamedAttr("shift", i64(out->shift)),
                         rewriter.getNamedAttr("output_zp", i64(out->outZp)),
                         rewriter.getNamedAttr("clamp_min", i64(-128)),
                         rewriter.getNamedAttr("clamp_max", i64(127))});
    rewriter.replaceOp(rescale, rewriter.create(state)->getResults());
    return success();
  }
};

/// A lone per-tensor i8 -> i8 rescale (between two grids, after a max
/// pool) runs on the requantize unit's elementwise path.
struct RescaleToNpu : OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(rescale.getInput().getType());
    auto outType = cast<RankedTensorType>(rescale.getType());
    std::optional<ScalarRescale> r = matchScalarRescale(rescale);
    if (!npu::TargetAttr::lookup(rescale) || !r ||
        !inType.getElementType().isInteger(8) ||
        !outType.getElementType().isInteger(8) || !outType.hasStaticShape())
      return failure();
    auto i64 = [&](int64_t v) { return rewriter.getI64IntegerAttr(v); };
    rewriter.replaceOpWithNewOp<npu::RescaleOp>(
        rescale, outType, rescale.getInput(), i64(r->inZp), i64(r->multiplier),
        i64(r->shift), i64(r->outZp), i64(-128), i64(127));
    return success();
  }
};

/// An i8 max pool runs on the npu as it is.
struct MaxPoolToNpu : OpRewritePattern<tosa::MaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MaxPool2dOp pool,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(pool.getInput().getType());
    if (!npu::TargetAttr::lookup(pool) || !type.getElementType().isInteger(8) ||
        !type.hasStaticShape())
      return failure();
    rewriter.replaceOpWithNewOp<npu::MaxPool2DOp>(
        pool, pool.getType(), pool.getInput(), pool.getKernelAttr(),
        pool.getStrideAttr(), pool.getPadAttr());
    return success();
  }
};

/// A tosa.clamp of an npu layer's only result (or of its reshape) narrows
/// its clamp range.
template <typename LayerOp>
struct ClampIntoLayer : OpRewritePattern<tosa::ClampOp> {
  using OpRewritePattern<tosa::ClampOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::ClampOp clamp,
                                PatternRewriter &rewriter) const override {
    // Through the reshape LayerToNpu leaves after a matmul or a global
    // pool: it moves no value, so the clamp commutes with it.
    Value input = clamp.getInput();
    auto reshape = input.getDefiningOp<tosa::ReshapeOp>();
    if (reshape && reshape->hasOneUse())
      input = reshape.getInput1();
    auto layer = input.template getDefiningOp<LayerOp>();
    auto lo = dyn_cast<IntegerAttr>(clamp.getMinValAttr());
    auto hi = dyn_cast<IntegerAttr>(clamp.getMaxValAttr());
    if (!layer || !layer->hasOneUse() || !lo || !hi)
      return failure();
    int64_t newLo = std::max(static_cast<int64_t>(layer.getClampMin()),
                             lo.getInt());
    int64_t newHi = std::min(static_cast<int64_t>(layer.getClampMax()),
                             hi.getInt());
    if (newLo > newHi)
      return failure();
    rewriter.modifyOpInPlace(layer, [&] {
      layer.setClampMin(newLo);
      layer.setClampMax(newHi);
    });
    rewriter.replaceOp(clamp, clamp.getInput());
    return success();
  }
};

struct TosaToNpuPass
    : qlip::impl::TosaToNpuPassBase<TosaToNpuPass> {
  using TosaToNpuPassBase::TosaToNpuPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!target.empty()) {
      auto attr = dyn_cast_or_null<npu::TargetAttr>(
          parseAttribute(target, &getContext()));
      if (!attr) {
        module.emitError("qlip-tosa-to-npu: target must be an "
                         "#npu.target<...> attribute, got '")
            << target << "'";
        return signalPassFailure();
      }
      npu::TargetAttr existing = npu::TargetAttr::lookup(module);
      if (existing && existing != attr) {
        module.emitError("qlip-tosa-to-npu: the module already has another "
                         "npu.target: ")
            << existing;
        return signalPassFailure();
      }
      module->setAttr(npu::TargetAttr::getAttrName(), attr);
    }
    if (!npu::TargetAttr::lookup(module)) {
      module.emitError("qlip-tosa-to-npu: the module has no npu.target "
                       "attribute (#npu.target<...>) to compile for");
      return signalPassFailure();
    }
    // A float layer would stay on the host unnoticed: the npu runs integer
    // layers only, so a float model is a mistake in the pipeline.
    WalkResult floating = module.walk([&](Operation *op) {
      if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp,
               tosa::TransposeConv2DOp>(op))
        return WalkResult::advance();
      Type element = getElementTypeOrSelf(op->getOperand(0).getType());
      if (!isa<FloatType>(element))
        return WalkResult::advance();
      op->emitError("qlip-tosa-to-npu: '")
          << op->getName() << "' computes in " << element
          << ", and the npu runs integer layers only: quantize the model "
             "first (qlip-opt -qlip-ptq, or qlip-compile)";
      return WalkResult::interrupt();
    });
    if (floating.wasInterrupted())
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    patterns.add<LayerToNpu, AddToNpu, RescaleToNpu, MaxPoolToNpu,
                 ClampIntoLayer<npu::Conv2DOp>,
                 ClampIntoLayer<npu::DepthwiseConv2DOp>,
                 ClampIntoLayer<npu::MatmulOp>, ClampIntoLayer<npu::AddOp>,
                 ClampIntoLayer<npu::RescaleOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();

    if (!printReport)
      return;
    module.walk([&](Operation *op) {
      const char *where = nullptr;
      if (isa<npu::NpuDialect>(op->getDialect()))
        where = "npu";
      else if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp,
                   tosa::TransposeConv2DOp, tosa::MatMulOp, tosa::MaxPool2dOp,
                   tosa::AvgPool2dOp, tosa::AddOp, tosa::SubOp, tosa::MulOp,
                   tosa::ConcatOp, tosa::RescaleOp, tosa::ClampOp>(op))
        where = "host";
      if (!where)
        return;
      llvm::errs() << where << ": " << op->getName();
      if (auto bits = op->getAttrOfType<IntegerAttr>("weight_bits"))
        llvm::errs() << " (" << bits.getInt() << "-bit weights)";
      llvm::errs() << " at " << op->getLoc() << "\n";
    });
  }
};

} // namespace
