func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.fake_quant %x with <i17, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return %0 : tensor<4xf32>
}
