//===- RecordPtqOptions.cpp - how an integer model was made -----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/Passes.h"

#include "dialects/Qlip/IR/QlipDialect.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_RECORDPTQOPTIONSPASS
#include "qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {
struct RecordPtqOptionsPass
    : qlip::impl::RecordPtqOptionsPassBase<RecordPtqOptionsPass> {
  using RecordPtqOptionsPassBase::RecordPtqOptionsPassBase;
  void runOnOperation() override {
    getOperation()->setAttr(
        QlipDialect::kPtqOptionsAttrName,
        StringAttr::get(&getContext(), llvm::StringRef(text).trim()));
  }
};
} // namespace
