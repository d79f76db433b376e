// A model for a node test that libonnx-testdata does not have
// (onnx-node-tests.test checks that the script fails on it).
func.func @test_no_such_node(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
