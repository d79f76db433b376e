//===- FoldBatchNorm.cpp - fold batch norm into weights ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Folds the per-channel affine chain that inference batch norm leaves after
// a conv or fully-connected layer (tosa.sub / tosa.mul / tosa.add with
// per-channel constants) into the layer's weights and bias. One pattern per
// layer kind; they share a matcher that walks the chain forward from the
// layer and composes it, in double, into y = a[c] * layer(x) + b[c].
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/Passes.h"

#include "dialects/Qlip/IR/FloatElements.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir::qlip {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {

/// One value per output channel.
using ChannelValues = SmallVector<double>;

/// Constant expressions nested deeper than this are not evaluated.
constexpr unsigned kMaxConstantDepth = 8;

//===----------------------------------------------------------------------===//
// Per-channel constants
//===----------------------------------------------------------------------===//

/// Whether `type` is a static float tensor of shape [1, ..., 1, n] with n
/// the channel count or 1 (a broadcast scalar): the only shapes that scale
/// or shift a layer's output channels (its innermost axis) independently.
bool isChannelShaped(Type type, int64_t channels) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() || tensor.getRank() == 0 ||
      !isa<FloatType>(tensor.getElementType()))
    return false;
  ArrayRef<int64_t> shape = tensor.getShape();
  if (llvm::any_of(shape.drop_back(), [](int64_t dim) { return dim != 1; }))
    return false;
  return shape.back() == channels || shape.back() == 1;
}

/// Whether a tosa.mul's shift is the constant 0, as float mul requires.
bool hasZeroShift(tosa::MulOp mul) {
  DenseIntElementsAttr shift;
  return matchPattern(mul.getShift(), m_Constant(&shift)) &&
         llvm::all_of(shift.getValues<APInt>(),
                      [](const APInt &value) { return value.isZero(); });
}

/// The value of a per-channel constant expression, broadcast to `channels`
/// values and computed in double: a constant (dense or dense_resource), a
/// tosa.reshape of one, or tosa.add / sub / mul / rsqrt / reciprocal of
/// such expressions (`rsqrt(var + eps)`).
FailureOr<ChannelValues> evaluateChannelConstant(Value value, int64_t channels,
                                                 unsigned depth = 0) {
  if (depth > kMaxConstantDepth || !isChannelShaped(value.getType(), channels))
    return failure();

  ElementsAttr attr;
  if (matchPattern(value, m_Constant(&attr))) {
    std::optional<FloatElements> elements = FloatElements::read(attr);
    if (!elements)
      return failure();
    ArrayRef<float> values = elements->values();
    ChannelValues result(channels);
    for (int64_t c = 0; c < channels; ++c)
      result[c] = values.size() == 1 ? values[0] : values[c];
    return result;
  }

  auto unary = [&](Value input,
                   double (*fn)(double)) -> FailureOr<ChannelValues> {
    FailureOr<ChannelValues> x =
        evaluateChannelConstant(input, channels, depth + 1);
    if (failed(x))
      return failure();
    for (double &v : *x)
      v = fn(v);
    return x;
  };
  auto binary = [&](Value lhs, Value rhs,
                    double (*fn)(double, double)) -> FailureOr<ChannelValues> {
    FailureOr<ChannelValues> x =
        evaluateChannelConstant(lhs, channels, depth + 1);
    FailureOr<ChannelValues> y =
        evaluateChannelConstant(rhs, channels, depth + 1);
    if (failed(x) || failed(y))
      return failure();
    for (int64_t c = 0; c < channels; ++c)
      (*x)[c] = fn((*x)[c], (*y)[c]);
    return x;
  };

  Operation *op = value.getDefiningOp();
  if (!op)
    return failure();
  return llvm::TypeSwitch<Operation *, FailureOr<ChannelValues>>(op)
      // Only the element order matters, and a reshape keeps it.
      .Case([&](tosa::ReshapeOp reshape) {
        return evaluateChannelConstant(reshape.getInput1(), channels,
                                       depth + 1);
      })
      .Case([&](tosa::RsqrtOp rsqrt) {
        return unary(rsqrt.getInput1(),
                     [](double x) { return 1.0 / std::sqrt(x); });
      })
      .Case([&](tosa::ReciprocalOp reciprocal) {
        return unary(reciprocal.getInput1(), [](double x) { return 1.0 / x; });
      })
      .Case([&](tosa::AddOp add) {
        return binary(add.getInput1(), add.getInput2(),
                      [](double x, double y) { return x + y; });
      })
      .Case([&](tosa::SubOp sub) {
        return binary(sub.getInput1(), sub.getInput2(),
                      [](double x, double y) { return x - y; });
      })
      .Case([&](tosa::MulOp mul) -> FailureOr<ChannelValues> {
        if (!hasZeroShift(mul))
          return failure();
        return binary(mul.getInput1(), mul.getInput2(),
                      [](double x, double y) { return x * y; });
      })
      .Default([](Operation *) { return failure(); });
}

