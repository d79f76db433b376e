//===- Passes.h - npu dialect passes ----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_TRANSFORMS_PASSES_H
#define QLIP_DIALECT_NPU_TRANSFORMS_PASSES_H

#include "dialects/Npu/IR/NpuDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::npu {

#define GEN_PASS_DECL
#include "dialects/Npu/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Npu/Transforms/Passes.h.inc"

/// The name the npu passes' reports give a layer: its location's name
/// (the ONNX node's, for an imported model), else its source line, else
/// its op. Defined in LayerName.cpp.
std::string getLayerName(Operation *op);

} // namespace mlir::npu

#endif // QLIP_DIALECT_NPU_TRANSFORMS_PASSES_H
