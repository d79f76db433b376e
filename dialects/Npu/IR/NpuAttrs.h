//===- NpuAttrs.h - npu attributes ------------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUATTRS_H
#define QLIP_DIALECT_NPU_IR_NPUATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::npu {
/// `[a, b, ...]`, for the list parameters of the npu attributes.
FailureOr<SmallVector<int64_t>> parseI64List(AsmParser &parser);
void printI64List(AsmPrinter &printer, ArrayRef<int64_t> values);
} // namespace mlir::npu

#include "qlip/Npu/CommandStream.h"

#define GET_ATTRDEF_CLASSES
#include "dialects/Npu/IR/NpuAttrs.h.inc"

#endif // QLIP_DIALECT_NPU_IR_NPUATTRS_H
