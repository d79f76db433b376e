// x * 1e37 overflows f32 for x > 34: an infinite activation.
func.func @main(%x: tensor<2x3xf32> loc("x")) -> tensor<2x3xf32> {
  %c = "tosa.const"() <{values = dense<1.0e37> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.mul %x, %c, %shift : (tensor<2x3xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x3xf32> loc("big")
  return %y : tensor<2x3xf32>
}
