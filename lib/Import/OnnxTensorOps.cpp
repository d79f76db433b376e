//===- OnnxTensorOps.cpp - elementwise, shape, softmax, QDQ ops -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The ONNX ops without weights: the elementwise arithmetic and activations
// (which keep whatever layout their inputs have), the shape ops (which work
// in the ONNX layout, or fold when their input is a constant), Softmax,
// Constant, and QuantizeLinear/DequantizeLinear.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::onnx_import;

namespace {

/// The NHWC axis that holds ONNX axis `axis` of a 4-D tensor.
int64_t nhwcAxis(int64_t axis) {
  return std::find(std::begin(kToNhwc), std::end(kToNhwc), axis) -
         std::begin(kToNhwc);
}

/// Normalizes a possibly negative axis; fails outside [-rank, rank).
FailureOr<int64_t> normalizeAxis(Importer &im, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    im.error() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

enum class BinaryKind { Add, Sub, Mul, Div, Max, Min, Pow };

LogicalResult convertBinary(Importer &im, BinaryKind kind) {
  // Max and Min take any number of inputs; qlip takes two.
  if ((kind == BinaryKind::Max || kind == BinaryKind::Min) &&
      im.node().input_size() != 2)
    return im.unsupported() << im.node().input_size() << " inputs (two are "
                               "imported)";
  // ONNX broadcasts numpy-style; TOSA wants equal ranks with unit dims, in
  // the layout the result is kept in.
  struct Operand {
    const ConstData *data = nullptr;
    TensorValue tensor;
    SmallVector<int64_t> shape; // ONNX layout
  } operands[2];
  for (int i = 0; i < 2; ++i) {
    const ConstData *data = im.getConstInput(i);
    // (An empty constant goes to getInput, which refuses it.)
    if (data && !data->quant && !llvm::is_contained(data->shape, 0)) {
      if (!data->isFloat)
        return im.unsupported() << "integer operands";
      operands[i].data = data;
      operands[i].shape = data->shape;
      continue;
    }
    FailureOr<TensorValue> tensor = im.getInput(i);
    if (failed(tensor))
      return failure();
    operands[i].tensor = *tensor;
    operands[i].shape = onnxShapeOf(*tensor);
  }
  // Before opset 7, `broadcast = 1` aligns B with A from `axis` on.
  if (im.opset() < 7 && im.getIntAttr("broadcast", 0)) {
    int64_t rankA = operands[0].shape.size();
    int64_t axis = im.getIntAttr("axis", rankA - operands[1].shape.size());
    if (axis < 0 || axis + (int64_t)operands[1].shape.size() > rankA)
      return im.error() << "legacy broadcast axis " << axis
                        << " is out of range";
    operands[1].shape.append(rankA - axis - operands[1].shape.size(), 1);
  }
  int64_t rank = std::max(operands[0].shape.size(), operands[1].shape.size());
  bool nhwc = rank == 4 && llvm::any_of(operands, [](const Operand &op) {
                return !op.data && op.tensor.layout == Layout::Nhwc;
              });
  Value values[2];
  for (int i = 0; i < 2; ++i) {
    Operand &op = operands[i];
    SmallVector<int64_t> padded(rank - op.shape.size(), 1);
    padded.append(op.shape);
    if (op.data) {
      ConstData data = op.data->reshaped(padded);
      if (nhwc)
        data = data.permuted(kToNhwc);
      if (kind == BinaryKind::Div && i == 1)
        for (double &value : data.values)
          value = 1.0 / value;
      values[i] = im.constant(data);
    } else if (nhwc && op.tensor.layout == Layout::Nhwc) {
      values[i] = op.tensor.value;
    } else {
      values[i] = im.reshape(im.toOnnx(op.tensor), padded);
      if (nhwc)
        values[i] = im.permute(values[i], kToNhwc);
    }
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lhs = shapeOf(values[0])[d], rhs = shapeOf(values[1])[d];
    if (lhs != rhs && lhs != 1 && rhs != 1)
      return im.error() << "operand shapes do not broadcast (dimension " << d
                        << ": " << lhs << " and " << rhs << ")";
    shape.push_back(std::max(lhs, rhs));
  }
  ImplicitLocOpBuilder &b = im.builder();
  RankedTensorType type = im.f32Type(shape);
  Value result;
  switch (kind) {
  case BinaryKind::Add:
    result = tosa::AddOp::create(b, type, values[0], values[1]);
    break;
  case BinaryKind::Sub:
    result = tosa::SubOp::create(b, type, values[0], values[1]);
    break;
  case BinaryKind::Div:
    if (!operands[1].data)
      values[1] = tosa::ReciprocalOp::create(b, values[1].getType(), values[1]);
    [[fallthrough]];
  case BinaryKind::Mul:
    result = tosa::MulOp::create(b, type, values[0], values[1], im.mulShift());
    break;
  case BinaryKind::Max:
    result = tosa::MaximumOp::create(b, type, values[0], values[1]);
    break;
  case BinaryKind::Min:
    result = tosa::MinimumOp::create(b, type, values[0], values[1]);
    break;
  case BinaryKind::Pow:
    result = tosa::PowOp::create(b, type, values[0], values[1]);
    break;
  }
  im.setOutput(0, result, nhwc ? Layout::Nhwc : Layout::Onnx);
  return success();
}

template <BinaryKind Kind> LogicalResult convertBinaryOp(Importer &im) {
  return convertBinary(im, Kind);
}

/// An op of one input that keeps its layout.
template <typename Build>
LogicalResult convertUnary(Importer &im, Build build) {
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> result = build(x->value);
  if (failed(result))
    return failure();
  im.setOutput(0, *result, x->layout);
  return success();
}

Value emitClamp(Importer &im, Value x, float lo, float hi) {
  ImplicitLocOpBuilder &b = im.builder();
  return tosa::ClampOp::create(b, x.getType(), x, b.getF32FloatAttr(lo),
                               b.getF32FloatAttr(hi));
}

LogicalResult convertClip(Importer &im) {
  float lo = std::numeric_limits<float>::lowest();
  float hi = std::numeric_limits<float>::max();
  // Opset 11 made min and max inputs (a PACT model's learned alpha arrives
  // as the max input); before, they are attributes.
  if (im.opset() < 11) {
    lo = im.getFloatAttr("min", lo);
    hi = im.getFloatAttr("max", hi);
  }
  for (int i = 1; i <= 2 && im.opset() >= 11; ++i) {
    if (!im.hasInput(i))
      continue;
    FailureOr<const ConstData *> bound =
        im.requireConstInput(i, i == 1 ? "min" : "max");
    if (failed(bound))
      return failure();
    if ((*bound)->numElements() != 1)
      return im.error() << (i == 1 ? "min" : "max") << " must be a scalar";
    (i == 1 ? lo : hi) = static_cast<float>((*bound)->values[0]);
  }
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    return im.error() << "min " << lo << " and max " << hi
                      << " are not an interval";
  return convertUnary(im, [&](Value x) -> FailureOr<Value> {
    return emitClamp(im, x, lo, hi);
  });
}

/// x * factor, elementwise.
Value emitScaled(Importer &im, Value x, float factor) {
  SmallVector<int64_t> ones(cast<RankedTensorType>(x.getType()).getRank(), 1);
  return tosa::MulOp::create(im.builder(), x.getType(), x,
                             im.floatConstant(ones, {factor}), im.mulShift());
}

LogicalResult convertLeakyRelu(Importer &im) {
  float alpha = im.getFloatAttr("alpha", 0.01f);
  return convertUnary(im, [&](Value x) -> FailureOr<Value> {
    ImplicitLocOpBuilder &b = im.builder();
    Value scaled = emitScaled(im, x, alpha);
    // max(x, alpha x) for alpha <= 1; min(x, alpha x) above.
    if (alpha <= 1.0f)
      return tosa::MaximumOp::create(b, x.getType(), x, scaled).getResult();
    return tosa::MinimumOp::create(b, x.getType(), x, scaled).getResult();
  });
}

/// Registers `name` as the TOSA op `Op` of one float input.
template <typename Op>
void addUnaryConverter(llvm::StringMap<OpConverter> &table, StringRef name) {
  table[name] = [](Importer &im) {
    return convertUnary(im, [&](Value x) -> FailureOr<Value> {
      if (!isa<FloatType>(cast<RankedTensorType>(x.getType()).getElementType()))
        return im.unsupported() << "integer operands";
      return Op::create(im.builder(), x.getType(), x).getResult();
    });
  };
}

/// ONNX's Elu (gamma 1) and Selu: gamma * (x > 0 ? x : alpha (e^x - 1)),
/// as gamma * (max(x, 0) + alpha (e^min(x, 0) - 1)): no comparison, and
/// the same values on either side.
LogicalResult convertElu(Importer &im, float alpha, float gamma) {
  return convertUnary(im, [&](Value x) -> FailureOr<Value> {
    ImplicitLocOpBuilder &b = im.builder();
    Type type = x.getType();
    SmallVector<int64_t> ones(cast<RankedTensorType>(type).getRank(), 1);
    Value zero = im.floatConstant(ones, {0.0f});
    Value negative = tosa::ExpOp::create(
        b, type, tosa::MinimumOp::create(b, type, x, zero));
    negative = tosa::AddOp::create(b, type, negative,
                                   im.floatConstant(ones, {-1.0f}));
    Value result =
        tosa::AddOp::create(b, type, tosa::MaximumOp::create(b, type, x, zero),
                            emitScaled(im, negative, alpha));
    return gamma == 1.0f ? result : emitScaled(im, result, gamma);
  });
}

/// max(0, min(1, alpha x + beta)), as ONNX's HardSigmoid (and the gate
/// of HardSwish) computes it in f32.
FailureOr<Value> emitHardSigmoid(Importer &im, Value x, float alpha,
                                 float beta) {
  SmallVector<int64_t> ones(cast<RankedTensorType>(x.getType()).getRank(), 1);
  Value shifted =
      tosa::AddOp::create(im.builder(), x.getType(), emitScaled(im, x, alpha),
                          im.floatConstant(ones, {beta}));
  return emitClamp(im, shifted, 0.0f, 1.0f);
}

LogicalResult convertHardSigmoid(Importer &im) {
  float alpha = im.getFloatAttr("alpha", 0.2f);
  float beta = im.getFloatAttr("beta", 0.5f);
  return convertUnary(im, [&](Value x) -> FailureOr<Value> {
    return emitHardSigmoid(im, x, alpha, beta);
  });
}

/// HardSwish (MobileNetV3): x * HardSigmoid(x) with alpha 1/6, beta 1/2.
LogicalResult convertHardSwish(Importer &im) {
  return convertUnary(im, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> gate = emitHardSigmoid(im, x, 1.0f / 6.0f, 0.5f);
    if (failed(gate))
      return failure();
    return tosa::MulOp::create(im.builder(), x.getType(), x, *gate,
                               im.mulShift())
        .getResult();
  });
}

/// Identity and Dropout (inference): the output is the input.
LogicalResult convertIdentity(Importer &im) {
  if (im.node().op_type() == "Dropout" && im.node().output_size() > 1 &&
      !im.node().output(1).empty())
    return im.unsupported() << "Dropout's mask output";
  if (const ConstData *data = im.getConstInput(0)) {
    im.setConstOutput(0, *data);
    return success();
  }
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  im.setOutput(0, x->value, x->layout);
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

/// Defines output 0 as input 0 reshaped to `shape`: a constant stays data.
LogicalResult setReshaped(Importer &im, ArrayRef<int64_t> shape) {
  if (const ConstData *data = im.getConstInput(0)) {
    if (data->quant && data->quant->axis)
      return im.unsupported() << "reshaping a per-axis quantized constant";
    im.setConstOutput(0, data->reshaped(shape));
    return success();
  }
  FailureOr<Value> x = im.getOnnxInput(0);
  if (failed(x))
    return failure();
  im.setOutput(0, im.reshape(*x, shape));
  return success();
}

/// The ONNX-layout shape of input `i`.
FailureOr<SmallVector<int64_t>> inputShape(Importer &im, int i) {
  if (const ConstData *data = im.getConstInput(i))
    return data->shape;
  FailureOr<TensorValue> x = im.getInput(i);
  if (failed(x))
    return failure();
  return onnxShapeOf(*x);
}

/// Reads int64 axes from the attribute `name` (older opsets) or input 1.
FailureOr<SmallVector<int64_t>> readAxes(Importer &im, StringRef name,
                                         int64_t inputOpset) {
  if (im.opset() < inputOpset)
    return im.getIntsAttr(name);
  if (!im.hasInput(1))
    return SmallVector<int64_t>();
  return im.requireConstInts(1, name);
}

LogicalResult convertReshape(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  FailureOr<SmallVector<int64_t>> shapeData = im.requireConstInts(1, "shape");
  if (failed(in) || failed(shapeData))
    return failure();
  bool allowZero = im.getIntAttr("allowzero", 0);
  SmallVector<int64_t> shape;
  int64_t inferred = -1;
  for (auto [i, dim] : llvm::enumerate(*shapeData)) {
    if (dim == 0 && !allowZero) {
      if (i >= in->size())
        return im.error() << "shape copies dimension " << i << " of a rank-"
                          << in->size() << " input";
      dim = (*in)[i];
    } else if (dim == -1) {
      if (inferred >= 0)
        return im.error() << "shape has more than one -1";
      inferred = i;
      dim = 1;
    } else if (dim < 0) {
      return im.error() << "shape has a negative dimension " << dim;
    }
    shape.push_back(dim);
  }
  // The product of the given dimensions may overflow: a shape such as
  // [2^32, 2^32, 8] wraps to 0.
  int64_t count = ShapedType::getNumElements(*in), known = 1;
  for (int64_t dim : shape)
    if (llvm::MulOverflow(known, dim, known)) {
      InFlightDiagnostic diag = im.error();
      diag << "cannot reshape " << count << " elements to [";
      llvm::interleaveComma(shape, diag);
      return diag << "]";
    }
  if (inferred >= 0) {
    if (known == 0 || count % known)
      return im.error() << "cannot infer the -1 dimension";
    shape[inferred] = count / known;
  } else if (known != count) {
    return im.error() << "cannot reshape " << count << " elements to " << known;
  }
  return setReshaped(im, shape);
}

LogicalResult convertFlatten(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  if (failed(in))
    return failure();
  int64_t rank = in->size();
  int64_t axis = im.getIntAttr("axis", 1);
  if (axis < -rank || axis > rank)
    return im.error() << "axis " << axis << " is out of range";
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> dims(*in);
  return setReshaped(im, {ShapedType::getNumElements(dims.take_front(axis)),
                          ShapedType::getNumElements(dims.drop_front(axis))});
}

LogicalResult convertSqueeze(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  FailureOr<SmallVector<int64_t>> axes = readAxes(im, "axes", 13);
  if (failed(in) || failed(axes))
    return failure();
  int64_t rank = in->size();
  SmallVector<bool> drop(rank, axes->empty());
  if (axes->empty())
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = (*in)[d] == 1;
  for (int64_t axis : *axes) {
    FailureOr<int64_t> normalized = normalizeAxis(im, axis, rank);
    if (failed(normalized))
      return failure();
    if ((*in)[*normalized] != 1)
      return im.error() << "cannot squeeze dimension " << *normalized
                        << " of size " << (*in)[*normalized];
    drop[*normalized] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back((*in)[d]);
  return setReshaped(im, shape);
}

LogicalResult convertUnsqueeze(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  FailureOr<SmallVector<int64_t>> axes = readAxes(im, "axes", 13);
  if (failed(in) || failed(axes))
    return failure();
  int64_t rank = in->size() + axes->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : *axes) {
    FailureOr<int64_t> normalized = normalizeAxis(im, axis, rank);
    if (failed(normalized))
      return failure();
    if (inserted[*normalized])
      return im.error() << "axis " << axis << " appears twice";
    inserted[*normalized] = true;
  }
  SmallVector<int64_t> shape;
  auto next = in->begin();
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : *next++);
  return setReshaped(im, shape);
}

LogicalResult convertTranspose(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  if (failed(in))
    return failure();
  int64_t rank = in->size();
  SmallVector<int64_t> perm = im.getIntsAttr("perm");
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  // Checked in full before any use indexes a shape with it (a perm of a
  // scalar read past its empty shape).
  if ((int64_t)perm.size() != rank)
    return im.error() << "a perm of length " << perm.size()
                      << " for an input of rank " << rank;
  SmallVector<bool> seen(rank, false);
  for (int64_t dim : perm) {
    if (dim < 0 || dim >= rank || seen[dim])
      return im.error() << "perm is not a permutation of the " << rank
                        << " dimensions";
    seen[dim] = true;
  }
  if (const ConstData *data = im.getConstInput(0)) {
    if (data->quant && data->quant->axis)
      return im.unsupported() << "transposing a per-axis quantized constant";
    im.setConstOutput(0, data->permuted(perm));
    return success();
  }
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  if (x->layout == Layout::Nhwc) {
    // Read the ONNX dims straight from the NHWC value.
    SmallVector<int64_t> composed;
    for (int64_t dim : perm)
      composed.push_back(kToNchw[dim]);
    im.setOutput(0, im.permute(x->value, composed));
    return success();
  }
  im.setOutput(0, im.permute(x->value, perm));
  return success();
}

LogicalResult setSliced(Importer &im, int i, ArrayRef<int64_t> begin,
                        ArrayRef<int64_t> size);

/// Slice with constant starts, ends, axes and unit steps (inputs from
/// opset 10, attributes before): tosa.slice in the ONNX layout, or a folded
/// constant.
LogicalResult convertSlice(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  if (failed(in))
    return failure();
  int64_t rank = in->size();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    starts = im.getIntsAttr("starts");
    ends = im.getIntsAttr("ends");
    axes = im.getIntsAttr("axes");
  } else {
    const char *names[] = {"starts", "ends", "axes", "steps"};
    SmallVector<int64_t> *lists[] = {&starts, &ends, &axes, &steps};
    for (int i = 1; i <= 4; ++i) {
      if (i > 2 && !im.hasInput(i))
        continue;
      FailureOr<SmallVector<int64_t>> given =
          im.requireConstInts(i, names[i - 1]);
      if (failed(given))
        return failure();
      *lists[i - 1] = std::move(*given);
    }
  }
  if (starts.size() != ends.size() || (!axes.empty() && axes.size() != starts.size()) ||
      (!steps.empty() && steps.size() != starts.size()))
    return im.error() << "starts, ends, axes and steps differ in length";
  SmallVector<int64_t> begin(rank, 0), size(*in);
  SmallVector<bool> sliced(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes.empty() ? int64_t(i) : axes[i];
    if (axis < -rank || axis >= rank)
      return im.error() << "axis " << axis << " is out of range";
    if (axis < 0)
      axis += rank;
    if (sliced[axis])
      return im.error() << "axis " << axis << " appears twice";
    sliced[axis] = true;
    if (!steps.empty() && steps[i] != 1)
      return im.unsupported() << "a step of " << steps[i];
    int64_t dim = (*in)[axis];
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    s = std::clamp<int64_t>(s, 0, dim);
    e = std::clamp<int64_t>(e, 0, dim);
    if (e <= s)
      return im.unsupported() << "an empty slice of axis " << axis
                              << " (TOSA has no empty tensors)";
    begin[axis] = s;
    size[axis] = e - s;
  }
  return setSliced(im, 0, begin, size);
}

