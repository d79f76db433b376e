//===- CheckLowerable.cpp - diagnose what the lowering cannot lower -------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

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
    if (!lowerable)
      return signalPassFailure();
  }
};
} // namespace
