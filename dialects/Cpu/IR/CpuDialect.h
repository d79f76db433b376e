//===- CpuDialect.h - the cpu dialect ---------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_CPU_IR_CPUDIALECT_H
#define QLIP_DIALECT_CPU_IR_CPUDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Cpu/IR/CpuDialect.h.inc"

namespace mlir {
class DialectRegistry;
namespace cpu {
/// Lets one-shot bufferization bufferize the cpu ops in place of their
/// `outs` operand.
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);
} // namespace cpu
} // namespace mlir

#endif // QLIP_DIALECT_CPU_IR_CPUDIALECT_H
