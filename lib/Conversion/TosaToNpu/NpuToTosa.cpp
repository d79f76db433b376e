//===- NpuToTosa.cpp - npu layers as the integer TOSA they compute -------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"

#include "dialects/Npu/IR/NpuOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_NPUTOTOSAPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;

namespace {

Value intConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  unsigned width, int64_t value) {
  auto type = RankedTensorType::get(shape, b.getIntegerType(width));
  return tosa::ConstOp::create(
      b, loc, type, DenseElementsAttr::get(type, APInt(width, value, true)));
}

/// The epilogue's clamp of the i8 `value` to [lo, hi]: a tosa.clamp unless
/// that is all of i8.
Value clampEpilogue(OpBuilder &b, Location loc, Value value, int64_t lo,
                    int64_t hi) {
  if (lo <= -128 && hi >= 127)
    return value;
  return tosa::ClampOp::create(
      b, loc, value.getType(), value, b.getIntegerAttr(b.getI8Type(), lo),
      b.getIntegerAttr(b.getI8Type(), hi),
      tosa::NanPropagationModeAttr::get(b.getContext(),
                                        tosa::NanPropagationMode::PROPAGATE));
}

template <typename LayerOp>
struct LayerToTosa : OpConversionPattern<LayerOp> {
  using OpConversionPattern<LayerOp>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerOp op, typename LayerOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    auto accType = outType.clone(rewriter.getI32Type());
    Value inZp = intConstant(rewriter, loc, {1}, 8,
                             static_cast<int64_t>(op.getInputZp()));
    Value wZp = intConstant(rewriter, loc, {1}, 8, 0);
    Value acc;
    if constexpr (std::is_same_v<LayerOp, npu::MatmulOp>) {
      acc = tosa::MatMulOp::create(rewriter, loc, accType, adaptor.getInput(),
                                   adaptor.getWeight(), inZp, wZp);
      int64_t channels = outType.getShape().back();
      auto shapeType = tosa::shapeType::get(rewriter.getContext(), 3);
      Value shape = tosa::ConstShapeOp::create(
          rewriter, loc, shapeType,
          DenseIntElementsAttr::get(
              RankedTensorType::get({3}, rewriter.getIndexType()),
              ArrayRef<int64_t>{1, 1, channels}));
      Value bias = tosa::ReshapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, 1, channels}, rewriter.getI32Type()),
          adaptor.getBias(), shape);
      acc = tosa::AddOp::create(rewriter, loc, accType, acc, bias);
    } else {
      using TosaOp =
          std::conditional_t<std::is_same_v<LayerOp, npu::Conv2DOp>,
                             tosa::Conv2DOp, tosa::DepthwiseConv2DOp>;
      OperationState state(loc, TosaOp::getOperationName());
      state.addOperands({adaptor.getInput(), adaptor.getWeight(),
                         adaptor.getBias(), inZp, wZp});
      state.addTypes(accType);
      state.addAttribute("pad", op.getPadAttr());
      state.addAttribute("stride", op.getStrideAttr());
      state.addAttribute("dilation", op.getDilationAttr());
      state.addAttribute("acc_type", TypeAttr::get(rewriter.getI32Type()));
      acc = rewriter.create(state)->getResult(0);
    }
    bool perChannel =
        cast<RankedTensorType>(adaptor.getMultiplier().getType())
            .getNumElements() > 1;
    Value result = tosa::RescaleOp::create(
        rewriter, loc, outType, acc, adaptor.getMultiplier(),
        adaptor.getShift(), intConstant(rewriter, loc, {1}, 32, 0),
        intConstant(rewriter, loc, {1}, 8,
                    static_cast<int64_t>(op.getOutputZp())),
        /*scale32=*/true, tosa::RoundingMode::SINGLE_ROUND, perChannel,
        /*input_unsigned=*/false, /*output_unsigned=*/false);
    rewriter.replaceOp(op, clampEpilogue(rewriter, loc, result,
                                         static_cast<int64_t>(op.getClampMin()),
                                         static_cast<int64_t>(op.getClampMax())));
    return success();
  }
};

struct MaxPoolToTosa : OpConversionPattern<npu::MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(npu::MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    OperationState state(op.getLoc(), tosa::MaxPool2dOp::getOperationName());
    state.addOperands(adaptor.getInput());
    state.addTypes(op.getType());
    state.addAttribute("kernel", op.getKernelAttr());
    state.addAttribute("stride", op.getStrideAttr());
    state.addAttribute("pad", op.getPadAttr());
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

/// A per-tensor SINGLE_ROUND rescale of `input` to `outType`.
Value scalarRescale(OpBuilder &b, Location loc, Value input,
                    RankedTensorType outType, int64_t inZp, int64_t outZp,
                    int64_t multiplier, int64_t shift) {
  auto inType = cast<RankedTensorType>(input.getType());
  return tosa::RescaleOp::create(
      b, loc, outType, input, intConstant(b, loc, {1}, 32, multiplier),
      intConstant(b, loc, {1}, 8, shift),
      intConstant(b, loc, {1}, inType.getElementTypeBitWidth(), inZp),
      intConstant(b, loc, {1}, outType.getElementTypeBitWidth(), outZp),
      /*scale32=*/true, tosa::RoundingMode::SINGLE_ROUND,
      /*per_channel=*/false, /*input_unsigned=*/false,
      /*output_unsigned=*/false);
}

struct AddToTosa : OpConversionPattern<npu::AddOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(npu::AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
    auto outType = cast<RankedTensorType>(op.getType());
    auto wide = outType.clone(rewriter.getI32Type());
    Value a = scalarRescale(rewriter, loc, adaptor.getA(), wide, v(op.getAZp()),
                            0, v(op.getAMultiplier()), v(op.getAShift()));
    Value b = scalarRescale(rewriter, loc, adaptor.getB(), wide, v(op.getBZp()),
                            0, v(op.getBMultiplier()), v(op.getBShift()));
    Value sum = tosa::AddOp::create(rewriter, loc, wide, a, b);
    Value result =
        scalarRescale(rewriter, loc, sum, outType, 0, v(op.getOutputZp()),
                      v(op.getMultiplier()), v(op.getShift()));
    rewriter.replaceOp(op, clampEpilogue(rewriter, loc, result,
                                         v(op.getClampMin()),
                                         v(op.getClampMax())));
    return success();
  }
};

struct RescaleToTosa : OpConversionPattern<npu::RescaleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(npu::RescaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
    Value result = scalarRescale(
        rewriter, loc, adaptor.getInput(), cast<RankedTensorType>(op.getType()),
        v(op.getInputZp()), v(op.getOutputZp()), v(op.getMultiplier()),
        v(op.getShift()));
    rewriter.replaceOp(op, clampEpilogue(rewriter, loc, result,
                                         v(op.getClampMin()),
                                         v(op.getClampMax())));
    return success();
  }
};

struct NpuToTosaPass : qlip::impl::NpuToTosaPassBase<NpuToTosaPass> {
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<npu::NpuDialect>();
    target.addLegalDialect<tosa::TosaDialect>();
    RewritePatternSet patterns(&getContext());
    patterns.add<LayerToTosa<npu::Conv2DOp>, LayerToTosa<npu::DepthwiseConv2DOp>,
                 LayerToTosa<npu::MatmulOp>, MaxPoolToTosa, AddToTosa,
                 RescaleToTosa>(
        &getContext());
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
