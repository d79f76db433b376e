// tosa.rescale with INEXACT_ROUND has no upstream lowering; the pipeline
// says so on the op (qlip-check-lowerable) instead of failing to legalize
// it, and qlip-run passes the message on with exit status 1.

// RUN: not qlip-opt %s -qlip-lower-to-llvm 2>&1 | FileCheck %s
// CHECK:     qlip-lower-to-llvm-inexact.mlir:[[# @LINE + 13]]:8: error: 'tosa.rescale' op with rounding_mode = INEXACT_ROUND cannot be lowered
// CHECK-NOT: failed to legalize

// RUN: qlip-npy create --dtype i32 --shape 4 --values=1,2,3,4 -o %t.npy
// RUN: not qlip-run %s --input %t.npy 2>&1 | FileCheck %s --check-prefix=JIT
// JIT:      qlip-run: error: {{.*}}: lowering 'main' to LLVM failed:
// JIT-NEXT: qlip-lower-to-llvm-inexact.mlir:{{[0-9]+}}:8: error: 'tosa.rescale' op with rounding_mode = INEXACT_ROUND cannot be lowered

func.func @main(%x: tensor<4xi32>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = INEXACT_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
