//===- ProgressBar.h - progress on a terminal -------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_SUPPORT_PROGRESSBAR_H
#define QLIP_SUPPORT_PROGRESSBAR_H

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace mlir::qlip {

/// A progress bar per pass on stderr, drawn only when stderr is a terminal
/// (pipes and logs get nothing), at most ten times a second:
///
///   pass 1/2 [#########        ] 96/256 samples, 410.2 samples/s
class ProgressBar {
public:
  /// `passes` is how many passes will run (0: one, and no "pass" prefix);
  /// `unit` names what is counted.
  ProgressBar(unsigned passes, llvm::StringRef unit);

  /// `done` of `total` in `pass` (1-based); the line ends when done ==
  /// total.
  void update(unsigned pass, int64_t done, int64_t total);

private:
  bool enabled;
  unsigned passes;
  std::string unit;
  unsigned currentPass = 0;
  std::chrono::steady_clock::time_point start, lastDraw;
};

} // namespace mlir::qlip

#endif // QLIP_SUPPORT_PROGRESSBAR_H
