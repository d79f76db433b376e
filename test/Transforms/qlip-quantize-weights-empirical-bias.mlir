// Empirical bias correction: with the input's mean (qlip.input_mean, as
// qlip-calibrate-model attaches it beside qlip.input_moments), the bias
// takes back the mean error e^T E[x] of the rounded weights, e = w - q,
// and GPTQ minimizes what remains, e^T C e with C = H - E[x] E[x]^T.
//
// The matmul: w = [0.6, -0.45, 1.0] at 2 bits, clip=max (scale 1), inputs
// with C = I and E[x] = [0.5, 0.5, 0] (so H = C + E[x] E[x]^T has
// H_01 = 0.25). Under C, GPTQ is round to nearest: q = [1, 0, 1],
// e = [-0.4, -0.45, 0], and a bias add of e^T E[x] = -0.425 follows the
// matmul. Output SQNR: w^T H w = 1.5625 + 0.075^2 = 1.568125 over
// e^T C e = 0.3625: 6.36 dB.
//
// The conv (1x1, two channels, bias [0.1, -0.2]): C = I and
// E[x] = [1, 2]. Channel 0, w = [0.6, -0.45], scale 0.6: q = [0.6, -0.6],
// e = [0, 0.15], shift 0.3; channel 1, w = [1.0, 0.2], scale 1: q = [1, 0],
// e = [0, 0.2], shift 0.4. The new bias is [0.4, 0.2]; the old constant,
// which another conv shares, stays. (The printed values are those sums
// from the f32 weights, in f32.)

// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max report=%t.json" | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT --input-file=%t.json
// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max empirical-bias-correction=false" | FileCheck %s --check-prefix=OFF
// Per layer: off in the matmul only, or on in the first conv only.
// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max layer-bias-correction=matmul_0=false" | FileCheck %s --check-prefix=FC-OFF
// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max empirical-bias-correction=false layer-bias-correction=conv2d_1=true" | FileCheck %s --check-prefix=CONV-ON
// RUN: not qlip-opt %s -qlip-quantize-weights="bits=2 clip=max layer-bias-correction=nosuch=false" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not qlip-opt %s -qlip-quantize-weights="layer-bias-correction=matmul_0=maybe" 2>&1 | FileCheck %s --check-prefix=VALUE

// CHECK-NOT: qlip.input_mean
// CHECK-LABEL: func.func @fc
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1.000000e+00], [0.000000e+00], [1.000000e+00]]]> : tensor<1x3x1xf32>}>
// CHECK: %[[Q:.*]] = qlip.fake_quant %[[W]]
// CHECK: %[[Y:.*]] = tosa.matmul %{{.*}}, %[[Q]]
// CHECK: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<-0.424999982> : tensor<1x1x1xf32>}>
// CHECK: %[[ADD:.*]] = tosa.add %[[Y]], %[[SHIFT]]
// CHECK: return %[[ADD]]

// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[OLD:.*]] = "tosa.const"() <{values = dense<[1.000000e-01, -2.000000e-01]> : tensor<2xf32>}>
// CHECK-DAG: %[[NEW:.*]] = "tosa.const"() <{values = dense<[0.400000066, 2.000000e-01]> : tensor<2xf32>}>
// CHECK: tosa.conv2d %{{.*}}, %{{.*}}, %[[NEW]],
// CHECK: tosa.conv2d %{{.*}}, %{{.*}}, %[[OLD]],
// CHECK-NOT: qlip.input_mean

// REPORT: "empirical_bias_correction": true
// REPORT: "output_sqnr_db": 6.36
// REPORT: "empirical_bias_correction": true
// REPORT: "empirical_bias_correction": false

// Off, GPTQ factors H and no bias moves.
// OFF-LABEL: func.func @fc
// OFF-NOT: tosa.add
// OFF: return
// OFF-LABEL: func.func @conv
// OFF-NOT: 0.400000066
// OFF: return
// FC-OFF-LABEL: func.func @fc
// FC-OFF-NOT: tosa.add
// FC-OFF: return
// FC-OFF-LABEL: func.func @conv
// FC-OFF: dense<[0.400000066, 2.000000e-01]>
// CONV-ON-LABEL: func.func @fc
// CONV-ON-NOT: tosa.add
// CONV-ON: return
// CONV-ON-LABEL: func.func @conv
// CONV-ON: dense<[0.400000066, 2.000000e-01]>
// UNKNOWN: error: qlip-quantize-weights: layer-bias-correction names 'nosuch', which is not in the model; it has: matmul_0, conv2d_1, conv2d_2
// VALUE: error: qlip-quantize-weights: expected NAME=true or NAME=false in layer-bias-correction, got 'matmul_0=maybe'

func.func @fc(%x: tensor<1x1x3xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.6], [-0.45], [1.0]]]> : tensor<1x3x1xf32>}> : () -> tensor<1x3x1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_moments = dense<[[[1.25, 0.25, 0.0], [0.25, 1.25, 0.0], [0.0, 0.0, 1.0]]]> : tensor<1x3x3xf64>, qlip.input_mean = dense<[[0.5, 0.5, 0.0]]> : tensor<1x3xf64>} : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}

func.func @conv(%x: tensor<1x2x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.6, -0.45]]], [[[1.0, 0.2]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.2]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlip.input_moments = dense<[[[2.0, 2.0], [2.0, 5.0]]]> : tensor<1x2x2xf64>, qlip.input_mean = dense<[[1.0, 2.0]]> : tensor<1x2xf64>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %z = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %y, %z : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}
