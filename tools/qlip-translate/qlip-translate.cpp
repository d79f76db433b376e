//===- qlip-translate.cpp - qlip's translate-style driver -------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-opt model.mlir --qlip-lower-to-llvm |
//     qlip-translate --mlir-to-llvmir -o model.ll
//
// mlir-translate with the dialects qlip reads and writes registered, so that
// a lowered module that still carries qlip or TOSA attributes (a function's
// argument attributes, a module's statistics) parses. Its one translation,
// `--mlir-to-llvmir`, is upstream's: the LLVM dialect (and the builtin
// module around it) to textual LLVM IR. Ahead-of-time compilation to an
// object file is `qlip-aot`. `--npu-to-binary` and `--npu-to-listing`
// write an npu.program as the npu's command stream, or its listing
// (docs/npu-command-stream.md).
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"
#include "qlip/Support/CommandLine.h"

#include "dialects/Npu/Target/ToCommandStream.h"

#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

using namespace mlir;

/// `--mlir-to-llvmir`, as upstream registers it, except that the input may
/// use any dialect qlip registers. Upstream's own registration is not used:
/// two translations cannot share a flag, and its registry lacks qlip's
/// dialects.
static void registerQlipToLLVMIRTranslation() {
  TranslateFromMLIRRegistration registration(
      "mlir-to-llvmir",
      "Translate the LLVM dialect (the output of qlip-lower-to-llvm) to LLVM "
      "IR",
      [](Operation *op, raw_ostream &output) {
        llvm::LLVMContext llvmContext;
        std::unique_ptr<llvm::Module> llvmModule =
            translateModuleToLLVMIR(op, llvmContext);
        // translateModuleToLLVMIR reported why on the op's location.
        if (!llvmModule)
          return failure();
        // Debug info prints as records; the old intrinsics' declarations
        // would only be noise.
        llvmModule->removeDebugIntrinsicDeclarations();
        llvmModule->print(output, /*AAW=*/nullptr);
        return success();
      },
      [](DialectRegistry &registry) {
        qlip::registerAllQlipDialects(registry);
        // A module's data layout and target specifications.
        registry.insert<DLTIDialect>();
        registerAllToLLVMIRTranslations(registry);
      });
}

int main(int argc, char **argv) {
  mlir::qlip::setQlipVersionPrinter();
  registerQlipToLLVMIRTranslation();
  npu::registerToCommandStreamTranslations();
  return failed(mlirTranslateMain(argc, argv, "qlip translation driver\n"));
}
