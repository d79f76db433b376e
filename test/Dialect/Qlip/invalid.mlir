// RUN: qlip-opt %s -split-input-file -verify-diagnostics

// Every diagnostic the qlip dialect can emit, one case each.

//===----------------------------------------------------------------------===//
// #qlip.qparams: syntax
//===----------------------------------------------------------------------===//

func.func @duplicate_field(%x: tensor<4xf32>) {
  // expected-error@+1 {{duplicate field `scales`}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0], scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @unknown_field(%x: tensor<4xf32>) {
  // expected-error@+1 {{unknown field `scale`, expected one of axis, scales, zero_points, clip, rule}}
  %0 = qlip.fake_quant %x with <i8, scale = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @unknown_rule(%x: tensor<4xf32>) {
  // expected-error@+1 {{unknown clipping rule `minmax`}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0], clip = [[-1.0, 1.0]], rule = minmax> : tensor<4xf32>
  return
}

// -----

func.func @missing_scales(%x: tensor<4xf32>) {
  // expected-error@+1 {{missing field `scales`}}
  %0 = qlip.fake_quant %x with <i8, clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @missing_clip(%x: tensor<4xf32>) {
  // expected-error@+1 {{missing field `clip`}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @missing_rule(%x: tensor<4xf32>) {
  // expected-error@+1 {{missing field `rule`}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0], clip = [[-1.0, 1.0]]> : tensor<4xf32>
  return
}

// -----

func.func @storage_not_an_integer(%x: tensor<4xf32>) {
  // expected-error@+1 {{invalid kind of type specified: expected builtin.integer, but found 'f32'}}
  %0 = qlip.fake_quant %x with <f32, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @integer_scale(%x: tensor<4xf32>) {
  // expected-error@+2 {{unexpected decimal integer literal for a floating point value}}
  // expected-note@+1 {{add a trailing dot to make the literal a float}}
  %0 = qlip.fake_quant %x with <i8, scales = [1], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// #qlip.qparams: verifier
//===----------------------------------------------------------------------===//

func.func @zero_bits(%x: tensor<4xf32>) {
  // expected-error@+1 {{bit width must be in [2, 16], got 0}}
  %0 = qlip.fake_quant %x with <i0, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @one_bit(%x: tensor<4xf32>) {
  // expected-error@+1 {{bit width must be in [2, 16], got 1}}
  %0 = qlip.fake_quant %x with <i1, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @seventeen_bits(%x: tensor<4xf32>) {
  // expected-error@+1 {{bit width must be in [2, 16], got 17}}
  %0 = qlip.fake_quant %x with <i17, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @no_scales(%x: tensor<4xf32>) {
  // expected-error@+1 {{expected at least one scale}}
  %0 = qlip.fake_quant %x with <i8, scales = [], clip = [], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @negative_axis(%x: tensor<4xf32>) {
  // expected-error@+1 {{quantization axis must be non-negative, got -1}}
  %0 = qlip.fake_quant %x with <i8, axis = -1, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @per_tensor_two_scales(%x: tensor<4xf32>) {
  // expected-error@+1 {{per-tensor parameters take exactly one scale, got 2 (per-axis parameters need an `axis`)}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0, 2.0], clip = [[-1.0, 1.0], [-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @zero_scale(%x: tensor<4xf32>) {
  // expected-error@+1 {{scale #0 must be positive and finite, got 0.0}}
  %0 = qlip.fake_quant %x with <i8, scales = [0.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @negative_scale(%x: tensor<2xf32>) {
  // expected-error@+1 {{scale #1 must be positive and finite, got -0.5}}
  %0 = qlip.fake_quant %x with <i8, axis = 0, scales = [1.0, -0.5], clip = [[-1.0, 1.0], [-1.0, 1.0]], rule = max> : tensor<2xf32>
  return
}

// -----

func.func @nan_scale(%x: tensor<4xf32>) {
  // expected-error@+1 {{scale #0 must be positive and finite, got nan}}
  %0 = qlip.fake_quant %x with <i8, scales = [0x7FF8000000000000], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @inf_scale(%x: tensor<4xf32>) {
  // expected-error@+1 {{scale #0 must be positive and finite, got inf}}
  %0 = qlip.fake_quant %x with <i8, scales = [0x7FF0000000000000], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

// Scales the f32 arithmetic cannot hold (a denormal, beyond FLT_MAX).
func.func @tiny_scale(%x: tensor<4xf32>) {
  // expected-error@+1 {{scale #0 must be a normal f32 (1.17549435e-38 to 3.40282347e+38), got 1.0e-45}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0e-45], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @huge_scale(%x: tensor<4xf32>) {
  // expected-error@+1 {{scale #0 must be a normal f32 (1.17549435e-38 to 3.40282347e+38), got 1.0e+300}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0e300], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @zero_point_count(%x: tensor<2xf32>) {
  // expected-error@+1 {{expected 2 zero points to match the scales, got 1}}
  %0 = qlip.fake_quant %x with <i8, axis = 0, scales = [1.0, 1.0], zero_points = [0], clip = [[-1.0, 1.0], [-1.0, 1.0]], rule = max> : tensor<2xf32>
  return
}

// -----

func.func @zero_point_above_range(%x: tensor<4xf32>) {
  // expected-error@+1 {{zero point #0 = 16 is outside the grid [0, 15]}}
  %0 = qlip.fake_quant %x with <ui4, scales = [1.0], zero_points = [16], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @zero_point_narrow(%x: tensor<4xf32>) {
  // A narrow signed grid has no -128.
  // expected-error@+1 {{zero point #0 = -128 is outside the grid [-127, 127]}}
  %0 = qlip.fake_quant %x with <i8 narrow, scales = [1.0], zero_points = [-128], clip = [[-1.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @clip_count(%x: tensor<2xf32>) {
  // expected-error@+1 {{expected 2 clip ranges to match the scales, got 1}}
  %0 = qlip.fake_quant %x with <i8, axis = 0, scales = [1.0, 1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<2xf32>
  return
}

// -----

func.func @clip_not_finite(%x: tensor<4xf32>) {
  // expected-error@+1 {{clip range #0 must be finite}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0], clip = [[0xFFF0000000000000, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

func.func @clip_empty(%x: tensor<4xf32>) {
  // expected-error@+1 {{clip range #0 is empty: min 2.0 > max 1.0}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0], clip = [[2.0, 1.0]], rule = max> : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// qlip.fake_quant
//===----------------------------------------------------------------------===//

func.func @axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{'qlip.fake_quant' op quantization axis 2 is out of range for a tensor of rank 2}}
  %0 = qlip.fake_quant %x with <i8, axis = 2, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<2x3xf32>
  return
}

// -----

func.func @scale_count_mismatch(%w: tensor<16x3x3x8xf32>) {
  // expected-error@+1 {{'qlip.fake_quant' op expected 16 scales for the 16 channels along axis 0, got 2}}
  %0 = qlip.fake_quant %w with <i8 narrow, axis = 0, scales = [1.0, 1.0], clip = [[-1.0, 1.0], [-1.0, 1.0]], rule = max> : tensor<16x3x3x8xf32>
  return
}

// -----

func.func @integer_tensor(%x: tensor<4xi8>) {
  // expected-error@+1 {{'qlip.fake_quant' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = qlip.fake_quant %x with <i8, scales = [1.0], clip = [[-1.0, 1.0]], rule = max> : tensor<4xi8>
  return
}

// -----

func.func @generic_wrong_attr(%x: tensor<4xf32>) {
  // expected-error@+1 {{'qlip.fake_quant' op attribute 'qparams' failed to satisfy constraint}}
  %0 = "qlip.fake_quant"(%x) {qparams = 1 : i32} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @result_type_differs(%x: tensor<4xf32>) {
  // expected-error@+1 {{'qlip.fake_quant' op requires the same type for all operands and results}}
  %0 = "qlip.fake_quant"(%x) {qparams = #qlip.qparams<i8, scales = [1.0], clip = [[-1.0, 1.0]], rule = max>} : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// qlip.observe
//===----------------------------------------------------------------------===//

func.func @empty_id(%x: tensor<4xf32>) {
  // expected-error@+1 {{'qlip.observe' op requires a non-empty observer id}}
  %0 = qlip.observe "" %x : tensor<4xf32>
  return
}

// -----

func.func @observe_integer(%x: tensor<4xi32>) {
  // expected-error@+1 {{'qlip.observe' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = qlip.observe "x" %x : tensor<4xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// #qlip.stats and #qlip.histogram
//===----------------------------------------------------------------------===//

func.func @negative_count(%x: tensor<4xf32>) {
  // expected-error@+1 {{count must be non-negative, got -1}}
  %0 = qlip.observe "x" %x stats <count = -1, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0> : tensor<4xf32>
  return
}

// -----

func.func @stats_nan(%x: tensor<4xf32>) {
  // expected-error@+1 {{`mean` must be finite}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0x7FF8000000000000, mad = 0.1, stddev = 0.2, kurtosis = 3.0> : tensor<4xf32>
  return
}

// -----

func.func @min_above_max(%x: tensor<4xf32>) {
  // expected-error@+1 {{min 2.0 exceeds max 1.0}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 2.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0> : tensor<4xf32>
  return
}

// -----

func.func @negative_spread(%x: tensor<4xf32>) {
  // expected-error@+1 {{mad, stddev and kurtosis must be non-negative}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = -0.1, stddev = 0.2, kurtosis = 3.0> : tensor<4xf32>
  return
}

// -----

func.func @mad_above_stddev(%x: tensor<4xf32>) {
  // expected-error@+1 {{mad 0.3 exceeds stddev 0.2}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.3, stddev = 0.2, kurtosis = 3.0> : tensor<4xf32>
  return
}

// -----

func.func @missing_stat(%x: tensor<4xf32>) {
  // expected-error@+1 {{struct is missing required parameter: kurtosis}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2> : tensor<4xf32>
  return
}

// -----

func.func @histogram_total(%x: tensor<4xf32>) {
  // expected-error@+1 {{histogram holds 3 values but count is 4}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0, histogram = <edges = [0.0, 0.5, 1.0], counts = [1, 2]>> : tensor<4xf32>
  return
}

// -----

func.func @histogram_no_bins(%x: tensor<4xf32>) {
  // A malformed histogram also fails the enclosing stats.
  // expected-error@+2 {{failed to parse Qlip_StatsAttr parameter 'histogram'}}
  // expected-error@+1 {{histogram needs at least one bin}}
  %0 = qlip.observe "x" %x stats <count = 0, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0, histogram = <edges = [0.0], counts = []>> : tensor<4xf32>
  return
}

// -----

func.func @histogram_edges(%x: tensor<4xf32>) {
  // A malformed histogram also fails the enclosing stats.
  // expected-error@+2 {{failed to parse Qlip_StatsAttr parameter 'histogram'}}
  // expected-error@+1 {{histogram with 2 bins needs 3 edges, got 2}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0, histogram = <edges = [0.0, 1.0], counts = [2, 2]>> : tensor<4xf32>
  return
}

// -----

func.func @histogram_unordered(%x: tensor<4xf32>) {
  // A malformed histogram also fails the enclosing stats.
  // expected-error@+2 {{failed to parse Qlip_StatsAttr parameter 'histogram'}}
  // expected-error@+1 {{histogram edges must increase strictly, but edge #2 = 0.5 follows 1.0}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0, histogram = <edges = [0.0, 1.0, 0.5], counts = [2, 2]>> : tensor<4xf32>
  return
}

// -----

func.func @histogram_inf_edge(%x: tensor<4xf32>) {
  // A malformed histogram also fails the enclosing stats.
  // expected-error@+2 {{failed to parse Qlip_StatsAttr parameter 'histogram'}}
  // expected-error@+1 {{histogram edge #1 must be finite}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0, histogram = <edges = [0.0, 0x7FF0000000000000], counts = [4]>> : tensor<4xf32>
  return
}

// -----

func.func @histogram_negative_count(%x: tensor<4xf32>) {
  // A malformed histogram also fails the enclosing stats.
  // expected-error@+2 {{failed to parse Qlip_StatsAttr parameter 'histogram'}}
  // expected-error@+1 {{histogram count #0 must be non-negative, got -1}}
  %0 = qlip.observe "x" %x stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.1, stddev = 0.2, kurtosis = 3.0, histogram = <edges = [0.0, 0.5, 1.0], counts = [-1, 5]>> : tensor<4xf32>
  return
}

// -----

func.func @quantize_grid_too_wide(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error@+1 {{'qlip.quantize' op grid [0, 255] does not fit in the signed range of 'tensor<4xi8>'}}
  %0 = qlip.quantize %x with <ui8, scales = [0.5], clip = [[0.0, 127.5]], rule = max> : tensor<4xf32> to tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @dequantize_axis(%q: tensor<2x3xi8>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qlip.dequantize' op expected 3 scales for the 3 channels along axis 1, got 2}}
  %0 = qlip.dequantize %q with <i8 narrow, axis = 1, scales = [0.5, 0.25], clip = [[-63.5, 63.5], [-31.75, 31.75]], rule = max> : tensor<2x3xi8> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @quantize_shape(%x: tensor<4xf32>) -> tensor<3xi8> {
  // expected-error@+1 {{'qlip.quantize' op requires the same shape for all operands and results}}
  %0 = qlip.quantize %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<4xf32> to tensor<3xi8>
  return %0 : tensor<3xi8>
}

// -----

func.func @dequantize_float_input(%q: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qlip.dequantize' op operand #0 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer values}}
  %0 = qlip.dequantize %q with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @input_moments_not_square(%x: tensor<1x1x3xf32>, %w: tensor<1x3x1xf32>, %zp: tensor<1xf32>) -> tensor<1x1x1xf32> {
  // expected-error@+1 {{'qlip.input_moments' must be f64 elements of shape [groups, K, K], got dense<1.000000e+00> : tensor<1x3x2xf64>}}
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_moments = dense<1.0> : tensor<1x3x2xf64>} : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}

// -----

func.func @input_moments_f32(%x: tensor<1x1x3xf32>, %w: tensor<1x3x1xf32>, %zp: tensor<1xf32>) -> tensor<1x1x1xf32> {
  // expected-error@+1 {{'qlip.input_moments' must be f64 elements of shape [groups, K, K]}}
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_moments = dense<1.0> : tensor<1x3x3xf32>} : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}

// -----

func.func @input_mean_rank(%x: tensor<1x1x3xf32>, %w: tensor<1x3x1xf32>, %zp: tensor<1xf32>) -> tensor<1x1x1xf32> {
  // expected-error@+1 {{'qlip.input_mean' must be f64 elements of shape [groups, K], got dense<1.000000e+00> : tensor<1x3x3xf64>}}
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_mean = dense<1.0> : tensor<1x3x3xf64>} : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}
