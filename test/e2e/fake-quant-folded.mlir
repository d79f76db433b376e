// The lowered qlip.fake_quant computes the same bits as its folder
// (QParamsAttr::fakeQuantize, in f64): each function fake-quantizes a
// constant; qlip-run computes it at run time (qlip-lower-to-llvm lowers
// qlip ops before anything folds them), `-canonicalize` folds it into a
// constant, and the two runs must agree exactly. The constants hold the
// inputs where an f32 quotient lands on a false tie (see fake-quant.mlir),
// real ties, clamped values and zero.

// The run really computes, the folded module really is constant:
// RUN: qlip-opt %s --qlip-lower-to-llvm | FileCheck %s --check-prefix=LOWERED
// LOWERED: llvm.intr.roundeven
// RUN: qlip-opt %s -canonicalize | FileCheck %s --check-prefix=FOLDED
// FOLDED-NOT: qlip.fake_quant

// RUN: qlip-opt %s -canonicalize -o %t.folded.mlir
// RUN: qlip-run %s --entry f32_arithmetic --output %t.a.npy
// RUN: qlip-run %t.folded.mlir --entry f32_arithmetic --compare %t.a.npy --tolerance=0 | FileCheck %s
// RUN: qlip-run %s --entry f64_arithmetic --output %t.b.npy
// RUN: qlip-run %t.folded.mlir --entry f64_arithmetic --compare %t.b.npy --tolerance=0 | FileCheck %s
// RUN: qlip-run %s --entry per_axis --output %t.c.npy
// RUN: qlip-run %t.folded.mlir --entry per_axis --compare %t.c.npy --tolerance=0 | FileCheck %s
// RUN: qlip-run %s --entry f64_tensor --output %t.d.npy
// RUN: qlip-run %t.folded.mlir --entry f64_tensor --compare %t.d.npy --tolerance=0 | FileCheck %s
// CHECK: max abs error: 0{{$}}
// CHECK-NOT: FAILED

// And the comparison would notice a difference of one step:
// RUN: qlip-npy create --dtype f32 --shape 8 --values=-12.6999998,11.6999998,10.9000006,-10.1000004,0.200000003,12.6999998,0,-0.200000003 -o %t.hand.npy
// RUN: qlip-run %s --entry f32_arithmetic --compare %t.hand.npy --tolerance=0 | FileCheck %s
// RUN: qlip-npy create --dtype f32 --shape 8 --values=-12.8000002,11.6999998,10.9000006,-10.1000004,0.200000003,12.6999998,0,-0.200000003 -o %t.off.npy
// RUN: not qlip-run %s --entry f32_arithmetic --compare %t.off.npy --tolerance=0 | FileCheck %s --check-prefix=OFF
// OFF: FAILED: result #0: max abs error 0.100000381 > tolerance 0

// s = 0.1f exactly: f32 arithmetic with the tie fix-up.
func.func @f32_arithmetic() -> tensor<8xf32> {
  %c = "tosa.const"() <{values = dense<[-12.75, 11.75, 10.8500004, -10.0500002, 0.25, 1.0e30, -0.01, -0.15]> : tensor<8xf32>}> : () -> tensor<8xf32>
  %0 = qlip.fake_quant %c with <i8, scales = [0.10000000149011612], clip = [[-12.8, 12.7]], rule = max> : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// s = 0.1 is no f32 value: f64 arithmetic.
func.func @f64_arithmetic() -> tensor<8xf32> {
  %c = "tosa.const"() <{values = dense<[-12.75, 11.75, 10.8500004, -10.0500002, 0.25, 1.0e30, -0.01, -0.15]> : tensor<8xf32>}> : () -> tensor<8xf32>
  %0 = qlip.fake_quant %c with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// Per axis with zero points: f32 scales, so f32 arithmetic.
func.func @per_axis() -> tensor<2x4xf32> {
  %c = "tosa.const"() <{values = dense<[[-12.75, 11.75, 10.8500004, -10.0500002], [0.75, -1.25, 2.5, 100.0]]> : tensor<2x4xf32>}> : () -> tensor<2x4xf32>
  %0 = qlip.fake_quant %c with <ui8, axis = 0, scales = [0.10000000149011612, 0.5], zero_points = [128, 3], clip = [[-12.8, 12.7], [-1.5, 126.0]], rule = max> : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// f64 data: f64 arithmetic; the folder goes through APFloat.
func.func @f64_tensor() -> tensor<5xf64> {
  %c = "tosa.const"() <{values = dense<[0.25, -0.35, 1.0e300, 0.15, -12.75]> : tensor<5xf64>}> : () -> tensor<5xf64>
  %0 = qlip.fake_quant %c with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<5xf64>
  return %0 : tensor<5xf64>
}