//===----------------------------------------------------------------------===//
// The affine chain
//===----------------------------------------------------------------------===//

/// y = scale[c] * x + shift[c].
struct AffineStep {
  ChannelValues scale, shift;
};

/// The chain of ops after a layer, composed: the last op computes
/// scale[c] * layer(x) + shift[c].
struct AffineChain {
  SmallVector<Operation *> ops;
  ChannelValues scale, shift;
};

/// Interprets `op`, a user of `x`, as one affine step on `x`; on failure
/// `reason` says why.
FailureOr<AffineStep> matchStep(Operation *op, Value x, int64_t channels,
                                StringRef &reason) {
  if (!isa<tosa::AddOp, tosa::SubOp, tosa::MulOp>(op)) {
    reason = "the next op is not a tosa.add, tosa.sub or tosa.mul";
    return failure();
  }
  if (op->getResult(0).getType() != x.getType()) {
    reason = "the next op's result type is not the layer's output type";
    return failure();
  }
  if (auto mul = dyn_cast<tosa::MulOp>(op); mul && !hasZeroShift(mul)) {
    reason = "the tosa.mul shift is not the constant 0";
    return failure();
  }
  bool xIsLhs = op->getOperand(0) == x;
  Value other = op->getOperand(xIsLhs ? 1 : 0);
  FailureOr<ChannelValues> values = evaluateChannelConstant(other, channels);
  if (failed(values)) {
    reason = "the other operand is not a per-channel constant";
    return failure();
  }
  if (!llvm::all_of(*values, [](double v) { return std::isfinite(v); })) {
    reason = "the per-channel constant is not finite";
    return failure();
  }

  AffineStep step;
  ChannelValues ones(channels, 1.0), zeros(channels, 0.0);
  if (isa<tosa::MulOp>(op)) {
    step.scale = std::move(*values);
    step.shift = std::move(zeros);
  } else if (isa<tosa::AddOp>(op)) {
    step.scale = std::move(ones);
    step.shift = std::move(*values);
  } else if (xIsLhs) { // x - c
    step.scale = std::move(ones);
    step.shift = std::move(*values);
    for (double &v : step.shift)
      v = -v;
  } else { // c - x
    step.scale = ChannelValues(channels, -1.0);
    step.shift = std::move(*values);
  }
  return step;
}

/// Walks forward from `start`, a layer's output with its channels on the
/// innermost axis, and composes the ops that scale and shift each channel
/// by a constant. The walk ends at the first value with more than one use
/// (the chain's result: its users then all read the folded layer) or before
/// the first op that is not such a step. Fails with the reason when not
/// even the first op folds.
FailureOr<AffineChain> matchAffineChain(Value start, int64_t channels,
                                        StringRef &reason) {
  AffineChain chain;
  chain.scale.assign(channels, 1.0);
  chain.shift.assign(channels, 0.0);
  Value x = start;
  while (true) {
    if (!x.hasOneUse()) {
      reason = "the layer's result does not have exactly one use";
      break;
    }
    Operation *user = *x.user_begin();
    FailureOr<AffineStep> step = matchStep(user, x, channels, reason);
    if (failed(step))
      break;
    // s * (a * layer + b) + t = (s * a) * layer + (s * b + t).
    for (int64_t c = 0; c < channels; ++c) {
      chain.scale[c] *= step->scale[c];
      chain.shift[c] = step->scale[c] * chain.shift[c] + step->shift[c];
    }
    chain.ops.push_back(user);
    x = user->getResult(0);
  }
  if (chain.ops.empty())
    return failure();
  return chain;
}

/// Replaces the chain's result with `replacement` and erases the chain.
void replaceChain(PatternRewriter &rewriter, ArrayRef<Operation *> ops,
                  Value replacement) {
  rewriter.replaceOp(ops.back(), replacement);
  for (Operation *op : llvm::reverse(ops.drop_back()))
    rewriter.eraseOp(op);
}

//===----------------------------------------------------------------------===//
// New constants
//===----------------------------------------------------------------------===//

