// Two entry points to one model with the same inputs: @main never calls
// @other, so the calibrator runs each of them on the samples.
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.observe "main.x" %x : tensor<2x3xf32>
  %1 = tosa.abs %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
func.func @other(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.observe "other.x" %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
