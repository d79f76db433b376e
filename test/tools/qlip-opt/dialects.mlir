// qlip-opt reads and writes every dialect qlip passes models through.
// RUN: qlip-opt %s | qlip-opt | FileCheck %s

// CHECK-LABEL: func.func @all
func.func @all(%x: tensor<1x4xf32>, %m: memref<4xf32>, %v: vector<4xf32>) -> tensor<1x4xf32> {
  // CHECK: tosa.clamp
  %0 = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: arith.constant
  %c0 = arith.constant 0 : index
  // CHECK: math.exp
  %e = math.exp %v : vector<4xf32>
  // CHECK: vector.transfer_write
  vector.transfer_write %e, %m[%c0] : vector<4xf32>, memref<4xf32>
  // CHECK: memref.load
  %l = memref.load %m[%c0] : memref<4xf32>
  // CHECK: scf.for
  scf.for %i = %c0 to %c0 step %c0 {
  }
  // CHECK: tensor.empty
  %t = tensor.empty() : tensor<1x4xf32>
  // CHECK: linalg.fill
  %f = linalg.fill ins(%l : f32) outs(%t : tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: bufferization.to_tensor
  %b = bufferization.to_tensor %m : memref<4xf32> to tensor<4xf32>
  // CHECK: quant.qcast
  %q = quant.qcast %b : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.1>>
  // CHECK: qlip.observe
  %o = qlip.observe "out" %0 : tensor<1x4xf32>
  return %o : tensor<1x4xf32>
}

// CHECK: llvm.func @ext
llvm.func @ext(i32) -> i32
