// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights=clip=max | FileCheck %s
// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights="clip=max bits=4 granularity=per-tensor" | FileCheck %s --check-prefix=W4PT
// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights="clip=max bits=16" | FileCheck %s --check-prefix=W16
// Running the pass twice changes nothing.
// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights=clip=max -qlip-quantize-weights=clip=max | FileCheck %s

// The `max` rule per channel: alpha = max |w| of the channel, scale =
// alpha / 127 on the 8-bit narrow grid; per tensor at 4 bits: one alpha for
// the tensor, scale = alpha / 7.

// conv2d weights are OHWI: channel axis 0.
// CHECK-LABEL: func.func @conv2d
// CHECK: %[[FQ:.*]] = qlip.fake_quant %{{.*}} with <i8 narrow, axis = 0, scales = [0.007874015748031496, 0.015748031496062992], clip = {{\[\[}}-1.0, 1.0], [-2.0, 2.0]], rule = max> : tensor<2x1x1x2xf32>
// CHECK: tosa.conv2d %{{.*}}, %[[FQ]],
// 16 bits: scale = alpha / 32767, on the i16 narrow grid.
// W16-LABEL: func.func @conv2d
// W16: qlip.fake_quant %{{.*}} with <i16 narrow, axis = 0, scales = [3.051850947599719e-05, 6.103701895199438e-05], clip = {{\[\[}}-1.0, 1.0], [-2.0, 2.0]], rule = max> : tensor<2x1x1x2xf32>
// W4PT-LABEL: func.func @conv2d
// W4PT: qlip.fake_quant %{{.*}} with <i4 narrow, scales = [0.2857142857142857], clip = {{\[\[}}-2.0, 2.0]], rule = max> : tensor<2x1x1x2xf32>
func.func @conv2d(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[0.25, -2.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

// depthwise_conv2d weights are HWCM: channel axis 2.
// CHECK-LABEL: func.func @depthwise
// CHECK: qlip.fake_quant %{{.*}} with <i8 narrow, axis = 2, scales = [0.023622047244094488, 0.031496062992125984], clip = {{\[\[}}-3.0, 3.0], [-4.0, 4.0]], rule = max> : tensor<1x2x2x1xf32>
func.func @depthwise(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x3x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0], [-4.0]], [[-3.0], [2.0]]]]> : tensor<1x2x2x1xf32>}> : () -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x2xf32>
  return %0 : tensor<1x4x3x2xf32>
}

// -----

// With a channel multiplier M = 2, the M outputs of an input channel
// share its scale (axis 2 is C): channel 0 holds [1.0, -0.5], channel 1
// [0.25, 4.0].
// CHECK-LABEL: func.func @depthwise_multiplier
// CHECK: qlip.fake_quant %{{.*}} with <i8 narrow, axis = 2, scales = [0.007874015748031496, 0.031496062992125984], clip = {{\[\[}}-1.0, 1.0], [-4.0, 4.0]], rule = max> : tensor<1x1x2x2xf32>
func.func @depthwise_multiplier(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5], [0.25, 4.0]]]]> : tensor<1x1x2x2xf32>}> : () -> tensor<1x1x2x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// transpose_conv2d weights are OHWI: channel axis 0.
// CHECK-LABEL: func.func @transpose_conv
// CHECK: qlip.fake_quant %{{.*}} with <i8 narrow, axis = 0, scales = [0.003937007874015748, 0.011811023622047244, 0.007874015748031496], clip = {{\[\[}}-0.5, 0.5], [-1.5, 1.5], [-1.0, 1.0]], rule = max> : tensor<3x1x1x1xf32>
func.func @transpose_conv(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5]]], [[[-1.5]]], [[[1.0]]]]> : tensor<3x1x1x1xf32>}> : () -> tensor<3x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<3xf32>}> : () -> tensor<3xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<3x1x1x1xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x3xf32>
  return %0 : tensor<1x2x2x3xf32>
}

// -----

// A fully-connected layer is a matmul with a constant [1, K, OUT]: axis 2.
// An activation-times-activation matmul has no weight and is left alone.
// CHECK-LABEL: func.func @fully_connected
// CHECK: %[[FQ:.*]] = qlip.fake_quant %{{.*}} with <i8 narrow, axis = 2, scales = [0.015748031496062992, 0.003937007874015748], clip = {{\[\[}}-2.0, 2.0], [-0.5, 0.5]], rule = max> : tensor<1x3x2xf32>
// CHECK: %[[Y:.*]] = tosa.matmul %{{.*}}, %[[FQ]],
// CHECK-NOT: qlip.fake_quant
// CHECK: tosa.matmul %[[Y]], %{{.*}}
func.func @fully_connected(%x: tensor<1x1x3xf32>, %y: tensor<1x2x4xf32>) -> tensor<1x1x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [-2.0, 0.25], [0.0, -0.125]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %1 = tosa.matmul %0, %y, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  return %1 : tensor<1x1x4xf32>
}

// -----

// An all-zero channel gets scale 1 (any scale represents it exactly).
// CHECK-LABEL: func.func @zero_channel
// CHECK: scales = [1.0, 0.007874015748031496], clip = {{\[\[}}-127.0, 127.0], [-1.0, 1.0]]
func.func @zero_channel(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.0, 1.0], [0.0, -1.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// -----

// Integer weights are already quantized and are left alone.
// CHECK-LABEL: func.func @integer_weights
// CHECK-NOT: qlip.fake_quant
func.func @integer_weights(%x: tensor<1x1x2xi8>) -> tensor<1x1x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[1, 2], [3, 4]]]> : tensor<1x2x2xi8>}> : () -> tensor<1x2x2xi8>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xi8>, tensor<1x2x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x2xi32>
  return %0 : tensor<1x1x2xi32>
}
