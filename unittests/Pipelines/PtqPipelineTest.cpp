//===- PtqPipelineTest.cpp - buildPtqPipeline for host compilers --------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"
#include "qlip/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "gtest/gtest.h"

#include <string>

using namespace mlir;

namespace {
std::string pipelineText(const qlip::PtqOptions &options) {
  OpPassManager pm(ModuleOp::getOperationName());
  qlip::buildPtqPipeline(pm, options);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}
} // namespace

TEST(PtqPipelineTest, StagesInOrderWithTheOptionsPassedOn) {
  qlip::registerAllQlipPasses();
  qlip::PtqOptions options;
  ASSERT_TRUE(succeeded(options.parseFromString(
      "stats=s.json weight-bits=4 act-bits=3 weight-clip=sawb "
      "act-clip=aciq bias-correction bit-allocation rounding-mode=double "
      "integer-io max-pool-input-grid")));
  std::string text = pipelineText(options);
  // prepare, ranges, quantize, clean-up: each stage after the one before.
  size_t last = 0;
  for (const char *pass :
       {"qlip-fold-batchnorm", "qlip-insert-observers", "qlip-apply-stats",
        "qlip-quantize-weights", "qlip-quantize-activations",
        "qlip-quantize{", "canonicalize", "cse"}) {
    size_t at = text.find(pass, last);
    ASSERT_NE(at, std::string::npos) << pass << " in " << text;
    last = at;
  }
  for (const char *option :
       {"file=s.json", "bits=4", "clip=sawb", "bias-correction=true",
        "bit-allocation=true", "act-bits=3", "act-clip=aciq",
        "first-layer-bits=8", "last-layer-bits=8", "rounding-mode=double",
        "integer-io=true", "validate=true", "max-pool-input-grid=true"})
    EXPECT_NE(text.find(option), std::string::npos) << option << " in " << text;
}

TEST(PtqPipelineTest, BadOptionsAreRejected) {
  qlip::PtqOptions options;
  EXPECT_TRUE(failed(options.parseFromString("weight-clip=kl")));
  EXPECT_TRUE(failed(options.parseFromString("rounding-mode=inexact")));
}
