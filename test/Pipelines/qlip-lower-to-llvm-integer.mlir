// Integer TOSA lowers to LLVM as well: i8 activations with a zero point,
// i4 weights (stored one per byte), an i32 accumulator, a per-channel
// tosa.rescale with double rounding (64-bit multiply, add and arithmetic
// shift) and an i16 input. test/e2e/int8-*.mlir run such models and check
// their numbers. This is the generic lowering (kernels=false); by default
// the convolution and its rescale become one call of qlip's kernels
// (KERNELS below).

// RUN: qlip-opt %s --qlip-lower-to-llvm="kernels=false" | FileCheck %s \
// RUN:   --implicit-check-not="tosa." --implicit-check-not="linalg." \
// RUN:   --implicit-check-not="memref." --implicit-check-not="arith." \
// RUN:   --implicit-check-not="func.func"

// RUN: qlip-opt %s --qlip-lower-to-llvm | FileCheck %s --check-prefix=KERNELS \
// RUN:   --implicit-check-not="tosa." --implicit-check-not="linalg." \
// RUN:   --implicit-check-not="cpu." --implicit-check-not="func.func"

// The packed i4 weights (the one input channel unfolds the kernel's width
// into 2 channels, which pad to a group of 4 at a byte each and to a pair
// of groups at 4 bits, so they are stored a byte each: two kernel rows of
// one 16x4 block, 64 bytes each), the folded bias (1 - (-1 + 128) * 10 =
// -1269 and -8 - 127 * 0), the descriptor (weight bits 8) and the kernel's
// declaration; the i16 rescale stays generic.
// KERNELS-DAG: llvm.mlir.global private constant @{{.*}}(dense<{{.*}}> : tensor<128xi8>)
// KERNELS-DAG: llvm.mlir.global private constant @{{.*}}(dense<[-1269, -8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi32>)
// KERNELS-DAG: llvm.mlir.global private constant @__qlip_conv_desc(dense<[1, 3, 3, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, -1, 8, 3, -128, 127, 1, 0, 0, 1]> : tensor<28xi64>)
// KERNELS-DAG: llvm.func @_mlir_ciface_qlip_qconv2d(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
// KERNELS-LABEL: llvm.func @main(
// KERNELS: llvm.call @qlip_qconv2d(
// KERNELS: llvm.sext %{{.*}} : i16 to i64
// KERNELS: llvm.ashr %{{.*}} : i64

// CHECK-DAG: llvm.mlir.global private constant @{{.*}}(dense<{{.*}}> : tensor<2x2x2x1xi4>) {{.*}} : !llvm.array<2 x array<2 x array<2 x array<1 x i4>>>>
// CHECK-DAG: llvm.mlir.global private constant @{{.*}}(dense<[1073741824, 1610612736]> : tensor<2xi32>)
// CHECK-LABEL: llvm.func @main(
// The convolution: input minus its zero point times the widened i4 weight.
// CHECK: llvm.sext %{{.*}} : i8 to i32
// CHECK: llvm.sext %{{.*}} : i4 to i32
// CHECK: llvm.mul %{{.*}} : i32
// The per-channel rescale: (v * m + round) >> shift in 64 bits.
// CHECK: llvm.sext %{{.*}} : i32 to i64
// CHECK: llvm.mul %{{.*}} : i64
// CHECK: llvm.ashr %{{.*}} : i64
// The i16 rescale.
// CHECK: llvm.sext %{{.*}} : i16 to i64
// CHECK: llvm.ashr %{{.*}} : i64
// CHECK-LABEL: llvm.func @_mlir_ciface_main(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr)

func.func @main(%x: tensor<1x3x3x1xi8>, %y: tensor<4xi16>) -> (tensor<1x2x2x2xi8>, tensor<4xi8>) {
  %w = "tosa.const"() <{values = dense<[[[[1], [2]], [[3], [4]]], [[[-1], [2]], [[1], [-2]]]]> : tensor<2x2x2x1xi4>}> : () -> tensor<2x2x2x1xi4>
  %b = "tosa.const"() <{values = dense<[1, -8]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi4>, tensor<2xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x2x2x2xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1610612736]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[32, 33]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.rescale %acc, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
  %m1 = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s1 = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp16 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %zp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %1 = tosa.rescale %y, %m1, %s1, %zp16, %zp8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi16>, tensor<1xi32>, tensor<1xi8>, tensor<1xi16>, tensor<1xi8>) -> tensor<4xi8>
  return %0, %1 : tensor<1x2x2x2xi8>, tensor<4xi8>
}
