// RUN: qlip-opt %s -split-input-file -qlip-npu-plan -qlip-npu-lower -verify-diagnostics
// RUN: not qlip-opt %s -split-input-file -qlip-npu-lower 2>&1 | FileCheck %s --check-prefix=NOPLAN

// What qlip-npu-lower refuses: an op that would run on the host between
// the model's quantize and dequantize, a layer input the host does not
// quantize, a result the host does not dequantize, a per-channel host
// quantizer, a module without a target, and layers without a plan.

// NOPLAN: error: qlip-npu-lower: the layer has no npu.tile (run qlip-npu-plan first)
// NOPLAN: error: qlip-npu-lower: the module has no npu.target attribute

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
  func.func @host_op(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> {
    %q = qlip.quantize %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x4x4x2xf32> to tensor<1x4x4x2xi8>
    // expected-error @+1 {{qlip-npu-lower: 'tosa.clamp' runs on the host; the command stream takes functions whose every op between the model's quantize and dequantize runs on the npu}}
    %c = tosa.clamp %q {min_val = 0 : i8, max_val = 10 : i8} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8>
    %p = npu.max_pool2d %c {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
    %y = qlip.dequantize %p with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x2x2x2xi8> to tensor<1x2x2x2xf32>
    return %y : tensor<1x2x2x2xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
  func.func @integer_input(%q: tensor<1x4x4x2xi8>) -> tensor<1x2x2x2xf32> {
    // expected-error @+1 {{qlip-npu-lower: the layer's input does not come from the host's quantize or an npu layer}}
    %p = npu.max_pool2d %q {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
    %y = qlip.dequantize %p with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x2x2x2xi8> to tensor<1x2x2x2xf32>
    return %y : tensor<1x2x2x2xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
  func.func @integer_result(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xi8> {
    %q = qlip.quantize %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x4x4x2xf32> to tensor<1x4x4x2xi8>
    %p = npu.max_pool2d %q {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
    // expected-error @+1 {{qlip-npu-lower: result 0 must be an f32 per-tensor qlip.dequantize of an npu layer's output}}
    return %p : tensor<1x2x2x2xi8>
  }
}

// -----

module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 4096, weight_buffer = 1024, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
  func.func @per_channel_input(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> {
    // expected-error @+1 {{qlip-npu-lower: the host quantizes only f32 model inputs, per tensor, to signed 8-bit levels}}
    %q = qlip.quantize %x with <i8, axis = 3, scales = [0.5, 0.25], clip = [[-64.0, 63.5], [-32.0, 31.75]], rule = max> : tensor<1x4x4x2xf32> to tensor<1x4x4x2xi8>
    %p = npu.max_pool2d %q {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
    %y = qlip.dequantize %p with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x2x2x2xi8> to tensor<1x2x2x2xf32>
    return %y : tensor<1x2x2x2xf32>
  }
}

// -----

// qlip-npu-plan (first RUN) and qlip-npu-lower (second) both need a target.
// expected-error-re @+1 {{qlip-npu-{{plan|lower}}: the module has no npu.target attribute}}
module {
  func.func @no_target(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
