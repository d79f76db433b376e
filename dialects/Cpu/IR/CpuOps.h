//===- CpuOps.h - the cpu dialect's ops -------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_CPU_IR_CPUOPS_H
#define QLIP_DIALECT_CPU_IR_CPUOPS_H

#include "dialects/Cpu/IR/CpuDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Cpu/IR/CpuOps.h.inc"

namespace mlir::cpu {
/// The kernels' code path named by an op's `isa` ("auto", "generic",
/// "avx2", "avx512-vnni"): a `qlip_isa`, or -1 for an unknown name.
int getIsaCode(llvm::StringRef isa);
} // namespace mlir::cpu

#endif // QLIP_DIALECT_CPU_IR_CPUOPS_H
