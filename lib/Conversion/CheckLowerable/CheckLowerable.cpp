//===- CheckLowerable.cpp - diagnose what the lowering cannot lower -------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cstdint>

namespace mlir::qlip {
#define GEN_PASS_DEF_CHECKLOWERABLEPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;

namespace {
struct CheckLowerablePass
    : qlip::impl::CheckLowerablePassBase<CheckLowerablePass> {
  void runOnOperation() override {
    // Every offending op is reported, so that one run lists what to fix.
    bool lowerable = true;
    getOperation()->walk([&](tosa::RescaleOp op) {
      if (op.getRoundingMode() != tosa::RoundingMode::INEXACT_ROUND)
        return;
      op.emitOpError()
          << "with rounding_mode = INEXACT_ROUND cannot be lowered: the "
             "upstream TOSA-to-linalg conversion implements SINGLE_ROUND and "
             "DOUBLE_ROUND only; SINGLE_ROUND's results are within the "
             "specification's bound for INEXACT_ROUND";
      lowerable = false;
    });
    // A pooling window past its padded input has no valid output (the
    // verifier checks that only for static result shapes), and windows
    // beyond int32 overflow the lowering's index arithmetic.
    auto checkWindow = [&](Operation *op, ArrayRef<int64_t> kernel,
                           ArrayRef<int64_t> pad, Value input) {
      auto type = cast<ShapedType>(input.getType());
      for (unsigned i = 0; i < 2; ++i) {
        int64_t dim = type.hasRank() ? type.getDimSize(1 + i)
                                     : ShapedType::kDynamic;
        bool tooLarge = kernel[i] > INT32_MAX;
        bool pastInput = !ShapedType::isDynamic(dim) &&
                         kernel[i] > dim + pad[2 * i] + pad[2 * i + 1];
        if (!tooLarge && !pastInput)
          continue;
        InFlightDiagnostic diag = op->emitOpError()
                                  << "kernel " << (i ? "width" : "height")
                                  << " " << kernel[i];
        if (tooLarge)
          diag << " does not fit in int32";
        else
          diag << " is larger than the padded input's " << dim << " + "
               << pad[2 * i] << " + " << pad[2 * i + 1];
        lowerable = false;
        return;
      }
    };
    getOperation()->walk([&](tosa::MaxPool2dOp op) {
      checkWindow(op, op.getKernel(), op.getPad(), op.getInput());
    });
    getOperation()->walk([&](tosa::AvgPool2dOp op) {
      checkWindow(op, op.getKernel(), op.getPad(), op.getInput());
    });
    if (!lowerable)
      return signalPassFailure();
  }
};
} // namespace
