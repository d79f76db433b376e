//===- Importer.h - the ONNX importer's state -------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The graph walk of importOnnxModel. Each ONNX value name maps to either a
// constant (an initializer or a Constant node, kept as data until an op
// needs it, so that weights can be re-laid out and shapes read) or an SSA
// tensor with its layout. Op converters (OnnxLayerOps.cpp: convolutions,
// pools, matmuls, batch norm; OnnxTensorOps.cpp: elementwise, shape,
// softmax and QDQ ops) read their inputs through this class and define
// their outputs.
//
// Layouts: a 4-D tensor is kept NHWC from the first op that wants NHWC
// (a convolution or a pool) through every op that does not care (an
// elementwise op, a batch norm, a concat along a remapped axis) and is
// turned back to the ONNX layout only where an op's semantics depend on it
// (a reshape, a flatten, a graph output). A transpose that only moves unit
// dimensions is emitted as a reshape.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_IMPORT_IMPORTER_H
#define QLIP_LIB_IMPORT_IMPORTER_H

#include "qlip/Import/OnnxImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

#include <limits>
#include <optional>
#include <vector>

namespace mlir::qlip::onnx_import {

/// The most elements a tensor of the model may have (a weight, a graph
/// input): far beyond any model qlip compiles, and low enough that sizes
/// computed from shapes cannot overflow int64.
inline constexpr int64_t kMaxElements = int64_t(1) << 40;

/// The largest kernel size, stride, dilation or pad the importer takes:
/// TOSA keeps them as int32, and sizes computed from them cannot overflow.
inline constexpr int64_t kMaxWindowValue = std::numeric_limits<int32_t>::max();

/// The permutations between ONNX's NCHW and TOSA's NHWC.
inline constexpr int64_t kToNhwc[] = {0, 2, 3, 1};
inline constexpr int64_t kToNchw[] = {0, 3, 1, 2};

/// Quantization parameters of a DequantizeLinear'd constant or a
/// QuantizeLinear'd tensor, as the model gives them.
struct QuantInfo {
  unsigned bits = 8;
  bool isSigned = false;
  /// The ONNX axis of per-axis parameters.
  std::optional<int64_t> axis;
  std::vector<double> scales;
  std::vector<int64_t> zeroPoints;
};

/// A constant's data in its ONNX layout, widened to double (exact for
/// float32 and for int64 shapes below 2^53).
struct ConstData {
  SmallVector<int64_t> shape;
  std::vector<double> values;
  bool isFloat = true;
  /// The ONNX element type it was read from (TensorProto::DataType).
  int32_t dataType = onnx::TensorProto::FLOAT;
  /// Set when the data came out of a DequantizeLinear of integers: the
  /// values are on this grid, and uses as a weight keep the grid.
  std::optional<QuantInfo> quant;

  int64_t numElements() const { return static_cast<int64_t>(values.size()); }
  /// The data permuted by `perm` (result dim i is input dim perm[i]).
  ConstData permuted(ArrayRef<int64_t> perm) const;
  /// The data with its shape replaced (same number of elements).
  ConstData reshaped(ArrayRef<int64_t> newShape) const;
};

enum class Layout { Onnx, Nhwc };

/// An SSA value of the imported function.
struct TensorValue {
  Value value;
  Layout layout = Layout::Onnx;
};

/// The static shape of a ranked tensor value.
inline ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// The channel of each element of per-axis `quant` data of shape `shape`,
/// in row-major order: element i is on channel (i / inner) % channels.
struct ChannelOfElement {
  ChannelOfElement(ArrayRef<int64_t> shape, const QuantInfo &quant);
  size_t operator()(size_t element) const {
    return perAxis ? (element / inner) % channels : 0;
  }
  bool perAxis;
  size_t inner = 1, channels;
};

/// The shape of `tensor` in the ONNX layout (no op is emitted).
SmallVector<int64_t> onnxShapeOf(const TensorValue &tensor);

/// The output of a QuantizeLinear of a tensor: only a DequantizeLinear
/// with the same parameters may read it (the pair is one fake_quant).
struct QuantizedTensor {
  TensorValue input;
  QuantInfo quant;
};

class Importer {
public:
  Importer(MLIRContext *context, StringRef filename,
           const OnnxImportOptions &options);

  OnnxImportResult run(const onnx::ModelProto &model);

  //===--------------------------------------------------------------------===//
  // What converters use
  //===--------------------------------------------------------------------===//

  /// The node being converted and a builder at its location.
  const onnx::NodeProto &node() const { return *currentNode; }
  ImplicitLocOpBuilder &builder() { return *b; }
  int64_t opset() const { return opsetVersion; }
  /// The directory the model's external data is read from.
  StringRef externalDataDir() const { return options.externalDataDir; }
  MLIRContext *getContext() const { return context; }

  /// An error on the current node ("node 'name' (Op): ...").
  InFlightDiagnostic error();
  /// The same, and the model is marked as using an unsupported feature.
  InFlightDiagnostic unsupported();

