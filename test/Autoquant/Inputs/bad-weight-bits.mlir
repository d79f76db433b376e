func.func @f(%x: tensor<1x1x3xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.6], [-0.45], [1.0]]]> : tensor<1x3x1xf32>}> : () -> tensor<1x3x1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.weight_bits = 12 : i64} : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}
