// RUN: qlip-opt %s -qlip-emit-c-interface | FileCheck %s

// Public functions with a body get the wrapper request; private ones and
// declarations keep their plain calling convention.

// CHECK-LABEL: func.func @entry
//  CHECK-SAME:   attributes {llvm.emit_c_interface}
func.func @entry(%x: memref<4xf32>) {
  func.call @helper(%x) : (memref<4xf32>) -> ()
  return
}

// CHECK-LABEL: func.func private @helper
//   CHECK-NOT:   llvm.emit_c_interface
//       CHECK:   return
func.func private @helper(%x: memref<4xf32>) {
  %c = func.call @external(%x) : (memref<4xf32>) -> f32
  return
}

// CHECK: func.func private @external(memref<4xf32>) -> f32{{$}}
func.func private @external(memref<4xf32>) -> f32
