// RUN: not qlip-opt %s -split-input-file -qlip-npu-cost -o /dev/null 2>&1 | FileCheck %s

// One 1x1 conv, 32 output channels over 4 input channels on 2x2 pixels, on
// a 16x4 array: 512 MACs in ceil(32/16) * ceil(4/4) * 4 = 8 cycles (100%).
// Weights 128 B fit the buffer; input 16 B and output 128 B fit the
// scratchpad but cross DRAM as the model's own: 144 B = 9 cycles at 16
// B/cycle, so the layer is DMA-bound. Energy 512 * 0.2 pJ + 144 * 160 pJ =
// 23.14 nJ.
// CHECK: npu 16x4, widths 4 8, scratchpad 4096 B, weight buffer 4096 B, 16 B/cycle, 500 MHz
// CHECK: conv conv2d 8 512 100.0 9 128 144 DMA 23.14
// CHECK: total: 512 MACs, 9 cycles (0.02 us), 144 DRAM bytes, weights 128 B resident on chip, 23.14 nJ
module attributes {npu.target = #npu.target<rows = 16, cols = 4, widths = [4, 8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @one(%x: tensor<1x2x2x4xi8>, %w: tensor<32x1x1x4xi8>, %b: tensor<32xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x2x2x32xi8> {
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x4xi8>, tensor<32x1x1x4xi8>, tensor<32xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x32xi8> loc("conv")
  return %0 : tensor<1x2x2x32xi8>
}
}

// -----

// At 4 bits a PE does (8/4)^2 = 4 multiplies: 16 lanes for a reduction of
// 4, so the same 8 cycles at 25% utilization; weights take 64 B. A weight
// buffer of 32 B cannot hold them: they cross DRAM too (144 + 64 = 208 B,
// 13 cycles). Energy 512 * 0.05 pJ + 208 * 160 pJ = 33.31 nJ.
// CHECK: conv4 conv2d 4 512 25.0 13 64 208 DMA 33.31
// CHECK: weights 64 B streamed from DRAM
module attributes {npu.target = #npu.target<rows = 16, cols = 4, widths = [4, 8], scratchpad = 4096, weight_buffer = 32, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @four(%x: tensor<1x2x2x4xi8>, %w: tensor<32x1x1x4xi8>, %b: tensor<32xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x2x2x32xi8> {
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 4 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x4xi8>, tensor<32x1x1x4xi8>, tensor<32xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x32xi8> loc("conv4")
  return %0 : tensor<1x2x2x32xi8>
}
}

// -----

// A max pool on the vector path: 2x2x16 outputs read 4 values each, 256
// reads at 16 per cycle = 16 cycles; its 256 input and 64 output bytes
// cross DRAM (the model's own): 320 B, 20 cycles, DMA-bound, 51.20 nJ.
// CHECK: pool max_pool2d 8 0 0.0 20 0 320 DMA 51.20
module attributes {npu.target = #npu.target<rows = 16, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @pool(%x: tensor<1x4x4x16xi8>) -> tensor<1x2x2x16xi8> {
  %0 = npu.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x16xi8> -> tensor<1x2x2x16xi8> loc("pool")
  return %0 : tensor<1x2x2x16xi8>
}
}

// -----

// CHECK: error: qlip-npu-cost: the module has no npu.target attribute
module {}
