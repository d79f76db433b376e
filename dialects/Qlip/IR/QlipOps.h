//===- QlipOps.h - qlip operations ------------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_IR_QLIPOPS_H
#define QLIP_DIALECT_QLIP_IR_QLIPOPS_H

#include "dialects/Qlip/IR/QlipAttrs.h"
#include "dialects/Qlip/IR/QlipDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Qlip/IR/QlipOps.h.inc"

#endif // QLIP_DIALECT_QLIP_IR_QLIPOPS_H
