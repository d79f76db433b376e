// What cannot become LLVM IR is a diagnostic on the op and a non-zero exit:
// a module that was not lowered still has TOSA and func ops.

// RUN: not qlip-translate --mlir-to-llvmir %s 2>&1 | FileCheck %s
// CHECK: error: cannot be converted to LLVM IR: missing `LLVMTranslationDialectInterface` registration for dialect for op: func.func

func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = tosa.add %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
