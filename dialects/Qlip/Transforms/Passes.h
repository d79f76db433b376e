//===- Passes.h - qlip dialect passes ---------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_TRANSFORMS_PASSES_H
#define QLIP_DIALECT_QLIP_TRANSFORMS_PASSES_H

#include "dialects/Qlip/IR/QlipDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qlip {

#define GEN_PASS_DECL
#include "dialects/Qlip/Transforms/Passes.h.inc"

/// Adds the pattern that replaces `qlip.observe` with its input.
void populateStripObserversPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "dialects/Qlip/Transforms/Passes.h.inc"

} // namespace mlir::qlip

#endif // QLIP_DIALECT_QLIP_TRANSFORMS_PASSES_H
