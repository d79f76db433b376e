// qlip-translate --mlir-to-llvmir writes the LLVM IR of a lowered module:
// the entry, its C-interface wrapper and the run-time functions it calls
// (the arena of its temporaries, from qlip's kernels library).
// A qlip attribute left on the module (here the quantization parameters a
// model was annotated with) does not stop it, as it stops mlir-translate,
// whose registry has no qlip dialect.

// RUN: qlip-opt %s -qlip-lower-to-llvm | qlip-translate --mlir-to-llvmir -o %t.ll
// RUN: FileCheck %s < %t.ll

// CHECK-DAG: declare void @_mlir_ciface_qlip_arena(ptr, i64)
// CHECK-DAG: define void @main(ptr %{{.*}}, ptr %{{.*}}, i64 %{{.*}}, i64 %{{.*}}, i64 %{{.*}}, i64 %{{.*}}, i64 %{{.*}}, ptr
// CHECK-DAG: define void @_mlir_ciface_main(ptr %{{[0-9]+}}, ptr %{{[0-9]+}}, ptr %{{[0-9]+}})
// CHECK-DAG: fadd float
// CHECK-DAG: call void @llvm.memcpy

module attributes {qlip.input_qparams = #qlip.qparams<i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max>} {
  func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %0 = tosa.add %x, %y : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}
