// RUN: qlip-opt %s -split-input-file -verify-diagnostics

// npu.tile's verifiers: the attribute's own (four disjoint regions) and the
// dialect's on the op (the tile within the layer, buffers large enough and
// inside the target's scratchpad, a weight tile inside its weight buffer).

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @overlap(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  // expected-error @+1 {{buffers 0 [0, 256] and 1 [128, 256] overlap while both are live}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, npu.tile = #npu.tile<rows = 8, channels = 8, buffers = [0, 256, 128, 256, 512, 512, 1024, 512]>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @count(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  // expected-error @+1 {{expected 4 buffers [offset, size] (input ping, pong, output ping, pong), got 2 values}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, npu.tile = #npu.tile<rows = 8, channels = 8, buffers = [0, 256]>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @empty(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  // expected-error @+1 {{a tile has at least one row and one channel, got 0 x 8}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, npu.tile = #npu.tile<rows = 0, channels = 8, buffers = [0, 256, 256, 256, 512, 512, 1024, 512]>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @small_buffer(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  // expected-error @+1 {{buffer 0 holds 100 bytes; an input tile needs 256}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, npu.tile = #npu.tile<rows = 8, channels = 8, buffers = [0, 100, 256, 256, 512, 512, 1024, 512]>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @past_end(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  // expected-error @+1 {{buffer 3 [3800, 512] ends past the target's 4096-byte scratchpad}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, npu.tile = #npu.tile<rows = 8, channels = 8, buffers = [0, 256, 256, 256, 512, 512, 3800, 512]>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @too_many_rows(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  // expected-error @+1 {{tile 9 x 8 does not divide an output of 8 rows x 8 channels (channel step 1)}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, npu.tile = #npu.tile<rows = 9, channels = 8, buffers = [0, 256, 256, 256, 512, 576, 1088, 576]>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 100, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @weights(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  // expected-error @+1 {{a tile's 288 weight bytes do not fit the target's 100-byte weight buffer}}
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, npu.tile = #npu.tile<rows = 8, channels = 8, buffers = [0, 256, 256, 256, 512, 512, 1024, 512]>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8>
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

func.func @not_a_layer() -> i32 {
  // expected-error @+1 {{has an npu.tile but is not an npu layer}}
  %0 = arith.constant {npu.tile = #npu.tile<rows = 1, channels = 1, buffers = [0, 1, 1, 1, 2, 1, 3, 1]>} 0 : i32
  return %0 : i32
}
