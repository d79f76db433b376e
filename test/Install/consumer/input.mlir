func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.observe "x" %x : tensor<4xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<4xf32>
  return %1 : tensor<4xf32>
}
