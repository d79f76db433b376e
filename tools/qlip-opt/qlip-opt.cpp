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
#include "llvm/Support/MemoryBuffer.h"

#include <vector>

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

/// Whether the MLIR text in `path` names its ops: a NameLoc prints as
/// `loc("name"(...))` or `loc("name")`, a file position as
/// `loc("file":line:col)`.
static bool hasNamedLocations(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return false;
  llvm::StringRef text = (*buffer)->getBuffer();
  for (size_t at = text.find("loc(\""); at != llvm::StringRef::npos;
       at = text.find("loc(\"", at + 5)) {
    size_t close = text.find('"', at + 5);
    while (close != llvm::StringRef::npos && text[close - 1] == '\\')
      close = text.find('"', close + 1);
    if (close + 1 < text.size() &&
        (text[close + 1] == '(' || text[close + 1] == ')'))
      return true;
  }
  return false;
}

int main(int argc, char **argv) {
  mlir::qlip::setQlipVersionPrinter();
  hideLlvmOptions();
  // A model whose ops carry names (the ONNX nodes', as qlip-import-onnx
  // writes them) keeps them: they are what reports, per-layer options and
  // diagnostics call the layers. Its locations are printed unless the
  // command line says otherwise (--mlir-print-debuginfo=false); models
  // with file positions only print as mlir-opt prints them.
  std::vector<char *> args(argv, argv + argc);
  static char printDebugInfo[] = "--mlir-print-debuginfo";
  bool explicitDebugInfo = llvm::any_of(args, [](const char *arg) {
    return llvm::StringRef(arg).contains("mlir-print-debuginfo");
  });
  // The input: the first argument that is not an option or -o's value.
  const char *input = nullptr;
  for (size_t i = 1; i < args.size() && !input; ++i) {
    llvm::StringRef arg = args[i];
    if (arg == "-o" || arg == "--o")
      ++i;
    else if (!arg.starts_with("-"))
      input = args[i];
  }
  if (!explicitDebugInfo && input && hasNamedLocations(input))
    args.insert(args.begin() + 1, printDebugInfo);
  argc = static_cast<int>(args.size());
  argv = args.data();
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
