// two-layers.mlir fake-quantized by hand: the input and the conv's weight
// at 8 bits, the hidden activation (after the ReLU and the reshape) on
// ui8 [0, 3.5], the matmul's weight at 4 bits, its output on i8 [-5, 2.5].
func.func @main(%x: tensor<1x4x4x1xf32>) -> tensor<1x1x3xf32> {
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
  %w2 = "tosa.const"() <{values = dense<[[[-0.445, -0.234, 0.153], [-0.023, 0.26, -0.321], [0.154, 0.197, -0.331], [0.859, 0.278, 0.599], [-0.31, -0.37, -0.172], [-0.053, 0.316, 0.124], [-0.224, -0.478, -0.26], [0.61, -0.404, 0.122], [0.213, -0.745, 0.024], [0.653, -1.007, -0.161], [-0.053, -0.409, 0.249], [-0.031, -0.732, 0.414], [0.335, 0.473, 0.72], [0.181, 0.06, -0.65], [0.308, -0.306, -0.226], [-0.632, -0.484, -0.266], [0.644, -1.016, -0.729], [0.12, 0.722, 0.289], [-0.95, -1.259, 0.179], [-0.368, -0.56, 0.489], [0.551, 0.079, 0.123], [0.217, 0.797, 0.31], [0.259, 0.274, -0.784], [0.641, 0.478, 0.265], [-0.987, -0.317, 0.421], [-0.906, -0.092, 0.51], [-0.656, 0.805, 0.276], [-0.075, 0.162, 0.325], [0.06, 0.573, -0.331], [-0.207, 0.521, 0.013], [-0.44, 0.473, 0.733], [-0.222, -0.69, -0.067]]]> : tensor<1x32x3xf32>}> : () -> tensor<1x32x3xf32>
  %w2q = qlip.fake_quant %w2 with <i4 narrow, axis = 2, scales = [0.141, 0.17985714285714285, 0.112], clip = [[-0.987, 0.987], [-1.259, 1.259], [-0.784, 0.784]], rule = max> : tensor<1x32x3xf32>
  %3 = tosa.matmul %hq, %w2q, %zp, %zp : (tensor<1x1x32xf32>, tensor<1x32x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %yq = qlip.fake_quant %3 with <i8, scales = [0.029411764705882353], zero_points = [42], clip = [[-5.0, 2.5]], rule = max> : tensor<1x1x3xf32>
  return %yq : tensor<1x1x3xf32>
}
