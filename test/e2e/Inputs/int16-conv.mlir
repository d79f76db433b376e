// A conv with 16-bit activations and 8-bit weights (EXT-INT16), see quantize-int16.test.
func.func @main(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x4x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i16, scales = [0.0001], clip = [[-3.2768, 3.2767]], rule = max> : tensor<1x4x4x2xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.75]]], [[[-0.3, 0.2]]]]> : tensor<3x1x1x2xf32>}> : () -> tensor<3x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.2, 0.05]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  %1 = qlip.fake_quant %0 with <i16, scales = [0.0002], clip = [[-6.5536, 6.5534]], rule = max> : tensor<1x4x4x3xf32>
  return %1 : tensor<1x4x4x3xf32>
}
