// RUN: qlip-opt %s -qlip-npu-plan -qlip-npu-lower | FileCheck %s
// RUN: qlip-opt %s -qlip-npu-plan -qlip-npu-lower | qlip-translate --npu-to-listing | FileCheck %s --check-prefix=LIST

// qlip-npu-lower on a conv2d whose weights (36 B packed at 4 bits) do not
// fit the 32-byte weight buffer, so they stream, one channel per tile
// (two 9-byte weight tiles fit), then a max pool in two row tiles.
//
// DRAM: the weights from 0 (one 9-byte row a channel), the epilogue table
// (bias, multiplier, shift: 4 x 9 B) at 64, the input at 128, the conv's
// output at 256, the pool's at 512.

// CHECK-LABEL: npu.program @model attributes {dram_size = 576 : i64}
// Weight 3 at 4 bits, two a byte: 0x33 = 51.
// CHECK:      npu.segment[0] dense<51> : tensor<36xi8>
// Bias 1..4 and multipliers 2^30, ... (i32, little-endian), shifts 33..36.
// CHECK-NEXT: npu.segment[64] dense<[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 64, 0, -116, -122, 71, 0, 109, 124, 77, 0, 78, 114, 83, 33, 34, 35, 36]> : tensor<36xi8>
// CHECK-NEXT: npu.host_input 0 dram[128] {qmax = 127 : i64, qmin = -128 : i64, scale = 5.000000e-01 : f64, shape = array<i64: 1, 16, 4, 2>, zero_point = 0 : i64}
// CHECK-NEXT: npu.configure "line {{[0-9]+}}" <kind = "conv2d", input = [1, 16, 4, 2], output = [1, 16, 4, 4], kernel = [3, 3], stride = [1, 1], dilation = [1, 1], pad = [1, 1, 1, 1], multiplier = 1, weight_bits = 4, input_zp = 0, output_zp = -3, clamp_min = -128, clamp_max = 127, params = 64, rescale = [0, 0, 0, 0, 0, 0, 0]>

// Tile 0's input and weights (ping), then tile 1's (pong) before tile 0
// computes.
// CHECK-NEXT: npu.dma_load tag 0 dram[128] -> scratchpad[0], 1 x 128, strides 128 128
// CHECK-NEXT: npu.dma_load tag 1 dram[0] -> weights[0], 1 x 9, strides 9 9
// CHECK-NEXT: npu.dma_load tag 2 dram[128] -> scratchpad[128], 1 x 128, strides 128 128
// CHECK-NEXT: npu.dma_load tag 3 dram[9] -> weights[9], 1 x 9, strides 9 9
// CHECK-NEXT: npu.wait tag 0
// CHECK-NEXT: npu.wait tag 1
// CHECK-NEXT: npu.mac_tile rows 0 + 16 channels 0 + 1 from scratchpad[0] rows 0 + 16 weights[0]
// CHECK-NEXT: npu.requantize to scratchpad[256]
// One channel of the NHWC output: 64 one-byte chunks, 4 bytes apart.
// CHECK-NEXT: npu.dma_store tag 4 scratchpad[256] -> dram[256], 64 x 1, strides 4 1
// CHECK-NEXT: npu.dma_load tag 5 dram[128] -> scratchpad[0], 1 x 128, strides 128 128
// CHECK-NEXT: npu.dma_load tag 6 dram[18] -> weights[0], 1 x 9, strides 9 9
// CHECK-NEXT: npu.wait tag 2
// CHECK-NEXT: npu.wait tag 3
// CHECK-NEXT: npu.mac_tile rows 0 + 16 channels 1 + 1 from scratchpad[128] rows 0 + 16 weights[9]
// CHECK-NEXT: npu.requantize to scratchpad[320]
// CHECK-NEXT: npu.dma_store tag 7 scratchpad[320] -> dram[257], 64 x 1, strides 4 1
// Tile 2 reuses tile 0's output buffer: it waits for that store first.
// CHECK-NEXT: npu.dma_load tag 8 dram[128] -> scratchpad[128], 1 x 128, strides 128 128
// CHECK-NEXT: npu.dma_load tag 9 dram[27] -> weights[9], 1 x 9, strides 9 9
// CHECK-NEXT: npu.wait tag 5
// CHECK-NEXT: npu.wait tag 6
// CHECK-NEXT: npu.wait tag 4
// CHECK-NEXT: npu.mac_tile rows 0 + 16 channels 2 + 1
// CHECK:      npu.dma_store tag 11 scratchpad[320] -> dram[259], 64 x 1, strides 4 1
// The layer ends when its stores are done.
// CHECK-NEXT: npu.wait tag 10
// CHECK-NEXT: npu.wait tag 11

