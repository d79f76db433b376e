//===- StripObservers.cpp - remove qlip.observe -----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipOps.h"
#include "dialects/Qlip/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_STRIPOBSERVERSPASS
#include "dialects/Qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {
struct StripObserver : OpRewritePattern<ObserveOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ObserveOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

struct StripObserversPass
    : qlip::impl::StripObserversPassBase<StripObserversPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateStripObserversPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::qlip::populateStripObserversPatterns(RewritePatternSet &patterns) {
  patterns.add<StripObserver>(patterns.getContext());
}
