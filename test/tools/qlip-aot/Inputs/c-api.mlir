// Two entry points for the C API test: a float conv with padding (the
// lowering copies the input into a padded buffer through memrefCopy) and an
// integer function with two inputs and two results.

// Channel 0 sums the 3x3 neighbourhood (zero padded) plus 0.5; channel 1 is
// twice the centre minus 1.
func.func @conv(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0], [1.0], [1.0]], [[1.0], [1.0], [1.0]], [[1.0], [1.0], [1.0]]], [[[0.0], [0.0], [0.0]], [[0.0], [2.0], [0.0]], [[0.0], [0.0], [0.0]]]]> : tensor<2x3x3x1xf32>}> : () -> tensor<2x3x3x1xf32>
  %b = "tosa.const"() <{values = dense<[0.5, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x3x3x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// The sum in i32 (no overflow) and the maximum in i8.
func.func @sum_max(%x: tensor<2x3xi8>, %y: tensor<2x3xi8>) -> (tensor<2x3xi32>, tensor<2x3xi8>) {
  %a = tosa.cast %x : (tensor<2x3xi8>) -> tensor<2x3xi32>
  %b = tosa.cast %y : (tensor<2x3xi8>) -> tensor<2x3xi32>
  %s = tosa.add %a, %b : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %m = tosa.maximum %x, %y : (tensor<2x3xi8>, tensor<2x3xi8>) -> tensor<2x3xi8>
  return %s, %m : tensor<2x3xi32>, tensor<2x3xi8>
}
