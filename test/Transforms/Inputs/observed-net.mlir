// An observed model: what qlip-insert-observers makes of a small net with a
// ReLU, a PACT clip at 6 and a residual add.
func.func @net(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %x0 = qlip.observe "in" %x : tensor<1x8xf32>
  %r = tosa.clamp %x0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %r0 = qlip.observe "relu" %r : tensor<1x8xf32>
  %p = tosa.clamp %x0 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %p0 = qlip.observe "pact" %p : tensor<1x8xf32>
  %s = tosa.sub %r0, %p0 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %s0 = qlip.observe "diff" %s : tensor<1x8xf32>
  return %s0 : tensor<1x8xf32>
}
