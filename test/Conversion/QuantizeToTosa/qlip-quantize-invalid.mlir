// RUN: qlip-opt %s -split-input-file -qlip-quantize=strict -verify-diagnostics | FileCheck %s

func.func @strict_float_op(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x4xf32>
  // expected-error@+1 {{qlip-quantize: 'tosa.sigmoid' cannot be made integer here (strict mode: every compute op must be quantized)}}
  %0 = tosa.sigmoid %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %1 = qlip.fake_quant %0 with <ui8, scales = [0.00390625], clip = [[0.0, 0.99609375]], rule = max> : tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}

// -----

// A layer whose weight has no fake_quant stays float: strict says so.
func.func @strict_float_layer(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' cannot be made integer here}}
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

// A bias far beyond int32 at s_x * s_w = 1e-12 raises the weight scale of
// its channel (0.01 / (1e-6 * (2^31 - 1)) = 4.66e-6) and says so.
// The channel's weights are requantized at the raised scale (1e-4 /
// 4.66e-6 = 21.5 -> 21) and its bias is just inside int32.
// CHECK-LABEL: func.func @bias_overflow
// CHECK: dense<{{\[\[\[\[}}21]]], {{\[\[\[}}127]]]]> : tensor<2x1x1x1xi8>
// CHECK: dense<[2147483647, 0]> : tensor<2xi32>
func.func @bias_overflow(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [1.0e-6], clip = [[-1.28e-4, 1.27e-4]], rule = max> : tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0e-4]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i8 narrow, axis = 0, scales = [1.0e-6, 0.0078125], clip = [[-1.27e-4, 1.27e-4], [-1.0, 1.0]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.01, 0.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  // expected-warning@+1 {{qlip-quantize: the bias of output channel 0 (1.000000e-02) overflows int32 at scale s_x * s_w = 1.000000e-12; weight scale raised from 1.000000e-06 to 4.656613e-06}}
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.001], clip = [[-0.128, 0.127]], rule = max> : tensor<1x1x1x2xf32>
  return %1 : tensor<1x1x1x2xf32>
}

// -----

// TOSA's 16-bit convolutions take no input zero point.
func.func @int16_zero_point(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i16, scales = [0.25], zero_points = [7], clip = [[-8192.0, 8191.75]], rule = max> : tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i8 narrow, scales = [0.5], clip = [[-63.5, 63.5]], rule = max> : tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{qlip-quantize: 16-bit activations need zero point 0 in TOSA (EXT-INT16), but the input has zero point 7}}
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %1 = qlip.fake_quant %0 with <i16, scales = [0.125], clip = [[-4096.0, 4095.875]], rule = max> : tensor<1x1x1x1xf32>
  return %1 : tensor<1x1x1x1xf32>
}

// -----

// A requantization by 2^30 or more has no TOSA multiplier (shift >= 2).
func.func @scale_too_large(%arg0: tensor<1x1x1x4xf32>) -> tensor<1x1x1x4xf32> {
  %x = qlip.fake_quant %arg0 with <i8, scales = [1.0e9], clip = [[-1.28e11, 1.27e11]], rule = max> : tensor<1x1x1x4xf32>
  %0 = tosa.max_pool2d %x {kernel = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x4xf32>
  // expected-error@+1 {{qlip-quantize: cannot requantize: }}
  %1 = qlip.fake_quant %0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x1x1x4xf32>
  return %1 : tensor<1x1x1x4xf32>
}

// -----

// expected-error@+1 {{qlip-quantize: expected a function with one block}}
func.func @two_blocks(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  llvm.br ^bb1
^bb1:
  return %arg0 : tensor<4xf32>
}

// -----

// TOSA has no integer convolution with 16-bit weights: the layer stays
// float, which strict mode refuses.
func.func @weights16(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i16 narrow, axis = 0, scales = [0.001], clip = [[-32.767, 32.767]], rule = max> : tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' cannot be made integer here}}
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}
