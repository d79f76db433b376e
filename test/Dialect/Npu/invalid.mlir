// RUN: qlip-opt %s -split-input-file -verify-diagnostics

// Every diagnostic of the npu dialect, one case each.

// expected-error@+1 {{the MAC array must be 1 to 1024 rows and columns, got 0 x 16}}
module attributes {npu.target = #npu.target<rows = 0, cols = 16, widths = [8], scratchpad = 1024, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {}

// -----

// expected-error@+1 {{operand widths must be 2, 4 or 8 bits, got 3}}
module attributes {npu.target = #npu.target<rows = 8, cols = 8, widths = [3], scratchpad = 1024, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {}

// -----

// expected-error@+1 {{operand widths must increase, but 4 follows 8}}
module attributes {npu.target = #npu.target<rows = 8, cols = 8, widths = [8, 4], scratchpad = 1024, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {}

// -----

// expected-error@+1 {{the MAC array must support at least one operand width}}
module attributes {npu.target = #npu.target<rows = 8, cols = 8, widths = [], scratchpad = 1024, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {}

// -----

// expected-error@+1 {{scratchpad must be positive, got 0}}
module attributes {npu.target = #npu.target<rows = 8, cols = 8, widths = [8], scratchpad = 0, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {}

// -----

// An 8-bit-only array cannot take 4-bit weights.
module attributes {npu.target = #npu.target<rows = 8, cols = 8, widths = [8], scratchpad = 1024, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
func.func @unsupported_width(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{the target's MAC array does not take 4-bit weights (it takes [8])}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 4 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}
}

// -----

func.func @bad_bits(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{weight_bits must be 2, 4 or 8, got 3}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 3 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_zp(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{zero points must be 8-bit values, got 200 and 0}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 200 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_clamp(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{expected a clamp range within [-128, 127], got [10, 5]}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = 10 : i64, clamp_max = 5 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_bias(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<2xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{expected a bias of 3 values, one per output channel, got 'tensor<2xi32>'}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<2xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_multiplier(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{expected a multiplier and a shift of 1 or 3 values each, got 'tensor<3xi32>' and 'tensor<1xi8>'}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<1xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_channels(%x: tensor<1x4x4x3xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{the weight has 2 input channels, the input 3}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x3xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_output(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{expected output dimension 1 to be 4, got 3}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x3x4x3xi8>
  return
}

// -----

func.func @bad_window(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{the window does not tile dimension 1 of the input exactly}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x2x2x3xi8>
  return
}

// -----

func.func @bad_pad(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{padding must be non-negative and stride and dilation positive}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: -1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_attr_sizes(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{expected pad of 4 and stride and dilation of 2 values}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

func.func @bad_rank(%x: tensor<4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>) {
  // expected-error@+1 {{expected 4-D input (NHWC), weight (OHWI) and output}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  return
}

// -----

// A constant weight must hold levels of its width: 8 does not fit 4 bits.
func.func @weight_too_wide(%x: tensor<1x1x1x1xi8>) {
  %w = arith.constant dense<8> : tensor<1x1x1x1xi8>
  %b = arith.constant dense<0> : tensor<1xi32>
  %m = arith.constant dense<1073741824> : tensor<1xi32>
  %s = arith.constant dense<30> : tensor<1xi8>
  // expected-error@+1 {{weight level 8 does not fit 4 bits (|w| <= 7)}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 4 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
  return
}

// -----

func.func @bad_shift(%x: tensor<1x1x1x1xi8>, %w: tensor<1x1x1x1xi8>) {
  %b = arith.constant dense<0> : tensor<1xi32>
  %m = arith.constant dense<1073741824> : tensor<1xi32>
  %s = arith.constant dense<1> : tensor<1xi8>
  // expected-error@+1 {{shifts must be in [2, 62], got 1}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
  return
}

// -----

func.func @bad_multiplier_value(%x: tensor<1x1x1x1xi8>, %w: tensor<1x1x1x1xi8>) {
  %b = arith.constant dense<0> : tensor<1xi32>
  %m = arith.constant dense<-5> : tensor<1xi32>
  %s = arith.constant dense<30> : tensor<1xi8>
  // expected-error@+1 {{multipliers must be non-negative, got -5}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
  return
}

// -----

func.func @depthwise_channels(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x4x1xi8>, %b: tensor<4xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{the weight has 4 channels, the input 2}}
  %0 = npu.depthwise_conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x4x1xi8>, tensor<4xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x4xi8>
  return
}

// -----

func.func @depthwise_output(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x2x2xi8>, %b: tensor<4xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{expected an output of 4 channels (C * M) and the input's batch}}
  %0 = npu.depthwise_conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x2x2xi8>, tensor<4xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x2xi8>
  return
}

// -----

func.func @matmul_shapes(%a: tensor<1x1x32xi8>, %w: tensor<1x16x10xi8>, %b: tensor<10xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{the weight's [N, K] does not match the input's}}
  %0 = npu.matmul %a, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : (tensor<1x1x32xi8>, tensor<1x16x10xi8>, tensor<10xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x10xi8>
  return
}

// -----

func.func @matmul_output(%a: tensor<1x1x32xi8>, %w: tensor<1x32x10xi8>, %b: tensor<10xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{expected an output of shape [N, H, 10]}}
  %0 = npu.matmul %a, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : (tensor<1x1x32xi8>, tensor<1x32x10xi8>, tensor<10xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x8xi8>
  return
}

// -----

func.func @matmul_rank(%a: tensor<1x32xi8>, %w: tensor<1x32x10xi8>, %b: tensor<10xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{expected 3-D input [N, H, K], weight [N, K, W] and output [N, H, W]}}
  %0 = npu.matmul %a, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : (tensor<1x32xi8>, tensor<1x32x10xi8>, tensor<10xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x10xi8>
  return
}

// -----

func.func @element_type(%x: tensor<1x1x1x1xi16>, %w: tensor<1x1x1x1xi8>, %b: tensor<1xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{operand #0 must be ranked tensor of 8-bit signless integer values}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x1x1x1xi16>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
  return
}

// -----

// One output of a 3x3 conv over 64 channels sums 576 products: a 512-byte
// scratchpad cannot hold its input window.
module attributes {npu.target = #npu.target<rows = 8, cols = 8, widths = [8], scratchpad = 512, weight_buffer = 4096, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
func.func @tile_too_large(%x: tensor<1x3x3x64xi8>, %w: tensor<2x3x3x64xi8>, %b: tensor<2xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) {
  // expected-error@+1 {{the target cannot hold even the smallest tile: 576 input bytes and 576 weight bytes for one output, in a scratchpad of 512 and a weight buffer of 4096 bytes}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x3x3x64xi8>, tensor<2x3x3x64xi8>, tensor<2xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x2xi8>
  return
}
}

// -----

func.func @pool_output(%x: tensor<1x4x4x2xi8>) {
  // expected-error@+1 {{the pool does not give output dimension 1 of 3}}
  %0 = npu.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x2xi8> -> tensor<1x3x2x2xi8>
  return
}

// -----

func.func @pool_attrs(%x: tensor<1x4x4x2xi8>) {
  // expected-error@+1 {{expected a positive kernel and stride of 2 values and a non-negative pad of 4}}
  %0 = npu.max_pool2d %x {kernel = array<i64: 0, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
  return
}

// -----

func.func @add_shift(%a: tensor<4xi8>, %b: tensor<4xi8>) {
  // expected-error@+1 {{shifts must be in [2, 62], got 63}}
  %0 = npu.add %a, %b {a_zp = 0 : i64, a_multiplier = 1 : i64, a_shift = 63 : i64, b_zp = 0 : i64, b_multiplier = 1 : i64, b_shift = 30 : i64, multiplier = 1 : i64, shift = 30 : i64, output_zp = 0 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @add_zero_point(%a: tensor<4xi8>, %b: tensor<4xi8>) {
  // expected-error@+1 {{zero points must be 8-bit values, got 300}}
  %0 = npu.add %a, %b {a_zp = 300 : i64, a_multiplier = 1 : i64, a_shift = 30 : i64, b_zp = 0 : i64, b_multiplier = 1 : i64, b_shift = 30 : i64, multiplier = 1 : i64, shift = 30 : i64, output_zp = 0 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @add_multiplier(%a: tensor<4xi8>, %b: tensor<4xi8>) {
  // expected-error@+1 {{multipliers must be in [0, 2^31), got -1}}
  %0 = npu.add %a, %b {a_zp = 0 : i64, a_multiplier = -1 : i64, a_shift = 30 : i64, b_zp = 0 : i64, b_multiplier = 1 : i64, b_shift = 30 : i64, multiplier = 1 : i64, shift = 30 : i64, output_zp = 0 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @add_clamp(%a: tensor<4xi8>, %b: tensor<4xi8>) {
  // expected-error@+1 {{expected a clamp range within [-128, 127], got [5, 1]}}
  %0 = npu.add %a, %b {a_zp = 0 : i64, a_multiplier = 1 : i64, a_shift = 30 : i64, b_zp = 0 : i64, b_multiplier = 1 : i64, b_shift = 30 : i64, multiplier = 1 : i64, shift = 30 : i64, output_zp = 0 : i64, clamp_min = 5 : i64, clamp_max = 1 : i64} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @rescale_shift(%x: tensor<4xi8>) {
  // expected-error@+1 {{shifts must be in [2, 62], got 1}}
  %0 = npu.rescale %x {input_zp = 0 : i64, multiplier = 1 : i64, shift = 1 : i64, output_zp = 0 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : tensor<4xi8> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_multiplier(%x: tensor<4xi8>) {
  // expected-error@+1 {{multipliers must be in [0, 2^31), got 2147483648}}
  %0 = npu.rescale %x {input_zp = 0 : i64, multiplier = 2147483648 : i64, shift = 31 : i64, output_zp = 0 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : tensor<4xi8> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_clamp(%x: tensor<4xi8>) {
  // expected-error@+1 {{expected a clamp range within [-128, 127], got [3, 2]}}
  %0 = npu.rescale %x {input_zp = 0 : i64, multiplier = 1 : i64, shift = 31 : i64, output_zp = 0 : i64, clamp_min = 3 : i64, clamp_max = 2 : i64} : tensor<4xi8> -> tensor<4xi8>
  return
}
