//===- NpuDialect.cpp - the npu dialect -------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/IR/NpuDialect.h"
#include "dialects/Npu/IR/NpuAttrs.h"
#include "dialects/Npu/IR/NpuOps.h"

using namespace mlir;
using namespace mlir::npu;

#include "dialects/Npu/IR/NpuDialect.cpp.inc"

void NpuDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/Npu/IR/NpuOps.cpp.inc"
      >();
}
