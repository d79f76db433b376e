// Two inputs of 2 rows each: x + y.
func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.observe "x" %x : tensor<2x3xf32>
  %1 = qlip.observe "y" %y : tensor<2x3xf32>
  %2 = tosa.add %0, %1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = qlip.observe "sum" %2 : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}
