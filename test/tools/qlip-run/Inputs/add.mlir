// Inputs of errors.test: one good function and signatures the runner
// cannot call.
func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tosa.add %x, %y : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @scalar_argument(%x: f32) -> tensor<2x3xf32> {
  %0 = "tosa.const"() <{values = dense<1.0> : tensor<2x3xf32>}> : () -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  return %x : tensor<?x3xf32>
}

func.func @half(%x: tensor<2x3xf32>) -> tensor<2x3xf16> {
  %0 = tosa.cast %x : (tensor<2x3xf32>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

func.func private @hidden(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}

func.func private @declared(tensor<2x3xf32>) -> tensor<2x3xf32>

// tosa.custom has no lowering.
func.func @unlowerable(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tosa.custom %x {domain_name = "qlip", operator_name = "mystery", implementation_attrs = ""} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
