// A float model whose ops carry no names: observer ids come from the ops'
// kinds and order, not from where the file happens to be.
func.func @main(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = tosa.sigmoid %x : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %1 = tosa.tanh %0 : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}
