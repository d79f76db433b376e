//===- Quantizer.h - fake-quant TOSA to integer TOSA ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The driver of qlip-quantize. A fake-quant model says where values are
// quantized (the qlip.fake_quant ops) but computes in float; the integer
// model must carry, for every float value it replaces, how the integers
// stand for it. That is a forward dataflow over the function: each value
// gets a QuantState (an integer tensor on a grid, or an int32 accumulator
// with per-channel scales and a clamp still to apply), and each op is
// rewritten by a rule that reads the states of its operands. An
// accumulator's scale, bias and clamp are only known once the chain
// conv -> bias -> ReLU -> fake_quant has been read, which is why this is a
// state-carrying walk rather than a set of independent 1:1 conversion
// patterns. Ops no rule takes stay float: their operands are dequantized
// and their results quantized again where the model says so.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_CONVERSION_QUANTIZETOTOSA_QUANTIZER_H
#define QLIP_LIB_CONVERSION_QUANTIZETOTOSA_QUANTIZER_H

#include "dialects/Qlip/IR/QlipAttrs.h"
#include "qlip/Support/FixedPoint.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <limits>
#include <string>
#include <variant>

namespace mlir::qlip::quantize {

/// An integer tensor (i8 or i16) whose value is `(q - z) * s` on a
/// per-tensor grid; `qparams` is in signed-storage form
/// (QParamsAttr::getSignedStorage).
struct IntTensor {
  Value value;
  QParamsAttr qparams;
};

/// An int32 (i48 after 16-bit activations) accumulator whose value is
/// `acc * scales[c]`, c the index along the last axis (one scale: per
/// tensor), clamped to [clampLo, clampHi] once it is requantized.
struct Accumulator {
  Value value;
  SmallVector<double> scales;
  double clampLo = -std::numeric_limits<double>::infinity();
  double clampHi = std::numeric_limits<double>::infinity();
};

using QuantState = std::variant<IntTensor, Accumulator>;

struct QuantizeOptions {
  RoundingMode rounding = RoundingMode::Single;
  bool int4Weights = true;
  bool integerIO = false;
  bool strict = false;
};

/// One layer the pass made integer, for the report.
struct LayerRecord {
  std::string name;
  std::string opName;
  unsigned weightBits = 0;
  std::string weightType;
  std::string accType;
  double inputScale = 0;
  int64_t inputZeroPoint = 0;
  /// Channels whose weight scale was raised so that the bias fits int32.
  unsigned biasAdjusted = 0;
};

/// One requantization (tosa.rescale to a grid).
struct RescaleRecord {
  std::string name;
  unsigned bits = 0;
  double scale = 0;
  int64_t zeroPoint = 0;
  int32_t minMultiplier = 0, maxMultiplier = 0;
  int minShift = 0, maxShift = 0;
};

struct QuantizeReport {
  SmallVector<LayerRecord> layers;
  SmallVector<RescaleRecord> rescales;
  /// Ops left in float, as `name (op)`.
  SmallVector<std::string> floatOps;
  /// TOSA extensions the integer model needs.
  bool needsInt4 = false, needsInt16 = false, needsDoubleRound = false;
};

/// Rewrites one function. Rules return true when they made the op integer,
/// false when it stays float, and failure after emitting an error.
class Quantizer {
public:
  Quantizer(func::FuncOp func, const QuantizeOptions &options,
            QuantizeReport &report)
      : func(func), options(options), report(report),
        builder(func.getContext()) {}

  LogicalResult run();

  //===--------------------------------------------------------------------===//
  // Emission helpers (Quantizer.cpp)
  //===--------------------------------------------------------------------===//

  OpBuilder &getBuilder() { return builder; }
  const QuantizeOptions &getOptions() const { return options; }
  QuantizeReport &getReport() { return report; }

  /// The state of `value`, or null when it is float.
  const QuantState *lookup(Value value) const;
  const IntTensor *lookupInt(Value value) const;
  /// Records that `floatValue` (a result of `op`, which the pass erases) is
  /// now `state`.
  void replaceWith(Operation *op, Value floatValue, QuantState state);

