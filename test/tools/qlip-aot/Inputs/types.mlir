// One argument of every element type the C API has (a scalar among them),
// returned in reverse order.
func.func @types(%a: tensor<f64>, %b: tensor<4xi1>, %c: tensor<2xui8>, %d: tensor<3xi16>, %e: tensor<2xi64>) -> (tensor<2xi64>, tensor<3xi16>, tensor<2xui8>, tensor<4xi1>, tensor<f64>) {
  return %e, %d, %c, %b, %a : tensor<2xi64>, tensor<3xi16>, tensor<2xui8>, tensor<4xi1>, tensor<f64>
}

// No arguments, one result: a constant.
func.func @constant() -> tensor<2xf32> {
  %0 = "tosa.const"() <{values = dense<[1.5, -2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
