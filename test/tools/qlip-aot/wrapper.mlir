// The C entry point qlip-aot adds to the lowered module: one pointer per
// input and result, NULL checks, then a call of the lowered entry (renamed,
// internal) with the descriptors of dense row-major buffers. Other public
// functions of the model are not compiled.

// RUN: qlip-aot %s --emit=mlir -o - | FileCheck %s

// CHECK-NOT:   @other
// CHECK-LABEL: llvm.func internal @qlip_main.impl(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr,
// CHECK-NOT:   @other
// CHECK-LABEL: llvm.func @qlip_main(
// CHECK-SAME:      %[[IN:.*]]: !llvm.ptr {llvm.noalias, llvm.readonly},
// CHECK-SAME:      %[[OUT:.*]]: !llvm.ptr {llvm.noalias}) -> i32 {
// CHECK:         %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK:         %[[IN_NULL:.*]] = llvm.icmp "eq" %[[IN]], %[[NULL]] : !llvm.ptr
// CHECK:         %[[OUT_NULL:.*]] = llvm.icmp "eq" %[[OUT]], %[[NULL]] : !llvm.ptr
// CHECK:         %[[ANY:.*]] = llvm.or %[[IN_NULL]], %[[OUT_NULL]] : i1
// CHECK:         llvm.cond_br %[[ANY]], ^[[FAIL:.*]], ^[[CALL:.*]]
// CHECK:       ^[[CALL]]:
// CHECK-NEXT:    %[[OFFSET:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT:    %[[SIZE0:.*]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-NEXT:    %[[SIZE1:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-NEXT:    %[[STRIDE0:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-NEXT:    %[[STRIDE1:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK:         llvm.call @qlip_main.impl(%[[IN]], %[[IN]], %[[OFFSET]], %[[SIZE0]], %[[SIZE1]], %[[STRIDE0]], %[[STRIDE1]], %[[OUT]], %[[OUT]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK:         %[[OK:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK:         llvm.return %[[OK]] : i32
// CHECK:       ^[[FAIL]]:
// CHECK:         %[[ERR:.*]] = llvm.mlir.constant(-1 : i32) : i32
// CHECK:         llvm.return %[[ERR]] : i32

func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tosa.abs %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @other(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
