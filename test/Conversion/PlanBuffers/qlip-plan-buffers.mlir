// RUN: qlip-opt %s -qlip-plan-buffers | FileCheck %s
// RUN: qlip-opt %s -qlip-plan-buffers="runtime-arena=false" | FileCheck %s --check-prefix=LOCAL

// Three temporaries: %a (1024 B) is last used before %c (512 B) is made,
// so %c takes %a's bytes; %b (64 B, rounded from 40) is live with both.
// Largest first: %a at 0, %c at 0 too, %b at 1024; the arena is 1088 bytes.
// %kept is returned and keeps its own allocation.

// CHECK: func.func private @qlip_arena(i64) -> memref<?xi8> attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @temporaries
// CHECK: %[[SIZE:.*]] = arith.constant 1088 : i64
// CHECK: %[[ARENA:.*]] = call @qlip_arena(%[[SIZE]]) : (i64) -> memref<?xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<?xi8> to memref<256xf32>
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c1024{{.*}}][] : memref<?xi8> to memref<10xi32>
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<?xi8> to memref<2x256xi8>
// CHECK: %[[KEPT:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK-NOT: memref.dealloc %[[B]]
// CHECK-NOT: memref.dealloc %[[C]]
// CHECK: return %[[KEPT]]

// LOCAL-LABEL: func.func @temporaries
// LOCAL: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1088xi8>
// LOCAL: memref.view %[[ARENA]]
// LOCAL: memref.dealloc %[[ARENA]] : memref<1088xi8>
// LOCAL-NEXT: return
func.func @temporaries(%x: memref<256xf32>, %y: memref<2x256xi8>) -> memref<4xf32> {
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<10xi32>
  memref.copy %x, %a : memref<256xf32> to memref<256xf32>
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0] : memref<256xf32>
  %i = arith.fptosi %v : f32 to i32
  memref.store %i, %b[%c0] : memref<10xi32>
  %c = memref.alloc() : memref<2x256xi8>
  %flat = memref.collapse_shape %c [[0, 1]] : memref<2x256xi8> into memref<512xi8>
  %j = memref.load %b[%c0] : memref<10xi32>
  %t = arith.trunci %j : i32 to i8
  memref.store %t, %flat[%c0] : memref<512xi8>
  memref.copy %c, %y : memref<2x256xi8> to memref<2x256xi8>
  %kept = memref.alloc() : memref<4xf32>
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<10xi32>
  memref.dealloc %c : memref<2x256xi8>
  return %kept : memref<4xf32>
}

// A function that calls another of the module's, and its callee, take an
// arena of their own per call: the thread's arena serves one call at a time.
// CHECK-LABEL: func.func @callee
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK-LABEL: func.func @caller
// CHECK-NOT: call @qlip_arena
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
// CHECK: call @callee
func.func @callee(%x: memref<8xf32>) {
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  memref.copy %a, %b : memref<8xf32> to memref<8xf32>
  memref.copy %b, %x : memref<8xf32> to memref<8xf32>
  memref.dealloc %a : memref<8xf32>
  memref.dealloc %b : memref<8xf32>
  return
}

func.func @caller(%x: memref<8xf32>) {
  %a = memref.alloc() : memref<128xf32>
  %b = memref.alloc() : memref<128xf32>
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0] : memref<128xf32>
  memref.store %v, %b[%c0] : memref<128xf32>
  call @callee(%x) : (memref<8xf32>) -> ()
  %w = memref.load %b[%c0] : memref<128xf32>
  memref.store %w, %x[%c0] : memref<8xf32>
  memref.dealloc %a : memref<128xf32>
  memref.dealloc %b : memref<128xf32>
  return
}

// Elements take LLVM's allocation size: an i48 eight bytes, so 10 of them
// 80 bytes, rounded to 128.
// CHECK-LABEL: func.func @wide
// CHECK: arith.constant 256 : i64
func.func @wide(%x: memref<10xi48>) {
  %a = memref.alloc() : memref<10xi48>
  %b = memref.alloc() : memref<10xi48>
  memref.copy %x, %a : memref<10xi48> to memref<10xi48>
  memref.copy %a, %b : memref<10xi48> to memref<10xi48>
  memref.copy %b, %x : memref<10xi48> to memref<10xi48>
  memref.dealloc %a : memref<10xi48>
  memref.dealloc %b : memref<10xi48>
  return
}

// A buffer a reduction reads keeps its allocation (LLVM must tell it apart
// from the others to vectorize the loop nest); the elementwise one does not.
// CHECK-LABEL: func.func @reduction
// CHECK: call @qlip_arena
// CHECK: memref.view %{{.*}} to memref<4x8xf32>
// CHECK: %[[R:.*]] = memref.alloc() : memref<8x4xf32>
// CHECK: linalg.matmul
// CHECK: memref.dealloc %[[R]]
func.func @reduction(%x: memref<4x8xf32>, %y: memref<4x4xf32>) {
  %a = memref.alloc() : memref<4x8xf32>
  %r = memref.alloc() : memref<8x4xf32>
  linalg.copy ins(%x : memref<4x8xf32>) outs(%a : memref<4x8xf32>)
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0, %c0] : memref<4x8xf32>
  linalg.fill ins(%v : f32) outs(%r : memref<8x4xf32>)
  linalg.matmul ins(%x, %r : memref<4x8xf32>, memref<8x4xf32>) outs(%y : memref<4x4xf32>)
  memref.dealloc %a : memref<4x8xf32>
  memref.dealloc %r : memref<8x4xf32>
  return
}
