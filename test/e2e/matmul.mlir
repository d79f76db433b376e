// tosa.matmul with both operands as inputs, and the fully-connected form
// exporters write (reshape, matmul with a constant, reshape, add the bias).

// A = [[1, 2, 3], [4, 5, 6]]
// B = [[1, 0.5], [0, -1], [2, 0.25]]
// RUN: qlip-npy create --dtype f32 --shape 1,2,3 --values 1,2,3,4,5,6 -o %t.a.npy
// RUN: qlip-npy create --dtype f32 --shape 1,3,2 --values 1,0.5,0,-1,2,0.25 -o %t.b.npy

// A B = [[1 + 0 + 6, 0.5 - 2 + 0.75], [4 + 0 + 12, 2 - 5 + 1.5]]
//     = [[7, -0.75], [16, -1.5]]
// RUN: qlip-run %s --entry matmul --input %t.a.npy --input %t.b.npy | FileCheck %s --check-prefix=MATMUL
// MATMUL:      shape: [1, 2, 2]
// MATMUL-NEXT: 7 -0.75
// MATMUL-NEXT: 16 -1.5

// The same product through the fully-connected form, plus the bias
// [10, 20]: [[17, 19.25], [26, 18.5]].
// RUN: qlip-npy create --dtype f32 --shape 2,3 --values 1,2,3,4,5,6 -o %t.x.npy
// RUN: qlip-run %s --entry fully_connected --input %t.x.npy | FileCheck %s --check-prefix=FC
// FC:      shape: [2, 2]
// FC-NEXT: 17 19.25
// FC-NEXT: 26 18.5

func.func @matmul(%a: tensor<1x2x3xf32>, %b: tensor<1x3x2xf32>) -> tensor<1x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.matmul %a, %b, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  return %0 : tensor<1x2x2xf32>
}

func.func @fully_connected(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %s3 = tosa.const_shape {values = dense<[1, 2, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %0 = tosa.reshape %x, %s3 : (tensor<2x3xf32>, !tosa.shape<3>) -> tensor<1x2x3xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [0.0, -1.0], [2.0, 0.25]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %1 = tosa.matmul %0, %w, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  %s2 = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %2 = tosa.reshape %1, %s2 : (tensor<1x2x2xf32>, !tosa.shape<2>) -> tensor<2x2xf32>
  %bias = "tosa.const"() <{values = dense<[[10.0, 20.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %3 = tosa.add %2, %bias : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  return %3 : tensor<2x2xf32>
}
