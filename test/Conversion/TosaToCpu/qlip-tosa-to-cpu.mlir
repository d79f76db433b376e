// RUN: qlip-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(qlip-tosa-to-cpu{nibble-min-bytes=0}))" | FileCheck %s
// RUN: qlip-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(qlip-tosa-to-cpu{isa=avx512-vnni threads=3 float=false}))" | FileCheck %s --check-prefix=OPTS

// An integer conv, its rescale and a clamp become one cpu.qconv2d: the
// weights packed (oc 0 = [1, 2, 3, 4], oc 1 = [-1, 2, 1, -2] in lanes 0
// and 1 of 16; the one input channel unfolds the kernel's width, so each
// kernel row is one group of four: [1, 2, 0, 0] then [3, 4, 0, 0] for
// oc 0), the bias folded with the
// unsigned view's offset zp + 128 = 127: 1 - 127 * 10 = -1269 and
// -8 - 127 * 0 = -8, the multipliers and shifts padded to 16 (0 and 2), and
// the clamp narrowing the int8 range.

// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x01020000FF020000{{0*}}0304000001FE0000{{0*}}"> : tensor<128xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-1269, -8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi32>
// CHECK-DAG: %[[M:.*]] = arith.constant dense<[1073741824, 1610612736, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<16xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[32, 33, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]> : tensor<16xi8>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x2x2xi8>
// CHECK: %[[Y:.*]] = cpu.qconv2d ins(%arg0, %[[W]], %[[B]], %[[M]], %[[S]] : tensor<1x3x3x1xi8>, tensor<128xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%[[E]] : tensor<1x2x2x2xi8>)
// CHECK-SAME: double_round
// CHECK-SAME: input_zp = -1 : i64
// CHECK-SAME: output_max = 100 : i64, output_min = 3 : i64, output_zp = 3 : i64
// CHECK-SAME: unfold_width
// CHECK-SAME: weight_bits = 8 : i64
// CHECK-NOT: tosa.conv2d
// CHECK-NOT: tosa.rescale
// CHECK-NOT: tosa.clamp
// CHECK: return %[[Y]]
// OPTS-LABEL: func.func @conv
// OPTS: cpu.qconv2d
// OPTS-SAME: isa = "avx512-vnni"
// OPTS-SAME: threads = 3 : i64
func.func @conv(%x: tensor<1x3x3x1xi8>) -> tensor<1x2x2x2xi8> {
  %w = "tosa.const"() <{values = dense<[[[[1], [2]], [[3], [4]]], [[[-1], [2]], [[1], [-2]]]]> : tensor<2x2x2x1xi8>}> : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() <{values = dense<[1, -8]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1610612736]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[32, 33]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %r = tosa.rescale %acc, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
  %c = tosa.clamp %r {min_val = 3 : i8, max_val = 100 : i8} : (tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
  return %c : tensor<1x2x2x2xi8>
}

// -----

// A matmul with its bias add and the reshape before the rescale (as
// qlip-quantize emits a fully-connected layer): a 1x1 convolution of a
// 1 x M image; i4 weights two per byte.

// CHECK-LABEL: func.func @fully_connected
// The bias: the add's, folded: b - 133 * sum(w) with column sums 0, 3, 2, -1.
// CHECK-DAG: arith.constant dense<[10, -523, -249, -7, 0,
// CHECK: %[[X:.*]] = tensor.expand_shape %arg0 {{\[}}[0, 1], [2], [3]] output_shape [1, 1, 3, 8] : tensor<1x3x8xi8> into tensor<1x1x3x8xi8>
// CHECK: %[[Y:.*]] = cpu.qconv2d ins(%[[X]], %{{.*}} : tensor<1x1x3x8xi8>, tensor<64xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%{{.*}} : tensor<1x1x3x4xi8>)
// CHECK-SAME: input_zp = 5 : i64
// CHECK-SAME: weight_bits = 4 : i64
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1], [2], [3]] : tensor<1x1x3x4xi8> into tensor<1x3x4xi8>
// CHECK: %[[R:.*]] = tosa.reshape %[[C]], %{{.*}} : (tensor<1x3x4xi8>, !tosa.shape<2>) -> tensor<3x4xi8>
// CHECK: return %[[R]]
// By default (nibble-min-bytes=16384) weights this small stay in the L1
// cache a byte each, and are packed so: 128 bytes, not 64.
// OPTS-LABEL: func.func @fully_connected
// OPTS: cpu.qconv2d {{.*}} tensor<128xi8>
// OPTS-SAME: weight_bits = 8 : i64
func.func @fully_connected(%x: tensor<1x3x8xi8>) -> tensor<3x4xi8> {
  %w = "tosa.const"() <{values = dense<[[[0, 1, 2, -1], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]> : tensor<1x8x4xi4>}> : () -> tensor<1x8x4xi4>
  %azp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bzp = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
  %acc = tosa.matmul %x, %w, %azp, %bzp : (tensor<1x3x8xi8>, tensor<1x8x4xi4>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x3x4xi32>
  %bias = "tosa.const"() <{values = dense<[[[10, -124, 17, -140]]]> : tensor<1x1x4xi32>}> : () -> tensor<1x1x4xi32>
  %sum = tosa.add %acc, %bias : (tensor<1x3x4xi32>, tensor<1x1x4xi32>) -> tensor<1x3x4xi32>
  %shape = tosa.const_shape {values = dense<[3, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %flat = tosa.reshape %sum, %shape : (tensor<1x3x4xi32>, !tosa.shape<2>) -> tensor<3x4xi32>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<35> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %r = tosa.rescale %flat, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<3x4xi8>
  return %r : tensor<3x4xi8>
}

// -----

// A depthwise conv (channel multiplier 1) with i4 weights.
// CHECK-LABEL: func.func @depthwise
// CHECK: cpu.qconv2d {{.*}} : tensor<1x4x4x3xi8>, tensor<72xi8>, {{.*}} outs(%{{.*}} : tensor<1x4x4x3xi8>)
// CHECK-SAME: depthwise
// CHECK-SAME: output_max = 15 : i64, output_min = 0 : i64
// CHECK-SAME: weight_bits = 4 : i64
// OPTS-LABEL: func.func @depthwise
// OPTS: cpu.qconv2d {{.*}} tensor<144xi8>
// OPTS-SAME: weight_bits = 8 : i64
func.func @depthwise(%x: tensor<1x4x4x3xi8>) -> tensor<1x4x4x3xi8> {
  %w = "tosa.const"() <{values = dense<1> : tensor<3x3x3x1xi4>}> : () -> tensor<3x3x3x1xi4>
  %b = "tosa.const"() <{values = dense<0> : tensor<3xi32>}> : () -> tensor<3xi32>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
  %acc = tosa.depthwise_conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xi8>, tensor<3x3x3x1xi4>, tensor<3xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x4x4x3xi32>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %r = tosa.rescale %acc, %m, %s, %zp32, %zp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4x3xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x3xi8>
  %c = tosa.clamp %r {min_val = 0 : i8, max_val = 15 : i8} : (tensor<1x4x4x3xi8>) -> tensor<1x4x4x3xi8>
  return %c : tensor<1x4x4x3xi8>
}

// -----

// What stays generic: a weight zero point, non-constant weights, a shift
// outside apply_scale_32's range; and a clamp after an unsigned output
// (its signed comparison is not the kernels'), while the layer before it
// runs on the kernels with the output range [0, 255].
// CHECK-LABEL: func.func @stays
// CHECK-NOT: cpu.
// CHECK: tosa.conv2d
// CHECK: tosa.rescale
// CHECK: tosa.conv2d
// CHECK: tosa.rescale
// CHECK: tosa.conv2d
// CHECK: tosa.rescale
// CHECK-NOT: tosa.conv2d
// CHECK: cpu.qconv2d
// CHECK-SAME: output_max = 255 : i64, output_min = 0 : i64
// CHECK-NEXT: tosa.clamp
func.func @stays(%x: tensor<1x2x2x1xi8>, %wv: tensor<1x1x1x1xi8>) -> (tensor<1x2x2x1xi8>, tensor<1x2x2x1xi8>, tensor<1x2x2x1xi8>, tensor<1x2x2x1xi8>) {
  %w = "tosa.const"() <{values = dense<3> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp1 = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s1 = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %a0 = tosa.conv2d %x, %w, %b, %zp, %wzp1 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x1xi32>
  %r0 = tosa.rescale %a0, %m, %s, %zp32, %zp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x1xi8>
  %a1 = tosa.conv2d %x, %wv, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x1xi32>
  %r1 = tosa.rescale %a1, %m, %s, %zp32, %zp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x1xi8>
  %a2 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x1xi32>
  %r2 = tosa.rescale %a2, %m, %s1, %zp32, %zp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x1xi8>
  %a3 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x1xi32>
  %r3 = tosa.rescale %a3, %m, %s, %zp32, %zp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = true} : (tensor<1x2x2x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x1xi8>
  %c3 = tosa.clamp %r3 {min_val = 0 : i8, max_val = 15 : i8} : (tensor<1x2x2x1xi8>) -> tensor<1x2x2x1xi8>
  return %r0, %r1, %r2, %c3 : tensor<1x2x2x1xi8>, tensor<1x2x2x1xi8>, tensor<1x2x2x1xi8>, tensor<1x2x2x1xi8>
}

// -----

// A float conv with its clamp: weights packed [O/16][KH][KW][I][16], the
// bias padded.
// CHECK-LABEL: func.func @float_conv
// CHECK-DAG: arith.constant dense<[5.000000e-01, -1.000000e+00, 0.000000e+00, {{.*}}]> : tensor<16xf32>
// CHECK: cpu.conv2d ins(%arg0, %{{.*}} : tensor<1x3x3x1xf32>, tensor<64xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<1x2x2x2xf32>)
// CHECK-SAME: max = 6.000000e+00 : f32, min = 0.000000e+00 : f32
// CHECK-NOT: tosa.clamp
// OPTS-LABEL: func.func @float_conv
// OPTS-NOT: cpu.
func.func @float_conv(%x: tensor<1x3x3x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0], [2.0]], [[3.0], [4.0]]], [[[-1.0], [2.0]], [[1.0], [-2.0]]]]> : tensor<2x2x2x1xf32>}> : () -> tensor<2x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<[0.5, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %c = tosa.clamp %y {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

// An add after a matmul that varies by row ([1, M, 1]) is no per-channel
// bias: the layer stays generic. So does a matmul after a slice (the
// kernels take an uncropped input only for NHWC convolutions), here with a
// per-channel add that makes it a kernel layer otherwise.
// CHECK-LABEL: func.func @row_bias
// OPTS-LABEL: func.func @row_bias
// CHECK-NOT: cpu.qconv2d
// CHECK: tosa.matmul
// CHECK-LABEL: func.func @sliced_matmul
// CHECK: %[[S:.*]] = tosa.slice
// CHECK: %[[X:.*]] = tensor.expand_shape %[[S]]
// CHECK: cpu.qconv2d ins(%[[X]],
func.func @row_bias(%x: tensor<1x4x4xi8>) -> tensor<1x4x4xi8> {
  %w = "tosa.const"() <{values = dense<1> : tensor<1x4x4xi8>}> : () -> tensor<1x4x4xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %acc = tosa.matmul %x, %w, %zp, %zp : (tensor<1x4x4xi8>, tensor<1x4x4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4xi32>
  %bias = "tosa.const"() <{values = dense<[[[100], [200], [300], [400]]]> : tensor<1x4x1xi32>}> : () -> tensor<1x4x1xi32>
  %sum = tosa.add %acc, %bias : (tensor<1x4x4xi32>, tensor<1x4x1xi32>) -> tensor<1x4x4xi32>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %r = tosa.rescale %sum, %m, %s, %zp32, %zp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4xi8>
  return %r : tensor<1x4x4xi8>
}

func.func @sliced_matmul(%x: tensor<1x5x4xi8>) -> tensor<1x4x4xi8> {
  %start = tosa.const_shape {values = dense<0> : tensor<3xindex>} : () -> !tosa.shape<3>
  %size = tosa.const_shape {values = dense<[1, 4, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %crop = tosa.slice %x, %start, %size : (tensor<1x5x4xi8>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<1x4x4xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<1x4x4xi8>}> : () -> tensor<1x4x4xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %acc = tosa.matmul %crop, %w, %zp, %zp : (tensor<1x4x4xi8>, tensor<1x4x4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4xi32>
  %bias = "tosa.const"() <{values = dense<[[[100, 200, 300, 400]]]> : tensor<1x1x4xi32>}> : () -> tensor<1x1x4xi32>
  %sum = tosa.add %acc, %bias : (tensor<1x4x4xi32>, tensor<1x1x4xi32>) -> tensor<1x4x4xi32>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %r = tosa.rescale %sum, %m, %s, %zp32, %zp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4xi8>
  return %r : tensor<1x4x4xi8>
}
