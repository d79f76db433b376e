// A float model with a batch of 4 rows of 3 values: y = -0.5 * x, and the
// last two columns of x (a slice, which the compiled code passes to the
// observer as a strided view of the input).
func.func @main(%x: tensor<4x3xf32> loc("x")) -> (tensor<4x3xf32>, tensor<4x2xf32>) {
  %c = "tosa.const"() <{values = dense<-0.5> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.mul %x, %c, %shift : (tensor<4x3xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<4x3xf32> loc("y")
  %start = tosa.const_shape {values = dense<[0, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %size = tosa.const_shape {values = dense<[4, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %cols = tosa.slice %x, %start, %size : (tensor<4x3xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<4x2xf32> loc("cols")
  return %y, %cols : tensor<4x3xf32>, tensor<4x2xf32>
}
