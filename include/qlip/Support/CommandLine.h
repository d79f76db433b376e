//===- CommandLine.h - tools' shared command-line helpers -------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_SUPPORT_COMMANDLINE_H
#define QLIP_SUPPORT_COMMANDLINE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir::qlip {

/// Frees the name `stats` for a tool's own `--stats FILE` (the statistics
/// file of qlip-calibrate and qlip-report). LLVM registers its `-stats`
/// (print pass statistics) the first time a command line is parsed, so this
/// parses an empty command line, before the tool's options exist, and
/// unregisters LLVM's option; the registration happens once per process,
/// so the real parse does not bring it back. Call it first in main().
void releaseLlvmStatsOption(const char *argv0);

/// Makes `--version` print qlip's version and the LLVM and MLIR it was
/// built against, in place of LLVM's own text. Call before the command line
/// is parsed.
void setQlipVersionPrinter();

/// Writes a tool's output file `path` ("-": stdout) with `write`, kept only
/// when everything was written; the error names the file.
llvm::Error writeOutputFile(llvm::StringRef path,
                            llvm::function_ref<void(llvm::raw_ostream &)> write);

} // namespace mlir::qlip

#endif // QLIP_SUPPORT_COMMANDLINE_H
