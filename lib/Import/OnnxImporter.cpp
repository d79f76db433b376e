//===- OnnxImporter.cpp - ONNX models to float TOSA -------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The graph walk: opset, initializers, inputs, nodes in order, outputs. The
// value table and the layout helpers live here too; the op converters are
// in OnnxLayerOps.cpp and OnnxTensorOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "dialects/Qlip/IR/QlipDialect.h"
#include "dialects/Qlip/IR/QlipOps.h"

#include "qlip/Runtime/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::onnx_import;

/// The opsets of the default domain qlip imports: 11 to 17, and the older
/// forms of the ops whose semantics changed since opset 6 (Clip's and
/// Pad's attributes, legacy broadcasting), so that older models import too.
static constexpr int64_t kMinOpset = 6;
static constexpr int64_t kMaxOpset = 17;

/// Constants with at least this many elements are written as blobs.
static constexpr int64_t kBlobThreshold = 16;

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(dim);
  return text + "]";
}

//===----------------------------------------------------------------------===//
// ConstData
//===----------------------------------------------------------------------===//

ConstData ConstData::permuted(ArrayRef<int64_t> perm) const {
  int64_t rank = shape.size();
  ConstData result;
  result.isFloat = isFloat;
  for (int64_t dim : perm)
    result.shape.push_back(shape[dim]);
  result.values.resize(values.size());
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * shape[d + 1];
  SmallVector<int64_t> index(rank, 0);
  for (size_t out = 0; out < values.size(); ++out) {
    int64_t in = 0;
    for (int64_t d = 0; d < rank; ++d)
      in += index[d] * inStrides[perm[d]];
    result.values[out] = values[in];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < result.shape[d])
        break;
      index[d] = 0;
    }
  }
  if (quant) {
    result.quant = quant;
    if (quant->axis)
      result.quant->axis =
          std::find(perm.begin(), perm.end(), *quant->axis) - perm.begin();
  }
  return result;
}

ConstData ConstData::reshaped(ArrayRef<int64_t> newShape) const {
  ConstData result = *this;
  result.shape.assign(newShape.begin(), newShape.end());
  // A per-axis grid survives only a reshape that adds leading unit dims.
  if (quant && quant->axis)
    result.quant->axis =
        *quant->axis + (int64_t)newShape.size() - (int64_t)shape.size();
  return result;
}

ChannelOfElement::ChannelOfElement(ArrayRef<int64_t> shape,
                                   const QuantInfo &quant)
    : perAxis(quant.axis.has_value()), channels(quant.scales.size()) {
  if (perAxis)
    for (size_t d = *quant.axis + 1; d < shape.size(); ++d)
      inner *= shape[d];
}

SmallVector<int64_t> onnx_import::onnxShapeOf(const TensorValue &tensor) {
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(tensor.value.getType()).getShape();
  if (tensor.layout == Layout::Onnx)
    return SmallVector<int64_t>(shape);
  SmallVector<int64_t> result;
  for (int64_t dim : kToNchw)
    result.push_back(shape[dim]);
  return result;
}

//===----------------------------------------------------------------------===//
// Importer: diagnostics, inputs, outputs, attributes
//===----------------------------------------------------------------------===//

Importer::Importer(MLIRContext *context, StringRef filename,
                   const OnnxImportOptions &options)
    : context(context), filename(filename.str()), options(options) {}

InFlightDiagnostic Importer::modelError(Location loc, bool isUnsupported) {
  sawUnsupported |= isUnsupported;
  return emitError(loc);
}

Location Importer::diagnosticLoc() {
  return NameLoc::get(StringAttr::get(context, currentName),
                      FileLineColLoc::get(context, filename, 0, 0));
}

InFlightDiagnostic Importer::error() {
  InFlightDiagnostic diag =
      modelError(diagnosticLoc(), /*isUnsupported=*/false);
  diag << "node '" << currentName << "' (" << currentNode->op_type() << "): ";
  return diag;
}

InFlightDiagnostic Importer::unsupported() {
  InFlightDiagnostic diag = modelError(diagnosticLoc(), /*isUnsupported=*/true);
  diag << "node '" << currentName << "' (" << currentNode->op_type()
       << "): unsupported: ";
  return diag;
}

Location Importer::subLoc(StringRef suffix) {
  return NameLoc::get(StringAttr::get(context, currentName + "." + suffix));
}

