//===- EmitCInterface.cpp - request C wrappers for public functions -------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_EMITCINTERFACEPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;

namespace {
struct EmitCInterfacePass
    : qlip::impl::EmitCInterfacePassBase<EmitCInterfacePass> {
  void runOnOperation() override {
    // The name func-to-llvm looks for (LLVMDialect::getEmitCWrapperAttrName).
    StringAttr name = StringAttr::get(
        &getContext(), LLVM::LLVMDialect::getEmitCWrapperAttrName());
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(name, UnitAttr::get(&getContext()));
  }
};
} // namespace
