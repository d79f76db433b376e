//===- QlipDialect.h - qlip dialect -----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_IR_QLIPDIALECT_H
#define QLIP_DIALECT_QLIP_IR_QLIPDIALECT_H

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Qlip/IR/QlipDialect.h.inc"

#endif // QLIP_DIALECT_QLIP_IR_QLIPDIALECT_H
