// RUN: qlip-opt %s | qlip-opt | FileCheck %s
// RUN: qlip-opt %s -mlir-print-op-generic | qlip-opt | FileCheck %s

// The buffer level: a program of a 3x3 conv2d tile and a 2x2 max pool
// tile, with resident weights, prints and parses back.

// CHECK-LABEL: npu.program @p attributes {dram_size = 256 : i64}
// CHECK: npu.segment[0] dense<1> : tensor<36xi8>
// CHECK: npu.host_input 0 dram[128] {qmax = 127 : i64, qmin = -128 : i64, scale = 5.000000e-01 : f64, shape = array<i64: 1, 4, 4, 2>, zero_point = 0 : i64}
// CHECK: npu.dma_load tag 0 dram[0] -> weights[0], 1 x 36, strides 36 36
// CHECK: npu.wait tag 0
// CHECK: npu.configure "conv" <kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
// CHECK: npu.dma_load tag 1 dram[128] -> scratchpad[0], 1 x 32, strides 32 32
// CHECK: npu.mac_tile rows 0 + 4 channels 0 + 2 from scratchpad[0] rows 0 + 4 weights[0]
// CHECK: npu.requantize to scratchpad[64]
// CHECK: npu.dma_store tag 2 scratchpad[64] -> dram[192], 1 x 32, strides 32 32
// CHECK: npu.vector_tile rows 0 + 2 channels 0 + 2 from scratchpad[0] rows 0 + 4, [0] to[128]
// CHECK: npu.host_output 0 dram[224]

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
npu.program @p attributes {dram_size = 256 : i64} {
  npu.segment [0] dense<1> : tensor<36xi8>
  npu.segment [64] dense<2> : tensor<18xi8>
  npu.host_input 0 dram [128] {qmax = 127 : i64, qmin = -128 : i64, scale = 5.000000e-01 : f64, shape = array<i64: 1, 4, 4, 2>, zero_point = 0 : i64}
  npu.dma_load tag 0 dram [0] -> weights [0], 1 x 36, strides 36 36
  npu.wait tag 0
  npu.configure "conv" #npu.layer<kind = "conv2d", input = [1, 4, 4, 2], output = [1, 4, 4, 2], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>
  npu.dma_load tag 1 dram [128] -> scratchpad [0], 1 x 32, strides 32 32
  npu.wait tag 1
  npu.mac_tile rows 0 + 4 channels 0 + 2 from scratchpad [0] rows 0 + 4 weights [0]
  npu.requantize to scratchpad [64]
  npu.dma_store tag 2 scratchpad [64] -> dram [192], 1 x 32, strides 32 32
  npu.wait tag 2
  npu.configure "pool" #npu.layer<kind = "max_pool2d", input = [1, 4, 4, 2], output = [1, 2, 2, 2], kernel = [2, 2], stride = [2, 2], dilation = [1, 1], pad = [0, 0, 0, 0], multiplier = 1, weight_bits = 8, input_zp = 0, output_zp = 0, clamp_min = -128, clamp_max = 127, params = 0, rescale = [0, 0, 0, 0, 0, 0, 0]>
  npu.dma_load tag 3 dram [192] -> scratchpad [0], 4 x 2, strides 2 2
  npu.wait tag 3
  npu.vector_tile rows 0 + 2 channels 0 + 2 from scratchpad [0] rows 0 + 4, [0] to [128]
  npu.dma_store tag 4 scratchpad [128] -> dram [224], 1 x 8, strides 8 8
  npu.wait tag 4
  npu.host_output 0 dram [224] {qmax = 127 : i64, qmin = -128 : i64, scale = 5.000000e-01 : f64, shape = array<i64: 1, 2, 2, 2>, zero_point = 0 : i64}
}
}
