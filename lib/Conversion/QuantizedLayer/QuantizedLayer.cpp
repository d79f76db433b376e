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
  auto outType = cast<RankedTensorType>(rescale.getType());

  // Back through a reshape (keeping the channels innermost) and a bias add
  // to the layer.
  Value acc = rescale.getInput();
  q.reshape = acc.getDefiningOp<tosa::ReshapeOp>();
  if (q.reshape) {
    if (!q.reshape->hasOneUse() ||
        cast<RankedTensorType>(q.reshape.getInput1().getType())
                .getShape()
                .back() != outType.getShape().back())
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
  if (!cast<RankedTensorType>(q.input.getType()).getElementType().isInteger(8))
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
  auto layerType = cast<RankedTensorType>(q.layer->getResult(0).getType());
  int64_t channels = layerType.getShape().back();
  auto biasType = RankedTensorType::get({channels}, rewriter.getI32Type());
  if (!q.isMatmul()) {
    if (!matchPattern(q.layer->getOperand(2), m_Constant(&q.bias)))
      return rewriter.notifyMatchFailure(q.layer, "bias not constant");
  } else {
    SmallVector<APInt> zeros(channels, APInt(32, 0));
    q.bias = extraBias ? extraBias : DenseIntElementsAttr::get(biasType, zeros);
  }
  if (q.bias.getNumElements() != channels)
    return rewriter.notifyMatchFailure(q.layer, "bias not per channel");
  q.bias = cast<DenseIntElementsAttr>(q.bias.reshape(biasType));
  return q;
}
