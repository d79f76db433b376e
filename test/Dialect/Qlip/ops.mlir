// RUN: qlip-opt %s | qlip-opt | FileCheck %s
// RUN: qlip-opt %s -mlir-print-op-generic | qlip-opt | FileCheck %s
// RUN: qlip-opt %s -emit-bytecode | qlip-opt | FileCheck %s

// Every form of the qlip ops and attributes survives printing and parsing,
// in the custom, the generic and the bytecode form.

// CHECK-LABEL: func.func @observe
func.func @observe(%x: tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32> {
  // CHECK: qlip.observe "conv1.out" %{{.*}} : tensor<1x8x8x16xf32>
  %0 = qlip.observe "conv1.out" %x : tensor<1x8x8x16xf32>
  // CHECK: qlip.observe "conv1.out" %{{.*}} stats <count = 16, min = -1.5, max = 2.0, mean = 0.25, mad = 0.5, stddev = 0.625, kurtosis = 1.8> : tensor<1x8x8x16xf32>
  %1 = qlip.observe "conv1.out" %0 stats <count = 16, min = -1.5, max = 2.0, mean = 0.25, mad = 0.5, stddev = 0.625, kurtosis = 1.8> : tensor<1x8x8x16xf32>
  // CHECK: stats <count = 4, min = 0.0, max = 2.0, mean = 1.0, mad = 0.5, stddev = 0.5, kurtosis = 1.0, histogram = <edges = [0.0, 1.0, 2.0], counts = [2, 2]>>
  %2 = qlip.observe "relu" %1 stats <count = 4, min = 0.0, max = 2.0, mean = 1.0, mad = 0.5, stddev = 0.5, kurtosis = 1.0, histogram = <edges = [0.0, 1.0, 2.0], counts = [2, 2]>> : tensor<1x8x8x16xf32>
  // The fields of a struct-like attribute may come in any order.
  // CHECK: stats <count = 0, min = 0.0, max = 0.0, mean = 0.0, mad = 0.0, stddev = 0.0, kurtosis = 0.0>
  %3 = qlip.observe "empty" %2 stats <kurtosis = 0.0, stddev = 0.0, mad = 0.0, mean = 0.0, max = 0.0, min = 0.0, count = 0> : tensor<1x8x8x16xf32>
  return %3 : tensor<1x8x8x16xf32>
}

// CHECK-LABEL: func.func @fake_quant_per_tensor
func.func @fake_quant_per_tensor(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: qlip.fake_quant %{{.*}} with <i8, scales = [0.1], clip = {{\[\[}}-12.8, 12.7{{\]\]}}, rule = max> : tensor<4xf32>
  %0 = qlip.fake_quant %x with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<4xf32>
  // Zero points are printed only when one is not zero.
  // CHECK: qlip.fake_quant %{{.*}} with <ui8, scales = [0.0235294122], zero_points = [3], clip = {{\[\[}}0.0, 6.0{{\]\]}}, rule = pact>
  %1 = qlip.fake_quant %0 with <ui8, scales = [0.0235294122], zero_points = [3], clip = [[0.0, 6.0]], rule = pact> : tensor<4xf32>
  // CHECK: qlip.fake_quant %{{.*}} with <i4 narrow, scales = [0.5], clip = {{\[\[}}-3.5, 3.5{{\]\]}}, rule = aciq_laplace>
  %2 = qlip.fake_quant %1 with <i4 narrow, scales = [0.5], zero_points = [0], clip = [[-3.5, 3.5]], rule = aciq_laplace> : tensor<4xf32>
  // `si` is accepted for a signed grid and printed as `i`.
  // CHECK: qlip.fake_quant %{{.*}} with <i16, scales = [1.0e-05], clip = {{\[\[}}-0.32768, 0.32767{{\]\]}}, rule = kl>
  %3 = qlip.fake_quant %2 with <si16, scales = [0.00001], clip = [[-0.32768, 0.32767]], rule = kl> : tensor<4xf32>
  // CHECK: qlip.fake_quant %{{.*}} with <ui2 narrow, scales = [2.0], clip = {{\[\[}}0.0, 4.0{{\]\]}}, rule = percentile>
  %4 = qlip.fake_quant %3 with <ui2 narrow, scales = [2.0], clip = [[0.0, 4.0]], rule = percentile> : tensor<4xf32>
  return %4 : tensor<4xf32>
}

// CHECK-LABEL: func.func @fake_quant_per_axis
func.func @fake_quant_per_axis(%w: tensor<2x3x3x4xf32>, %h: tensor<2x4xf16>) -> (tensor<2x3x3x4xf32>, tensor<2x4xf16>) {
  // CHECK: qlip.fake_quant %{{.*}} with <i4 narrow, axis = 0, scales = [0.5, 0.25], clip = {{\[\[}}-3.5, 3.5], [-1.75, 1.75{{\]\]}}, rule = mse> : tensor<2x3x3x4xf32>
  %0 = qlip.fake_quant %w with <i4 narrow, axis = 0, scales = [0.5, 0.25], clip = [[-3.5, 3.5], [-1.75, 1.75]], rule = mse> : tensor<2x3x3x4xf32>
  // CHECK: axis = 3, scales = [1.0, 2.0, 3.0, 4.0], zero_points = [0, 1, -1, 2]
  %1 = qlip.fake_quant %0 with <i8, axis = 3, scales = [1.0, 2.0, 3.0, 4.0], zero_points = [0, 1, -1, 2], clip = [[-1.0, 1.0], [-2.0, 2.0], [-3.0, 3.0], [-4.0, 4.0]], rule = aciq> : tensor<2x3x3x4xf32>
  // Every rule has a name.
  // CHECK: rule = sawb
  %2 = qlip.fake_quant %1 with <i2 narrow, axis = 0, scales = [1.0, 1.0], clip = [[-1.0, 1.0], [-1.0, 1.0]], rule = sawb> : tensor<2x3x3x4xf32>
  // CHECK: rule = best
  %3 = qlip.fake_quant %2 with <i3 narrow, axis = 0, scales = [1.0, 1.0], clip = [[-3.0, 3.0], [-3.0, 3.0]], rule = best> : tensor<2x3x3x4xf32>
  // CHECK: rule = aciq_gauss
  %4 = qlip.fake_quant %3 with <i8 narrow, axis = 0, scales = [1.0, 1.0], clip = [[-3.0, 3.0], [-3.0, 3.0]], rule = aciq_gauss> : tensor<2x3x3x4xf32>
  // CHECK: rule = imported
  %5 = qlip.fake_quant %4 with <i8 narrow, axis = 0, scales = [1.0, 1.0], clip = [[-3.0, 3.0], [-3.0, 3.0]], rule = imported> : tensor<2x3x3x4xf32>
  // Any float element type; dynamic dimensions other than the axis.
  // CHECK: qlip.fake_quant %{{.*}} : tensor<2x4xf16>
  %6 = qlip.fake_quant %h with <i8, axis = 0, scales = [0.5, 0.25], clip = [[-1.0, 1.0], [-1.0, 1.0]], rule = max> : tensor<2x4xf16>
  return %5, %6 : tensor<2x3x3x4xf32>, tensor<2x4xf16>
}

// CHECK-LABEL: func.func @dynamic
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: qlip.fake_quant %{{.*}} axis = 1
  %0 = qlip.fake_quant %x with <i8, axis = 1, scales = [1.0, 1.0, 1.0, 1.0], clip = [[-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]], rule = max> : tensor<?x4xf32>
  // CHECK: qlip.observe "dyn"
  %1 = qlip.observe "dyn" %0 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @quantize_dequantize
// CHECK: %[[Q:.*]] = qlip.quantize %{{.*}} with <i8, scales = [0.5], zero_points = [-128], clip = {{\[\[}}0.0, 127.5]], rule = pact> : tensor<4xf32> to tensor<4xi8>
// CHECK: qlip.dequantize %[[Q]] with <i8, scales = [0.5], zero_points = [-128], clip = {{\[\[}}0.0, 127.5]], rule = pact> : tensor<4xi8> to tensor<4xf32>
func.func @quantize_dequantize(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.quantize %x with <i8, scales = [0.5], zero_points = [-128], clip = [[0.0, 127.5]], rule = pact> : tensor<4xf32> to tensor<4xi8>
  %1 = qlip.dequantize %0 with <i8, scales = [0.5], zero_points = [-128], clip = [[0.0, 127.5]], rule = pact> : tensor<4xi8> to tensor<4xf32>
  return %1 : tensor<4xf32>
}