bool isAll(ArrayRef<double> values, double value) {
  return llvm::all_of(values, [&](double v) { return v == value; });
}

/// `weights` with element i scaled by scale[(i / inner) % scale.size()], in
/// the storage of `original`: a new blob (under the old blob's name, made
/// unique) for a dense_resource, so large weights stay out of the uniqued
/// attribute storage, else a dense attribute.
ElementsAttr scaleWeights(ElementsAttr original, ArrayRef<float> weights,
                          ArrayRef<double> scale, int64_t inner) {
  auto type = cast<ShapedType>(original.getType());
  size_t channels = scale.size();
  auto compute = [&](MutableArrayRef<float> out) {
    for (size_t i = 0, e = weights.size(); i < e; ++i)
      out[i] = static_cast<float>(scale[(i / inner) % channels] *
                                  static_cast<double>(weights[i]));
  };
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(original)) {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
        weights.size() * sizeof(float), alignof(float));
    compute(MutableArrayRef<float>(
        reinterpret_cast<float *>(blob.getMutableData().data()),
        weights.size()));
    return DenseResourceElementsAttr::get(
        type, resource.getRawHandle().getKey(), std::move(blob));
  }
  SmallVector<float> scaled(weights.size());
  compute(scaled);
  return DenseElementsAttr::get(type, ArrayRef<float>(scaled));
}

/// A tosa.const of f32 `values` with `shape`.
Value createF32Const(PatternRewriter &rewriter, Location loc,
                     ArrayRef<int64_t> shape, ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, rewriter.getF32Type());
  return tosa::ConstOp::create(rewriter, loc, type,
                               DenseElementsAttr::get(type, values));
}

/// A static f32 tensor type, or null.
RankedTensorType getStaticF32(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() || !tensor.getElementType().isF32())
    return {};
  return tensor;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Where a conv weight keeps its output channels: element i belongs to
/// channel (i / inner) % channels.
struct WeightLayout {
  int64_t channels, inner;
};

/// OHWI [OC, KH, KW, IC]: output channels first.
WeightLayout getWeightLayout(tosa::Conv2DOp, ArrayRef<int64_t> shape) {
  return {shape[0], shape[1] * shape[2] * shape[3]};
}
WeightLayout getWeightLayout(tosa::TransposeConv2DOp, ArrayRef<int64_t> shape) {
  return {shape[0], shape[1] * shape[2] * shape[3]};
}
/// HWCM [KH, KW, C, M]: output channel c * M + m, the two innermost axes.
WeightLayout getWeightLayout(tosa::DepthwiseConv2DOp, ArrayRef<int64_t> shape) {
  return {shape[2] * shape[3], 1};
}

/// Folds the chain after a conv into its weight and bias:
/// W'[c] = a[c] * W[c], bias'[c] = a[c] * bias[c] + b[c].
template <typename ConvOp>
struct FoldIntoConv final : OpRewritePattern<ConvOp> {
  using OpRewritePattern<ConvOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    RankedTensorType weightType = getStaticF32(conv.getWeight().getType());
    RankedTensorType biasType = getStaticF32(conv.getBias().getType());
    if (!weightType || !biasType ||
        !conv.getOutput().getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(
          conv, "not an f32 layer with static weight and bias shapes");
    ElementsAttr weightAttr, biasAttr;
    if (!matchPattern(conv.getWeight(), m_Constant(&weightAttr)))
      return rewriter.notifyMatchFailure(conv, "the weight is not a constant");
    if (!matchPattern(conv.getBias(), m_Constant(&biasAttr)))
      return rewriter.notifyMatchFailure(conv, "the bias is not a constant");
    WeightLayout layout = getWeightLayout(conv, weightType.getShape());
    std::optional<FloatElements> weights = FloatElements::read(weightAttr);
    std::optional<FloatElements> bias = FloatElements::read(biasAttr);
    if (!weights || !bias)
      return rewriter.notifyMatchFailure(conv, "unreadable weight or bias");
    ArrayRef<float> biasValues = bias->values();
    if (biasValues.size() != 1 &&
        static_cast<int64_t>(biasValues.size()) != layout.channels)
      return rewriter.notifyMatchFailure(conv, "unexpected bias size");

    StringRef reason;
    FailureOr<AffineChain> chain =
        matchAffineChain(conv.getOutput(), layout.channels, reason);
    if (failed(chain))
      return rewriter.notifyMatchFailure(conv, reason);

    Value newWeight = conv.getWeight();
    if (!isAll(chain->scale, 1.0))
      newWeight =
          tosa::ConstOp::create(rewriter, newWeight.getLoc(), weightType,
                                scaleWeights(weightAttr, weights->values(),
                                             chain->scale, layout.inner));
    SmallVector<float> newBias(layout.channels);
    for (int64_t c = 0; c < layout.channels; ++c)
      newBias[c] = static_cast<float>(
          chain->scale[c] * biasValues[biasValues.size() == 1 ? 0 : c] +
          chain->shift[c]);
    Value biasConst = createF32Const(rewriter, conv.getBias().getLoc(),
                                     {layout.channels}, newBias);
    rewriter.modifyOpInPlace(conv, [&] {
      conv.getWeightMutable().assign(newWeight);
      conv.getBiasMutable().assign(biasConst);
    });
    replaceChain(rewriter, chain->ops, conv.getOutput());
    return success();
  }
};

