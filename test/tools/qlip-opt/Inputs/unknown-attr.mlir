func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> attributes {r = #qlip.range<0.0, 1.0>} {
  %0 = qlip.observe "x" %x {r = #qlip.range<0.0, 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
