//===- consumer-opt.cpp - a host opt tool that embeds qlip ------*- C++ -*-===//
//
// Registers only what it needs: the func dialect of its own, and qlip's
// dialect and passes through qlip's installed registration functions.
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::func::FuncDialect>();
  mlir::qlip::registerQlipDialects(registry);
  mlir::qlip::registerQlipPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "qlip consumer\n", registry));
}
