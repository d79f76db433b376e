// tosa.sigmoid and tosa.tanh, float, against closed forms: with
// x = ln 3, sigmoid(x) = 1 / (1 + 1/3) = 0.75 and tanh(x) = (9 - 1)/(9 + 1)
// = 0.8; with x = ln 2, sigmoid(x) = 2/3 and tanh(x) = (4 - 1)/(4 + 1) = 0.6;
// sigmoid(0) = 0.5, tanh(0) = 0, and both saturate at +-20.

// RUN: qlip-npy create --dtype f32 --shape 6 --values 0,1.0986122886681098,-1.0986122886681098,0.6931471805599453,20,-20 -o %t.x.npy
// RUN: qlip-npy create --dtype f32 --shape 6 --values 0.5,0.75,0.25,0.6666666666666666,1,0 -o %t.sigmoid.npy
// RUN: qlip-npy create --dtype f32 --shape 6 --values 0,0.8,-0.8,0.6,1,-1 -o %t.tanh.npy

// The f32 input is within 6e-8 of ln 3, so the results are within 1e-7 of
// the closed forms; 1e-6 leaves room for libm's last bit.
// RUN: qlip-run %s --input %t.x.npy --compare %t.sigmoid.npy --compare %t.tanh.npy --tolerance=1e-6 | FileCheck %s
// CHECK:      result #0 vs {{.*}}sigmoid.npy: 6 values, 1 rows
// CHECK:        top-1 agreement:   1/1
// CHECK:      result #1 vs {{.*}}tanh.npy: 6 values, 1 rows
// CHECK-NOT:  FAILED

// The check is not vacuous: swapping the references fails it.
// RUN: not qlip-run %s --input %t.x.npy --compare %t.tanh.npy --compare %t.sigmoid.npy --tolerance=1e-6 | FileCheck %s --check-prefix=SWAPPED
// SWAPPED: FAILED: result #0: max abs error 1.05000001 > tolerance 1e-06
// SWAPPED: FAILED: result #1: max abs error 1.05000001 > tolerance 1e-06

func.func @main(%x: tensor<6xf32>) -> (tensor<6xf32>, tensor<6xf32>) {
  %0 = tosa.sigmoid %x : (tensor<6xf32>) -> tensor<6xf32>
  %1 = tosa.tanh %x : (tensor<6xf32>) -> tensor<6xf32>
  return %0, %1 : tensor<6xf32>, tensor<6xf32>
}
