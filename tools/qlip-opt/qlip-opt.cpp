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
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"

/// Hides (from --help, not from --help-hidden) every option that exists
/// before MlirOptMain registers its own: LLVM's, hundreds of them for
/// backends qlip-opt never runs. MLIR's options, the passes and
/// pipelines, --help and --version stay.
static void hideLlvmOptions() {
  for (auto &entry : llvm::cl::getRegisteredOptions()) {
    llvm::cl::Option *option = entry.second;
    if (llvm::is_contained(option->Categories,
                           &llvm::cl::getGeneralCategory()) &&
        option->getOptionHiddenFlag() == llvm::cl::NotHidden)
      option->setHiddenFlag(llvm::cl::Hidden);
  }
}

int main(int argc, char **argv) {
  mlir::qlip::setQlipVersionPrinter();
  hideLlvmOptions();
  mlir::DialectRegistry registry;
  mlir::qlip::registerAllQlip(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "qlip optimizer driver: quantizes float TOSA models\n\n"
      "  qlip-opt model.mlir --qlip-ptq=\"calib=calib.npy weight-bits=4 "
      "act-bits=4\" -o int.mlir\n\n"
      "qlip's pipelines are --qlip-prepare, --qlip-ptq and "
      "--qlip-lower-to-llvm; its passes are the --qlip-* entries under "
      "'Compiler passes to run' below (pipelines last), each with its "
      "options (--list-passes lists the names). From an ONNX or TOSA model "
      "to an object file in one command: qlip-compile.\n",
      registry));
}
