//===- LayerProbes.h - find and expose a model's layers ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The model surgery behind qlip-report. A float model, its fake-quant
// model and their clones have the same computing ops in the same order
// (qlip's ops and constants aside: what the model fingerprint counts), so
// an op's index among them names corresponding ops and values in all of
// them.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_REPORT_LAYERPROBES_H
#define QLIP_LIB_REPORT_LAYERPROBES_H

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::qlip {

/// Where a value is, independently of qlip's ops and constants.
struct ValuePosition {
  /// The index of the defining op among the computing ops, or -1 for an
  /// argument of the function.
  int64_t op = -1;
  /// The result number, or the argument number.
  unsigned index = 0;
};

/// The computing ops of one function, in program order.
class ComputeOps {
public:
  explicit ComputeOps(func::FuncOp func);

  llvm::ArrayRef<Operation *> getOps() const { return ops; }
  /// The position of `value`, or none for the result of a qlip op or a
  /// constant.
  std::optional<ValuePosition> find(Value value) const;
  /// The value at `position`; `position` must be valid for this function.
  Value lookup(ValuePosition position) const;

private:
  mutable func::FuncOp func;
  llvm::SmallVector<Operation *> ops;
  llvm::DenseMap<Operation *, int64_t> indices;
};

/// A weight layer (LayerNames' isWeightLayer) and the quantizers it owns.
struct ProbedLayer {
  /// The layer op's index among the computing ops.
  int64_t op = 0;
  /// The fake_quant of its weight, of its activation input (operand 0, through
  /// reshapes and transposes) and of its output; null where there is none.
  FakeQuantOp weight, input, output;
  /// The layer's output: its result after the ops the integer lowering folds
  /// into the layer (bias adds, clamps, reshapes), the value `output`
  /// quantizes when there is one.
  ValuePosition outputPosition;
};

/// The weight layers of `func` in program order.
llvm::SmallVector<ProbedLayer> findLayers(const ComputeOps &ops);

/// The value that measures `layer`'s output in the model it was found in:
/// the result of its output fake_quant, else its output.
Value getMeasuredValue(const ProbedLayer &layer, const ComputeOps &ops);

/// Removes every fake_quant of `func` but those in `keep`; their users read
/// their inputs instead.
void stripFakeQuants(func::FuncOp func,
                     const llvm::SmallPtrSetImpl<Operation *> &keep);

} // namespace mlir::qlip

#endif // QLIP_LIB_REPORT_LAYERPROBES_H
