// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights="bits=4 clip=max bit-allocation print-report" 2>%t.report | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT --input-file=%t.report
// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights="bits=4 clip=max bit-allocation" -qlip-quantize | FileCheck %s --check-prefix=INT

// ACIQ's bit allocation over two channels with clips 1 and 8 at an average
// of 4 bits: p = alpha^(2/3) = [1, 4], bits = 4 + log2(p / 2.5) = [2.68,
// 4.68] -> [3, 5], which sum to 8. The grid is the widest channel's (i5),
// each channel's scale its own width's: 1 / 3 and 8 / 15.

// CHECK-LABEL: func.func @two_channels
// CHECK: qlip.fake_quant %{{.*}} with <i5 narrow, axis = 0, scales = [0.3333333333333333, 0.5333333333333333], clip = {{\[\[}}-1.0, 1.0], [-8.0, 8.0]], rule = max>

// REPORT: conv tosa.conv2d 5 max 2
// REPORT-NEXT: channel 0 bits 3
// REPORT-NEXT: channel 1 bits 5

// The integer weights use each channel's levels only: |q| <= 3 and <= 15.
// 0.25 / (1/3) = 0.75 -> 1, -0.5 / (1/3) = -1.5 -> -2 (half to even),
// -4 / (8/15) = -7.5 -> -8.
// INT: "tosa.const"() <{values = dense<{{\[\[\[\[}}3, -2, 1, 2]]], {{\[\[\[}}15, -8, 4, 2]]]]> : tensor<2x1x1x4xi8>}>
func.func @two_channels(%arg0: tensor<1x1x1x4xf32>) -> tensor<1x1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x1x1x4xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5, 0.25, 0.75]]], [[[8.0, -4.0, 2.0, 1.0]]]]> : tensor<2x1x1x4xf32>}> : () -> tensor<2x1x1x4xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x4xf32>, tensor<2x1x1x4xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32> loc("conv")
  %1 = qlip.fake_quant %0 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<1x1x1x2xf32>
  return %1 : tensor<1x1x1x2xf32>
}

// -----

// Allocated 2 bits at an average of 3, channel 0's ACIQ clip (1.13) is
// below its outlier 2.0, whose level would be round(2.0 / 1.13) = 2 on the
// channel's scale: the rewritten constant clips it to alpha, so it is 1,
// the largest level of 2 bits, although the layer's grid is i4.
// RUN: qlip-opt %s -split-input-file -qlip-quantize-weights="bits=3 clip=aciq-laplace bit-allocation" -qlip-quantize | FileCheck %s --check-prefix=CLIPPED
// CLIPPED-LABEL: func.func @outlier
// CLIPPED: dense<{{\[\[\[\[}}0, 0, 0, 0, 0, 0, 0, 1]]], {{\[\[\[}}7, -4, 2, 1, -5, 4, -6, 3]]]]> : tensor<2x1x1x8xi4>
func.func @outlier(%arg0: tensor<1x1x1x8xf32>) -> tensor<1x1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x1x1x8xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.1, -0.1, 0.1, -0.1, 0.1, -0.1, 0.1, 2.0]]], [[[8.0, -4.0, 2.0, 1.0, -6.0, 5.0, -7.0, 3.0]]]]> : tensor<2x1x1x8xf32>}> : () -> tensor<2x1x1x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x8xf32>, tensor<2x1x1x8xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<1x1x1x2xf32>
  return %1 : tensor<1x1x1x2xf32>
}
