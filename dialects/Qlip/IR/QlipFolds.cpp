//===- QlipFolds.cpp - qlip folders -----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/FloatElements.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/APFloat.h"


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

/// Fake-quantizes a constant. f32 (the weights of every model qlip reads)
/// goes through raw float arrays; other float types go through APFloat.
static Attribute fakeQuantizeConstant(ElementsAttr input, QParamsAttr qparams,
                                      ShapedType type) {
  if (!type.hasStaticShape())
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  if (type.getElementType().isF32()) {
    std::optional<FloatElements> elements = FloatElements::read(input);
    if (!elements)
      return {};
    ArrayRef<float> values = elements->values();
    std::vector<float> result(values.size());
    forEachChannelRun(shape, qparams, [&](int64_t c, int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        result[i] = static_cast<float>(qparams.fakeQuantize(values[i], c));
    });
    return DenseElementsAttr::get(type, ArrayRef<float>(result));
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
