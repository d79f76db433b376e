//===- QuantizedLayer.cpp - an integer TOSA layer and its epilogue --------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/QuantizedLayer.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qlip;

std::optional<int64_t> mlir::qlip::getScalarConstant(Value value) {
  DenseIntElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

FailureOr<QuantizedLayer>
mlir::qlip::matchQuantizedLayer(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) {
  QuantizedLayer q;
  FailureOr<int64_t> accZp = rescale.getInputZeroPoint();
  FailureOr<int64_t> outZp = rescale.getOutputZeroPoint();
  if (failed(accZp) || *accZp != 0 || failed(outZp))
    return rewriter.notifyMatchFailure(rescale, "zero points not 0 / constant");
  q.outputZp = *outZp;
  auto outType = dyn_cast<RankedTensorType>(rescale.getType());
  if (!outType)
    return rewriter.notifyMatchFailure(rescale, "unranked");

  // Back through a reshape (keeping the channels innermost) and a bias add
  // to the layer.
  Value acc = rescale.getInput();
  q.reshape = acc.getDefiningOp<tosa::ReshapeOp>();
  if (q.reshape) {
    auto reshaped = dyn_cast<RankedTensorType>(q.reshape.getInput1().getType());
    if (!q.reshape->hasOneUse() || !reshaped || reshaped.getRank() == 0 ||
        outType.getRank() == 0 ||
        reshaped.getShape().back() != outType.getShape().back())
      return rewriter.notifyMatchFailure(rescale, "reshape moves channels");
    acc = q.reshape.getInput1();
  }
  DenseIntElementsAttr extraBias;
  if (auto add = acc.getDefiningOp<tosa::AddOp>()) {
    if (!add->hasOneUse() ||
        !matchPattern(add.getInput2(), m_Constant(&extraBias)))
      return rewriter.notifyMatchFailure(rescale, "add of a non-constant");
    acc = add.getInput1();
  }
  q.layer = acc.getDefiningOp();
  if (!q.layer || !q.layer->hasOneUse() ||
      !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(q.layer))
    return rewriter.notifyMatchFailure(rescale, "not after a layer");
  if (extraBias && !q.isMatmul())
    return rewriter.notifyMatchFailure(rescale, "an add after a conv");

  q.input = q.layer->getOperand(0);
  auto inputType = dyn_cast<RankedTensorType>(q.input.getType());
  auto layerType = dyn_cast<RankedTensorType>(q.layer->getResult(0).getType());
  if (!inputType || !layerType)
    return rewriter.notifyMatchFailure(q.layer, "unranked");
  if (!inputType.getElementType().isInteger(8))
    return rewriter.notifyMatchFailure(q.layer, "not an 8-bit input");
  if (!matchPattern(q.layer->getOperand(1), m_Constant(&q.weights)))
    return rewriter.notifyMatchFailure(q.layer, "weights not constant");

  FailureOr<int64_t> inZp =
      llvm::TypeSwitch<Operation *, FailureOr<int64_t>>(q.layer)
          .Case<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(
              [](auto op) -> FailureOr<int64_t> {
                FailureOr<int64_t> w = op.getWeightZeroPoint();
                if (failed(w) || *w != 0)
                  return failure();
                return op.getInputZeroPoint();
              })
          .Case<tosa::MatMulOp>([](tosa::MatMulOp op) -> FailureOr<int64_t> {
            FailureOr<int64_t> b = op.getBZeroPoint();
            if (failed(b) || *b != 0)
              return failure();
            return op.getAZeroPoint();
          });
  if (failed(inZp))
    return rewriter.notifyMatchFailure(q.layer, "weight zero point not 0");
  q.inputZp = *inZp;

  // The bias: the conv's own operand, or the matmul's add.
  int64_t channels = layerType.getShape().back();
  auto biasType = RankedTensorType::get({channels}, rewriter.getI32Type());
  if (!q.isMatmul()) {
    if (!matchPattern(q.layer->getOperand(2), m_Constant(&q.bias)))
      return rewriter.notifyMatchFailure(q.layer, "bias not constant");
  } else {
    SmallVector<APInt> zeros(channels, APInt(32, 0));
    q.bias = extraBias ? extraBias : DenseIntElementsAttr::get(biasType, zeros);
  }
  // Per channel: one value per output channel along the last axis, every
  // other axis broadcast (an add of [1, M, 1] would vary by row).
  ArrayRef<int64_t> biasShape = q.bias.getType().getShape();
  if (q.bias.getNumElements() != channels ||
      (!biasShape.empty() && biasShape.back() != channels))
    return rewriter.notifyMatchFailure(q.layer, "bias not per channel");
  q.bias = cast<DenseIntElementsAttr>(q.bias.reshape(biasType));
  return q;
}