bool Importer::hasInput(int i) const {
  return i < currentNode->input_size() && !currentNode->input(i).empty();
}

const ConstData *Importer::getConstInput(int i) const {
  if (!hasInput(i))
    return nullptr;
  auto it = constants.find(currentNode->input(i));
  return it == constants.end() ? nullptr : &it->second;
}

FailureOr<const ConstData *> Importer::requireConstInput(int i,
                                                         StringRef what) {
  if (!hasInput(i)) {
    error() << "missing input " << i << " (" << what << ")";
    return failure();
  }
  if (const ConstData *data = getConstInput(i))
    return data;
  unsupported() << what << " '" << currentNode->input(i)
                << "' must be a constant (an initializer or a Constant node)";
  return failure();
}

FailureOr<SmallVector<int64_t>> Importer::requireConstInts(int i,
                                                           StringRef what) {
  FailureOr<const ConstData *> data = requireConstInput(i, what);
  if (failed(data))
    return failure();
  SmallVector<int64_t> result;
  for (double value : (*data)->values) {
    if (std::isnan(value)) {
      error() << what << " '" << currentNode->input(i) << "' holds a NaN";
      return failure();
    }
    // Int64 data is kept as double, where INT64_MAX (ONNX's "to the end"
    // of a Slice) rounds up to 2^63; converting that back is undefined, so
    // out-of-range values saturate.
    if (value >= 0x1p63)
      result.push_back(std::numeric_limits<int64_t>::max());
    else if (value < -0x1p63)
      result.push_back(std::numeric_limits<int64_t>::min());
    else
      result.push_back(static_cast<int64_t>(value));
  }
  return result;
}

FailureOr<TensorValue> Importer::getInput(int i) {
  if (!hasInput(i)) {
    error() << "missing input " << i;
    return failure();
  }
  const std::string &name = currentNode->input(i);
  auto it = tensors.find(name);
  if (it != tensors.end())
    return it->second;
  if (quantizedTensors.count(name)) {
    unsupported() << "'" << name << "' is the integer output of a "
                  << "QuantizeLinear; qlip imports QuantizeLinear only when "
                     "a DequantizeLinear reads it";
    return failure();
  }
  auto constIt = constants.find(name);
  // importNode checked that every input is defined.
  assert(constIt != constants.end() && "undefined input");
  // As a tensor a constant meets f32 ops, and TOSA has no empty tensors:
  // such constants are only data an op reads as such (a shape, axes). An
  // empty one divided by zero in MatMul; an integer one made ops the
  // verifier refused.
  const ConstData &data = constIt->second;
  if (llvm::is_contained(data.shape, 0)) {
    unsupported() << "'" << name << "' is an empty tensor (TOSA has none)";
    return failure();
  }
  if (!data.isFloat) {
    unsupported() << "'" << name << "' is an integer "
                  << (data.quant ? "QuantizeLinear output" : "constant")
                  << " used as a tensor (qlip imports float computations)";
    return failure();
  }
  FailureOr<Value> value = constantOnGrid(data);
  if (failed(value))
    return failure();
  return TensorValue{*value, Layout::Onnx};
}

FailureOr<Value> Importer::getOnnxInput(int i) {
  FailureOr<TensorValue> tensor = getInput(i);
  if (failed(tensor))
    return failure();
  return toOnnx(*tensor);
}

FailureOr<Value> Importer::getNhwcInput(int i) {
  FailureOr<TensorValue> tensor = getInput(i);
  if (failed(tensor))
    return failure();
  int64_t rank = cast<RankedTensorType>(tensor->value.getType()).getRank();
  if (rank != 4) {
    unsupported() << "input '" << currentNode->input(i) << "' has rank " << rank
                  << "; only 2-D (rank-4 NCHW) operation is imported";
    return failure();
  }
  return toNhwc(*tensor);
}

void Importer::setOutput(int i, Value value, Layout layout) {
  if (i < currentNode->output_size() && !currentNode->output(i).empty())
    tensors[currentNode->output(i)] = TensorValue{value, layout};
}

void Importer::setConstOutput(int i, ConstData data) {
  if (i < currentNode->output_size() && !currentNode->output(i).empty())
    constants[currentNode->output(i)] = std::move(data);
}

void Importer::setQuantizedOutput(int i, QuantizedTensor quantized) {
  if (i < currentNode->output_size() && !currentNode->output(i).empty())
    quantizedTensors[currentNode->output(i)] = std::move(quantized);
}