  /// The number of inputs, counting an empty name as absent.
  bool hasInput(int i) const;
  /// The constant input `i`, or none when it is absent or computed.
  const ConstData *getConstInput(int i) const;
  /// Input `i` as a tensor in any layout (constants are materialized).
  FailureOr<TensorValue> getInput(int i);
  /// Input `i` in the ONNX layout.
  FailureOr<Value> getOnnxInput(int i);
  /// Input `i` in NHWC (it must be 4-D).
  FailureOr<Value> getNhwcInput(int i);
  /// Input `i` as a constant, or an error saying it must be one.
  FailureOr<const ConstData *> requireConstInput(int i, StringRef what);
  /// Input `i` as a constant of integers (axes, a shape, pads), saturated
  /// to int64, or an error.
  FailureOr<SmallVector<int64_t>> requireConstInts(int i, StringRef what);

  /// Defines output `i` of the node.
  void setOutput(int i, Value value, Layout layout = Layout::Onnx);
  void setConstOutput(int i, ConstData data);
  void setQuantizedOutput(int i, QuantizedTensor quantized);
  /// The QuantizeLinear output input `i` names, if it is one.
  const QuantizedTensor *getQuantizedInput(int i) const;

  /// Attributes.
  const onnx::AttributeProto *findAttr(StringRef name) const;
  int64_t getIntAttr(StringRef name, int64_t defaultValue) const;
  float getFloatAttr(StringRef name, float defaultValue) const;
  std::string getStringAttr(StringRef name, StringRef defaultValue) const;
  SmallVector<int64_t> getIntsAttr(StringRef name) const;

  /// Value helpers.
  Value toOnnx(TensorValue tensor);
  Value toNhwc(TensorValue tensor);
  /// `value` with its dimensions permuted (a reshape when only unit
  /// dimensions move).
  Value permute(Value value, ArrayRef<int64_t> perm);
  Value reshape(Value value, ArrayRef<int64_t> shape);
  Value constant(const ConstData &data);
  /// `constant(data)`, fake-quantized on its imported grid if it has one.
  FailureOr<Value> constantOnGrid(const ConstData &data);
  Value floatConstant(ArrayRef<int64_t> shape, ArrayRef<float> values);
  /// The shared zero point (0.0 : tensor<1xf32>) and mul shift (0 : i8).
  Value zeroPoint();
  Value mulShift();
  /// `type` with element type f32 and shape `shape`.
  RankedTensorType f32Type(ArrayRef<int64_t> shape);
  /// The fake_quant of `value` on `quant`'s grid, with `axis` the axis of
  /// `value` that holds per-axis parameters.
  FailureOr<Value> fakeQuant(Value value, const QuantInfo &quant,
                             std::optional<int64_t> axis);
  /// A name derived from the node's, for the location of a helper op.
  Location subLoc(StringRef suffix);

  /// Checks a weight's values are finite.
  LogicalResult checkFinite(const ConstData &data, StringRef what);

private:
  LogicalResult importGraph(const onnx::GraphProto &graph);
  LogicalResult importInitializer(const onnx::TensorProto &tensor);
  /// `--const-input SPEC` for one of `graph`'s inputs.
  LogicalResult importConstantInput(StringRef spec,
                                    const onnx::GraphProto &graph);
  FailureOr<RankedTensorType> importValueType(const onnx::ValueInfoProto &info,
                                              bool isInput);
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  InFlightDiagnostic modelError(Location loc, bool isUnsupported);
  /// The current node's name, in the model's file.
  Location diagnosticLoc();

  MLIRContext *context;
  std::string filename;
  OwningOpRef<ModuleOp> moduleOp;
  OnnxImportOptions options;
  int64_t opsetVersion = 0;
  bool sawUnsupported = false;

  const onnx::NodeProto *currentNode = nullptr;
  std::string currentName;
  std::optional<ImplicitLocOpBuilder> b;
  Block *entryBlock = nullptr;
  Value zeroPointValue, mulShiftValue;

  llvm::StringMap<TensorValue> tensors;
  llvm::StringMap<ConstData> constants;
  llvm::StringMap<QuantizedTensor> quantizedTensors;
  /// The graph inputs --const-input has frozen.
  llvm::StringSet<> constantInputNames;
  /// Conversions already made (to avoid a second transpose of one value).
  DenseMap<Value, Value> onnxOf, nhwcOf;
  /// Names of blobs, to keep them unique.
  llvm::StringMap<unsigned> blobNames;
};

/// Converts a TensorProto to data (float, double, float16, int8/16/32/64,
/// uint8, bool). Errors name `what`.
FailureOr<ConstData> readTensorProto(const onnx::TensorProto &tensor,
                                     StringRef externalDataDir,
                                     function_ref<InFlightDiagnostic()> error);

/// A converter: reads the current node through the importer, defines its
/// outputs, and fails with a diagnostic.
using OpConverter = LogicalResult (*)(Importer &);

/// Registration of the converters of each file.
void addLayerOpConverters(llvm::StringMap<OpConverter> &table);
void addTensorOpConverters(llvm::StringMap<OpConverter> &table);

} // namespace mlir::qlip::onnx_import

#endif // QLIP_LIB_IMPORT_IMPORTER_H