/// Defines output `i` as input 0's block at `begin` of `size` (ONNX
/// layout): a constant is sliced here, a tensor by tosa.slice.
LogicalResult setSliced(Importer &im, int i, ArrayRef<int64_t> begin,
                        ArrayRef<int64_t> size) {
  int64_t rank = begin.size();
  if (const ConstData *data = im.getConstInput(0)) {
    if (data->quant && data->quant->axis)
      return im.unsupported() << "slicing a per-axis quantized constant";
    ConstData sliced = *data;
    sliced.shape.assign(size.begin(), size.end());
    sliced.values.clear();
    SmallVector<int64_t> index(rank, 0);
    for (int64_t n = 0, e = ShapedType::getNumElements(size); n < e; ++n) {
      int64_t flat = 0;
      for (int64_t d = 0; d < rank; ++d)
        flat = flat * data->shape[d] + begin[d] + index[d];
      sliced.values.push_back(data->values[flat]);
      for (int64_t d = rank - 1; d >= 0 && ++index[d] == size[d]; --d)
        index[d] = 0;
    }
    im.setConstOutput(i, std::move(sliced));
    return success();
  }
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  // A block that is the whole input is the input (tosa.slice does not take
  // a scalar, which a Slice without axes may read).
  if (llvm::all_of(begin, [](int64_t offset) { return offset == 0; }) &&
      size == ArrayRef<int64_t>(onnxShapeOf(*x))) {
    im.setOutput(i, x->value, x->layout);
    return success();
  }
  ImplicitLocOpBuilder &b = im.builder();
  Value onnx = im.toOnnx(*x);
  im.setOutput(i, tosa::SliceOp::create(
                      b, cast<RankedTensorType>(onnx.getType()).clone(size),
                      onnx, tosa::getTosaConstShape(b, begin),
                      tosa::getTosaConstShape(b, size)));
  return success();
}

