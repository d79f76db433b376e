// RUN: not qlip-opt %s -split-input-file -qlip-npu-plan=print-report -o /dev/null 2>&1 | FileCheck %s
// RUN: not qlip-opt %s -split-input-file -qlip-npu-plan 2>/dev/null | FileCheck %s --check-prefix=IR
// RUN: not qlip-opt %s -split-input-file -qlip-npu-plan -o /dev/null 2>&1 | FileCheck %s --check-prefix=SMALL

// A 3x3 conv (pad 1) from 1x8x8x4 to 1x8x8x8 at 8 bits. A tile of r output
// rows by c channels needs an input window of min(8, r + 2) rows of 8 x 4
// bytes, r x 8 x c output bytes and 36 c weight bytes; the scratchpad
// holds two of each activation tile, 64-byte aligned.

// All of it fits 4096 bytes: one 8x8 tile, input 256 B, output 512 B, at
// [0, 256, 256, 256, 512, 512, 1024, 512]; 288 weight bytes stay resident,
// so the DRAM traffic is the input and the output, 768 B.
// CHECK-LABEL: npu memory plan: scratchpad 4096 B, weight buffer 4096 B
// CHECK: conv conv2d 8x8 1 1536 768
// CHECK: weights: 288 B, resident in the weight buffer; peak scratchpad 1536 of 4096 B; DRAM traffic 768 B per inference
// IR: npu.tile = #npu.tile<rows = 8, channels = 8, buffers = [0, 256, 256, 256, 512, 512, 1024, 512]>
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @fits(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8> loc("conv")
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

// In 1024 bytes at most 4 rows fit (input 6 rows = 192 B, output 256 B:
// 896 B); 5 rows would need 1152. Two row tiles each read a 6-row window,
// 384 B with the halo, and write 512 B.
// CHECK-LABEL: npu memory plan: scratchpad 1024 B, weight buffer 4096 B
// CHECK: rows conv2d 4x8 2 896 896
// IR: npu.tile = #npu.tile<rows = 4, channels = 8, buffers = [0, 192, 192, 192, 384, 256, 640, 256]>
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 1024, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @rows(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8> loc("rows")
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

// A 200-byte weight buffer cannot keep the 288 weight bytes: they stream,
// double-buffered, so a tile has at most 2 channels (2 x 72 B). Four
// channel tiles each read the whole input: 4 x 256 + 512 + 288 = 1824 B.
// CHECK-LABEL: npu memory plan: scratchpad 4096 B, weight buffer 200 B
// CHECK: streamed conv2d 8x2 4 768 1824
// CHECK: weights: 288 B, streamed from DRAM
// IR: npu.tile = #npu.tile<rows = 8, channels = 2, buffers = [0, 256, 256, 256, 512, 128, 640, 128]>
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 200, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @streamed(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8> loc("streamed")
  return %0 : tensor<1x8x8x8xi8>
}
}

// -----

// The smallest tile, one row of one channel, needs 2 x 128 + 2 x 64 = 384
// bytes: 256 cannot hold it.
// SMALL: error: loc("small"): qlip-npu-plan: the target cannot hold the smallest tile (1 row x 1 channels): 384 scratchpad bytes double-buffered, of 256, and 36 weight bytes, of 4096
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 256, weight_buffer = 4096, dram_bytes_per_cycle = 16, clock_mhz = 500>} {
func.func @small(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>, %b: tensor<8xi32>, %m: tensor<1xi32>, %s: tensor<1xi8>) -> tensor<1x8x8x8xi8> {
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8>, tensor<8xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x8xi8> loc("small")
  return %0 : tensor<1x8x8x8xi8>
}
}
