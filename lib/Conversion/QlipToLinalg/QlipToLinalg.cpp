//===- QlipToLinalg.cpp - lower qlip ops to linalg --------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The patterns of qlip-to-linalg. The pass that applies them is in
// QlipToLinalgPass.cpp.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/QlipToLinalg/QlipToLinalg.h"

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::qlip;

namespace {

//===----------------------------------------------------------------------===//
// qlip.fake_quant
//===----------------------------------------------------------------------===//

/// The smallest scale the f32 arithmetic takes. With s >= 2^-125 every
/// remainder x - s*q (q a half-integer) is a multiple of 2^-149, so a
/// nonzero remainder never rounds to zero and its sign is exact.
constexpr double kMinF32Scale = 0x1p-125;

/// True when fake-quantizing `elementType` with `qparams` in f32 gives the
/// same bits as QParamsAttr::fakeQuantize in f64: the input is f32 (f64
/// inputs need f64; f16 and bf16 would round twice, once to f32 and once
/// to their own type) and every scale is exactly an f32 value, so that
/// x / s and (q - z) * s see the same operands as the folder and both
/// round once. The quotient's ties are made exact in the body (see
/// buildFakeQuantBody).
static bool canComputeInF32(Type elementType, QParamsAttr qparams) {
  if (!elementType.isF32())
    return false;
  return llvm::all_of(qparams.getScales().asArrayRef(), [](double scale) {
    return static_cast<double>(static_cast<float>(scale)) == scale &&
           scale >= kMinF32Scale;
  });
}

/// A float constant of `type` (f32 or f64) holding `value`.
static Value createFloatConstant(OpBuilder &builder, Location loc,
                                 FloatType type, double value) {
  return arith::ConstantOp::create(builder, loc, type,
                                   builder.getFloatAttr(type, value));
}

/// A 1-D constant tensor of `type` holding `values` (scales or zero points
/// of every channel).
static Value createChannelConstant(OpBuilder &builder, Location loc,
                                   FloatType type, ArrayRef<double> values) {
  auto tensorType =
      RankedTensorType::get({static_cast<int64_t>(values.size())}, type);
  DenseElementsAttr attr;
  if (type.isF32()) {
    SmallVector<float> narrowed(values.begin(), values.end());
    attr = DenseElementsAttr::get(tensorType, ArrayRef<float>(narrowed));
  } else {
    attr = DenseElementsAttr::get(tensorType, values);
  }
  return arith::ConstantOp::create(builder, loc, tensorType, attr);
}

/// Which half (or both) of the quantizer an op computes.
enum class QuantStep { FakeQuant, Quantize, Dequantize };

/// Emits the quantizing half of the body: `x` (an element of type
/// `floatType`) to its clamped level, as a float of `computeType`. Every
/// step mirrors QParamsAttr::fakeQuantize.
static Value buildQuantizeLevel(OpBuilder &b, Location loc, Value x,
                                Value scale, Value zeroPoint,
                                FloatType computeType, QParamsAttr qparams) {
  if (x.getType() != computeType)
    x = arith::ExtFOp::create(b, loc, computeType, x);

  Value quotient = arith::DivFOp::create(b, loc, x, scale);
  Value rounded = math::RoundEvenOp::create(b, loc, quotient);
  if (computeType.isF32()) {
    // The f32 quotient can land exactly on k + 0.5 when the exact one is
    // just above or below it; the f64 quotient never does for an f32 x (the
    // exact quotient is at least 2^-25 away from a half-integer unless it
    // is one). The remainder x - s * q, computed with one rounding by the
    // FMA, has the sign of the exact one, and tells which way to go. Real
    // ties (remainder 0) keep round-half-to-even.
    Value floor = math::FloorOp::create(b, loc, quotient);
    Value fraction = arith::SubFOp::create(b, loc, quotient, floor);
    Value half = createFloatConstant(b, loc, computeType, 0.5);
    Value one = createFloatConstant(b, loc, computeType, 1.0);
    Value zero = createFloatConstant(b, loc, computeType, 0.0);
    Value isTie = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                        fraction, half);
    Value negScale = arith::NegFOp::create(b, loc, scale);
    Value remainder = math::FmaOp::create(b, loc, negScale, quotient, x);
    Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                        remainder, zero);
    Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                        remainder, zero);
    Value ceil = arith::AddFOp::create(b, loc, floor, one);
    Value resolved = arith::SelectOp::create(
        b, loc, above, ceil,
        arith::SelectOp::create(b, loc, below, floor, rounded));
    rounded = arith::SelectOp::create(b, loc, isTie, resolved, rounded);
  }

  Value level = arith::AddFOp::create(b, loc, rounded, zeroPoint);
  // maximumf/minimumf propagate NaN, as std::clamp does in the folder.
  Value qmin = createFloatConstant(b, loc, computeType,
                                   static_cast<double>(qparams.getQMin()));
  Value qmax = createFloatConstant(b, loc, computeType,
                                   static_cast<double>(qparams.getQMax()));
  level = arith::MaximumFOp::create(b, loc, level, qmin);
  return arith::MinimumFOp::create(b, loc, level, qmax);
}

