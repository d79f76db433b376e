// RUN: qlip-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(qlip-parallel-innermost))" | FileCheck %s

// A matmul's (b, m, n, k) becomes (b, m, k, n): B and C are contiguous
// along n, A does not use it.
// CHECK-DAG:   #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG:   #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG:   #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @batch_matmul
// CHECK:         linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : memref<1x4x8xf32>, memref<1x8x16xf32>) outs(%{{.*}} : memref<1x4x16xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @batch_matmul(%a: memref<1x4x8xf32>, %b: memref<1x8x16xf32>, %c: memref<1x4x16xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<1x4x8xf32>, memref<1x8x16xf32>) outs(%c : memref<1x4x16xf32>)
  return
}

// -----

// On tensors too (no copy is needed).
// CHECK-LABEL: func.func @matmul_tensors
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
func.func @matmul_tensors(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// A conv with [F, KH, KW, C] weights: they are copied with F innermost,
// the conv reads the copy, loops over the output channels innermost, and
// the copy is freed after it.
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d3, d2 + d4, d5)>
// CHECK-DAG:   #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, d4, d5, d6)>
// CHECK-DAG:   #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d6)>
// CHECK-LABEL: func.func @conv_fhwc(
// CHECK-SAME:      %[[X:.*]]: memref<1x10x10x8xf32>, %[[F:.*]]: memref<16x3x3x8xf32>, %[[Y:.*]]: memref<1x8x8x16xf32>)
// CHECK:         %[[COPY:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x3x8x16xf32>
// CHECK:         linalg.transpose ins(%[[F]] : memref<16x3x3x8xf32>) outs(%[[COPY]] : memref<3x3x8x16xf32>) permutation = [1, 2, 3, 0]
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%[[X]], %[[COPY]] : memref<1x10x10x8xf32>, memref<3x3x8x16xf32>) outs(%[[Y]] : memref<1x8x8x16xf32>)
// CHECK:         memref.dealloc %[[COPY]]
func.func @conv_fhwc(%x: memref<1x10x10x8xf32>, %f: memref<16x3x3x8xf32>, %y: memref<1x8x8x16xf32>) {
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %f : memref<1x10x10x8xf32>, memref<16x3x3x8xf32>) outs(%y : memref<1x8x8x16xf32>)
  return
}

// -----

// A max pool: channels innermost, and the window operand does not use them.
// CHECK-LABEL: func.func @max_pool
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]
// CHECK:           arith.maximumf
func.func @max_pool(%x: memref<1x6x6x4xf32>, %w: memref<2x2xf32>, %y: memref<1x5x5x4xf32>) {
  linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x6x6x4xf32>, memref<2x2xf32>) outs(%y : memref<1x5x5x4xf32>)
  return
}

// -----

// Left alone: the weights' copy would cost as much as the conv itself (one
// output pixel), the same conv on tensors (no copy there), a reduction over
// the innermost axis (the input is not contiguous along the output's last
// dimension, and as large as the work), and an op without a reduction.
// CHECK-LABEL: func.func @unchanged
// CHECK:         linalg.conv_2d_nhwc_fhwc {{.*}} memref<4x3x3x1xf32>
// CHECK:         linalg.conv_2d_nhwc_fhwc {{.*}} tensor<16x3x3x8xf32>
// CHECK:         linalg.reduce
// CHECK:         linalg.add
// CHECK-NOT:     linalg.generic
func.func @unchanged(%x: memref<1x3x3x1xf32>, %f: memref<4x3x3x1xf32>, %y: memref<1x1x1x4xf32>,
                     %tx: tensor<1x10x10x8xf32>, %tf: tensor<16x3x3x8xf32>, %ty: tensor<1x8x8x16xf32>,
                     %r: memref<4x8xf32>, %s: memref<4xf32>, %a: memref<4xf32>) -> tensor<1x8x8x16xf32> {
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %f : memref<1x3x3x1xf32>, memref<4x3x3x1xf32>) outs(%y : memref<1x1x1x4xf32>)
  %0 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%tx, %tf : tensor<1x10x10x8xf32>, tensor<16x3x3x8xf32>) outs(%ty : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  linalg.reduce ins(%r : memref<4x8xf32>) outs(%s : memref<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %acc, %in : f32
      linalg.yield %sum : f32
    }
  linalg.add ins(%s, %s : memref<4xf32>, memref<4xf32>) outs(%a : memref<4xf32>)
  return %0 : tensor<1x8x8x16xf32>
}
