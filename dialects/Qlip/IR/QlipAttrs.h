//===- QlipAttrs.h - qlip attributes ----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_IR_QLIPATTRS_H
#define QLIP_DIALECT_QLIP_IR_QLIPATTRS_H

#include "qlip/Calibration/ClipMath.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

#include "dialects/Qlip/IR/QlipEnums.h.inc"

namespace mlir::qlip {
/// Custom syntax of attribute parameters: a float that round-trips exactly,
/// and bracketed lists `[a, b, c]` of floats or integers.
FailureOr<FloatAttr> parseF64Attr(AsmParser &parser);
void printF64(AsmPrinter &printer, double value);
FailureOr<DenseF64ArrayAttr> parseF64ArrayAttr(AsmParser &parser);
void printF64Array(AsmPrinter &printer, ArrayRef<double> values);
FailureOr<SmallVector<int64_t>> parseI64Array(AsmParser &parser);
void printI64Array(AsmPrinter &printer, ArrayRef<int64_t> values);
} // namespace mlir::qlip

#define GET_ATTRDEF_CLASSES
#include "dialects/Qlip/IR/QlipAttrs.h.inc"

#endif // QLIP_DIALECT_QLIP_IR_QLIPATTRS_H