const QuantizedTensor *Importer::getQuantizedInput(int i) const {
  if (!hasInput(i))
    return nullptr;
  auto it = quantizedTensors.find(currentNode->input(i));
  return it == quantizedTensors.end() ? nullptr : &it->second;
}

const onnx::AttributeProto *Importer::findAttr(StringRef name) const {
  for (const onnx::AttributeProto &attr : currentNode->attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t Importer::getIntAttr(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->i() : defaultValue;
}

float Importer::getFloatAttr(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->f() : defaultValue;
}

std::string Importer::getStringAttr(StringRef name,
                                    StringRef defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

SmallVector<int64_t> Importer::getIntsAttr(StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return {};
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

LogicalResult Importer::checkFinite(const ConstData &data, StringRef what) {
  for (auto [i, value] : llvm::enumerate(data.values)) {
    if (!std::isfinite(value)) {
      error() << what << " has a non-finite value (" << value
              << ") at flat index " << i;
      return failure();
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Importer: values and layouts
//===----------------------------------------------------------------------===//

RankedTensorType Importer::f32Type(ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(context));
}

Value Importer::floatConstant(ArrayRef<int64_t> shape, ArrayRef<float> values) {
  RankedTensorType type = f32Type(shape);
  ElementsAttr attr;
  if ((int64_t)values.size() >= kBlobThreshold) {
    std::string blobName;
    for (char c : currentName)
      blobName += llvm::isAlnum(c) ? c : '_';
    attr = DenseResourceElementsAttr::get(
        type, blobName, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  } else {
    attr = DenseElementsAttr::get(type, values);
  }
  return tosa::ConstOp::create(*b, type, attr);
}

Value Importer::constant(const ConstData &data) {
  if (data.isFloat) {
    std::vector<float> values(data.values.begin(), data.values.end());
    return floatConstant(data.shape, values);
  }
  // Integer constants used as tensors (rare in float models: an index or a
  // mask) keep int64.
  auto type = RankedTensorType::get(data.shape, IntegerType::get(context, 64));
  std::vector<int64_t> values(data.values.begin(), data.values.end());
  return tosa::ConstOp::create(
      *b, type, DenseElementsAttr::get(type, ArrayRef<int64_t>(values)));
}

FailureOr<Value> Importer::constantOnGrid(const ConstData &data) {
  Value value = constant(data);
  if (!data.quant)
    return value;
  return fakeQuant(value, *data.quant, data.quant->axis);
}

Value Importer::zeroPoint() {
  if (!zeroPointValue) {
    // Shared by every op that needs it: at the top, at the model's location.
    OpBuilder builder = OpBuilder::atBlockBegin(entryBlock);
    zeroPointValue = tosa::ConstOp::create(
        builder, entryBlock->getParentOp()->getLoc(), f32Type({1}),
        DenseElementsAttr::get(f32Type({1}), 0.0f));
  }
  return zeroPointValue;
}

Value Importer::mulShift() {
  if (!mulShiftValue) {
    OpBuilder builder = OpBuilder::atBlockBegin(entryBlock);
    auto type = RankedTensorType::get({1}, IntegerType::get(context, 8));
    mulShiftValue = tosa::ConstOp::create(
        builder, entryBlock->getParentOp()->getLoc(), type,
        DenseElementsAttr::get(type, static_cast<int8_t>(0)));
  }
  return mulShiftValue;
}

Value Importer::reshape(Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return tosa::ReshapeOp::create(*b, type.clone(shape), value,
                                 tosa::getTosaConstShape(*b, shape));
}

Value Importer::permute(Value value, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t dim : perm)
    shape.push_back(type.getDimSize(dim));
  // Only unit dimensions move when the other dimensions keep their order:
  // then the data is the same and a reshape says so.
  SmallVector<int64_t> moved;
  for (int64_t dim : perm)
    if (type.getDimSize(dim) != 1)
      moved.push_back(dim);
  if (llvm::is_sorted(moved))
    return reshape(value, shape);
  SmallVector<int32_t> perms(perm.begin(), perm.end());
  return tosa::TransposeOp::create(*b, type.clone(shape), value,
                                   b->getDenseI32ArrayAttr(perms));
}

Value Importer::toOnnx(TensorValue tensor) {
  if (tensor.layout == Layout::Onnx)
    return tensor.value;
  Value &cached = onnxOf[tensor.value];
  if (!cached)
    cached = permute(tensor.value, kToNchw);
  return cached;
}

Value Importer::toNhwc(TensorValue tensor) {
  if (tensor.layout == Layout::Nhwc)
    return tensor.value;
  Value &cached = nhwcOf[tensor.value];
  if (!cached) {
    cached = permute(tensor.value, kToNhwc);
  }
  return cached;
}

FailureOr<Value> Importer::fakeQuant(Value value, const QuantInfo &quant,
                                     std::optional<int64_t> axis) {
  SmallVector<double> clipMin, clipMax;
  int64_t qmin = quant.isSigned ? -(int64_t(1) << (quant.bits - 1)) : 0;
  int64_t qmax = quant.isSigned ? (int64_t(1) << (quant.bits - 1)) - 1
                                : (int64_t(1) << quant.bits) - 1;
  for (auto [scale, zeroPoint] : llvm::zip(quant.scales, quant.zeroPoints)) {
    if (!(scale > 0) || !std::isfinite(scale)) {
      error() << "scale " << scale << " is not a positive finite number";
      return failure();
    }
    clipMin.push_back((qmin - zeroPoint) * scale);
    clipMax.push_back((qmax - zeroPoint) * scale);
  }
  SmallVector<double> scales(quant.scales.begin(), quant.scales.end());
  SmallVector<int64_t> zeroPoints(quant.zeroPoints.begin(),
                                  quant.zeroPoints.end());
  std::optional<int64_t> attrAxis = quant.axis ? axis : std::nullopt;
  auto scalesAttr = DenseF64ArrayAttr::get(context, scales);
  auto clipMinAttr = DenseF64ArrayAttr::get(context, clipMin);
  auto clipMaxAttr = DenseF64ArrayAttr::get(context, clipMax);
  if (failed(QParamsAttr::verify([&] { return error(); }, quant.bits,
                                 quant.isSigned, /*narrowRange=*/false,
                                 attrAxis, scalesAttr, zeroPoints, clipMinAttr,
                                 clipMaxAttr, ClipRule::Imported)))
    return failure();
  auto qparams =
      QParamsAttr::get(context, quant.bits, quant.isSigned,
                       /*narrowRange=*/false, attrAxis, scales, zeroPoints,
                       clipMin, clipMax, ClipRule::Imported);
  return FakeQuantOp::create(*b, value, qparams).getResult();
}

//===----------------------------------------------------------------------===//
// The graph walk
//===----------------------------------------------------------------------===//

static const llvm::StringMap<OpConverter> &getConverters() {
  static const llvm::StringMap<OpConverter> table = [] {
    llvm::StringMap<OpConverter> table;
    addLayerOpConverters(table);
    addTensorOpConverters(table);
    return table;
  }();
  return table;
}

ArrayRef<StringRef> mlir::qlip::getSupportedOnnxOps() {
  static const std::vector<StringRef> names = [] {
    std::vector<StringRef> names;
    for (const auto &entry : getConverters())
      names.push_back(entry.getKey());
    llvm::sort(names);
    return names;
  }();
  return names;
}

FailureOr<RankedTensorType>
Importer::importValueType(const onnx::ValueInfoProto &info, bool isInput) {
  Location loc = NameLoc::get(StringAttr::get(context, info.name()),
                              FileLineColLoc::get(context, filename, 0, 0));
  const char *kind = isInput ? "input" : "output";
  if (!info.type().has_tensor_type()) {
    modelError(loc, true) << "graph " << kind << " '" << info.name()
                          << "' is not a tensor";
    return failure();
  }
  const onnx::TypeProto::Tensor &tensorType = info.type().tensor_type();
  if (tensorType.elem_type() != onnx::TensorProto::FLOAT) {
    modelError(loc, true) << "graph " << kind << " '" << info.name()
                          << "' has element type "
                          << onnx::TensorProto::DataType_Name(
                                 static_cast<onnx::TensorProto::DataType>(
                                     tensorType.elem_type()))
                          << "; qlip imports float32 models";
    return failure();
  }
  if (!tensorType.has_shape()) {
    if (!isInput)
      return RankedTensorType();
    modelError(loc, true) << "graph input '" << info.name() << "' has no shape";
    return failure();
  }
  SmallVector<int64_t> shape;
  for (auto [i, dim] : llvm::enumerate(tensorType.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() == 0 && isInput) {
      modelError(loc, true) << "graph input '" << info.name()
                            << "' is an empty tensor (TOSA has none)";
      return failure();
    }
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (!isInput)
      return RankedTensorType(); // The importer's own shapes decide.
    if (i == 0 && options.batch > 0) {
      shape.push_back(options.batch);
      continue;
    }
    modelError(loc, true) << "graph input '" << info.name()
                          << "' has a symbolic dimension "
                          << (dim.has_dim_param() ? "'" + dim.dim_param() + "' "
                                                  : "")
                          << "at axis " << i
                          << (i == 0
                                  ? "; give the batch size with --batch=N"
                                  : "; qlip imports statically shaped models");
    return failure();
  }
  // Sizes computed from the shape must not overflow (a [2^40, 2^40]
  // input made a reshape's element count wrap to 0).
  int64_t count = 1;
  for (int64_t dim : shape)
    if (llvm::MulOverflow(count, dim, count) || count > kMaxElements) {
      modelError(loc, true)
          << "graph " << kind << " '" << info.name() << "' of shape "
          << formatShape(shape) << " has more than 2^40 elements";
      return failure();
    }
  return f32Type(shape);
}

LogicalResult Importer::importInitializer(const onnx::TensorProto &tensor) {
  Location loc = NameLoc::get(StringAttr::get(context, tensor.name()),
                              FileLineColLoc::get(context, filename, 0, 0));
  bool unsupportedType = false;
  FailureOr<ConstData> data =
      readTensorProto(tensor, options.externalDataDir, [&] {
        return modelError(loc, unsupportedType)
               << "initializer '" << tensor.name() << "': ";
      });
  if (failed(data))
    return failure();
  constants[tensor.name()] = std::move(*data);
  return success();
}

LogicalResult Importer::importConstantInput(StringRef spec,
                                            const onnx::GraphProto &graph) {
  Location loc = FileLineColLoc::get(context, spec, 0, 0);
  auto [name, path] = spec.split('=');
  // A name that is not a graph input (a typo) would otherwise do nothing,
  // and a second value for one would silently replace the first.
  auto checkName = [&](StringRef input) -> const onnx::ValueInfoProto * {
    for (const onnx::ValueInfoProto &info : graph.input()) {
      if (info.name() != input)
        continue;
      if (!constantInputNames.insert(input).second) {
        modelError(loc, false)
            << "constant input: '" << input << "' is given twice";
        return nullptr;
      }
      return &info;
    }
    InFlightDiagnostic diag = modelError(loc, false)
                              << "constant input: '" << input
                              << "' is not an input of the graph; ";
    if (graph.input().empty()) {
      diag << "the graph has no inputs";
      return nullptr;
    }
    diag << "its inputs: ";
    llvm::interleaveComma(graph.input(), diag,
                          [&](const onnx::ValueInfoProto &info) {
                            diag << "'" << info.name() << "'";
                          });
    return nullptr;
  };
  // The data stands for the input: it must have the shape the graph
  // declares (a symbolic dimension takes any size), or the ops after it
  // would compute another model.
  auto checkShape = [&](const onnx::ValueInfoProto &info) -> LogicalResult {
    const onnx::TypeProto &type = info.type();
    if (!type.has_tensor_type() || !type.tensor_type().has_shape())
      return success();
    const auto &dims = type.tensor_type().shape().dim();
    ArrayRef<int64_t> shape = constants[info.name()].shape;
    bool matches = dims.size() == static_cast<int>(shape.size());
    for (int i = 0; matches && i < dims.size(); ++i)
      matches = !dims[i].has_dim_value() || dims[i].dim_value() == shape[i];
    if (matches)
      return success();
    InFlightDiagnostic diag = modelError(loc, false)
                              << "constant input '" << info.name()
                              << "' has shape " << formatShape(shape)
                              << " but the graph declares [";
    llvm::interleaveComma(dims, diag,
                          [&](const onnx::TensorShapeProto::Dimension &dim) {
                            if (dim.has_dim_value())
                              diag << dim.dim_value();
                            else
                              diag << "?";
                          });
    return diag << "]";
  };
  if (path.empty()) {
    // FILE.pb: a TensorProto that names its input.
    path = name;
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
    onnx::TensorProto tensor;
    if (!buffer ||
        !tensor.ParseFromArray((*buffer)->getBufferStart(),
                               static_cast<int>((*buffer)->getBufferSize())))
      return modelError(loc, false)
             << "constant input: cannot read a TensorProto from '" << path
             << "' (give NAME=FILE.npy for a .npy file)";
    if (tensor.name().empty())
      return modelError(loc, false)
             << "constant input: the TensorProto in '" << path
             << "' has no name; give NAME=" << path;
    const onnx::ValueInfoProto *info = checkName(tensor.name());
    if (!info || failed(importInitializer(tensor)))
      return failure();
    return checkShape(*info);
  }
  const onnx::ValueInfoProto *info = checkName(name);
  if (!info)
    return failure();
  llvm::Expected<NpyArray> array = readNpy(path);
  if (!array)
    return modelError(loc, false) << "constant input '" << name
                                  << "': " << llvm::toString(array.takeError());
  ConstData data;
  data.shape.assign(array->shape.begin(), array->shape.end());
  data.values = array->toDoubles();
  data.isFloat = array->dtype == NpyDType::F32 || array->dtype == NpyDType::F64;
  data.dataType =
      data.isFloat ? onnx::TensorProto::FLOAT : onnx::TensorProto::INT64;
  constants[name] = std::move(data);
  return checkShape(*info);
}

LogicalResult Importer::importNode(const onnx::NodeProto &node, int index) {
  currentNode = &node;
  currentName = node.name().empty()
                    ? node.op_type() + "_" + std::to_string(index)
                    : node.name();
  b.emplace(NameLoc::get(StringAttr::get(context, currentName)),
            OpBuilder::atBlockEnd(entryBlock));

  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return unsupported() << "op domain '" << node.domain() << "'";
  for (const std::string &input : node.input()) {
    if (!input.empty() && !tensors.count(input) && !constants.count(input) &&
        !quantizedTensors.count(input))
      return error() << "input '" << input
                     << "' is not defined by an earlier node, an "
                        "initializer or a graph input";
  }
  const llvm::StringMap<OpConverter> &converters = getConverters();
  auto it = converters.find(node.op_type());
  if (it == converters.end())
    return unsupported() << "op '" << node.op_type()
                         << "' is not imported (qlip-import-onnx "
                            "--list-ops lists the ops it imports)";
  if (failed(it->second(*this)))
    return failure();
  for (const std::string &output : node.output()) {
    if (!output.empty() && !tensors.count(output) && !constants.count(output) &&
        !quantizedTensors.count(output))
      return unsupported() << "output '" << output << "' is not produced";
    // TOSA has no empty tensors.
    auto it = tensors.find(output);
    if (it != tensors.end() &&
        llvm::is_contained(
            cast<RankedTensorType>(it->second.value.getType()).getShape(), 0))
      return unsupported() << "output '" << output
                           << "' is an empty tensor (TOSA has none)";
  }
  return success();
}

LogicalResult Importer::importGraph(const onnx::GraphProto &graph) {
  Location fileLoc = FileLineColLoc::get(context, filename, 0, 0);
  for (const onnx::TensorProto &tensor : graph.initializer())
    if (failed(importInitializer(tensor)))
      return failure();
  for (const std::string &spec : options.constantInputs)
    if (failed(importConstantInput(spec, graph)))
      return failure();
  if (graph.sparse_initializer_size())
    return modelError(fileLoc, true) << "sparse initializers";

  SmallVector<Type> inputTypes;
  SmallVector<const onnx::ValueInfoProto *> inputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (constants.count(input.name()))
      continue; // An initializer listed as an input (IR version < 4).
    FailureOr<RankedTensorType> type = importValueType(input, true);
    if (failed(type))
      return failure();
    inputs.push_back(&input);
    // Under the NHWC boundary a 4-D input arrives NHWC.
    if (options.ioLayout == OnnxIoLayout::Nhwc && type->getRank() == 4) {
      SmallVector<int64_t> shape;
      for (int64_t dim : kToNhwc)
        shape.push_back(type->getDimSize(dim));
      *type = type->clone(shape);
    }
    inputTypes.push_back(*type);
  }
  if (graph.output_size() == 0)
    return modelError(fileLoc, false) << "the graph has no outputs";

  OpBuilder moduleBuilder(context);
  auto module = cast<ModuleOp>(moduleOp->getOperation());
  moduleBuilder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(moduleBuilder, fileLoc, options.entry,
                                   FunctionType::get(context, inputTypes, {}));
  entryBlock = func.addEntryBlock();
  for (auto [input, arg] : llvm::zip(inputs, entryBlock->getArguments())) {
    arg.setLoc(NameLoc::get(StringAttr::get(context, input->name())));
    bool nhwc = options.ioLayout == OnnxIoLayout::Nhwc &&
                cast<RankedTensorType>(arg.getType()).getRank() == 4;
    tensors[input->name()] =
        TensorValue{arg, nhwc ? Layout::Nhwc : Layout::Onnx};
  }

  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, index)))
      return failure();

  // The results, in the boundary layout, checked against the shapes the
  // model declares.
  ImplicitLocOpBuilder builder(fileLoc, OpBuilder::atBlockEnd(entryBlock));
  b.emplace(builder);
  currentName = "output";
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Location loc =
        NameLoc::get(StringAttr::get(context, output.name()), fileLoc);
    FailureOr<RankedTensorType> declared = importValueType(output, false);
    if (failed(declared))
      return failure();
    Value value;
    if (auto it = tensors.find(output.name()); it != tensors.end()) {
      bool nhwc =
          options.ioLayout == OnnxIoLayout::Nhwc &&
          cast<RankedTensorType>(it->second.value.getType()).getRank() == 4;
      value = nhwc ? toNhwc(it->second) : toOnnx(it->second);
      SmallVector<int64_t> shape = onnxShapeOf(it->second);
      if (*declared && declared->getShape() != ArrayRef<int64_t>(shape))
        return modelError(loc, false)
               << "graph output '" << output.name() << "' has shape "
               << formatShape(shape) << " here but the model declares "
               << formatShape(declared->getShape());
    } else if (auto it = constants.find(output.name()); it != constants.end()) {
      if (llvm::is_contained(it->second.shape, 0))
        return modelError(loc, true) << "graph output '" << output.name()
                                     << "' is an empty tensor (TOSA has none)";
      value = constant(it->second);
    } else {
      return modelError(loc, false)
             << "graph output '" << output.name() << "' is never produced";
    }
    results.push_back(value);
  }
  func::ReturnOp::create(*b, results);
  // Layout conversions made for an op that then failed over to another
  // form, or outputs nobody reads, are dead: drop them.
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(entryBlock->getOperations())))
    if (isOpTriviallyDead(&op))
      op.erase();
  func.setType(
      FunctionType::get(context, inputTypes, ValueRange(results).getTypes()));
  return success();
}