/// Folds the chain after a fully-connected layer, a tosa.matmul with a
/// constant [N, K, OUT] B (optionally followed by a tosa.reshape that keeps
/// OUT innermost), into B and one bias tosa.add.
struct FoldIntoFullyConnected final : OpRewritePattern<tosa::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    RankedTensorType weightType = getStaticF32(matmul.getB().getType());
    if (!weightType || !matmul.getOutput().getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(
          matmul, "not an f32 layer with a static weight shape");
    ElementsAttr weightAttr;
    if (!matchPattern(matmul.getB(), m_Constant(&weightAttr)))
      return rewriter.notifyMatchFailure(
          matmul, "B is not a constant: not a fully-connected layer");
    std::optional<FloatElements> weights = FloatElements::read(weightAttr);
    if (!weights)
      return rewriter.notifyMatchFailure(matmul, "unreadable weight");
    int64_t channels = weightType.getDimSize(2);

    Value start = matmul.getOutput();
    if (start.hasOneUse())
      if (auto reshape = dyn_cast<tosa::ReshapeOp>(*start.user_begin())) {
        auto type = dyn_cast<RankedTensorType>(reshape.getType());
        if (!type || type.getRank() == 0 || type.getShape().back() != channels)
          return rewriter.notifyMatchFailure(
              matmul, "the reshape moves the output channels");
        start = reshape.getOutput();
      }

    StringRef reason;
    FailureOr<AffineChain> chain = matchAffineChain(start, channels, reason);
    if (failed(chain))
      return rewriter.notifyMatchFailure(matmul, reason);
    if (chain->ops.size() == 1 && isa<tosa::AddOp>(chain->ops.front()))
      return rewriter.notifyMatchFailure(
          matmul, "only a bias add follows; nothing to fold");

    if (!isAll(chain->scale, 1.0)) {
      Value newWeight = tosa::ConstOp::create(
          rewriter, matmul.getB().getLoc(), weightType,
          scaleWeights(weightAttr, weights->values(), chain->scale,
                       /*inner=*/1));
      rewriter.modifyOpInPlace(matmul,
                               [&] { matmul.getBMutable().assign(newWeight); });
    }
    Value result = start;
    if (!isAll(chain->shift, 0.0)) {
      // After `start`, which may be the reshape.
      rewriter.setInsertionPoint(chain->ops.back());
      auto type = cast<RankedTensorType>(start.getType());
      SmallVector<int64_t> shape(type.getRank(), 1);
      shape.back() = channels;
      SmallVector<float> bias(chain->shift.begin(), chain->shift.end());
      SmallVector<Location> locs = llvm::map_to_vector(
          chain->ops, [](Operation *op) { return op->getLoc(); });
      Location loc = rewriter.getFusedLoc(locs);
      Value biasConst = createF32Const(rewriter, loc, shape, bias);
      result = tosa::AddOp::create(rewriter, loc, type, start, biasConst);
    }
    replaceChain(rewriter, chain->ops, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct FoldBatchNormPass
    : qlip::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  using FoldBatchNormPassBase::FoldBatchNormPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    // Rewrite only what the patterns fold: no folding, constant hoisting or
    // region simplification of the rest of the function.
    GreedyRewriteConfig config;
    config.enableFolding(false)
        .enableConstantCSE(false)
        .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace

void mlir::qlip::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns
      .add<FoldIntoConv<tosa::Conv2DOp>, FoldIntoConv<tosa::DepthwiseConv2DOp>,
           FoldIntoConv<tosa::TransposeConv2DOp>, FoldIntoFullyConnected>(
          patterns.getContext());
}
