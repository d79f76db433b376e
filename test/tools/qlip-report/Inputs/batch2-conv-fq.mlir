// batch2-conv.mlir fake-quantized by hand at 4 bits: the input on i4
// [-1, 1], the weight per tensor, the output on ui4 [0, 2].
func.func @main(%x: tensor<2x4x4x1xf32>) -> tensor<2x4x4x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.3], [-0.6], [0.2]], [[0.9], [0.1], [-0.4]], [[-0.7], [0.5], [0.8]]]]> : tensor<1x3x3x1xf32>}> : () -> tensor<1x3x3x1xf32>
  %b = "tosa.const"() <{values = dense<[0.1]> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xq = qlip.fake_quant %x with <i4, scales = [0.13333333333333333], clip = [[-1.0, 1.0]], rule = max> : tensor<2x4x4x1xf32>
  %wq = qlip.fake_quant %w with <i4 narrow, scales = [0.12857142857142856], clip = [[-0.9, 0.9]], rule = max> : tensor<1x3x3x1xf32>
  %0 = tosa.conv2d %xq, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x4x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x4x1xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<2x4x4x1xf32>) -> tensor<2x4x4x1xf32>
  %yq = qlip.fake_quant %1 with <ui4, scales = [0.13333333333333333], clip = [[0.0, 2.0]], rule = max> : tensor<2x4x4x1xf32>
  return %yq : tensor<2x4x4x1xf32>
}