// The pool: two tiles of 4 output rows, each reading its 8 input rows.
// CHECK-NEXT: npu.configure "line {{[0-9]+}}" <kind = "max_pool2d"
// CHECK-NEXT: npu.dma_load tag 12 dram[256] -> scratchpad[0], 1 x 128, strides 128 128
// CHECK-NEXT: npu.dma_load tag 13 dram[384] -> scratchpad[128], 1 x 128, strides 128 128
// CHECK-NEXT: npu.wait tag 12
// CHECK-NEXT: npu.vector_tile rows 0 + 4 channels 0 + 4 from scratchpad[0] rows 0 + 8, [0] to[256]
// CHECK-NEXT: npu.dma_store tag 14 scratchpad[256] -> dram[512], 1 x 32, strides 32 32
// CHECK-NEXT: npu.wait tag 13
// CHECK-NEXT: npu.vector_tile rows 4 + 4 channels 0 + 4 from scratchpad[128] rows 8 + 8, [0] to[320]
// CHECK-NEXT: npu.dma_store tag 15 scratchpad[320] -> dram[544], 1 x 32, strides 32 32
// CHECK-NEXT: npu.wait tag 14
// CHECK-NEXT: npu.wait tag 15
// CHECK-NEXT: npu.host_output 0 dram[512] {qmax = 127 : i64, qmin = -128 : i64, scale = 2.500000e-01 : f64, shape = array<i64: 1, 8, 2, 4>, zero_point = 0 : i64}
// CHECK-NOT: func.func

// The listing shows the same stream.
// LIST:      npu program: 4x4 array, widths 4 8, scratchpad 384 B, weight buffer 32 B, 8 B/cycle, 100 MHz
// LIST-NEXT: dram 576 B
// LIST-NEXT:   segment  [       0, +36)
// LIST-NEXT:   segment  [      64, +36)
// LIST-NEXT:   input  0 [     128] shape 1 16 4 2, scale 0.5, zero point 0, [-128, 127]
// LIST-NEXT:   output 0 [     512] shape 1 8 2 4, scale 0.25, zero point 0, [-128, 127]
// LIST-NEXT: layer 0 conv2d 'line {{[0-9]+}}': 1x16x4x2 -> 1x16x4x4, kernel 3x3 stride 1x1 dilation 1x1 pad 1x1x1x1, w4, params @64, zp 0 -> -3, clamp [-128, 127]
// LIST-NEXT: layer 1 max_pool2d 'line {{[0-9]+}}': 1x16x4x4 -> 1x8x2x4, kernel 2x2 stride 2x2 dilation 1x1 pad 0x0x0x0, zp 0 -> 0, clamp [-128, 127]
// LIST-NEXT:      0  configure   layer 0
// LIST-NEXT:      1  dma_load    spad@0           <- dram@128         1 x 128 B (strides 128, 128) tag 0
// LIST-NEXT:      2  dma_load    wbuf@0           <- dram@0           1 x 9 B (strides 9, 9) tag 1
// LIST:           9  dma_store   dram@256         <- spad@256         64 x 1 B (strides 4, 1) tag 4
// LIST:          43  wait        tag 15
// LIST-NOT:      44

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [4, 8], scratchpad = 384, weight_buffer = 32, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
  func.func @model(%x: tensor<1x16x4x2xf32>) -> tensor<1x8x2x4xf32> {
    %w = arith.constant dense<3> : tensor<4x3x3x2xi8>
    %b = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
    %m = arith.constant dense<[1073741824, 1200000000, 1300000000, 1400000000]> : tensor<4xi32>
    %s = arith.constant dense<[33, 34, 35, 36]> : tensor<4xi8>
    %q = qlip.quantize %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x16x4x2xf32> to tensor<1x16x4x2xi8>
    %c = npu.conv2d %q, %w, %b, %m, %s {input_zp = 0 : i64, output_zp = -3 : i64, weight_bits = 4 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x16x4x2xi8>, tensor<4x3x3x2xi8>, tensor<4xi32>, tensor<4xi32>, tensor<4xi8>) -> tensor<1x16x4x4xi8>
    %p = npu.max_pool2d %c {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x16x4x4xi8> -> tensor<1x8x2x4xi8>
    %y = qlip.dequantize %p with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<1x8x2x4xi8> to tensor<1x8x2x4xf32>
    return %y : tensor<1x8x2x4xf32>
  }
}
