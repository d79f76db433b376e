//===- QlipFolds.cpp - qlip folders -----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"

#include <cstring>

using namespace mlir;
using namespace mlir::qlip;

/// Calls `fn(channel, begin, end)` for every contiguous run of elements that
/// share one channel of `qparams` in a row-major tensor of `shape`. Per-axis
/// parameters cut the tensor into runs of `prod(shape[axis+1:])` elements;
/// per-tensor ones give a single run.
template <typename Fn>
static void forEachChannelRun(ArrayRef<int64_t> shape, QParamsAttr qparams,
                              Fn fn) {
  int64_t numElements = ShapedType::getNumElements(shape);
  std::optional<int64_t> axis = qparams.getAxis();
  if (!axis) {
    fn(0, 0, numElements);
    return;
  }
  int64_t channels = shape[*axis];
  int64_t inner = ShapedType::getNumElements(shape.drop_front(*axis + 1));
  int64_t outer = ShapedType::getNumElements(shape.take_front(*axis));
  int64_t offset = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c, offset += inner)
      fn(c, offset, offset + inner);
}

/// Reads an f32 constant into a vector. Weights usually arrive as
/// dense_resource blobs, which ElementsAttr's value iteration does not read,
/// so both blobs and dense arrays are read as raw floats.
static std::optional<std::vector<float>> readF32(ElementsAttr input) {
  size_t numElements = input.getNumElements();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(input)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != numElements * sizeof(float))
      return std::nullopt;
    std::vector<float> values(numElements);
    std::memcpy(values.data(), blob->getData().data(),
                numElements * sizeof(float));
    return values;
  }
  auto values = input.tryGetValues<float>();
  if (!values)
    return std::nullopt;
  return std::vector<float>(values->begin(), values->end());
}

/// Fake-quantizes a constant. f32 (the weights of every model qlip reads)
/// goes through raw float arrays; other float types go through APFloat.
static Attribute fakeQuantizeConstant(ElementsAttr input, QParamsAttr qparams,
                                      ShapedType type) {
  if (!type.hasStaticShape())
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  if (type.getElementType().isF32()) {
    std::optional<std::vector<float>> result = readF32(input);
    if (!result)
      return {};
    forEachChannelRun(shape, qparams, [&](int64_t c, int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        (*result)[i] =
            static_cast<float>(qparams.fakeQuantize((*result)[i], c));
    });
    return DenseElementsAttr::get(type, ArrayRef<float>(*result));
  }
  auto values = input.tryGetValues<APFloat>();
  if (!values)
    return {};
  const llvm::fltSemantics &semantics =
      cast<FloatType>(type.getElementType()).getFloatSemantics();
  SmallVector<APFloat> result(values->begin(), values->end());
  forEachChannelRun(shape, qparams, [&](int64_t c, int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      APFloat value(qparams.fakeQuantize(result[i].convertToDouble(), c));
      bool losesInfo;
      value.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
      result[i] = value;
    }
  });
  return DenseElementsAttr::get(type, result);
}

OpFoldResult FakeQuantOp::fold(FoldAdaptor adaptor) {
  // The grid is idempotent: fake-quantizing twice with the same parameters
  // is fake-quantizing once.
  if (auto producer = getInput().getDefiningOp<FakeQuantOp>())
    if (producer.getQparams() == getQparams())
      return getInput();
  auto input = dyn_cast_if_present<ElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  return fakeQuantizeConstant(input, getQparams(),
                              cast<ShapedType>(getType()));
}
