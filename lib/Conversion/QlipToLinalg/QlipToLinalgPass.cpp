//===- QlipToLinalgPass.cpp - the qlip-to-linalg pass -----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"

#include "dialects/Qlip/IR/QlipDialect.h"

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_QLIPTOLINALGPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {
struct QlipToLinalgPass : qlip::impl::QlipToLinalgPassBase<QlipToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Every qlip op must go; what the patterns create is legal, and other
    // dialects (TOSA, func, ...) are not this pass's business.
    ConversionTarget target(*ctx);
    target.addIllegalDialect<QlipDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();

    RewritePatternSet patterns(ctx);
    populateQlipToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
