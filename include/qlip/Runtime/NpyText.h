//===- NpyText.h - NpyArrays as text ----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The text form `qlip-npy print` and `qlip-run` (without --output) print:
//
//   dtype: f32
//   shape: [2, 3]
//   1 2 3
//   4 5 6
//
// One line per row of the last axis (one line for a 0-d or 1-d array, none
// for an empty one). f32 values print with %.9g and f64 with %.17g, enough
// digits to read back the same value; integers and bools (0/1) exactly.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_RUNTIME_NPYTEXT_H
#define QLIP_RUNTIME_NPYTEXT_H

#include "qlip/Runtime/Npy.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir::qlip {

/// Prints element `index` of `array` as described above.
void printNpyElement(llvm::raw_ostream &os, const NpyArray &array,
                     size_t index);

/// Prints the dtype, the shape and the values of `array`.
void printNpyArray(llvm::raw_ostream &os, const NpyArray &array);

} // namespace mlir::qlip

#endif // QLIP_RUNTIME_NPYTEXT_H
