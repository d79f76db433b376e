// tosa.add, tosa.mul and tosa.clamp, float, with broadcasting of a [1, 3]
// operand over the rows, against values computed by hand.

// x = [[1, -2, 3], [-4, 5, -6]], y = [[0.5, 0.25, -1]]
// RUN: qlip-npy create --dtype f32 --shape 2,3 --values 1,-2,3,-4,5,-6 -o %t.x.npy
// RUN: qlip-npy create --dtype f32 --shape 1,3 --values 0.5,0.25,-1 -o %t.y.npy
// RUN: qlip-run %s --input %t.x.npy --input %t.y.npy | FileCheck %s

// x + y:
// CHECK:      result #0
// CHECK-NEXT: dtype: f32
// CHECK-NEXT: shape: [2, 3]
// CHECK-NEXT: 1.5 -1.75 2
// CHECK-NEXT: -3.5 5.25 -7
// x * y:
// CHECK:      result #1
// CHECK:      shape: [2, 3]
// CHECK-NEXT: 0.5 -0.5 -3
// CHECK-NEXT: -2 1.25 6
// clamp(x, -2, 2.5):
// CHECK:      result #2
// CHECK:      shape: [2, 3]
// CHECK-NEXT: 1 -2 2.5
// CHECK-NEXT: -2 2.5 -2

func.func @main(%x: tensor<2x3xf32>, %y: tensor<1x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.add %x, %y : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %1 = tosa.mul %x, %y, %shift : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<1xi8>) -> tensor<2x3xf32>
  %2 = tosa.clamp %x {min_val = -2.0 : f32, max_val = 2.5 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
