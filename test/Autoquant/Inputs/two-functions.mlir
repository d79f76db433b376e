// Two public functions that take the same inputs: calibration runs both.
func.func @first(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qlip.observe "a" %x : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
func.func @second(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qlip.observe "b" %x : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
