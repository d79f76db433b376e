// The model already has a function by the name of the calibration runtime.
func.func private @qlip_calibration_observe(tensor<*xf32>)
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.observe "x" %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
