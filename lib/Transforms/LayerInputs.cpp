//===- LayerInputs.cpp - what a layer's weights multiply --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/LayerInputs.h"

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qlip;

template <typename ConvOp>
static std::optional<PatchGeometry> convGeometry(ConvOp op, int64_t batch,
                                                 bool depthwise) {
  auto input = dyn_cast<RankedTensorType>(op.getInput().getType());
  auto weight = dyn_cast<RankedTensorType>(op.getWeight().getType());
  if (!input || !weight || !input.hasStaticShape() ||
      !weight.hasStaticShape() || input.getRank() != 4 ||
      weight.getRank() != 4 || input.getDimSize(0) != batch)
    return std::nullopt;
  PatchGeometry g;
  g.height = input.getDimSize(1);
  g.width = input.getDimSize(2);
  g.channels = input.getDimSize(3);
  // conv2d: OHWI; depthwise_conv2d: HWCM.
  g.kernelH = weight.getDimSize(depthwise ? 0 : 1);
  g.kernelW = weight.getDimSize(depthwise ? 1 : 2);
  if (depthwise && weight.getDimSize(3) != 1)
    return std::nullopt;
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dilation = op.getDilation();
  if (pad.size() != 4 || stride.size() != 2 || dilation.size() != 2)
    return std::nullopt;
  g.padTop = pad[0];
  g.padBottom = pad[1];
  g.padLeft = pad[2];
  g.padRight = pad[3];
  g.strideH = stride[0];
  g.strideW = stride[1];
  g.dilationH = dilation[0];
  g.dilationW = dilation[1];
  g.depthwise = depthwise;
  if (!g.isValid())
    return std::nullopt;
  return g;
}

std::optional<PatchGeometry>
mlir::qlip::getInputPatchGeometry(Operation *layer, int64_t batch) {
  if (batch <= 0)
    return std::nullopt;
  return llvm::TypeSwitch<Operation *, std::optional<PatchGeometry>>(layer)
      .Case([&](tosa::Conv2DOp op) { return convGeometry(op, batch, false); })
      .Case([&](tosa::DepthwiseConv2DOp op) {
        return convGeometry(op, batch, true);
      })
      .Case([&](tosa::MatMulOp op) -> std::optional<PatchGeometry> {
        auto a = dyn_cast<RankedTensorType>(op.getA().getType());
        auto b = dyn_cast<RankedTensorType>(op.getB().getType());
        if (!a || !b || !a.hasStaticShape() || !b.hasStaticShape() ||
            a.getRank() != 3 || b.getRank() != 3 || a.getDimSize(0) != 1 ||
            b.getDimSize(0) != 1 || a.getDimSize(1) % batch != 0)
          return std::nullopt;
        PatchGeometry g;
        g.height = a.getDimSize(1) / batch;
        g.channels = a.getDimSize(2);
        if (!g.isValid())
          return std::nullopt;
        return g;
      })
      .Default([](Operation *) { return std::nullopt; });
}

ObserveOp mlir::qlip::getInputObserver(Operation *layer) {
  if (layer->getNumOperands() == 0)
    return nullptr;
  Value value = layer->getOperand(0);
  while (auto reshape = value.getDefiningOp<tosa::ReshapeOp>())
    value = reshape.getInput1();
  return value.getDefiningOp<ObserveOp>();
}

/// Moments of at most this many values are a readable dense attribute;
/// larger ones a blob.
static constexpr int64_t kInlineMoments = 4096;

static Attribute f64Elements(MLIRContext *context, ArrayRef<int64_t> shape,
                             llvm::ArrayRef<double> values,
                             StringRef blobName) {
  auto type = RankedTensorType::get(shape, Float64Type::get(context));
  if (static_cast<int64_t>(values.size()) <= kInlineMoments)
    return DenseElementsAttr::get(type, values);
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyInferAlign(values);
  return DenseF64ResourceElementsAttr::get(type, blobName, std::move(blob));
}

void mlir::qlip::setInputMoments(Operation *layer,
                                 llvm::ArrayRef<double> moments,
                                 llvm::ArrayRef<double> mean, int64_t groups,
                                 int64_t k) {
  MLIRContext *context = layer->getContext();
  layer->setAttr(kInputMomentsAttrName,
                 f64Elements(context, {groups, k, k}, moments,
                             "qlip_input_moments"));
  if (!mean.empty())
    layer->setAttr(kInputMeanAttrName,
                   f64Elements(context, {groups, k}, mean, "qlip_input_mean"));
}

/// The values of an f64 elements attribute (dense, not splat, or a blob
/// that is present), or none.
static std::optional<ArrayRef<double>> f64Values(Attribute attr) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    if (dense.isSplat() || !dense.getElementType().isF64())
      return std::nullopt;
    return ArrayRef<double>(
        reinterpret_cast<const double *>(dense.getRawData().data()),
        dense.getNumElements());
  }
  if (auto resource = dyn_cast<DenseF64ResourceElementsAttr>(attr))
    return resource.tryGetAsArrayRef();
  return std::nullopt;
}

FailureOr<std::optional<InputMoments>>
mlir::qlip::getInputMoments(Operation *layer) {
  Attribute attr = layer->getAttr(kInputMomentsAttrName);
  if (!attr)
    return std::optional<InputMoments>();
  auto type = cast<RankedTensorType>(cast<TypedAttr>(attr).getType());
  InputMoments moments;
  moments.groups = type.getDimSize(0);
  moments.k = type.getDimSize(1);
  std::optional<ArrayRef<double>> values = f64Values(attr);
  if (!values)
    return std::optional<InputMoments>();
  moments.values = *values;
  if (Attribute meanAttr = layer->getAttr(kInputMeanAttrName)) {
    std::optional<ArrayRef<double>> mean = f64Values(meanAttr);
    if (!mean || static_cast<int64_t>(mean->size()) !=
                     moments.groups * moments.k)
      return layer->emitError("'")
             << kInputMeanAttrName << "' must hold " << moments.groups
             << " x " << moments.k << " values, one per element of '"
             << kInputMomentsAttrName << "''s rows";
    moments.mean = *mean;
  }
  return std::optional<InputMoments>(moments);
}