OnnxImportResult Importer::run(const onnx::ModelProto &model) {
  OnnxImportResult result;
  Location fileLoc = FileLineColLoc::get(context, filename, 0, 0);
  auto fail = [&] {
    result.module = nullptr;
    result.status = sawUnsupported ? OnnxImportStatus::Unsupported
                                   : OnnxImportStatus::Invalid;
    return std::move(result);
  };
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      opsetVersion = opset.version();
  if (opsetVersion == 0) {
    modelError(fileLoc, true)
        << "the model imports no opset of the "
           "default ONNX domain (only "
        << (model.opset_import_size() ? model.opset_import(0).domain()
                                      : std::string("none"))
        << ")";
    return fail();
  }
  if (opsetVersion < kMinOpset || opsetVersion > kMaxOpset) {
    modelError(fileLoc, true)
        << "opset " << opsetVersion << " is not supported; qlip imports opsets "
        << kMinOpset << " to " << kMaxOpset;
    return fail();
  }
  if (!model.has_graph()) {
    modelError(fileLoc, false) << "the model has no graph";
    return fail();
  }
  context->loadDialect<func::FuncDialect, tosa::TosaDialect, QlipDialect>();
  moduleOp = ModuleOp::create(fileLoc);
  if (failed(importGraph(model.graph())))
    return fail();
  if (failed(verify(*moduleOp))) {
    emitError(fileLoc) << "internal error: the imported module does not "
                          "verify (please report with the model)";
    return fail();
  }
  result.module = std::move(moduleOp);
  return result;
}

OnnxImportResult mlir::qlip::importOnnxModel(StringRef bytes,
                                             StringRef filename,
                                             MLIRContext *context,
                                             const OnnxImportOptions &options) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(FileLineColLoc::get(context, filename, 0, 0))
        << "not a valid ONNX model: the protobuf does not parse (truncated "
           "or not an .onnx file)";
    return {nullptr, OnnxImportStatus::Invalid};
  }
  return Importer(context, filename, options).run(model);
}
