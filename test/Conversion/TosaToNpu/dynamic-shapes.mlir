// A layer with a dynamic batch stays on the host: the npu plans its buffers
// at compile time.
// RUN: qlip-opt %s -qlip-quantize -qlip-tosa-to-npu=print-report 2>&1 -o /dev/null | FileCheck %s
// CHECK: host: tosa.conv2d
// CHECK-NOT: npu:
module attributes {npu.target = #npu.target<rows = 16, cols = 16, widths = [8], scratchpad = 65536, weight_buffer = 4096, dram_bytes_per_cycle = 8, clock_mhz = 500>} {
func.func @g(%arg0: tensor<?x2x2x1xf32>) -> tensor<?x2x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<?x2x2x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i8 narrow, axis = 0, scales = [0.125, 0.0625], clip = [[-0.875, 0.875], [-0.4375, 0.4375]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.25, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<?x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x2x2x2xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>
  %2 = tosa.sigmoid %1 : (tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>
  return %2 : tensor<?x2x2x2xf32>
}
}
