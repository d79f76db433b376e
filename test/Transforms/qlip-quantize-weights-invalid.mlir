// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights -verify-diagnostics

// A NaN weight is named by layer and channel.
func.func @nan_weight(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [2.0, 0x7FC00000]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  // expected-error@+1 {{weight of layer 'matmul_0' holds nan in output channel 1; NaN and infinite weights cannot be quantized}}
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// -----

func.func @inf_weight(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0xFF800000]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  // expected-error@+1 {{weight of layer 'conv2d_0' holds -inf in output channel 0}}
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

// A weight blob that the file never defines.
func.func @missing_blob(%x: tensor<1x1x2xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense_resource<nowhere> : tensor<1x2x1xf32>}> : () -> tensor<1x2x1xf32>
  // expected-error@+1 {{cannot read the values of weight operand #1 of type 'tensor<1x2x1xf32>' (a dense_resource blob that is missing or of the wrong size)}}
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

// A mean that does not match the moments it comes with.
func.func @mean_of_other_moments(%x: tensor<1x1x3xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.6], [-0.45], [1.0]]]> : tensor<1x3x1xf32>}> : () -> tensor<1x3x1xf32>
  // expected-error@+1 {{'qlip.input_mean' must hold 1 x 3 values, one per element of 'qlip.input_moments''s rows}}
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_moments = dense<[[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]]> : tensor<1x3x3xf64>, qlip.input_mean = dense<[[0.5, 0.5]]> : tensor<1x2xf64>} : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}

// -----

// A NaN or infinite bias is named by layer and element: a conv's operand,
// or the constant added after a fully connected layer's matmul.
func.func @nan_bias(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.0, 0x7FC00000]> : tensor<2xf32>}> : () -> tensor<2xf32>
  // expected-error@+1 {{bias of layer 'conv2d_0' holds nan at element 1; NaN and infinite biases cannot be quantized}}
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

func.func @inf_bias(%x: tensor<1x1x2xf32>) -> tensor<1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [2.0, 1.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %s = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %b = "tosa.const"() <{values = dense<[[0x7F800000, 1.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  // expected-error@+1 {{bias of layer 'matmul_0' holds inf at element 0}}
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %1 = tosa.reshape %0, %s : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %2 = tosa.add %1, %b : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %2 : tensor<1x2xf32>
}
