// RUN: qlip-opt %s -split-input-file -verify-diagnostics

// Every diagnostic of the cpu dialect, one case each.

// expected-error@+2 {{'cpu.qconv2d' op weight_bits must be 4 or 8, got 2}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 2 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op input_zp must be an int8, got 200}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 200 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op output range [-200, 127] must be non-empty within [-128, 255]}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -200 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op unknown code path 'sse' (expected auto, generic, avx2, avx-vnni or avx512-vnni)}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "sse"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op output width 4 needs more than the input, kernel, stride, dilation and padding give (at most 2)}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 0, 0>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op packed weights must have 576 elements, got 'tensor<288xi8>'}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<288xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<288xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op per-channel operands must have the output channels padded to 16 (16), got 'tensor<5xi32>'}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<5xi32>, %m: tensor<5xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<5xi32>, tensor<5xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op depthwise output channels (5) differ from the input's (3)}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto", depthwise} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op takes static NHWC input and output, got 'tensor<16x3xi8>' and 'tensor<1x4x4x5xi8>'}}
func.func @f(%x: tensor<16x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<16x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op needs a kernel, stride and dilation of 2 values and a pad of 4}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto"} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op thread count must not be negative}}
func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>)  -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, isa = "auto", threads = -1 : i64} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op takes only tensors or only memrefs}}
func.func @f(%x: memref<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>) {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : memref<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64} -> tensor<1x4x4x5xi8>
  return
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op on memrefs has no result}}
func.func @f(%x: memref<1x4x4x3xi8>, %w: memref<576xi8>, %b: memref<16xi32>, %m: memref<16xi32>, %s: memref<16xi8>, %init: memref<1x4x4x5xi8>) {
  %y = "cpu.qconv2d"(%x, %w, %b, %m, %s, %init) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64} : (memref<1x4x4x3xi8>, memref<576xi8>, memref<16xi32>, memref<16xi32>, memref<16xi8>, memref<1x4x4x5xi8>) -> tensor<1x4x4x5xi8>
  return
}

// -----

// expected-error@+2 {{'cpu.conv2d' op min must not exceed max}}
func.func @f(%x: tensor<1x1x7x6xf32>, %w: tensor<96xf32>, %b: tensor<16xf32>, %init: tensor<1x1x7x10xf32>) {
  %y = cpu.conv2d ins(%x, %w, %b : tensor<1x1x7x6xf32>, tensor<96xf32>, tensor<16xf32>) outs(%init : tensor<1x1x7x10xf32>) {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, min = 1.0 : f32, max = 0.0 : f32} -> tensor<1x1x7x10xf32>
  return
}

// -----

// expected-error@+2 {{'cpu.conv2d' op packed weights must have 96 elements, got 'tensor<60xf32>'}}
func.func @f(%x: tensor<1x1x7x6xf32>, %w: tensor<60xf32>, %b: tensor<16xf32>, %init: tensor<1x1x7x10xf32>) {
  %y = cpu.conv2d ins(%x, %w, %b : tensor<1x1x7x6xf32>, tensor<60xf32>, tensor<16xf32>) outs(%init : tensor<1x1x7x10xf32>) {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, min = 0.0 : f32, max = 1.0 : f32} -> tensor<1x1x7x10xf32>
  return
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op 4-bit weights over a reduction of more than 65,792 elements (store them at 8 bits)}}
func.func @f(%x: tensor<1x1x1x65800xi8>, %w: tensor<526400xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x1x1x1xi8>) -> tensor<1x1x1x1xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x1x1x65800xi8>, tensor<526400xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x1x1x1xi8>) {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, weight_bits = 4 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64} -> tensor<1x1x1x1xi8>
  return %y : tensor<1x1x1x1xi8>
}

// -----

func.func @f(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %init: tensor<1x4x4x5xi8>) -> tensor<1x4x4x5xi8> {
  %s = arith.constant dense<[31, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]> : tensor<16xi8>
  // expected-error@+1 {{'cpu.qconv2d' op shifts must be 2 to 62, got 1}}
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op a depthwise convolution has no width to unfold}}
func.func @f(%x: memref<2x5x5x8xi8>, %w: memref<144xi8>, %b: memref<16xi32>, %m: memref<16xi32>, %s: memref<16xi8>, %out: memref<2x3x3x8xi8>) {
  cpu.qconv2d ins(%x, %w, %b, %m, %s : memref<2x5x5x8xi8>, memref<144xi8>, memref<16xi32>, memref<16xi32>, memref<16xi8>) outs(%out : memref<2x3x3x8xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, depthwise, unfold_width, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = 0 : i64, output_max = 15 : i64}
  return
}
