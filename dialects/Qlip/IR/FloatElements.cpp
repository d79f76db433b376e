//===- FloatElements.cpp - read float constants as f32 ----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/FloatElements.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::qlip;

std::optional<FloatElements> FloatElements::read(ElementsAttr attr) {
  if (!isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  FloatElements result;
  size_t numElements = attr.getNumElements();
  bool isF32 = attr.getElementType().isF32();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!isF32 || !blob ||
        blob->getData().size() != numElements * sizeof(float))
      return std::nullopt;
    result.view = ArrayRef<float>(
        reinterpret_cast<const float *>(blob->getData().data()), numElements);
    return result;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  if (isF32 && !dense.isSplat()) {
    result.view = ArrayRef<float>(
        reinterpret_cast<const float *>(dense.getRawData().data()),
        numElements);
    return result;
  }
  result.storage.reserve(numElements);
  for (const APFloat &value : dense.getValues<APFloat>())
    result.storage.push_back(static_cast<float>(value.convertToDouble()));
  return result;
}