/// Split into consecutive blocks along `axis`: sizes from `split` (an
/// attribute before opset 13, an input from it on) or equal parts.
LogicalResult convertSplit(Importer &im) {
  FailureOr<SmallVector<int64_t>> in = inputShape(im, 0);
  if (failed(in))
    return failure();
  int64_t rank = in->size();
  FailureOr<int64_t> axis = normalizeAxis(im, im.getIntAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  int outputs = im.node().output_size();
  SmallVector<int64_t> sizes = im.getIntsAttr("split");
  if (im.opset() >= 13 && im.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = im.requireConstInts(1, "split");
    if (failed(given))
      return failure();
    sizes.append(given->begin(), given->end());
  }
  int64_t dim = (*in)[*axis];
  if (sizes.empty()) {
    if (outputs <= 0 || dim % outputs != 0)
      return im.error() << "dimension " << dim << " does not split into "
                        << outputs << " equal parts";
    sizes.assign(outputs, dim / outputs);
  }
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size <= 0)
      return im.unsupported() << "a part of size " << size
                              << " (TOSA has no empty tensors)";
    // Each part fits the dimension, so the total cannot overflow (huge
    // parts wrapped around to the dimension and were sliced past it).
    if (size > dim)
      return im.error() << "a part of size " << size << " of dimension " << dim;
    total += size;
  }
  if (int64_t(sizes.size()) != outputs || total != dim)
    return im.error() << sizes.size() << " parts of total " << total
                      << " for " << outputs << " outputs and dimension "
                      << dim;
  SmallVector<int64_t> begin(rank, 0), size(*in);
  for (int i = 0; i < outputs; ++i) {
    size[*axis] = sizes[i];
    if (failed(setSliced(im, i, begin, size)))
      return failure();
    begin[*axis] += sizes[i];
  }
  return success();
}

