// tosa.reduce_sum along each axis, float.

// x = [[1, -2, 3], [-4, 5, -6]]
// RUN: qlip-npy create --dtype f32 --shape 2,3 --values 1,-2,3,-4,5,-6 -o %t.x.npy
// RUN: qlip-run %s --input %t.x.npy | FileCheck %s

// Rows: 1 - 2 + 3 = 2, -4 + 5 - 6 = -5.
// CHECK:      result #0
// CHECK:      shape: [2, 1]
// CHECK-NEXT: 2
// CHECK-NEXT: -5
// Columns: 1 - 4 = -3, -2 + 5 = 3, 3 - 6 = -3.
// CHECK:      result #1
// CHECK:      shape: [1, 3]
// CHECK-NEXT: -3 3 -3

func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<1x3xf32>) {
  %0 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %1 = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return %0, %1 : tensor<2x1xf32>, tensor<1x3xf32>
}
