//===- LLVMOptimizer.cpp - LLVM's pipeline for qlip's lowered code --------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Pipelines/Pipelines.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/Support/CommandLine.h"

#include <mutex>

/// LLVM's loop-unroll pass reads its full-unroll cap from this option;
/// PipelineTuningOptions has no field for it.
static void capFullUnrolling() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto options =
        llvm::cl::getRegisteredOptions();
    auto it = options.find("unroll-full-max-count");
    if (it == options.end() || it->second->getNumOccurrences() > 0)
      return;
    // As if given on the command line: the pass reads the value only then.
    // Measured on the bundled model at batch 64: 4 and 2 give the same
    // speed (1.4x faster than no cap); 4 keeps short reductions unrolled.
    (void)it->second->addOccurrence(0, "unroll-full-max-count", "4");
  });
}

std::function<llvm::Error(llvm::Module *)>
mlir::qlip::makeLLVMOptimizer(unsigned optLevel,
                              llvm::TargetMachine *machine) {
  capFullUnrolling();
  return mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, machine);
}
