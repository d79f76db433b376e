//===- ProgressBar.cpp - progress on a terminal -----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/ProgressBar.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::qlip;

ProgressBar::ProgressBar(unsigned passes, llvm::StringRef unit)
    : enabled(llvm::sys::Process::StandardErrIsDisplayed()), passes(passes),
      unit(unit.str()) {}

void ProgressBar::update(unsigned pass, int64_t done, int64_t total) {
  if (!enabled)
    return;
  auto now = std::chrono::steady_clock::now();
  if (pass != currentPass) {
    currentPass = pass;
    start = now;
    lastDraw = {};
  }
  // Redrawing per step would slow down small models; ten a second is
  // smooth enough.
  if (done < total && now - lastDraw < std::chrono::milliseconds(100))
    return;
  lastDraw = now;
  double seconds = std::chrono::duration<double>(now - start).count();
  constexpr int width = 30;
  int filled = total ? static_cast<int>(width * done / total) : width;
  llvm::errs() << "\r";
  if (passes > 0)
    llvm::errs() << "pass " << pass << "/" << passes << " ";
  llvm::errs() << "[" << std::string(filled, '#') << std::string(width - filled, ' ')
               << "] " << done << "/" << total << " " << unit;
  if (seconds > 0)
    llvm::errs() << llvm::format(", %.1f ", done / seconds) << unit << "/s";
  if (done == total)
    llvm::errs() << "\n";
  llvm::errs().flush();
}
