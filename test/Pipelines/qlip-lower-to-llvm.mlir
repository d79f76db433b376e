// qlip-lower-to-llvm takes float TOSA with qlip ops all the way to the LLVM
// dialect: results become out-parameters after the inputs, the public
// function gets a C-interface wrapper taking one descriptor pointer per
// memref, the private one does not, and erf (no LLVM intrinsic) is a libm
// call.

// RUN: qlip-opt %s --qlip-lower-to-llvm | FileCheck %s \
// RUN:   --implicit-check-not="tosa." --implicit-check-not="qlip." \
// RUN:   --implicit-check-not="linalg." --implicit-check-not="memref." \
// RUN:   --implicit-check-not="func.func" --implicit-check-not="arith." \
// RUN:   --implicit-check-not="math." --implicit-check-not="scf." \
// RUN:   --implicit-check-not="cf." --implicit-check-not="tensor." \
// RUN:   --implicit-check-not="bufferization." \
// RUN:   --implicit-check-not="unrealized_conversion_cast"

// RUN: qlip-opt %s --pass-pipeline="builtin.module(qlip-lower-to-llvm{emit-c-interface=false})" \
// RUN:   | FileCheck %s --check-prefix=NOWRAP

// Elementwise fusion (on by default) leaves one generic for tanh, erf and
// add; without it there are three.
// RUN: qlip-opt %s --qlip-lower-to-llvm --mlir-print-ir-before=one-shot-bufferize \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=FUSED
// RUN: qlip-opt %s --pass-pipeline="builtin.module(qlip-lower-to-llvm{fuse-elementwise=false})" \
// RUN:   --mlir-print-ir-before=one-shot-bufferize -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNFUSED

// CHECK-DAG: llvm.func @erff(f32) -> f32
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)

// The fake-quant: an f32 quotient, its tie fix-up and the clamp.
// CHECK-LABEL: llvm.func @main(
// The input's descriptor (allocated and aligned pointer, offset, 2 sizes,
// 2 strides), then the result's.
// CHECK-SAME: %arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: i64, %arg3: i64, %arg4: i64, %arg5: i64, %arg6: i64,
// CHECK-SAME: %arg7: !llvm.ptr, %arg8: !llvm.ptr, %arg9: i64, %arg10: i64, %arg11: i64, %arg12: i64, %arg13: i64)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: llvm.fdiv
// CHECK: llvm.intr.roundeven
// CHECK: llvm.intr.fma
// CHECK: llvm.intr.maximum
// CHECK: llvm.intr.minimum
// CHECK: llvm.call @helper(
// CHECK: llvm.return

// CHECK-LABEL: llvm.func @_mlir_ciface_main(%arg0: !llvm.ptr, %arg1: !llvm.ptr)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: llvm.call @main(

// CHECK-LABEL: llvm.func @helper(
// CHECK-NOT: llvm.emit_c_interface
// CHECK: llvm.intr.tanh
// CHECK: llvm.call @erff(

// NOWRAP-NOT: _mlir_ciface_
// NOWRAP: llvm.func @main(
// NOWRAP-NOT: _mlir_ciface_

// FUSED-LABEL: func.func private @helper
// FUSED-COUNT-1: linalg.generic
// FUSED-NOT: linalg.generic
// FUSED: return

// UNFUSED-LABEL: func.func private @helper
// UNFUSED-COUNT-3: linalg.generic
// UNFUSED-NOT: linalg.generic
// UNFUSED: return

func.func @main(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = qlip.fake_quant %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<2x4xf32>
  %1 = func.call @helper(%0) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

func.func private @helper(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = tosa.tanh %x : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %1 = tosa.erf %0 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = tosa.add %0, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}