LogicalResult convertConcat(Importer &im) {
  int n = im.node().input_size();
  if (n == 0)
    return im.error() << "no inputs";
  SmallVector<TensorValue> inputs;
  bool nhwc = false;
  for (int i = 0; i < n; ++i) {
    FailureOr<TensorValue> x = im.getInput(i);
    if (failed(x))
      return failure();
    nhwc |= x->layout == Layout::Nhwc;
    inputs.push_back(*x);
  }
  // Equal ranks before any input is moved to NHWC (which needs rank 4).
  int64_t rank = cast<RankedTensorType>(inputs[0].value.getType()).getRank();
  for (const TensorValue &x : inputs)
    if (cast<RankedTensorType>(x.value.getType()).getRank() != rank)
      return im.error() << "inputs of different ranks";
  FailureOr<int64_t> axis = normalizeAxis(im, im.getIntAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  int64_t tosaAxis = nhwc ? nhwcAxis(*axis) : *axis;
  SmallVector<Value> values;
  SmallVector<int64_t> shape;
  for (const TensorValue &x : inputs) {
    Value value = nhwc ? im.toNhwc(x) : im.toOnnx(x);
    ArrayRef<int64_t> dims = shapeOf(value);
    if (shape.empty()) {
      shape.assign(dims.begin(), dims.end());
    } else {
      for (int64_t d = 0; d < rank; ++d)
        if (d != tosaAxis && dims[d] != shape[d])
          return im.error() << "inputs differ outside the concat axis";
      shape[tosaAxis] += dims[tosaAxis];
    }
    values.push_back(value);
  }
  ImplicitLocOpBuilder &b = im.builder();
  im.setOutput(0,
               tosa::ConcatOp::create(b, im.f32Type(shape), values,
                                      b.getI32IntegerAttr(tosaAxis)),
               nhwc ? Layout::Nhwc : Layout::Onnx);
  return success();
}

LogicalResult convertPad(Importer &im) {
  std::string mode = im.getStringAttr("mode", "constant");
  if (mode != "constant")
    return im.unsupported()
           << "pad mode '" << mode << "' (TOSA pads with a constant)";
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  // Before opset 11, pads and the value are attributes.
  FailureOr<SmallVector<int64_t>> pads =
      im.opset() < 11 ? im.getIntsAttr("pads") : im.requireConstInts(1, "pads");
  if (failed(pads))
    return failure();
  SmallVector<int64_t> in = onnxShapeOf(*x);
  int64_t rank = in.size();
  if ((int64_t)pads->size() != 2 * rank)
    return im.error() << "pads has " << pads->size() << " values for rank "
                      << rank;
  float value = im.opset() < 11 ? im.getFloatAttr("value", 0.0f) : 0.0f;
  if (im.opset() >= 11 && im.hasInput(2)) {
    FailureOr<const ConstData *> constant =
        im.requireConstInput(2, "constant_value");
    if (failed(constant))
      return failure();
    if ((*constant)->numElements() != 1)
      return im.error() << "constant_value must be a scalar";
    value = static_cast<float>((*constant)->values[0]);
  }
  // No padding (all a scalar can have, which tosa.pad does not take): the
  // input itself.
  if (llvm::all_of(*pads, [](int64_t pad) { return pad == 0; })) {
    im.setOutput(0, x->value, x->layout);
    return success();
  }
  // TOSA's padding lists (begin, end) per dimension of the value as laid out.
  ArrayRef<int64_t> valueShape = shapeOf(x->value);
  SmallVector<int64_t> padding, shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t onnxDim = x->layout == Layout::Nhwc ? kToNhwc[d] : d;
    int64_t begin = (*pads)[onnxDim], end = (*pads)[onnxDim + rank];
    if (begin < 0 || end < 0)
      return im.unsupported() << "negative pads";
    // Larger pads are no model's, and would overflow the padded size.
    if (begin > kMaxWindowValue || end > kMaxWindowValue)
      return im.error() << "pads of " << begin << " and " << end
                        << " on dimension " << onnxDim
                        << " do not fit in int32";
    padding.append({begin, end});
    shape.push_back(valueShape[d] + begin + end);
  }
  ImplicitLocOpBuilder &b = im.builder();
  im.setOutput(0,
               tosa::PadOp::create(b, im.f32Type(shape), x->value,
                                   tosa::getTosaConstShape(b, padding),
                                   im.floatConstant({1}, {value})),
               x->layout);
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// exp(x - max) / sum over `axis`, keeping dims.
/// Softmax over `axis`, or with `log` LogSoftmax: x - max - log(sum(exp(x
/// - max))), which keeps the large negative values a log of the softmax
/// would round to -inf.
Value emitSoftmax(Importer &im, Value x, int64_t axis, bool log) {
  ImplicitLocOpBuilder &b = im.builder();
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> reduced(type.getShape());
  reduced[axis] = 1;
  auto reducedType = type.clone(reduced);
  auto axisAttr = b.getI32IntegerAttr(axis);
  Value max = tosa::ReduceMaxOp::create(b, reducedType, x, axisAttr);
  Value shifted = tosa::SubOp::create(b, type, x, max);
  Value exp = tosa::ExpOp::create(b, type, shifted);
  Value sum = tosa::ReduceSumOp::create(b, reducedType, exp, axisAttr);
  if (log)
    return tosa::SubOp::create(b, type, shifted,
                               tosa::LogOp::create(b, reducedType, sum));
  Value inverse = tosa::ReciprocalOp::create(b, reducedType, sum);
  return tosa::MulOp::create(b, type, exp, inverse, im.mulShift());
}

template <bool Log> LogicalResult convertSoftmax(Importer &im) {
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->value.getType()).getRank();
  bool coerce2d = im.opset() < 13;
  FailureOr<int64_t> axis =
      normalizeAxis(im, im.getIntAttr("axis", coerce2d ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (!coerce2d || *axis == rank - 1) {
    // One axis: stays in the input's layout.
    int64_t valueAxis = x->layout == Layout::Nhwc ? nhwcAxis(*axis) : *axis;
    im.setOutput(0, emitSoftmax(im, x->value, valueAxis, Log), x->layout);
    return success();
  }
  // Before opset 13, Softmax is over all dimensions from `axis` on.
  Value onnx = im.toOnnx(*x);
  ArrayRef<int64_t> shape = shapeOf(onnx);
  Value flat =
      im.reshape(onnx, {ShapedType::getNumElements(shape.take_front(*axis)),
                        ShapedType::getNumElements(shape.drop_front(*axis))});
  im.setOutput(0, im.reshape(emitSoftmax(im, flat, 1, Log), shape));
  return success();
}

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

LogicalResult convertConstant(Importer &im) {
  const onnx::NodeProto &node = im.node();
  if (node.attribute_size() != 1)
    return im.error() << "a Constant has exactly one value attribute";
  const onnx::AttributeProto &attr = node.attribute(0);
  ConstData data;
  if (attr.name() == "value") {
    FailureOr<ConstData> read = readTensorProto(
        attr.t(), im.externalDataDir(), [&] { return im.unsupported(); });
    if (failed(read))
      return failure();
    data = std::move(*read);
  } else if (attr.name() == "value_float") {
    data.values = {attr.f()};
  } else if (attr.name() == "value_floats") {
    data.values.assign(attr.floats().begin(), attr.floats().end());
    data.shape = {attr.floats_size()};
  } else if (attr.name() == "value_int") {
    data.values = {static_cast<double>(attr.i())};
    data.isFloat = false;
    data.dataType = onnx::TensorProto::INT64;
  } else if (attr.name() == "value_ints") {
    for (int64_t value : attr.ints())
      data.values.push_back(static_cast<double>(value));
    data.shape = {attr.ints_size()};
    data.isFloat = false;
    data.dataType = onnx::TensorProto::INT64;
  } else {
    return im.unsupported() << "a Constant's '" << attr.name() << "'";
  }
  im.setConstOutput(0, std::move(data));
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear
//===----------------------------------------------------------------------===//

/// Scale (input 1), zero point (input 2) and axis of a QDQ node on an input
/// of rank `rank`.
FailureOr<QuantInfo> readQuantInfo(Importer &im, int64_t rank,
                                   int32_t defaultType) {
  FailureOr<const ConstData *> scale = im.requireConstInput(1, "scale");
  if (failed(scale))
    return failure();
  QuantInfo quant;
  int32_t type = defaultType;
  const ConstData *zeroPoint = nullptr;
  if (im.hasInput(2)) {
    FailureOr<const ConstData *> zp = im.requireConstInput(2, "zero point");
    if (failed(zp))
      return failure();
    zeroPoint = *zp;
    type = zeroPoint->dataType;
  }
  if (type != onnx::TensorProto::INT8 && type != onnx::TensorProto::UINT8) {
    im.unsupported() << "a "
                     << onnx::TensorProto::DataType_Name(
                            static_cast<onnx::TensorProto::DataType>(type))
                     << " grid (qlip imports int8 and uint8 QDQ)";
    return failure();
  }
  quant.isSigned = type == onnx::TensorProto::INT8;
  quant.scales = (*scale)->values;
  int64_t channels = quant.scales.size();
  if (zeroPoint) {
    if (zeroPoint->numElements() != channels) {
      im.error() << "the zero point has " << zeroPoint->numElements()
                 << " values for " << channels << " scales";
      return failure();
    }
    for (double value : zeroPoint->values)
      quant.zeroPoints.push_back(static_cast<int64_t>(value));
  } else {
    quant.zeroPoints.assign(channels, 0);
  }
  if ((*scale)->shape.size() == 1 && channels > 1) {
    FailureOr<int64_t> axis = normalizeAxis(im, im.getIntAttr("axis", 1), rank);
    if (failed(axis))
      return failure();
    quant.axis = *axis;
  } else if (channels != 1) {
    im.error() << "the scale must be a scalar or 1-D";
    return failure();
  }
  return quant;
}

bool sameQuant(const QuantInfo &a, const QuantInfo &b) {
  return a.isSigned == b.isSigned && a.axis == b.axis && a.scales == b.scales &&
         a.zeroPoints == b.zeroPoints;
}

LogicalResult convertQuantizeLinear(Importer &im) {
  FailureOr<SmallVector<int64_t>> shape = inputShape(im, 0);
  if (failed(shape))
    return failure();
  FailureOr<QuantInfo> quant =
      readQuantInfo(im, shape->size(), onnx::TensorProto::UINT8);
  if (failed(quant))
    return failure();
  // One scale per channel along the axis (a tensor's mismatch was left to
  // the verifier).
  if (quant->axis && (*shape)[*quant->axis] != (int64_t)quant->scales.size())
    return im.error() << quant->scales.size() << " scales for the "
                      << (*shape)[*quant->axis] << " channels along axis "
                      << *quant->axis;
  if (const ConstData *data = im.getConstInput(0)) {
    // A float weight quantized at import: the integers, on the grid.
    ConstData levels = *data;
    levels.isFloat = false;
    levels.dataType =
        quant->isSigned ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
    double qmin = quant->isSigned ? -128 : 0,
           qmax = quant->isSigned ? 127 : 255;
    ChannelOfElement channelOf(data->shape, *quant);
    for (size_t i = 0; i < levels.values.size(); ++i) {
      size_t c = channelOf(i);
      levels.values[i] =
          std::clamp(std::nearbyint(data->values[i] / quant->scales[c]) +
                         quant->zeroPoints[c],
                     qmin, qmax);
    }
    levels.quant = *quant;
    im.setConstOutput(0, std::move(levels));
    return success();
  }
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  im.setQuantizedOutput(0, {*x, *quant});
  return success();
}

LogicalResult convertDequantizeLinear(Importer &im) {
  FailureOr<SmallVector<int64_t>> shape;
  if (const QuantizedTensor *q = im.getQuantizedInput(0))
    shape = onnxShapeOf(q->input);
  else
    shape = inputShape(im, 0);
  if (failed(shape))
    return failure();
  const ConstData *levels = im.getConstInput(0);
  int32_t type = levels ? levels->dataType : onnx::TensorProto::UINT8;
  if (levels && type == onnx::TensorProto::INT32) {
    // An int32 bias: its float value is all a float model needs (qlip
    // requantizes it at s_x * s_w).
    FailureOr<const ConstData *> scale = im.requireConstInput(1, "scale");
    if (failed(scale))
      return failure();
    if ((*scale)->numElements() != 1 &&
        (*scale)->numElements() != levels->numElements())
      return im.unsupported() << "an int32 dequantize with per-axis scales "
                                 "along a non-leading axis";
    // A zero point, which ONNX allows and ORT writes, must be all zeros:
    // TOSA's int32 bias has none.
    if (im.hasInput(2)) {
      FailureOr<const ConstData *> zp = im.requireConstInput(2, "zero point");
      if (failed(zp))
        return failure();
      if ((*zp)->numElements() != 1 &&
          (*zp)->numElements() != (*scale)->numElements())
        return im.error() << "the zero point has " << (*zp)->numElements()
                          << " values for " << (*scale)->numElements()
                          << " scales";
      for (auto [i, value] : llvm::enumerate((*zp)->values))
        if (value != 0)
          return im.unsupported()
                 << "an int32 dequantize with a non-zero zero point ("
                 << static_cast<int64_t>(value) << " at index " << i << ")";
    }
    ConstData bias = *levels;
    bias.isFloat = true;
    bias.dataType = onnx::TensorProto::FLOAT;
    bias.quant.reset();
    for (size_t i = 0; i < bias.values.size(); ++i)
      bias.values[i] *= (*scale)->values[(*scale)->numElements() == 1 ? 0 : i];
    im.setConstOutput(0, std::move(bias));
    return success();
  }
  FailureOr<QuantInfo> quant = readQuantInfo(im, shape->size(), type);
  if (failed(quant))
    return failure();

  if (const QuantizedTensor *q = im.getQuantizedInput(0)) {
    if (!sameQuant(q->quant, *quant))
      return im.unsupported() << "a DequantizeLinear whose parameters differ "
                                 "from its QuantizeLinear's";
    std::optional<int64_t> axis = quant->axis;
    if (axis && q->input.layout == Layout::Nhwc)
      axis = nhwcAxis(*axis);
    FailureOr<Value> fakeQuant = im.fakeQuant(q->input.value, *quant, axis);
    if (failed(fakeQuant))
      return failure();
    im.setOutput(0, *fakeQuant, q->input.layout);
    return success();
  }
  if (!levels)
    return im.unsupported() << "a DequantizeLinear of a computed integer "
                               "tensor (only of constants and of "
                               "QuantizeLinear)";
  if (levels->isFloat || (levels->dataType != onnx::TensorProto::INT8 &&
                          levels->dataType != onnx::TensorProto::UINT8))
    return im.error() << "the input must be int8 or uint8";
  if (quant->axis &&
      levels->shape[*quant->axis] != (int64_t)quant->scales.size())
    return im.error() << quant->scales.size() << " scales for the "
                      << levels->shape[*quant->axis] << " channels along axis "
                      << *quant->axis;
  // The weight in float, exactly on its grid; its uses as a weight keep the
  // grid (a fake_quant with the model's scales).
  ConstData weight = *levels;
  weight.isFloat = true;
  weight.dataType = onnx::TensorProto::FLOAT;
  ChannelOfElement channelOf(levels->shape, *quant);
  for (size_t i = 0; i < weight.values.size(); ++i) {
    size_t c = channelOf(i);
    weight.values[i] = static_cast<float>(
        (levels->values[i] - quant->zeroPoints[c]) * quant->scales[c]);
  }
  weight.quant = *quant;
  im.setConstOutput(0, std::move(weight));
  return success();
}

} // namespace

void onnx_import::addTensorOpConverters(llvm::StringMap<OpConverter> &table) {
  table["Add"] = convertBinaryOp<BinaryKind::Add>;
  table["Sub"] = convertBinaryOp<BinaryKind::Sub>;
  table["Mul"] = convertBinaryOp<BinaryKind::Mul>;
  table["Div"] = convertBinaryOp<BinaryKind::Div>;
  table["Max"] = convertBinaryOp<BinaryKind::Max>;
  table["Min"] = convertBinaryOp<BinaryKind::Min>;
  table["Pow"] = convertBinaryOp<BinaryKind::Pow>;
  // Elementwise functions TOSA has as ops; Neg as a multiplication by -1
  // (exact), Sqrt as x^0.5.
  addUnaryConverter<tosa::AbsOp>(table, "Abs");
  addUnaryConverter<tosa::ExpOp>(table, "Exp");
  addUnaryConverter<tosa::LogOp>(table, "Log");
  addUnaryConverter<tosa::FloorOp>(table, "Floor");
  addUnaryConverter<tosa::CeilOp>(table, "Ceil");
  addUnaryConverter<tosa::ReciprocalOp>(table, "Reciprocal");
  addUnaryConverter<tosa::ErfOp>(table, "Erf");
  table["Neg"] = [](Importer &im) {
    return convertUnary(im, [&](Value x) -> FailureOr<Value> {
      return emitScaled(im, x, -1.0f);
    });
  };
  table["Sqrt"] = [](Importer &im) {
    return convertUnary(im, [&](Value x) -> FailureOr<Value> {
      SmallVector<int64_t> ones(cast<RankedTensorType>(x.getType()).getRank(),
                                1);
      return tosa::PowOp::create(im.builder(), x.getType(), x,
                                 im.floatConstant(ones, {0.5f}))
          .getResult();
    });
  };
  table["Relu"] = [](Importer &im) {
    return convertUnary(im, [&](Value x) -> FailureOr<Value> {
      return emitClamp(im, x, 0.0f, std::numeric_limits<float>::max());
    });
  };
  table["Sigmoid"] = [](Importer &im) {
    return convertUnary(im, [&](Value x) -> FailureOr<Value> {
      return tosa::SigmoidOp::create(im.builder(), x.getType(), x).getResult();
    });
  };
  table["Tanh"] = [](Importer &im) {
    return convertUnary(im, [&](Value x) -> FailureOr<Value> {
      return tosa::TanhOp::create(im.builder(), x.getType(), x).getResult();
    });
  };
  table["Clip"] = convertClip;
  table["LeakyRelu"] = convertLeakyRelu;
  table["HardSigmoid"] = convertHardSigmoid;
  table["Elu"] = [](Importer &im) {
    return convertElu(im, im.getFloatAttr("alpha", 1.0f), 1.0f);
  };
  table["Selu"] = [](Importer &im) {
    return convertElu(im, im.getFloatAttr("alpha", 1.67326319217681884765625f),
                      im.getFloatAttr("gamma", 1.05070102214813232421875f));
  };
  table["HardSwish"] = convertHardSwish;
  table["Identity"] = convertIdentity;
  table["Dropout"] = convertIdentity;
  table["Reshape"] = convertReshape;
  table["Flatten"] = convertFlatten;
  table["Squeeze"] = convertSqueeze;
  table["Unsqueeze"] = convertUnsqueeze;
  table["Transpose"] = convertTranspose;
  table["Concat"] = convertConcat;
  table["Slice"] = convertSlice;
  table["Split"] = convertSplit;
  table["Pad"] = convertPad;
  table["Softmax"] = convertSoftmax<false>;
  table["LogSoftmax"] = convertSoftmax<true>;
  table["Constant"] = convertConstant;
  table["QuantizeLinear"] = convertQuantizeLinear;
  table["DequantizeLinear"] = convertDequantizeLinear;
}
