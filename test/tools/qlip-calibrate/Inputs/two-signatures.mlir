// @other takes other inputs than @main: the calibration data for @main
// cannot feed it.
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.observe "main.x" %x : tensor<2x3xf32>
  %1 = tosa.abs %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
func.func @other(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = qlip.observe "other.x" %x : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
