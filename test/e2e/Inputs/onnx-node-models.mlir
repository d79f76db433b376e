// TOSA equivalents of ONNX node tests (libonnx-testdata), one function per
// test, named after it; run by onnx-node-tests.py (see onnx-node-tests.test).
//
// Each function takes the test's inputs in order and returns its outputs,
// in ONNX's layouts: an input that TOSA takes as an attribute or a shape
// (Reshape's shape, Clip's bounds, ReduceSum's axes) is still an argument,
// unused, and its value, read from the test data, is written into the
// function. Convolutions and pools transpose NCHW to NHWC and back.
// `// tolerance: T` above a function sets its max abs error (the default is
// 1e-5).

//===----------------------------------------------------------------------===//
// Elementwise, binary
//===----------------------------------------------------------------------===//

func.func @test_add(%a: tensor<3x4x5xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.add %a, %b : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// ONNX broadcasts [5] against the trailing axis; TOSA needs equal ranks.
func.func @test_add_bcast(%a: tensor<3x4x5xf32>, %b: tensor<5xf32>) -> tensor<3x4x5xf32> {
  %s = tosa.const_shape {values = dense<[1, 1, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %b3 = tosa.reshape %b, %s : (tensor<5xf32>, !tosa.shape<3>) -> tensor<1x1x5xf32>
  %0 = tosa.add %a, %b3 : (tensor<3x4x5xf32>, tensor<1x1x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_sub(%a: tensor<3x4x5xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.sub %a, %b : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_sub_bcast(%a: tensor<3x4x5xf32>, %b: tensor<5xf32>) -> tensor<3x4x5xf32> {
  %s = tosa.const_shape {values = dense<[1, 1, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %b3 = tosa.reshape %b, %s : (tensor<5xf32>, !tosa.shape<3>) -> tensor<1x1x5xf32>
  %0 = tosa.sub %a, %b3 : (tensor<3x4x5xf32>, tensor<1x1x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_mul(%a: tensor<3x4x5xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %a, %b, %shift : (tensor<3x4x5xf32>, tensor<3x4x5xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_mul_bcast(%a: tensor<3x4x5xf32>, %b: tensor<5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s = tosa.const_shape {values = dense<[1, 1, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %b3 = tosa.reshape %b, %s : (tensor<5xf32>, !tosa.shape<3>) -> tensor<1x1x5xf32>
  %0 = tosa.mul %a, %b3, %shift : (tensor<3x4x5xf32>, tensor<1x1x5xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// TOSA has no float division: a * (1 / b), within an ulp or two of a / b.
func.func @test_div(%a: tensor<3x4x5xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %r = tosa.reciprocal %b : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %0 = tosa.mul %a, %r, %shift : (tensor<3x4x5xf32>, tensor<3x4x5xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_div_bcast(%a: tensor<3x4x5xf32>, %b: tensor<5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s = tosa.const_shape {values = dense<[1, 1, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %b3 = tosa.reshape %b, %s : (tensor<5xf32>, !tosa.shape<3>) -> tensor<1x1x5xf32>
  %r = tosa.reciprocal %b3 : (tensor<1x1x5xf32>) -> tensor<1x1x5xf32>
  %0 = tosa.mul %a, %r, %shift : (tensor<3x4x5xf32>, tensor<1x1x5xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// tolerance: 1e-4
func.func @test_pow(%a: tensor<3x4x5xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.pow %a, %b : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_max_two_inputs(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tosa.maximum %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @test_min_two_inputs(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tosa.minimum %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @test_max_int8(%a: tensor<3xi8>, %b: tensor<3xi8>) -> tensor<3xi8> {
  %0 = tosa.maximum %a, %b : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

func.func @test_max_int16(%a: tensor<3xi16>, %b: tensor<3xi16>) -> tensor<3xi16> {
  %0 = tosa.maximum %a, %b : (tensor<3xi16>, tensor<3xi16>) -> tensor<3xi16>
  return %0 : tensor<3xi16>
}

func.func @test_max_int32(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  %0 = tosa.maximum %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

func.func @test_min_int8(%a: tensor<3xi8>, %b: tensor<3xi8>) -> tensor<3xi8> {
  %0 = tosa.minimum %a, %b : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

func.func @test_min_int16(%a: tensor<3xi16>, %b: tensor<3xi16>) -> tensor<3xi16> {
  %0 = tosa.minimum %a, %b : (tensor<3xi16>, tensor<3xi16>) -> tensor<3xi16>
  return %0 : tensor<3xi16>
}

func.func @test_min_int32(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  %0 = tosa.minimum %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

func.func @test_sum_two_inputs(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tosa.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @test_mean_two_inputs(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %half = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tosa.mul %0, %half, %shift : (tensor<3xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

//===----------------------------------------------------------------------===//
// Comparisons and logic (bool results)
//===----------------------------------------------------------------------===//

func.func @test_equal(%a: tensor<3x4x5xi32>, %b: tensor<3x4x5xi32>) -> tensor<3x4x5xi1> {
  %0 = tosa.equal %a, %b : (tensor<3x4x5xi32>, tensor<3x4x5xi32>) -> tensor<3x4x5xi1>
  return %0 : tensor<3x4x5xi1>
}

func.func @test_greater(%a: tensor<3x4x5xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x4x5xi1> {
  %0 = tosa.greater %a, %b : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xi1>
  return %0 : tensor<3x4x5xi1>
}

// a < b is b > a.
func.func @test_less(%a: tensor<3x4x5xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x4x5xi1> {
  %0 = tosa.greater %b, %a : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xi1>
  return %0 : tensor<3x4x5xi1>
}

func.func @test_where_example(%c: tensor<2x2xi1>, %a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = tosa.select %c, %a, %b : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

func.func @test_not_2d(%a: tensor<3x4xi1>) -> tensor<3x4xi1> {
  %0 = tosa.logical_not %a : (tensor<3x4xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

func.func @test_and2d(%a: tensor<3x4xi1>, %b: tensor<3x4xi1>) -> tensor<3x4xi1> {
  %0 = tosa.logical_and %a, %b : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

func.func @test_or2d(%a: tensor<3x4xi1>, %b: tensor<3x4xi1>) -> tensor<3x4xi1> {
  %0 = tosa.logical_or %a, %b : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

// NaN is the one value not equal to itself.
func.func @test_isnan(%x: tensor<4xf32>) -> tensor<4xi1> {
  %eq = tosa.equal %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %0 = tosa.logical_not %eq : (tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

//===----------------------------------------------------------------------===//
// Elementwise, unary, and activations
//===----------------------------------------------------------------------===//

func.func @test_abs(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.abs %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_neg(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.negate %x, %zp, %zp : (tensor<3x4x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_floor(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.floor %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_ceil(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.ceil %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_reciprocal(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.reciprocal %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_exp(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.exp %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_log(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.log %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_cos(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.cos %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_sin(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.sin %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_erf(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x32x32xf32> {
  %0 = tosa.erf %x : (tensor<1x3x32x32xf32>) -> tensor<1x3x32x32xf32>
  return %0 : tensor<1x3x32x32xf32>
}

func.func @test_sigmoid(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.sigmoid %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_tanh(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.tanh %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_relu(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// Clip's bounds are inputs #1 and #2: -1 and 1.
func.func @test_clip(%x: tensor<3x4x5xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<3x4x5xf32> {
  %0 = tosa.clamp %x {min_val = -1.0 : f32, max_val = 1.0 : f32} : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_clip_example(%x: tensor<3xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<3xf32> {
  %0 = tosa.clamp %x {min_val = -1.0 : f32, max_val = 1.0 : f32} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// Bounds -5 and 5.
func.func @test_clip_inbounds(%x: tensor<3xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<3xf32> {
  %0 = tosa.clamp %x {min_val = -5.0 : f32, max_val = 5.0 : f32} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// max(x, alpha x) with alpha = 0.1 (test_leakyrelu) or 0.01 (the default).
func.func @test_leakyrelu(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %alpha = "tosa.const"() <{values = dense<0.1> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %ax = tosa.mul %x, %alpha, %shift : (tensor<3x4x5xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  %0 = tosa.maximum %x, %ax : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_leakyrelu_default(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %alpha = "tosa.const"() <{values = dense<0.01> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %ax = tosa.mul %x, %alpha, %shift : (tensor<3x4x5xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  %0 = tosa.maximum %x, %ax : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// x > 0 ? x : slope x, slope per element or broadcast over the last axis.
func.func @test_prelu_example(%x: tensor<3x4x5xf32>, %slope: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %positive = tosa.greater %x, %zero : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xi1>
  %sx = tosa.mul %x, %slope, %shift : (tensor<3x4x5xf32>, tensor<3x4x5xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  %0 = tosa.select %positive, %x, %sx : (tensor<3x4x5xi1>, tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_prelu_broadcast(%x: tensor<3x4x5xf32>, %slope: tensor<5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %slope3 = tosa.reshape %slope, %s : (tensor<5xf32>, !tosa.shape<3>) -> tensor<1x1x5xf32>
  %positive = tosa.greater %x, %zero : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xi1>
  %sx = tosa.mul %x, %slope3, %shift : (tensor<3x4x5xf32>, tensor<1x1x5xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  %0 = tosa.select %positive, %x, %sx : (tensor<3x4x5xi1>, tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// x > 0 ? x : alpha (exp(x) - 1), alpha = 2.
func.func @test_elu(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %alpha = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %e = tosa.exp %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %em1 = tosa.sub %e, %one : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xf32>
  %neg = tosa.mul %em1, %alpha, %shift : (tensor<3x4x5xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  %positive = tosa.greater %x, %zero : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xi1>
  %0 = tosa.select %positive, %x, %neg : (tensor<3x4x5xi1>, tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// gamma (x > 0 ? x : alpha (exp(x) - 1)), alpha = 2, gamma = 3.
func.func @test_selu(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %alpha = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %gamma = "tosa.const"() <{values = dense<3.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %e = tosa.exp %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %em1 = tosa.sub %e, %one : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xf32>
  %neg = tosa.mul %em1, %alpha, %shift : (tensor<3x4x5xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  %positive = tosa.greater %x, %zero : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xi1>
  %elu = tosa.select %positive, %x, %neg : (tensor<3x4x5xi1>, tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %0 = tosa.mul %elu, %gamma, %shift : (tensor<3x4x5xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// clamp(alpha x + beta, 0, 1), alpha = 0.5, beta = 0.6.
func.func @test_hardsigmoid(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %alpha = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %beta = "tosa.const"() <{values = dense<0.6> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %ax = tosa.mul %x, %alpha, %shift : (tensor<3x4x5xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  %axb = tosa.add %ax, %beta : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xf32>
  %0 = tosa.clamp %axb {min_val = 0.0 : f32, max_val = 1.0 : f32} : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// log(exp(x) + 1).
func.func @test_softplus(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %e = tosa.exp %x : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %ep1 = tosa.add %e, %one : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xf32>
  %0 = tosa.log %ep1 : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// exp(x - max) / sum(exp(x - max)) along axis 1, and along the last axis
// (ONNX's default).
func.func @test_softmax_axis_1(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = tosa.reduce_max %x {axis = 1 : i32} : (tensor<3x4x5xf32>) -> tensor<3x1x5xf32>
  %d = tosa.sub %x, %m : (tensor<3x4x5xf32>, tensor<3x1x5xf32>) -> tensor<3x4x5xf32>
  %e = tosa.exp %d : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %s = tosa.reduce_sum %e {axis = 1 : i32} : (tensor<3x4x5xf32>) -> tensor<3x1x5xf32>
  %r = tosa.reciprocal %s : (tensor<3x1x5xf32>) -> tensor<3x1x5xf32>
  %0 = tosa.mul %e, %r, %shift : (tensor<3x4x5xf32>, tensor<3x1x5xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_softmax_default_axis(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = tosa.reduce_max %x {axis = 2 : i32} : (tensor<3x4x5xf32>) -> tensor<3x4x1xf32>
  %d = tosa.sub %x, %m : (tensor<3x4x5xf32>, tensor<3x4x1xf32>) -> tensor<3x4x5xf32>
  %e = tosa.exp %d : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %s = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<3x4x5xf32>) -> tensor<3x4x1xf32>
  %r = tosa.reciprocal %s : (tensor<3x4x1xf32>) -> tensor<3x4x1xf32>
  %0 = tosa.mul %e, %r, %shift : (tensor<3x4x5xf32>, tensor<3x4x1xf32>, tensor<1xi8>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// Input #1 holds the axes: [1].
func.func @test_reduce_sum_keepdims_example(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x1x2xf32> {
  %0 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<3x2x2xf32>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

func.func @test_reduce_sum_do_not_keepdims_example(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x2xf32> {
  %0 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<3x2x2xf32>) -> tensor<3x1x2xf32>
  %s = tosa.const_shape {values = dense<[3, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %1 = tosa.reshape %0, %s : (tensor<3x1x2xf32>, !tosa.shape<2>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// No axes: every axis.
func.func @test_reduce_sum_default_axes_keepdims_example(%x: tensor<3x2x2xf32>, %axes: tensor<0xi64>) -> tensor<1x1x1xf32> {
  %0 = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<3x2x2xf32>) -> tensor<1x2x2xf32>
  %1 = tosa.reduce_sum %0 {axis = 1 : i32} : (tensor<1x2x2xf32>) -> tensor<1x1x2xf32>
  %2 = tosa.reduce_sum %1 {axis = 2 : i32} : (tensor<1x1x2xf32>) -> tensor<1x1x1xf32>
  return %2 : tensor<1x1x1xf32>
}

func.func @test_reduce_max_keepdims_example(%x: tensor<3x2x2xf32>) -> tensor<3x1x2xf32> {
  %0 = tosa.reduce_max %x {axis = 1 : i32} : (tensor<3x2x2xf32>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

func.func @test_reduce_min_keepdims_example(%x: tensor<3x2x2xf32>) -> tensor<3x1x2xf32> {
  %0 = tosa.reduce_min %x {axis = 1 : i32} : (tensor<3x2x2xf32>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

func.func @test_reduce_prod_keepdims_example(%x: tensor<3x2x2xf32>) -> tensor<3x1x2xf32> {
  %0 = tosa.reduce_product %x {axis = 1 : i32} : (tensor<3x2x2xf32>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

// The sum of the two, halved.
func.func @test_reduce_mean_keepdims_example(%x: tensor<3x2x2xf32>) -> tensor<3x1x2xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %half = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %0 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<3x2x2xf32>) -> tensor<3x1x2xf32>
  %1 = tosa.mul %0, %half, %shift : (tensor<3x1x2xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x1x2xf32>
  return %1 : tensor<3x1x2xf32>
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

// tosa.matmul is batched 3-D: a batch of one.
func.func @test_matmul_2d(%a: tensor<3x4xf32>, %b: tensor<4x3xf32>) -> tensor<3x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %sa = tosa.const_shape {values = dense<[1, 3, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %sb = tosa.const_shape {values = dense<[1, 4, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %so = tosa.const_shape {values = dense<[3, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %a3 = tosa.reshape %a, %sa : (tensor<3x4xf32>, !tosa.shape<3>) -> tensor<1x3x4xf32>
  %b3 = tosa.reshape %b, %sb : (tensor<4x3xf32>, !tosa.shape<3>) -> tensor<1x4x3xf32>
  %0 = tosa.matmul %a3, %b3, %zp, %zp : (tensor<1x3x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3xf32>
  %1 = tosa.reshape %0, %so : (tensor<1x3x3xf32>, !tosa.shape<2>) -> tensor<3x3xf32>
  return %1 : tensor<3x3xf32>
}

func.func @test_matmul_3d(%a: tensor<2x3x4xf32>, %b: tensor<2x4x3xf32>) -> tensor<2x3x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.matmul %a, %b, %zp, %zp : (tensor<2x3x4xf32>, tensor<2x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// The two batch axes folded into one.
func.func @test_matmul_4d(%a: tensor<1x2x3x4xf32>, %b: tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %sa = tosa.const_shape {values = dense<[2, 3, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %sb = tosa.const_shape {values = dense<[2, 4, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %so = tosa.const_shape {values = dense<[1, 2, 3, 3]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %a3 = tosa.reshape %a, %sa : (tensor<1x2x3x4xf32>, !tosa.shape<3>) -> tensor<2x3x4xf32>
  %b3 = tosa.reshape %b, %sb : (tensor<1x2x4x3xf32>, !tosa.shape<3>) -> tensor<2x4x3xf32>
  %0 = tosa.matmul %a3, %b3, %zp, %zp : (tensor<2x3x4xf32>, tensor<2x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3x3xf32>
  %1 = tosa.reshape %0, %so : (tensor<2x3x3xf32>, !tosa.shape<4>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// Gemm: A B (+ C), alpha = beta = 1.
func.func @test_gemm_default_no_bias(%a: tensor<2x10xf32>, %b: tensor<10x3xf32>) -> tensor<2x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %sa = tosa.const_shape {values = dense<[1, 2, 10]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %sb = tosa.const_shape {values = dense<[1, 10, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %so = tosa.const_shape {values = dense<[2, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %a3 = tosa.reshape %a, %sa : (tensor<2x10xf32>, !tosa.shape<3>) -> tensor<1x2x10xf32>
  %b3 = tosa.reshape %b, %sb : (tensor<10x3xf32>, !tosa.shape<3>) -> tensor<1x10x3xf32>
  %0 = tosa.matmul %a3, %b3, %zp, %zp : (tensor<1x2x10xf32>, tensor<1x10x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
  %1 = tosa.reshape %0, %so : (tensor<1x2x3xf32>, !tosa.shape<2>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

func.func @test_gemm_default_vector_bias(%a: tensor<2x7xf32>, %b: tensor<7x4xf32>, %c: tensor<1x4xf32>) -> tensor<2x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %sa = tosa.const_shape {values = dense<[1, 2, 7]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %sb = tosa.const_shape {values = dense<[1, 7, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %so = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %a3 = tosa.reshape %a, %sa : (tensor<2x7xf32>, !tosa.shape<3>) -> tensor<1x2x7xf32>
  %b3 = tosa.reshape %b, %sb : (tensor<7x4xf32>, !tosa.shape<3>) -> tensor<1x7x4xf32>
  %0 = tosa.matmul %a3, %b3, %zp, %zp : (tensor<1x2x7xf32>, tensor<1x7x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %1 = tosa.reshape %0, %so : (tensor<1x2x4xf32>, !tosa.shape<2>) -> tensor<2x4xf32>
  %2 = tosa.add %1, %c : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// transB = 1: B is [N, K].
func.func @test_gemm_transposeB(%a: tensor<3x6xf32>, %b: tensor<4x6xf32>, %c: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %sa = tosa.const_shape {values = dense<[1, 3, 6]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %sb = tosa.const_shape {values = dense<[1, 6, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %so = tosa.const_shape {values = dense<[3, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %bt = tosa.transpose %b {perms = array<i32: 1, 0>} : (tensor<4x6xf32>) -> tensor<6x4xf32>
  %a3 = tosa.reshape %a, %sa : (tensor<3x6xf32>, !tosa.shape<3>) -> tensor<1x3x6xf32>
  %b3 = tosa.reshape %bt, %sb : (tensor<6x4xf32>, !tosa.shape<3>) -> tensor<1x6x4xf32>
  %0 = tosa.matmul %a3, %b3, %zp, %zp : (tensor<1x3x6xf32>, tensor<1x6x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x4xf32>
  %1 = tosa.reshape %0, %so : (tensor<1x3x4xf32>, !tosa.shape<2>) -> tensor<3x4xf32>
  %2 = tosa.add %1, %c : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

func.func @test_identity(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  return %x : tensor<1x1x2x2xf32>
}

func.func @test_concat_1d_axis_0(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<4xf32> {
  %0 = tosa.concat %a, %b {axis = 0 : i32} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func @test_concat_2d_axis_0(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<4x2xf32> {
  %0 = tosa.concat %a, %b {axis = 0 : i32} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

func.func @test_concat_2d_axis_1(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x4xf32> {
  %0 = tosa.concat %a, %b {axis = 1 : i32} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

func.func @test_concat_3d_axis_0(%a: tensor<2x2x2xf32>, %b: tensor<2x2x2xf32>) -> tensor<4x2x2xf32> {
  %0 = tosa.concat %a, %b {axis = 0 : i32} : (tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<4x2x2xf32>
  return %0 : tensor<4x2x2xf32>
}

func.func @test_concat_3d_axis_1(%a: tensor<2x2x2xf32>, %b: tensor<2x2x2xf32>) -> tensor<2x4x2xf32> {
  %0 = tosa.concat %a, %b {axis = 1 : i32} : (tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}

func.func @test_concat_3d_axis_2(%a: tensor<2x2x2xf32>, %b: tensor<2x2x2xf32>) -> tensor<2x2x4xf32> {
  %0 = tosa.concat %a, %b {axis = 2 : i32} : (tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

func.func @test_concat_3d_axis_negative_1(%a: tensor<2x2x2xf32>, %b: tensor<2x2x2xf32>) -> tensor<2x2x4xf32> {
  %0 = tosa.concat %a, %b {axis = 2 : i32} : (tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// The default permutation reverses the axes.
func.func @test_transpose_default(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = tosa.transpose %x {perms = array<i32: 2, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// The permutations of three axes, in itertools.permutations order.
func.func @test_transpose_all_permutations_0(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = tosa.transpose %x {perms = array<i32: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

func.func @test_transpose_all_permutations_1(%x: tensor<2x3x4xf32>) -> tensor<2x4x3xf32> {
  %0 = tosa.transpose %x {perms = array<i32: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

func.func @test_transpose_all_permutations_2(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = tosa.transpose %x {perms = array<i32: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

func.func @test_transpose_all_permutations_3(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = tosa.transpose %x {perms = array<i32: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

func.func @test_transpose_all_permutations_4(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = tosa.transpose %x {perms = array<i32: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

func.func @test_transpose_all_permutations_5(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = tosa.transpose %x {perms = array<i32: 2, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// Input #1 holds the new shape.
func.func @test_reshape_reordered_all_dims(%x: tensor<2x3x4xf32>, %shape: tensor<3xi64>) -> tensor<4x2x3xf32> {
  %s = tosa.const_shape {values = dense<[4, 2, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %0 = tosa.reshape %x, %s : (tensor<2x3x4xf32>, !tosa.shape<3>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

func.func @test_reshape_reduced_dims(%x: tensor<2x3x4xf32>, %shape: tensor<2xi64>) -> tensor<2x12xf32> {
  %s = tosa.const_shape {values = dense<[2, 12]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.reshape %x, %s : (tensor<2x3x4xf32>, !tosa.shape<2>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

func.func @test_reshape_extended_dims(%x: tensor<2x3x4xf32>, %shape: tensor<4xi64>) -> tensor<2x3x2x2xf32> {
  %s = tosa.const_shape {values = dense<[2, 3, 2, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %0 = tosa.reshape %x, %s : (tensor<2x3x4xf32>, !tosa.shape<4>) -> tensor<2x3x2x2xf32>
  return %0 : tensor<2x3x2x2xf32>
}

func.func @test_reshape_one_dim(%x: tensor<2x3x4xf32>, %shape: tensor<1xi64>) -> tensor<24xf32> {
  %s = tosa.const_shape {values = dense<[24]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %0 = tosa.reshape %x, %s : (tensor<2x3x4xf32>, !tosa.shape<1>) -> tensor<24xf32>
  return %0 : tensor<24xf32>
}

func.func @test_flatten_axis1(%x: tensor<2x3x4x5xf32>) -> tensor<2x60xf32> {
  %s = tosa.const_shape {values = dense<[2, 60]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.reshape %x, %s : (tensor<2x3x4x5xf32>, !tosa.shape<2>) -> tensor<2x60xf32>
  return %0 : tensor<2x60xf32>
}

// Input #1 holds the axes: [0].
func.func @test_squeeze(%x: tensor<1x3x4x5xf32>, %axes: tensor<1xi64>) -> tensor<3x4x5xf32> {
  %s = tosa.const_shape {values = dense<[3, 4, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %0 = tosa.reshape %x, %s : (tensor<1x3x4x5xf32>, !tosa.shape<3>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

func.func @test_unsqueeze_axis_0(%x: tensor<3x4x5xf32>, %axes: tensor<1xi64>) -> tensor<1x3x4x5xf32> {
  %s = tosa.const_shape {values = dense<[1, 3, 4, 5]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %0 = tosa.reshape %x, %s : (tensor<3x4x5xf32>, !tosa.shape<4>) -> tensor<1x3x4x5xf32>
  return %0 : tensor<1x3x4x5xf32>
}

// starts [0, 0], ends [3, 10] on axes [0, 1], steps 1.
func.func @test_slice(%x: tensor<20x10x5xf32>, %starts: tensor<2xi64>, %ends: tensor<2xi64>, %axes: tensor<2xi64>, %steps: tensor<2xi64>) -> tensor<3x10x5xf32> {
  %start = tosa.const_shape {values = dense<[0, 0, 0]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %size = tosa.const_shape {values = dense<[3, 10, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %0 = tosa.slice %x, %start, %size : (tensor<20x10x5xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<3x10x5xf32>
  return %0 : tensor<3x10x5xf32>
}

// Repeats [7, 6, 4, 2].
func.func @test_tile(%x: tensor<2x3x4x5xf32>, %repeats: tensor<4xi64>) -> tensor<14x18x16x10xf32> {
  %m = tosa.const_shape {values = dense<[7, 6, 4, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %0 = tosa.tile %x, %m : (tensor<2x3x4x5xf32>, !tosa.shape<4>) -> tensor<14x18x16x10xf32>
  return %0 : tensor<14x18x16x10xf32>
}

// [3, 1] broadcast to [2, 3, 6]: a reshape to [1, 3, 1] and a tile.
func.func @test_expand_dim_changed(%x: tensor<3x1xf32>, %shape: tensor<3xi64>) -> tensor<2x3x6xf32> {
  %s = tosa.const_shape {values = dense<[1, 3, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %m = tosa.const_shape {values = dense<[2, 1, 6]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %0 = tosa.reshape %x, %s : (tensor<3x1xf32>, !tosa.shape<3>) -> tensor<1x3x1xf32>
  %1 = tosa.tile %0, %m : (tensor<1x3x1xf32>, !tosa.shape<3>) -> tensor<2x3x6xf32>
  return %1 : tensor<2x3x6xf32>
}

// ONNX pads [0, 0, 1, 3, 0, 0, 2, 4] are all begins, then all ends: H by
// (1, 2), W by (3, 4); the value (1.2) is input #2, passed through.
func.func @test_constant_pad(%x: tensor<1x3x4x5xf32>, %pads: tensor<8xi64>, %value: tensor<f32>) -> tensor<1x3x7x12xf32> {
  %s = tosa.const_shape {values = dense<[1]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %v = tosa.reshape %value, %s : (tensor<f32>, !tosa.shape<1>) -> tensor<1xf32>
  %p = tosa.const_shape {values = dense<[0, 0, 0, 0, 1, 2, 3, 4]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %0 = tosa.pad %x, %p, %v : (tensor<1x3x4x5xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x3x7x12xf32>
  return %0 : tensor<1x3x7x12xf32>
}

// DCR mode, block size 2: [N, C, H, W] -> [N, 2, 2, C/4, H, W] -> axes
// (0, 3, 4, 1, 5, 2) -> [N, C/4, 2H, 2W].
func.func @test_depthtospace_example(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %s6 = tosa.const_shape {values = dense<[1, 2, 2, 2, 2, 3]> : tensor<6xindex>} : () -> !tosa.shape<6>
  %s4 = tosa.const_shape {values = dense<[1, 2, 4, 6]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %0 = tosa.reshape %x, %s6 : (tensor<1x8x2x3xf32>, !tosa.shape<6>) -> tensor<1x2x2x2x2x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 4, 1, 5, 2>} : (tensor<1x2x2x2x2x3xf32>) -> tensor<1x2x2x2x3x2xf32>
  %2 = tosa.reshape %1, %s4 : (tensor<1x2x2x2x3x2xf32>, !tosa.shape<4>) -> tensor<1x2x4x6xf32>
  return %2 : tensor<1x2x4x6xf32>
}

//===----------------------------------------------------------------------===//
// Convolutions (NCHW in and out; weights OIHW, made OHWI)
//===----------------------------------------------------------------------===//

func.func @test_basic_conv_with_padding(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x5x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x5x5x1xf32>
  %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x3x3x1xf32>
  %0 = tosa.conv2d %xt, %wt, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x5x5x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x5x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x5x5x1xf32>) -> tensor<1x1x5x5xf32>
  return %1 : tensor<1x1x5x5xf32>
}

func.func @test_basic_conv_without_padding(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x5x5x1xf32>
  %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x3x3x1xf32>
  %0 = tosa.conv2d %xt, %wt, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x5x5x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x3x1xf32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// Strides 2, pads 1.
func.func @test_conv_with_strides_padding(%x: tensor<1x1x7x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x7x5xf32>) -> tensor<1x7x5x1xf32>
  %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x3x3x1xf32>
  %0 = tosa.conv2d %xt, %wt, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x7x5x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x3x1xf32>) -> tensor<1x1x4x3xf32>
  return %1 : tensor<1x1x4x3xf32>
}

func.func @test_conv_with_strides_no_padding(%x: tensor<1x1x7x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x3x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x7x5xf32>) -> tensor<1x7x5x1xf32>
  %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x3x3x1xf32>
  %0 = tosa.conv2d %xt, %wt, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x7x5x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x2x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x2x1xf32>) -> tensor<1x1x3x2xf32>
  return %1 : tensor<1x1x3x2xf32>
}

// ONNX pads [1, 0, 1, 0] (begins, then ends): H by (1, 1), W not at all.
func.func @test_conv_with_strides_and_asymmetric_padding(%x: tensor<1x1x7x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x7x5xf32>) -> tensor<1x7x5x1xf32>
  %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x3x3x1xf32>
  %0 = tosa.conv2d %xt, %wt, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x7x5x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x2x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x2x1xf32>) -> tensor<1x1x4x2xf32>
  return %1 : tensor<1x1x4x2xf32>
}

// Inference batch norm, epsilon 1e-5: scale (x - mean) / sqrt(var + eps) + B
// with the per-channel vectors reshaped to [1, C, 1, 1].
func.func @test_batchnorm_example(%x: tensor<2x3x4x5xf32>, %scale: tensor<3xf32>, %bias: tensor<3xf32>, %mean: tensor<3xf32>, %var: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %eps = "tosa.const"() <{values = dense<1.0e-05> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %s = tosa.const_shape {values = dense<[1, 3, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %scale4 = tosa.reshape %scale, %s : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x3x1x1xf32>
  %bias4 = tosa.reshape %bias, %s : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x3x1x1xf32>
  %mean4 = tosa.reshape %mean, %s : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x3x1x1xf32>
  %var4 = tosa.reshape %var, %s : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x3x1x1xf32>
  %ve = tosa.add %var4, %eps : (tensor<1x3x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x3x1x1xf32>
  %inv = tosa.rsqrt %ve : (tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
  %xm = tosa.sub %x, %mean4 : (tensor<2x3x4x5xf32>, tensor<1x3x1x1xf32>) -> tensor<2x3x4x5xf32>
  %n = tosa.mul %xm, %inv, %shift : (tensor<2x3x4x5xf32>, tensor<1x3x1x1xf32>, tensor<1xi8>) -> tensor<2x3x4x5xf32>
  %sn = tosa.mul %n, %scale4, %shift : (tensor<2x3x4x5xf32>, tensor<1x3x1x1xf32>, tensor<1xi8>) -> tensor<2x3x4x5xf32>
  %0 = tosa.add %sn, %bias4 : (tensor<2x3x4x5xf32>, tensor<1x3x1x1xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

//===----------------------------------------------------------------------===//
// Pools (NCHW in and out; ONNX's default count_include_pad = 0 is TOSA's
// average over the window's elements inside the input)
//===----------------------------------------------------------------------===//

// Kernel 2x2, stride 1.
func.func @test_maxpool_2d_default(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x31x31xf32> {
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32>
  %0 = tosa.max_pool2d %xt {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x32x32x3xf32>) -> tensor<1x31x31x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x31x31x3xf32>) -> tensor<1x3x31x31xf32>
  return %1 : tensor<1x3x31x31xf32>
}

// Kernel 3x3, pads 2.
func.func @test_maxpool_2d_pads(%x: tensor<1x3x28x28xf32>) -> tensor<1x3x30x30xf32> {
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x28x28xf32>) -> tensor<1x28x28x3xf32>
  %0 = tosa.max_pool2d %xt {kernel = array<i64: 3, 3>, pad = array<i64: 2, 2, 2, 2>, stride = array<i64: 1, 1>} : (tensor<1x28x28x3xf32>) -> tensor<1x30x30x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x30x30x3xf32>) -> tensor<1x3x30x30xf32>
  return %1 : tensor<1x3x30x30xf32>
}

// Kernel 5x5, strides 3.
func.func @test_maxpool_2d_strides(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x10x10xf32> {
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32>
  %0 = tosa.max_pool2d %xt {kernel = array<i64: 5, 5>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 3, 3>} : (tensor<1x32x32x3xf32>) -> tensor<1x10x10x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x10x10x3xf32>) -> tensor<1x3x10x10xf32>
  return %1 : tensor<1x3x10x10xf32>
}

// Kernel 5x5, pads 2.
func.func @test_maxpool_2d_precomputed_pads(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32> {
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x5x5x1xf32>
  %0 = tosa.max_pool2d %xt {kernel = array<i64: 5, 5>, pad = array<i64: 2, 2, 2, 2>, stride = array<i64: 1, 1>} : (tensor<1x5x5x1xf32>) -> tensor<1x5x5x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x5x5x1xf32>) -> tensor<1x1x5x5xf32>
  return %1 : tensor<1x1x5x5xf32>
}

// Kernel 2x2, strides 2 on 5x5: TOSA wants (5 - 2) divisible by 2, so the
// last row and column, which no window reads, are sliced off first.
func.func @test_maxpool_2d_precomputed_strides(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32> {
  %start = tosa.const_shape {values = dense<[0, 0, 0, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %size = tosa.const_shape {values = dense<[1, 4, 4, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x5x5x1xf32>
  %xs = tosa.slice %xt, %start, %size : (tensor<1x5x5x1xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x4x4x1xf32>
  %0 = tosa.max_pool2d %xs {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}

func.func @test_averagepool_2d_default(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x31x31xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32>
  %0 = tosa.avg_pool2d %xt, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x32x32x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x31x31x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x31x31x3xf32>) -> tensor<1x3x31x31xf32>
  return %1 : tensor<1x3x31x31xf32>
}

func.func @test_averagepool_2d_pads(%x: tensor<1x3x28x28xf32>) -> tensor<1x3x30x30xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x28x28xf32>) -> tensor<1x28x28x3xf32>
  %0 = tosa.avg_pool2d %xt, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 2, 2, 2, 2>, stride = array<i64: 1, 1>} : (tensor<1x28x28x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x30x30x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x30x30x3xf32>) -> tensor<1x3x30x30xf32>
  return %1 : tensor<1x3x30x30xf32>
}

func.func @test_averagepool_2d_strides(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x10x10xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32>
  %0 = tosa.avg_pool2d %xt, %zp, %zp {acc_type = f32, kernel = array<i64: 5, 5>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 3, 3>} : (tensor<1x32x32x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x10x10x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x10x10x3xf32>) -> tensor<1x3x10x10xf32>
  return %1 : tensor<1x3x10x10xf32>
}

func.func @test_averagepool_2d_precomputed_pads(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x5x5x1xf32>
  %0 = tosa.avg_pool2d %xt, %zp, %zp {acc_type = f32, kernel = array<i64: 5, 5>, pad = array<i64: 2, 2, 2, 2>, stride = array<i64: 1, 1>} : (tensor<1x5x5x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x5x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x5x5x1xf32>) -> tensor<1x1x5x5xf32>
  return %1 : tensor<1x1x5x5xf32>
}

func.func @test_averagepool_2d_precomputed_strides(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %start = tosa.const_shape {values = dense<[0, 0, 0, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %size = tosa.const_shape {values = dense<[1, 4, 4, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x5x5x1xf32>
  %xs = tosa.slice %xt, %start, %size : (tensor<1x5x5x1xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x4x4x1xf32>
  %0 = tosa.avg_pool2d %xs, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}

// The whole 5x5 map: one window.
func.func @test_globalaveragepool(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x5x5xf32>) -> tensor<1x5x5x3xf32>
  %0 = tosa.avg_pool2d %xt, %zp, %zp {acc_type = f32, kernel = array<i64: 5, 5>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x5x5x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x3xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x1x1x3xf32>) -> tensor<1x3x1x1xf32>
  return %1 : tensor<1x3x1x1xf32>
}

// The maximum over H and W: two reductions, layout untouched.
func.func @test_globalmaxpool(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32> {
  %0 = tosa.reduce_max %x {axis = 2 : i32} : (tensor<1x3x5x5xf32>) -> tensor<1x3x1x5xf32>
  %1 = tosa.reduce_max %0 {axis = 3 : i32} : (tensor<1x3x1x5xf32>) -> tensor<1x3x1x1xf32>
  return %1 : tensor<1x3x1x1xf32>
}
