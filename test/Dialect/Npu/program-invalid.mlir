// RUN: qlip-opt %s -split-input-file -verify-diagnostics

// The buffer-level verifiers: every command's ranges against the target's
// memories and the program's DRAM, each tile against the configured layer,
// and the program's order: no tile or DMA uses a buffer a DMA in flight
// moves, every wait has its DMA and none is in flight at the end.

// A DMA past the scratchpad.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{'npu.dma_load' op the local range [1000, +32) lies outside the 1024-byte scratchpad}}
  npu.dma_load tag 0 dram [128] -> scratchpad [1000], 1 x 32, strides 32 32
  npu.wait tag 0
}
}

// -----

// A DMA past the weight buffer.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{'npu.dma_load' op the local range [100, +200) lies outside the 256-byte weight buffer}}
  npu.dma_load tag 0 dram [0] -> weights [100], 1 x 200, strides 200 200
  npu.wait tag 0
}
}

// -----

// A DMA past DRAM (strided chunks).
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{'npu.dma_load' op the DRAM range [200, +68) lies outside the 256-byte DRAM}}
  npu.dma_load tag 0 dram [200] -> scratchpad [0], 3 x 4, strides 32 4
  npu.wait tag 0
}
}

// -----

// Chunks that overlap.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{expected at least one chunk of at least one byte, and strides no shorter than a chunk}}
  npu.dma_load tag 0 dram [0] -> scratchpad [0], 2 x 8, strides 4 8
  npu.wait tag 0
}
}

// -----

// Stores come only from the scratchpad.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{stores only from the scratchpad}}
  "npu.dma_store"() <{tag = 0 : i64, dram = 0 : i64, local = 0 : i64, count = 1 : i64, bytes = 8 : i64, dram_stride = 8 : i64, local_stride = 8 : i64, weight_buffer}> : () -> ()
}
}

// -----

// A wait for a tag no DMA has.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{waits for tag 7, which no DMA in flight has}}
  npu.wait tag 7
}
}

// -----

// A tile reads its input before the load is waited for.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.dma_load tag 0 dram [0] -> weights [0], 1 x 36, strides 36 36
  npu.wait tag 0
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-note @+1 {{the DMA}}
  npu.dma_load tag 1 dram [128] -> scratchpad [0], 1 x 32, strides 32 32
  // expected-error @+1 {{uses scratchpad bytes [0, +32) while DMA tag 1 into or out of them is in flight}}
  npu.mac_tile rows 0 + 4 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
  npu.wait tag 1
}
}

// -----

// A requantize overwrites an output buffer still being stored.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.dma_load tag 0 dram [0] -> weights [0], 1 x 36, strides 36 36
  npu.wait tag 0
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  npu.mac_tile rows 0 + 4 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
  npu.requantize to scratchpad [64]
  // expected-note @+1 {{the DMA}}
  npu.dma_store tag 2 scratchpad [64] -> dram [192], 1 x 32, strides 32 32
  npu.mac_tile rows 0 + 4 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
  // expected-error @+1 {{uses scratchpad bytes [64, +32) while DMA tag 2 into or out of them is in flight}}
  npu.requantize to scratchpad [64]
  npu.wait tag 2
}
}

// -----

// A tag reused while in flight.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.dma_load tag 0 dram [0] -> scratchpad [0], 1 x 8, strides 8 8
  // expected-error @+1 {{reuses tag 0 while it is in flight}}
  npu.dma_load tag 0 dram [8] -> scratchpad [8], 1 x 8, strides 8 8
}
}

// -----

// A program that ends with a DMA in flight.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
// expected-error @+1 {{ends with DMA tag 0 still in flight}}
npu.program @p attributes {dram_size = 256 : i64} {
  npu.dma_load tag 0 dram [0] -> scratchpad [0], 1 x 8, strides 8 8
}
}

// -----

// A tile before any configure.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{has no npu.configure before it}}
  npu.mac_tile rows 0 + 4 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
}
}

// -----

// A MAC tile of a pool.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.configure "pool" #npu.layer<kind = "max_pool2d", input = [1, 4, 4, 2], output = [1, 2, 2, 2], kernel = [2, 2], stride = [2, 2], dilation = [1, 1], pad = [0, 0, 0, 0], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 0, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-error @+1 {{needs a MAC layer, but max_pool2d is configured}}
  npu.mac_tile rows 0 + 2 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
}
}

