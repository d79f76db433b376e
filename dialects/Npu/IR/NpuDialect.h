//===- NpuDialect.h - the npu dialect ---------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUDIALECT_H
#define QLIP_DIALECT_NPU_IR_NPUDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Npu/IR/NpuDialect.h.inc"

#endif // QLIP_DIALECT_NPU_IR_NPUDIALECT_H
