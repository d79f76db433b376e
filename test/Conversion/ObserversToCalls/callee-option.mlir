// The callee is an option; after qlip-lower-to-llvm the call passes the
// index, then the unranked memref as its rank and a pointer to the ranked
// descriptor (the default calling convention, no C-interface wrapper), so
// the runtime is `void f(int64_t index, int64_t rank, void *descriptor)`.
// RUN: qlip-opt %s -qlip-lower-observers-to-calls=callee=my_stats | FileCheck %s
// RUN: qlip-opt %s -qlip-lower-observers-to-calls=callee=my_stats -qlip-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// CHECK: func.func private @my_stats(i64, tensor<*xf32> {bufferization.access = "read"})
// CHECK: call @my_stats(

// The observed input is passed in place, not copied.
// LLVM:     llvm.func @my_stats(i64, i64, !llvm.ptr)
// LLVM-LABEL: llvm.func @main
// LLVM-NOT: llvm.call @memrefCopy
// LLVM:     llvm.call @my_stats(%{{.*}}, %{{.*}}, %{{.*}}) : (i64, i64, !llvm.ptr) -> ()
// LLVM:     llvm.call @my_stats(%{{.*}}, %{{.*}}, %{{.*}}) : (i64, i64, !llvm.ptr) -> ()
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.observe "x" %x : tensor<2x3xf32>
  %1 = tosa.abs %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = qlip.observe "y" %1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