// -----

// A vector tile of a conv.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-error @+1 {{needs a max_pool2d, add or rescale, but conv2d is configured}}
  npu.vector_tile rows 0 + 2 channels 0 + 2 from scratchpad [0] rows 0 + 4, [0] to [128]
}
}

// -----

// A tile outside the layer.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-error @+1 {{tile rows [2, +4) x channels [0, +2) is not inside the layer's 4 x 2 output}}
  npu.mac_tile rows 2 + 4 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
}
}

// -----

// A tile holding other input rows than its window reads.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-error @+1 {{the tile's window reads input rows [0, +3), but the tile holds [0, +4)}}
  npu.mac_tile rows 0 + 2 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
}
}

// -----

// Weight rows past the weight buffer.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-error @+1 {{the second buffer [240, +36) lies outside the 256-byte weight buffer}}
  npu.mac_tile rows 0 + 4 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [240]
}
}

// -----

// A requantize with no MAC tile before it.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-error @+1 {{has no npu.mac_tile of the configured layer before it}}
  npu.requantize to scratchpad [64]
}
}

// -----

// An operand width the array does not take.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{the target's MAC array takes no 2-bit operands}}
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 2, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}

// -----

// An epilogue table outside DRAM.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{the epilogue table [250, +18) lies outside the 256-byte DRAM}}
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 250, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}

// -----

// A depthwise tile splitting a channel multiplier.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.configure "dw" #npu.layer<kind = "depthwise_conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 4], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 2, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  // expected-error @+1 {{a depthwise tile's channels must be whole multiples of the channel multiplier 2}}
  npu.mac_tile rows 0 + 4 channels 0 + 3 from scratchpad [0] rows 0 + 4 weights [0]
}
}

// -----

// A segment outside DRAM.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{the segment [250, +8) lies outside the 256-byte DRAM}}
  npu.segment [250] dense<0> : tensor<8xi8>
}
}

// -----

// Overlapping segments.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.segment [0] dense<0> : tensor<8xi8>
  // expected-error @+1 {{overlaps another segment}}
  npu.segment [4] dense<0> : tensor<8xi8>
}
}

// -----

// A boundary tensor with a bad quantizer.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{expected a positive finite scale and a range within [-128, 127], got scale 0}}
  npu.host_input 0 dram [0] {qmax = 127 : i64, qmin = -128 : i64, scale = 0.0 : f64, shape = array<i64: 1, 4>, zero_point = 0 : i64}
}
}

// -----

// A boundary tensor outside DRAM.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{the tensor [240, +32) lies outside the 256-byte DRAM}}
  npu.host_output 0 dram [240] {qmax = 127 : i64, qmin = -128 : i64, scale = 5.000000e-01 : f64, shape = array<i64: 1, 4, 4, 2>, zero_point = 0 : i64}
}
}

// -----

// Another op inside a program.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{is not an npu command}}
  %0 = arith.constant 0 : i8
}
}

// -----

// An unknown layer kind.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{unknown layer kind 'conv3d'}}
  npu.configure "conv" #npu.layer<kind = "conv3d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}

// -----

// A window list of the wrong length.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{expected 4 values in pad, got 2}}
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}

// -----

// Commands live in a program.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
func.func @f() {
  // expected-error @+1 {{expects parent op 'npu.program'}}
  npu.wait tag 0
  return
}
}

// -----

// A command needs a target.
module {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{needs an npu.target on the module}}
  npu.dma_load tag 0 dram [0] -> scratchpad [0], 1 x 8, strides 8 8
  npu.wait tag 0
}
}

// -----

// A width that is no width.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{weight_bits must be 2, 4 or 8, got 3}}
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 3, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}

// -----

// A multiplier that does not divide the channels.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{multiplier 3 does not divide 2 output channels}}
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 3, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}

// -----

// A zero point beyond 8 bits.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{zero points and clamps must be 8-bit values, got 200}}
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 200, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}

// -----

// A zero stride.
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  // expected-error @+1 {{stride holds 0 (at least 1)}}
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [0, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
}
}
