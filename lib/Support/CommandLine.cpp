//===- CommandLine.cpp - tools' shared command-line helpers ---------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/CommandLine.h"

#include "llvm/Support/CommandLine.h"

void mlir::qlip::releaseLlvmStatsOption(const char *argv0) {
  namespace cl = llvm::cl;
  const char *argv[] = {argv0};
  cl::ParseCommandLineOptions(1, argv);
  auto &registered = cl::getRegisteredOptions();
  if (auto it = registered.find("stats"); it != registered.end())
    it->second->removeArgument();
  cl::ResetAllOptionOccurrences();
}
