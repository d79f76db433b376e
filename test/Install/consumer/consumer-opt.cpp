//===- consumer-opt.cpp - a host opt tool that embeds qlip ------*- C++ -*-===//
//
// Registers only what it needs: the func dialect of its own, and qlip's
// dialect and passes through qlip's installed registration functions. It
// also builds one qlip pass by its C++ constructor (from the installed,
// generated pass declarations) as a host compiler's own pipeline would.
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"
#include "qlip/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::func::FuncDialect>();
  mlir::qlip::registerQlipDialects(registry);
  mlir::qlip::registerQlipPassesAndPipelines();
  mlir::PassPipelineRegistration<>(
      "consumer-observe", "qlip-insert-observers, built in C++",
      [](mlir::OpPassManager &pm) {
        pm.addPass(mlir::qlip::createInsertObserversPass());
      });
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "qlip consumer\n", registry));
}
