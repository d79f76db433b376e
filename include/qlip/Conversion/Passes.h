//===- Passes.h - qlip's conversions ----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CONVERSION_PASSES_H
#define QLIP_CONVERSION_PASSES_H

#include "dialects/Cpu/IR/CpuDialect.h"
#include "dialects/Npu/IR/NpuDialect.h"
#include "qlip/Conversion/QlipToLinalg/QlipToLinalg.h"
#include "qlip/Support/FixedPoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qlip {

#define GEN_PASS_DECL
#include "qlip/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qlip/Conversion/Passes.h.inc"

} // namespace mlir::qlip

#endif // QLIP_CONVERSION_PASSES_H
