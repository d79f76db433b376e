// tosa.reshape, tosa.transpose, tosa.concat and tosa.pad, float.

// x = [[1, -2, 3], [-4, 5, -6]], c = [[7], [8]]
// RUN: qlip-npy create --dtype f32 --shape 2,3 --values 1,-2,3,-4,5,-6 -o %t.x.npy
// RUN: qlip-npy create --dtype f32 --shape 2,1 --values 7,8 -o %t.c.npy
// RUN: qlip-run %s --input %t.x.npy --input %t.c.npy | FileCheck %s

// reshape to 3x2 (C order):
// CHECK:      result #0
// CHECK:      shape: [3, 2]
// CHECK-NEXT: 1 -2
// CHECK-NEXT: 3 -4
// CHECK-NEXT: 5 -6
// transpose:
// CHECK:      result #1
// CHECK:      shape: [3, 2]
// CHECK-NEXT: 1 -4
// CHECK-NEXT: -2 5
// CHECK-NEXT: 3 -6
// concat along axis 1:
// CHECK:      result #2
// CHECK:      shape: [2, 4]
// CHECK-NEXT: 1 -2 3 7
// CHECK-NEXT: -4 5 -6 8
// pad with 9: one row before, one column after:
// CHECK:      result #3
// CHECK:      shape: [3, 4]
// CHECK-NEXT: 9 9 9 9
// CHECK-NEXT: 1 -2 3 9
// CHECK-NEXT: -4 5 -6 9

func.func @main(%x: tensor<2x3xf32>, %c: tensor<2x1xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x4xf32>, tensor<3x4xf32>) {
  %s = tosa.const_shape {values = dense<[3, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.reshape %x, %s : (tensor<2x3xf32>, !tosa.shape<2>) -> tensor<3x2xf32>
  %1 = tosa.transpose %x {perms = array<i32: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %2 = tosa.concat %x, %c {axis = 1 : i32} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %p = tosa.const_shape {values = dense<[1, 0, 0, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %v = "tosa.const"() <{values = dense<9.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %3 = tosa.pad %x, %p, %v : (tensor<2x3xf32>, !tosa.shape<4>, tensor<1xf32>) -> tensor<3x4xf32>
  return %0, %1, %2, %3 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x4xf32>, tensor<3x4xf32>
}
