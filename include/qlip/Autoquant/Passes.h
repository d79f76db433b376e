//===- Passes.h - passes that run the model while compiling -----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_AUTOQUANT_PASSES_H
#define QLIP_AUTOQUANT_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qlip {

#define GEN_PASS_DECL
#include "qlip/Autoquant/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qlip/Autoquant/Passes.h.inc"

} // namespace mlir::qlip

#endif // QLIP_AUTOQUANT_PASSES_H