/// Emits the dequantizing half: a level (a float of `computeType`) to its
/// value in `floatType`. `+ z` and `- z` are kept when z is 0: they turn
/// roundeven's -0.0 into +0.0 as the folder does.
static Value buildDequantizeLevel(OpBuilder &b, Location loc, Value level,
                                  Value scale, Value zeroPoint,
                                  FloatType computeType, Type floatType) {
  Value centered = arith::SubFOp::create(b, loc, level, zeroPoint);
  Value result = arith::MulFOp::create(b, loc, centered, scale);
  if (computeType != floatType)
    result = arith::TruncFOp::create(b, loc, floatType, result);
  return result;
}

/// Emits the body of one element of `step`: `in` is the input element,
/// `scale` and `zeroPoint` its channel's parameters in `computeType`,
/// `floatType` the element type of the float side and `resultType` the
/// element type of the result.
static Value buildQuantStepBody(OpBuilder &b, Location loc, QuantStep step,
                                Value in, Value scale, Value zeroPoint,
                                FloatType computeType, Type floatType,
                                Type resultType, QParamsAttr qparams) {
  if (step == QuantStep::Dequantize) {
    Value level = arith::SIToFPOp::create(b, loc, computeType, in);
    return buildDequantizeLevel(b, loc, level, scale, zeroPoint, computeType,
                                floatType);
  }
  Value level =
      buildQuantizeLevel(b, loc, in, scale, zeroPoint, computeType, qparams);
  if (step == QuantStep::FakeQuant)
    return buildDequantizeLevel(b, loc, level, scale, zeroPoint, computeType,
                                floatType);
  // A NaN has no level: it becomes the zero point (fptosi of NaN would be
  // poison).
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                      level, level);
  level = arith::SelectOp::create(b, loc, isNaN, zeroPoint, level);
  return arith::FPToSIOp::create(b, loc, resultType, level);
}

/// Lowers a qlip.fake_quant, qlip.quantize or qlip.dequantize (`op`, which
/// computes `step` of `qparams` on `input`) to one elementwise
/// `linalg.generic`. Per-axis scales (and zero points, unless they are all
/// equal) are constant 1-D tensors that the generic reads at the element's
/// index along the axis.
static LogicalResult lowerQuantStep(Operation *op, QuantStep step, Value input,
                                    QParamsAttr qparams,
                                    ConversionPatternRewriter &rewriter) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Location loc = op->getLoc();
  Type resultType = type.getElementType();
  Type floatType = step == QuantStep::Dequantize
                       ? resultType
                       : cast<RankedTensorType>(input.getType()).getElementType();
  int64_t rank = type.getRank();
  if (qparams.isPerAxis() && *qparams.getAxis() >= rank)
    return rewriter.notifyMatchFailure(op, "axis outside the tensor");

  FloatType computeType = canComputeInF32(floatType, qparams)
                              ? FloatType(rewriter.getF32Type())
                              : FloatType(rewriter.getF64Type());
  ArrayRef<double> scales = qparams.getScales().asArrayRef();
  SmallVector<double> zeroPoints(qparams.getZeroPoints().begin(),
                                 qparams.getZeroPoints().end());
  bool perAxisScales = qparams.isPerAxis();
  bool perAxisZeroPoints =
      perAxisScales && !llvm::all_equal(ArrayRef<double>(zeroPoints));

  MLIRContext *ctx = rewriter.getContext();
  AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
  SmallVector<Value> inputs{input};
  SmallVector<AffineMap> maps{identity};
  if (perAxisScales) {
    AffineMap channel =
        AffineMap::get(rank, 0, getAffineDimExpr(*qparams.getAxis(), ctx));
    inputs.push_back(createChannelConstant(rewriter, loc, computeType, scales));
    maps.push_back(channel);
    if (perAxisZeroPoints) {
      inputs.push_back(
          createChannelConstant(rewriter, loc, computeType, zeroPoints));
      maps.push_back(channel);
    }
  }
  maps.push_back(identity);

  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, input);
  Value init = tensor::EmptyOp::create(rewriter, loc, sizes, resultType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        Value scale =
            perAxisScales
                ? args[1]
                : createFloatConstant(b, bodyLoc, computeType, scales[0]);
        Value zeroPoint =
            perAxisZeroPoints
                ? args[2]
                : createFloatConstant(b, bodyLoc, computeType, zeroPoints[0]);
        Value result =
            buildQuantStepBody(b, bodyLoc, step, args[0], scale, zeroPoint,
                               computeType, floatType, resultType, qparams);
        linalg::YieldOp::create(b, bodyLoc, result);
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

/// The lowering of one of the three quantizer ops, all through
/// lowerQuantStep.
template <typename OpTy, QuantStep Step>
struct QuantStepLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lowerQuantStep(op, Step, adaptor.getInput(), op.getQparams(),
                          rewriter);
  }
};

//===----------------------------------------------------------------------===//
// qlip.observe
//===----------------------------------------------------------------------===//

/// Outside calibration an observer is the identity.
struct ObserveOpToIdentity : OpConversionPattern<ObserveOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ObserveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

} // namespace

void mlir::qlip::populateFakeQuantToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<QuantStepLowering<FakeQuantOp, QuantStep::FakeQuant>,
               QuantStepLowering<QuantizeOp, QuantStep::Quantize>,
               QuantStepLowering<DequantizeOp, QuantStep::Dequantize>>(
      patterns.getContext());
}

void mlir::qlip::populateObserveToIdentityPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ObserveOpToIdentity>(patterns.getContext());
}

void mlir::qlip::populateQlipToLinalgPatterns(RewritePatternSet &patterns) {
  populateFakeQuantToLinalgPatterns(patterns);
  populateObserveToIdentityPatterns(patterns);
}
