// two-layers-fq.mlir up to the conv's output fake_quant: the reference for
// the conv's SQNR (isolated and cumulative are one here).
func.func @main(%x: tensor<1x4x4x1xf32>) -> tensor<1x1x32xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w1 = "tosa.const"() <{values = dense<[[[[-0.352], [-0.698], [0.302]], [[-0.855], [0.072], [-0.269]], [[-0.884], [0.015], [-0.925]]], [[[-0.133], [-0.86], [-0.819]], [[-0.151], [0.654], [-0.752]], [[-0.554], [0.255], [0.895]]]]> : tensor<2x3x3x1xf32>}> : () -> tensor<2x3x3x1xf32>
  %b1 = "tosa.const"() <{values = dense<[0.05, -0.1]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %xq = qlip.fake_quant %x with <i8, scales = [0.00784313725490196], clip = [[-1.0, 1.0]], rule = max> : tensor<1x4x4x1xf32>
  %w1q = qlip.fake_quant %w1 with <i8 narrow, axis = 0, scales = [0.007283464566929135, 0.007047244094488189], clip = [[-0.925, 0.925], [-0.895, 0.895]], rule = max> : tensor<2x3x3x1xf32>
  %0 = tosa.conv2d %xq, %w1q, %b1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x3x3x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 32]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %2 = tosa.reshape %1, %s : (tensor<1x4x4x2xf32>, !tosa.shape<3>) -> tensor<1x1x32xf32>
  %hq = qlip.fake_quant %2 with <ui8, scales = [0.013725490196078431], clip = [[0.0, 3.5]], rule = max> : tensor<1x1x32xf32>
  return %hq : tensor<1x1x32xf32>
}
