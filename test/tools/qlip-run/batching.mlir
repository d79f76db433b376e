// Inputs with more rows than the function's static batch run in batches
// (the last one padded), and the results are the rows of running each
// input row on its own.

// Five rows [1 2 3], [4 5 6], ..., [13 14 15].
// RUN: qlip-npy create --dtype f32 --shape 5,3 --arange=1 -o %t.x5.npy

// Each row r = [a, b, c] gives r W + [10, 20] = [a + 2c + 10, a/2 - b + c/4 + 20]
// and the row sum a + b + c:
// RUN: qlip-run %s --entry batch2 --input %t.x5.npy | FileCheck %s
// CHECK:      result #0
// CHECK-NEXT: dtype: f32
// CHECK-NEXT: shape: [5, 2]
// CHECK-NEXT: 17 19.25
// CHECK-NEXT: 26 18.5
// CHECK-NEXT: 35 17.75
// CHECK-NEXT: 44 17
// CHECK-NEXT: 53 16.25
// CHECK-NEXT: result #1
// CHECK-NEXT: dtype: f32
// CHECK-NEXT: shape: [5, 1]
// CHECK-NEXT: 6
// CHECK-NEXT: 15
// CHECK-NEXT: 24
// CHECK-NEXT: 33
// CHECK-NEXT: 42

// Batch 2 over 5 rows (three calls, the last padded) equals batch 1 over
// the same rows (five calls):
// RUN: qlip-run %s --entry batch1 --input %t.x5.npy --output %t.y1.npy --output %t.s1.npy
// RUN: qlip-run %s --entry batch2 --input %t.x5.npy --compare %t.y1.npy --compare %t.s1.npy --tolerance=0 | FileCheck %s --check-prefix=SAME
// SAME:      result #0 vs {{.*}}y1.npy: 10 values, 5 rows
// SAME-NEXT:   max abs error:     0
// SAME:        top-1 agreement:   5/5
// SAME:      result #1 vs {{.*}}s1.npy: 5 values, 5 rows
// SAME-NEXT:   max abs error:     0
// SAME-NOT:  FAILED

// and the last row alone, in one unbatched call, is the last row above.
// RUN: qlip-npy create --dtype f32 --shape 1,3 --values 13,14,15 -o %t.x1.npy
// RUN: qlip-run %s --entry batch1 --input %t.x1.npy | FileCheck %s --check-prefix=ONE
// ONE:      shape: [1, 2]
// ONE-NEXT: 53 16.25
// ONE:      shape: [1, 1]
// ONE-NEXT: 42

// Fewer rows than the batch: padded as well.
// RUN: qlip-run %s --entry batch2 --input %t.x1.npy | FileCheck %s --check-prefix=ONE

// No progress bar when stderr is not a terminal.
// RUN: qlip-run %s --entry batch2 --input %t.x5.npy 2> %t.stderr > /dev/null
// RUN: count 0 < %t.stderr

// A result without the batch dimension cannot be split into rows.
// RUN: not qlip-run %s --entry column_sums --input %t.x5.npy 2>&1 | FileCheck %s --check-prefix=NOBATCH
// NOBATCH: qlip-run: error: cannot run in batches: result #0 of 'column_sums' (tensor<1x3xf32>) does not have the batch size 2 as its dim 0

// Nor can a function with a 0-d input.
// RUN: qlip-npy create --dtype f32 --shape "" --values 2 -o %t.scalar.npy
// RUN: not qlip-run %s --entry with_scalar --input %t.x5.npy --input %t.scalar.npy 2>&1 | FileCheck %s --check-prefix=SCALAR
// SCALAR: qlip-run: error: cannot run in batches: input #1 of 'with_scalar' (tensor<f32>) has no dim 0

func.func @batch2(%x: tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<2x1xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %s3 = tosa.const_shape {values = dense<[1, 2, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %0 = tosa.reshape %x, %s3 : (tensor<2x3xf32>, !tosa.shape<3>) -> tensor<1x2x3xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [0.0, -1.0], [2.0, 0.25]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %1 = tosa.matmul %0, %w, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  %s2 = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %2 = tosa.reshape %1, %s2 : (tensor<1x2x2xf32>, !tosa.shape<2>) -> tensor<2x2xf32>
  %b = "tosa.const"() <{values = dense<[[10.0, 20.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %3 = tosa.add %2, %b : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  %4 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %3, %4 : tensor<2x2xf32>, tensor<2x1xf32>
}

func.func @batch1(%x: tensor<1x3xf32>) -> (tensor<1x2xf32>, tensor<1x1xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %s3 = tosa.const_shape {values = dense<[1, 1, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %0 = tosa.reshape %x, %s3 : (tensor<1x3xf32>, !tosa.shape<3>) -> tensor<1x1x3xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [0.0, -1.0], [2.0, 0.25]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %1 = tosa.matmul %0, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %2 = tosa.reshape %1, %s2 : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %b = "tosa.const"() <{values = dense<[[10.0, 20.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %3 = tosa.add %2, %b : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %4 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<1x3xf32>) -> tensor<1x1xf32>
  return %3, %4 : tensor<1x2xf32>, tensor<1x1xf32>
}

func.func @column_sums(%x: tensor<2x3xf32>) -> tensor<1x3xf32> {
  %0 = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

func.func @with_scalar(%x: tensor<2x3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
