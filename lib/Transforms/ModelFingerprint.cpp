//===- ModelFingerprint.cpp - which model a stats file belongs to -*- C++ -*-=//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/ModelFingerprint.h"
#include "qlip/Transforms/Passes.h"

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/xxhash.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_PRINTFINGERPRINTPASS
#include "qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

std::string mlir::qlip::computeModelFingerprint(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.walk([&](Operation *op) {
    if (auto func = dyn_cast<func::FuncOp>(op)) {
      os << "func " << func.getSymName() << " " << func.getFunctionType()
         << "\n";
      return;
    }
    if (auto observe = dyn_cast<ObserveOp>(op)) {
      os << "observe " << observe.getId() << " " << observe.getType() << "\n";
      return;
    }
    if (!isFingerprintedComputeOp(op))
      return;
    os << op->getName() << " " << op->getResultTypes() << "\n";
  });
  return llvm::formatv("xxh3:{0:x16}", llvm::xxh3_64bits(text)).str();
}

bool mlir::qlip::isFingerprintedComputeOp(Operation *op) {
  return !isa<QlipDialect>(op->getDialect()) &&
         !op->hasTrait<OpTrait::ConstantLike>() &&
         !isa<ModuleOp, func::FuncOp>(op) && !op->hasAttr(QlipDialect::kAddedAttrName);
}

namespace {
struct PrintFingerprintPass
    : qlip::impl::PrintFingerprintPassBase<PrintFingerprintPass> {
  void runOnOperation() override {
    llvm::outs() << "fingerprint: " << computeModelFingerprint(getOperation())
                 << "\n";
    markAllAnalysesPreserved();
  }
};
} // namespace
