//===- NpuOps.h - npu operations --------------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUOPS_H
#define QLIP_DIALECT_NPU_IR_NPUOPS_H

#include "dialects/Npu/IR/NpuAttrs.h"
#include "dialects/Npu/IR/NpuDialect.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Npu/IR/NpuOps.h.inc"

#endif // QLIP_DIALECT_NPU_IR_NPUOPS_H
