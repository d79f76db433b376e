//===- CpuDialect.cpp - the cpu dialect -----------------------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Cpu/IR/CpuDialect.h"
#include "dialects/Cpu/IR/CpuOps.h"

using namespace mlir;
using namespace mlir::cpu;

#include "dialects/Cpu/IR/CpuDialect.cpp.inc"

void CpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Cpu/IR/CpuOps.cpp.inc"
      >();
}
