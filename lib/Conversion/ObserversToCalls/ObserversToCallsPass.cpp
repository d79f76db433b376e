//===- ObserversToCallsPass.cpp - qlip-lower-observers-to-calls -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/ObserversToCalls/ObserversToCalls.h"
#include "qlip/Conversion/Passes.h"

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_LOWEROBSERVERSTOCALLSPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {
struct LowerObserversToCallsPass
    : qlip::impl::LowerObserversToCallsPassBase<LowerObserversToCallsPass> {
  using LowerObserversToCallsPassBase::LowerObserversToCallsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<int64_t> indices;
    for (auto [i, observer] : llvm::enumerate(collectObservers(module)))
      indices[observer.id] = static_cast<int64_t>(i);
    // Nothing to report: leave the module as it was (no declaration).
    if (indices.empty())
      return;
    if (failed(declareObserveCallee(module, callee)))
      return signalPassFailure();

    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalOp<ObserveOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateObserversToCallsPatterns(patterns, indices, callee);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
