//===- qlip-opt.cpp - qlip's opt-style driver -------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Runs qlip's passes and pipelines, and the upstream ones qlip lowers
// through, on MLIR files.
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"
#include "qlip/Support/CommandLine.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::qlip::setQlipVersionPrinter();
  mlir::DialectRegistry registry;
  mlir::qlip::registerAllQlip(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qlip optimizer driver: quantizes float TOSA models\n",
      registry));
}