  /// A `tensor<shape x iN>` tosa.const holding `values`.
  Value createIntConstant(Location loc, ArrayRef<int64_t> shape,
                          unsigned width, ArrayRef<int64_t> values);
  /// The `tensor<1 x iN>` zero-point operand of TOSA's integer ops.
  Value createZeroPoint(Location loc, unsigned width, int64_t value);
  /// The integer type of `width` bits.
  IntegerType getIntType(unsigned width) { return builder.getIntegerType(width); }
  /// `type` with `elementType`.
  static RankedTensorType withElementType(Type type, Type elementType);

  /// tosa.rescale of `input` (integer, zero point `inputZp`) by `scales`
  /// (one, or one per channel of the last axis) to `outWidth` bits with
  /// zero point `outputZp`. 48-bit inputs use 16-bit multipliers and
  /// single rounding, as TOSA requires.
  FailureOr<Value> emitRescale(Location loc, Value input, int64_t inputZp,
                               ArrayRef<double> scales, unsigned outWidth,
                               int64_t outputZp, RescaleRecord *record);
  /// tosa.clamp of the integer `input` to [lo, hi] unless that is the whole
  /// range of its type.
  Value emitIntClamp(Location loc, Value input, int64_t lo, int64_t hi);
  /// `state` on the grid `target` (signed-storage form): reused, rescaled
  /// or requantized from an accumulator, with the accumulator's clamp.
  FailureOr<IntTensor> requantize(Location loc, const QuantState &state,
                                  QParamsAttr target, StringRef name);
  /// `in` as int32 at real scale `scale` (zero point 0).
  FailureOr<Value> toInt32(Location loc, const IntTensor &in, double scale);
  /// The float value `state` stands for, computed before `user`.
  Value dequantize(Value floatValue, const QuantState &state,
                   Operation *user);

  /// Emits an error prefixed with the pass name at `op`: for inputs the
  /// integer model cannot represent.
  InFlightDiagnostic emitError(Operation *op, const Twine &message);

  //===--------------------------------------------------------------------===//
  // Rules
  //===--------------------------------------------------------------------===//

  /// Layers with weights (LayerRules.cpp): conv2d, depthwise_conv2d,
  /// transpose_conv2d, matmul.
  FailureOr<bool> quantizeLayer(Operation *op);
  /// The other ops (OpRules.cpp).
  FailureOr<bool> quantizeFakeQuant(Operation *op);
  FailureOr<bool> quantizeClamp(Operation *op);
  FailureOr<bool> quantizeDataMovement(Operation *op);
  FailureOr<bool> quantizePad(Operation *op);
  FailureOr<bool> quantizeMaxPool(Operation *op);
  FailureOr<bool> quantizeAvgPool(Operation *op);
  FailureOr<bool> quantizeAddSub(Operation *op);
  FailureOr<bool> quantizeMul(Operation *op);
  FailureOr<bool> quantizeConcat(Operation *op);

  /// Ops whose results were folded into the layer before them (a bias
  /// `tosa.add` after a matmul): their result takes their operand's state.
  llvm::SmallPtrSet<Operation *, 8> absorbedBias;

private:
  FailureOr<bool> quantizeOp(Operation *op);
  void keepFloat(Operation *op);
  LogicalResult finishReturn(func::ReturnOp ret);
  void quantizeArguments();

  func::FuncOp func;
  const QuantizeOptions &options;
  QuantizeReport &report;
  OpBuilder builder;
  DenseMap<Value, QuantState> states;
  DenseMap<Value, Value> dequantized;
  SmallVector<Operation *> erased;
};

/// The name a report uses for `op`: its NameLoc, else file:line:col, else
/// the op name.
std::string describeOp(Operation *op);

/// Creates `op` again, before the builder's insertion point, with
/// `operands`, one result of `resultType` and its attributes; an `acc_type`
/// attribute becomes `accType` when one is given (integer convolutions and
/// pools accumulate in i32 or i48).
Operation *cloneWithOperands(OpBuilder &builder, Operation *op,
                             ValueRange operands, Type resultType,
                             Type accType = {});

} // namespace mlir::qlip::quantize

#endif // QLIP_LIB_CONVERSION_QUANTIZETOTOSA_QUANTIZER_H
