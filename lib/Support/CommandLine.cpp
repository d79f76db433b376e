//===- CommandLine.cpp - tools' shared command-line helpers ---------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/CommandLine.h"

#include "llvm/Config/llvm-config.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

void mlir::qlip::releaseLlvmStatsOption(const char *argv0) {
  namespace cl = llvm::cl;
  const char *argv[] = {argv0};
  cl::ParseCommandLineOptions(1, argv);
  auto &registered = cl::getRegisteredOptions();
  if (auto it = registered.find("stats"); it != registered.end())
    it->second->removeArgument();
  cl::ResetAllOptionOccurrences();
}

void mlir::qlip::setQlipVersionPrinter() {
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "qlip version " QLIP_VERSION_STRING "\n"
       << "  built against LLVM and MLIR " LLVM_VERSION_STRING "\n";
  });
}

llvm::Error mlir::qlip::writeOutputFile(
    llvm::StringRef path,
    llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &message);
  if (!file)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  write(file->os());
  file->os().flush();
  if (file->os().has_error()) {
    std::string error = file->os().error().message();
    file->os().clear_error();
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot write " + path + ": " + error);
  }
  file->keep();
  return llvm::Error::success();
}
