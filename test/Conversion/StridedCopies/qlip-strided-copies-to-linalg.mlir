// RUN: qlip-opt %s --pass-pipeline="builtin.module(func.func(qlip-strided-copies-to-linalg))" | FileCheck %s

// A copy into a strided view (the interior of a padded buffer) becomes
// linalg.copy; a contiguous copy stays memref.copy (one memcpy).

// CHECK-LABEL: func.func @copies
// CHECK: linalg.copy ins(%arg0 : memref<2x3xf32>) outs(%{{.*}} : memref<2x3xf32, strided<[5, 1], offset: 6>>)
// CHECK: memref.copy %arg0, %arg2 : memref<2x3xf32> to memref<2x3xf32>
// CHECK-NOT: memref.copy
func.func @copies(%x: memref<2x3xf32>, %frame: memref<4x5xf32>, %y: memref<2x3xf32>) {
  %view = memref.subview %frame[1, 1] [2, 3] [1, 1] : memref<4x5xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  memref.copy %x, %view : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  memref.copy %x, %y : memref<2x3xf32> to memref<2x3xf32>
  return
}
