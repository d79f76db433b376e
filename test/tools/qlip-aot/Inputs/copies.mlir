// Strided copies that the lowering leaves to memrefCopy.

// x[:, :, 1::2]: the result is a view of the input with strides [18, 6, 2],
// copied into the caller's buffer an element at a time.
func.func @every_other(%x: tensor<2x3x6xf32>) -> tensor<2x3x3xf32> {
  %0 = tensor.extract_slice %x[0, 0, 1] [2, 3, 3] [1, 1, 2] : tensor<2x3x6xf32> to tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// Padding H and W by one with -1: the input is copied into the interior of
// the padded buffer, a row of two contiguous channels at a time.
func.func @pad(%x: tensor<1x2x3x2xf32>) -> tensor<1x4x5x2xf32> {
  %p = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %v = "tosa.const"() <{values = dense<-1.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.pad %x, %p, %v : (tensor<1x2x3x2xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x4x5x2xf32>
  return %0 : tensor<1x4x5x2xf32>
}
