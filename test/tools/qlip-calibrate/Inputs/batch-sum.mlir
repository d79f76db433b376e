// A sum over the batch: its observer holds 3 values for 4 rows, so the
// padded rows of a last partial batch cannot be told apart.
func.func @main(%x: tensor<4x3xf32> loc("x")) -> tensor<1x3xf32> {
  %s = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<4x3xf32>) -> tensor<1x3xf32> loc("sum")
  return %s : tensor<1x3xf32>
}
