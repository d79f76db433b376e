// RUN: qlip-opt %s -split-input-file -qlip-fold-batchnorm | FileCheck %s
// Running the pass twice changes nothing.
// RUN: qlip-opt %s -split-input-file -qlip-fold-batchnorm -qlip-fold-batchnorm | FileCheck %s

// With the chain written y = a[c] * layer(x) + b[c], the pass stores
// W'[c] = a[c] * W[c] and bias'[c] = a[c] * bias[c] + b[c] (double, then
// f32). For batch norm a = gamma / sqrt(var + eps), b = beta - a * mean.

// The full chain ((x - mean) * rsqrt(var + eps)) * gamma + beta, with var
// and the inverse std given as [C] and reshaped to [1, 1, 1, C]:
//   c0: a = rsqrt(3 + 1) * 2 = 1; W' = [1, -0.5]; bias' = (0.5 - 1) * 1 + 0.5 = 0
//   c1: a = rsqrt(0.25 + 1) * 3 = 2.6832815729997477
//       W' = [0.25, -2] * a = [0.6708203932, -5.366563146] -> f32 0.670820415, -5.36656332
//       bias' = (1 - 2) * a - 1 = -3.6832815730 -> f32 -3.68328166
// CHECK-LABEL: func.func @conv2d_full_chain
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xf32>)
// CHECK-DAG: %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, -5.000000e-01]]], {{\[\[\[}}0.670820415, -5.36656332]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[0.000000e+00, -3.68328166]> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %[[X]], %[[W]], %[[B]], %[[ZP]], %[[ZP]] {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
// CHECK-NEXT: return %[[Y]]
func.func @conv2d_full_chain(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[0.25, -2.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.5, 1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %mean = "tosa.const"() <{values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %var = "tosa.const"() <{values = dense<[3.0, 0.25]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %eps = "tosa.const"() <{values = dense<1.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %var_eps = tosa.add %var, %eps : (tensor<2xf32>, tensor<1xf32>) -> tensor<2xf32>
  %inv_std = tosa.rsqrt %var_eps : (tensor<2xf32>) -> tensor<2xf32>
  %shape = "tosa.const_shape"() <{values = dense<[1, 1, 1, 2]> : tensor<4xindex>}> : () -> !tosa.shape<4>
  %inv_std4 = tosa.reshape %inv_std, %shape : (tensor<2xf32>, !tosa.shape<4>) -> tensor<1x1x1x2xf32>
  %gamma = "tosa.const"() <{values = dense<[[[[2.0, 3.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %beta = "tosa.const"() <{values = dense<[[[[0.5, -1.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.sub %0, %mean : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %2 = tosa.mul %1, %inv_std4, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %3 = tosa.mul %2, %gamma, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %4 = tosa.add %3, %beta : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %4 : tensor<1x4x4x2xf32>
}

// -----

// The exporter's folded form x * s + t, into a zero bias:
//   W' = [[1, -0.5] * 0.5, [0.25, -2] * -2] = [[0.5, -0.25], [-0.5, 4]]; bias' = t.
// CHECK-LABEL: func.func @conv2d_scale_shift
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}5.000000e-01, -2.500000e-01]]], {{\[\[\[}}-5.000000e-01, 4.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2.500000e-01, 3.000000e+00]> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: return %[[Y]]
func.func @conv2d_scale_shift(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[0.25, -2.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %s = "tosa.const"() <{values = dense<[[[[0.5, -2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %t = "tosa.const"() <{values = dense<[[[[0.25, 3.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %s, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %2 = tosa.add %1, %t : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %2 : tensor<1x4x4x2xf32>
}

// -----

// x * a alone, with a broadcast scalar a = 3 and a [1] bias 0.5: the bias
// becomes per channel, [1.5, 1.5].
// CHECK-LABEL: func.func @conv2d_scale_only
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}3.000000e+00, -1.500000e+00]]], {{\[\[\[}}7.500000e-01, -6.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<1.500000e+00> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]], {{.*}} -> tensor<1x4x4x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @conv2d_scale_only(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[0.25, -2.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %a = "tosa.const"() <{values = dense<3.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %a, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// x + b alone: the weight is kept as it is, only the bias changes:
// [0.5, 1] + [0.25, -0.5] = [0.75, 0.5].
// CHECK-LABEL: func.func @conv2d_shift_only
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, -5.000000e-01]]], {{\[\[\[}}2.500000e-01, -2.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[7.500000e-01, 5.000000e-01]> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: return %[[Y]]
func.func @conv2d_shift_only(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[0.25, -2.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.5, 1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %t = "tosa.const"() <{values = dense<[[[[0.25, -0.5]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.add %0, %t : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// The constant on the left: t + s * (c - x) = -s * x + (s * c + t).
//   a = [-2, -0.5], b = [2 * 1 + 1, 0.5 * 2 + 1] = [3, 2]
//   W' = [[-2, 1], [-0.125, 1]]; bias' = a * [0.5, 1] + b = [2, 1.5]
// CHECK-LABEL: func.func @conv2d_constant_lhs
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}-2.000000e+00, 1.000000e+00]]], {{\[\[\[}}-1.250000e-01, 1.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2.000000e+00, 1.500000e+00]> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: return %[[Y]]
func.func @conv2d_constant_lhs(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[0.25, -2.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.5, 1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %c = "tosa.const"() <{values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %s = "tosa.const"() <{values = dense<[[[[2.0, 0.5]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %t = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.sub %c, %0 : (tensor<1x1x1x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %2 = tosa.mul %s, %1, %shift : (tensor<1x1x1x2xf32>, tensor<1x4x4x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %3 = tosa.add %t, %2 : (tensor<1x1x1x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %3 : tensor<1x4x4x2xf32>
}

// -----

// depthwise_conv2d weights are HWCM [KH, KW, C, M]: output channel c * M + m,
// so with C = 2, M = 2 element i of the weight scales by a[i % 4].
// (x - mean) * inv_std, then * gamma, then + beta, with the inverse std an
// already folded constant:
//   a = inv_std * gamma = [0.5, 0.25, 2, 1] * [1, 2, 1, -1] = [0.5, 0.5, 2, -1]
//   W' = [1, 2, 3, 4, 5, 6, 7, 8] * [a, a] = [0.5, 1, 6, -4, 2.5, 3, 14, -8]
//   bias' = (0 - mean) * a + beta = [0, -0.5, -4 + 1, 3 + 1] = [0, -0.5, -3, 4]
// CHECK-LABEL: func.func @depthwise
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}5.000000e-01, 1.000000e+00], [6.000000e+00, -4.000000e+00]], {{\[\[}}2.500000e+00, 3.000000e+00], [1.400000e+01, -8.000000e+00]]]]> : tensor<1x2x2x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[0.000000e+00, -5.000000e-01, -3.000000e+00, 4.000000e+00]> : tensor<4xf32>}>
// CHECK: %[[Y:.*]] = tosa.depthwise_conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: return %[[Y]]
func.func @depthwise(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x3x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]]> : tensor<1x2x2x2xf32>}> : () -> tensor<1x2x2x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %mean = "tosa.const"() <{values = dense<[[[[0.0, 1.0, 2.0, 3.0]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %inv_std = "tosa.const"() <{values = dense<[[[[0.5, 0.25, 2.0, 1.0]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %gamma = "tosa.const"() <{values = dense<[[[[1.0, 2.0, 1.0, -1.0]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %beta = "tosa.const"() <{values = dense<[[[[0.0, 0.0, 1.0, 1.0]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x2x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x4xf32>
  %1 = tosa.sub %0, %mean : (tensor<1x4x3x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x4x3x4xf32>
  %2 = tosa.mul %1, %inv_std, %shift : (tensor<1x4x3x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x3x4xf32>
  %3 = tosa.mul %2, %gamma, %shift : (tensor<1x4x3x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x3x4xf32>
  %4 = tosa.add %3, %beta : (tensor<1x4x3x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x4x3x4xf32>
  return %4 : tensor<1x4x3x4xf32>
}

// -----

// transpose_conv2d weights are OHWI: [2, 1, 2, 1] scales along axis 0. The
// batch-norm constants are [1, 1, 1, C] and var + eps is a tosa.add of them:
//   a = rsqrt([3.75, 15.75] + 0.25) * [2, 12] = [0.5, 0.25] * [2, 12] = [1, 3]
//   W' = [[1, 2], [3 * 3, 4 * 3]] = [[1, 2], [9, 12]]
//   bias' = (bias - mean) * a + beta = [(0.5 - 1) * 1 + 0, (-1 - 2) * 3 + 1] = [-0.5, -8]
// CHECK-LABEL: func.func @transpose_conv
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00], [2.000000e+00]]], {{\[\[\[}}9.000000e+00], [1.200000e+01]]]]> : tensor<2x1x2x1xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[-5.000000e-01, -8.000000e+00]> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.transpose_conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: return %[[Y]]
func.func @transpose_conv(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x3x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[1.0], [2.0]]], [[[3.0], [4.0]]]]> : tensor<2x1x2x1xf32>}> : () -> tensor<2x1x2x1xf32>
  %b = "tosa.const"() <{values = dense<[0.5, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %mean = "tosa.const"() <{values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %var = "tosa.const"() <{values = dense<[[[[3.75, 15.75]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %eps = "tosa.const"() <{values = dense<0.25> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %gamma = "tosa.const"() <{values = dense<[[[[2.0, 12.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %beta = "tosa.const"() <{values = dense<[[[[0.0, 1.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %var_eps = tosa.add %var, %eps : (tensor<1x1x1x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32>
  %inv_std = tosa.rsqrt %var_eps : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3x2xf32>
  %1 = tosa.sub %0, %mean : (tensor<1x2x3x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x3x2xf32>
  %2 = tosa.mul %1, %inv_std, %shift : (tensor<1x2x3x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x3x2xf32>
  %3 = tosa.mul %2, %gamma, %shift : (tensor<1x2x3x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x3x2xf32>
  %4 = tosa.add %3, %beta : (tensor<1x2x3x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x3x2xf32>
  return %4 : tensor<1x2x3x2xf32>
}

// -----

// Fully connected: reshape [B, K] -> [1, B, K], matmul with a constant
// [1, K, OUT], reshape back, bias add, then the exporter's x * s + t, all
// [1, OUT]. B scales along axis 2 (element i by a[i % OUT]):
//   a = s = [2, -4]; b = s * bias + t = [2 * 0.5 + 1, -4 * 1 + 0.5] = [2, -3.5]
//   B' = [[1, 0.5], [-2, 0.25], [0, -0.125]] * a = [[2, -2], [-4, -1], [0, 0.5]]
// The chain becomes one bias add after the reshape.
// CHECK-LABEL: func.func @fully_connected
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[X3:.*]] = tosa.reshape %[[X]]
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}2.000000e+00, -2.000000e+00], [-4.000000e+00, -1.000000e+00], [0.000000e+00, 5.000000e-01]]]> : tensor<1x3x2xf32>}>
// CHECK: %[[MM:.*]] = tosa.matmul %[[X3]], %[[W]],
// CHECK: %[[Y2:.*]] = tosa.reshape %[[MM]]
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<{{\[\[}}2.000000e+00, -3.500000e+00]]> : tensor<1x2xf32>}>
// CHECK: %[[Y:.*]] = tosa.add %[[Y2]], %[[B]] : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @fully_connected(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [-2.0, 0.25], [0.0, -0.125]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %b = "tosa.const"() <{values = dense<[[0.5, 1.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %s = "tosa.const"() <{values = dense<[[2.0, -4.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %t = "tosa.const"() <{values = dense<[[1.0, 0.5]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %shape3 = "tosa.const_shape"() <{values = dense<[1, 2, 3]> : tensor<3xindex>}> : () -> !tosa.shape<3>
  %shape2 = "tosa.const_shape"() <{values = dense<[2, 2]> : tensor<2xindex>}> : () -> !tosa.shape<2>
  %0 = tosa.reshape %x, %shape3 : (tensor<2x3xf32>, !tosa.shape<3>) -> tensor<1x2x3xf32>
  %1 = tosa.matmul %0, %w, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  %2 = tosa.reshape %1, %shape2 : (tensor<1x2x2xf32>, !tosa.shape<2>) -> tensor<2x2xf32>
  %3 = tosa.add %2, %b : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  %4 = tosa.mul %3, %s, %shift : (tensor<2x2xf32>, tensor<1x2xf32>, tensor<1xi8>) -> tensor<2x2xf32>
  %5 = tosa.add %4, %t : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  return %5 : tensor<2x2xf32>
}

// -----

// Fully connected without a reshape and without a bias, [1, 1, OUT]
// constants, x * a then - c with c a [C] reshaped to [1, 1, C]:
//   a = [0.5, 3]; b = -c = [-1, 0.5]; B' = [[0.5, 1.5], [-1, 0.75], [0, -0.375]]
// CHECK-LABEL: func.func @fully_connected_no_bias
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}5.000000e-01, 1.500000e+00], [-1.000000e+00, 7.500000e-01], [0.000000e+00, -3.750000e-01]]]> : tensor<1x3x2xf32>}>
// CHECK: %[[MM:.*]] = tosa.matmul %{{.*}}, %[[W]],
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}-1.000000e+00, 5.000000e-01]]]> : tensor<1x1x2xf32>}>
// CHECK: %[[Y:.*]] = tosa.add %[[MM]], %[[B]] : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @fully_connected_no_bias(%x: tensor<1x1x3xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [-2.0, 0.25], [0.0, -0.125]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %a = "tosa.const"() <{values = dense<[[[0.5, 3.0]]]> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %c = "tosa.const"() <{values = dense<[1.0, -0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %shape = "tosa.const_shape"() <{values = dense<[1, 1, 2]> : tensor<3xindex>}> : () -> !tosa.shape<3>
  %c3 = tosa.reshape %c, %shape : (tensor<2xf32>, !tosa.shape<3>) -> tensor<1x1x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %1 = tosa.mul %0, %a, %shift : (tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1xi8>) -> tensor<1x1x2xf32>
  %2 = tosa.sub %1, %c3 : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %2 : tensor<1x1x2xf32>
}

// -----

// A scale alone after a fully-connected layer needs no bias add.
// CHECK-LABEL: func.func @fully_connected_scale_only
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}-1.000000e+00, 1.000000e+00], [2.000000e+00, 5.000000e-01], [-0.000000e+00, -2.500000e-01]]]> : tensor<1x3x2xf32>}>
// CHECK: %[[MM:.*]] = tosa.matmul %{{.*}}, %[[W]],
// CHECK-NEXT: return %[[MM]]
func.func @fully_connected_scale_only(%x: tensor<1x1x3xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [-2.0, 0.25], [0.0, -0.125]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %a = "tosa.const"() <{values = dense<[[[-1.0, 2.0]]]> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %1 = tosa.mul %0, %a, %shift : (tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1xi8>) -> tensor<1x1x2xf32>
  return %1 : tensor<1x1x2xf32>
}

// -----

// A fully-connected layer with only its bias add has nothing to fold.
// CHECK-LABEL: func.func @fully_connected_bias_only
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1.000000e+00, 5.000000e-01], [-2.000000e+00, 2.500000e-01], [0.000000e+00, -1.250000e-01]]]> : tensor<1x3x2xf32>}>
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}5.000000e-01, 1.000000e+00]]]> : tensor<1x1x2xf32>}>
// CHECK: %[[MM:.*]] = tosa.matmul %{{.*}}, %[[W]],
// CHECK-NEXT: %[[Y:.*]] = tosa.add %[[MM]], %[[B]]
// CHECK-NEXT: return %[[Y]]
func.func @fully_connected_bias_only(%x: tensor<1x1x3xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.5], [-2.0, 0.25], [0.0, -0.125]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %b = "tosa.const"() <{values = dense<[[[0.5, 1.0]]]> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %1 = tosa.add %0, %b : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %1 : tensor<1x1x2xf32>
}

// -----

// A dense_resource weight is written back to a new blob (0x3F800000 = 1.0,
// 0x40400000 = 3.0, little endian after the 4-byte alignment word), scaled
// by [2, 0.5]: 2.0 = 0x40000000, 1.5 = 0x3FC00000.
// CHECK-LABEL: func.func @resource_weight
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense_resource<[[BLOB:.*]]> : tensor<2x1x1x1xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2.000000e+00, 5.000000e-01]> : tensor<2xf32>}>
// CHECK: tosa.conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK: [[BLOB]]: "0x04000000000000400000C03F"
func.func @resource_weight(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense_resource<w> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<1.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %a = "tosa.const"() <{values = dense<[[[[2.0, 0.5]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %a, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F00004040"
    }
  }
#-}

// -----

// The chain's result may have many uses: they all read the folded conv.
// CHECK-LABEL: func.func @result_many_uses
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK-NEXT: return %[[Y]], %[[Y]]
func.func @result_many_uses(%x: tensor<1x4x4x2xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %s = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %t = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %s, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %2 = tosa.add %1, %t : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %2, %2 : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}

// -----

// A value in the middle of the chain with a second use ends the chain
// there: x - mean (used twice) folds, the ops after it stay.
// CHECK-LABEL: func.func @chain_stops_at_many_uses
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[-1.000000e+00, -2.000000e+00]> : tensor<2xf32>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<2.000000e+00> : tensor<1x1x1x2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[Y]], %[[S]],
// CHECK-NEXT: return %[[M]], %[[Y]]
func.func @chain_stops_at_many_uses(%x: tensor<1x4x4x2xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %mean = "tosa.const"() <{values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %s = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.sub %0, %mean : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %2 = tosa.mul %1, %s, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %2, %1 : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}

// -----

// The chain also stops at an operand that is not a constant: the constant
// (x - mean) * inv_std folds, * gamma (an argument) and + beta stay.
// CHECK-LABEL: func.func @chain_stops_at_argument
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xf32>, %[[GAMMA:.*]]: tensor<1x1x1x2xf32>)
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[-5.000000e-01, -1.000000e+00]> : tensor<2xf32>}>
// CHECK-DAG: %[[BETA:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x1x1x2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %[[X]], %[[W]], %[[B]],
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[Y]], %[[GAMMA]],
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[M]], %[[BETA]]
// CHECK-NEXT: return %[[A]]
func.func @chain_stops_at_argument(%x: tensor<1x4x4x2xf32>, %gamma: tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %mean = "tosa.const"() <{values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %inv_std = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %beta = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.sub %0, %mean : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %2 = tosa.mul %1, %inv_std, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %3 = tosa.mul %2, %gamma, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %4 = tosa.add %3, %beta : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %4 : tensor<1x4x4x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Nothing to fold: the IR is left exactly as it was.
//===----------------------------------------------------------------------===//

// A non-constant gamma right after the conv.
// CHECK-LABEL: func.func @nonconstant_gamma
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xf32>, %[[GAMMA:.*]]: tensor<1x1x1x2xf32>)
// CHECK: %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK-NEXT: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-NEXT: %[[W:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2x1x1x2xf32>}>
// CHECK-NEXT: %[[B:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<2xf32>}>
// CHECK-NEXT: %[[BETA:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x1x1x2xf32>}>
// CHECK-NEXT: %[[Y:.*]] = tosa.conv2d %[[X]], %[[W]], %[[B]], %[[ZP]], %[[ZP]]
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[Y]], %[[GAMMA]], %[[SHIFT]]
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[M]], %[[BETA]]
// CHECK-NEXT: return %[[A]]
func.func @nonconstant_gamma(%x: tensor<1x4x4x2xf32>, %gamma: tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %beta = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %gamma, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %2 = tosa.add %1, %beta : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %2 : tensor<1x4x4x2xf32>
}

// -----

// The conv's result has a second use, so its weights cannot change.
// CHECK-LABEL: func.func @conv_result_many_uses
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2x1x1x2xf32>}>
// CHECK-NEXT: %[[B:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<2xf32>}>
// CHECK-NEXT: %[[S:.*]] = "tosa.const"() <{values = dense<2.000000e+00> : tensor<1x1x1x2xf32>}>
// CHECK-NEXT: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[Y]], %[[S]],
// CHECK-NEXT: return %[[M]], %[[Y]]
func.func @conv_result_many_uses(%x: tensor<1x4x4x2xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %s = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %s, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %1, %0 : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}

// -----

// A multiplier that varies over H and W is not a per-channel scale.
// CHECK-LABEL: func.func @mul_not_broadcast
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2x1x1x2xf32>}>
// CHECK-NEXT: %[[B:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<2xf32>}>
// CHECK-NEXT: %[[S:.*]] = "tosa.const"() <{values = dense<[{{.*}}]> : tensor<1x2x1x2xf32>}>
// CHECK-NEXT: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[Y]], %[[S]],
// CHECK-NEXT: return %[[M]]
func.func @mul_not_broadcast(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %s = "tosa.const"() <{values = dense<[[[[1.0, 2.0]], [[3.0, 4.0]]]]> : tensor<1x2x1x2xf32>}> : () -> tensor<1x2x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x1x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x1x2xf32>
  %1 = tosa.mul %0, %s, %shift : (tensor<1x2x1x2xf32>, tensor<1x2x1x2xf32>, tensor<1xi8>) -> tensor<1x2x1x2xf32>
  return %1 : tensor<1x2x1x2xf32>
}

// -----

// A shift that is not a constant (float mul needs it to be 0).
// CHECK-LABEL: func.func @mul_shift_not_constant
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[Y]], %{{.*}}, %[[SHIFT:.*]] :
// CHECK-NEXT: return %[[M]]
func.func @mul_shift_not_constant(%x: tensor<1x4x4x2xf32>, %shift: tensor<1xi8>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %s = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %s, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// var + eps < 0: rsqrt is NaN, and NaN is not folded into the weights.
// CHECK-LABEL: func.func @not_finite
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[Y]],
// CHECK-NEXT: return %[[M]]
func.func @not_finite(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %var = "tosa.const"() <{values = dense<[[[[1.0, -1.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %inv_std = tosa.rsqrt %var : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %0, %inv_std, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// The weight or the bias is not a constant.
// CHECK-LABEL: func.func @weight_not_constant
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W:.*]], %[[B:.*]], %{{.*}}, %{{.*}} {
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[Y]],
// CHECK-NEXT: return %[[A]]
// CHECK-LABEL: func.func @bias_not_constant
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[Y]],
// CHECK-NEXT: return %[[A]]
func.func @weight_not_constant(%x: tensor<1x4x4x2xf32>, %w: tensor<2x1x1x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %t = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.add %0, %t : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}
func.func @bias_not_constant(%x: tensor<1x4x4x2xf32>, %b: tensor<2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %t = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.add %0, %t : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// An add whose result type is more static than the conv's would change
// the type of the value its users read.
// CHECK-LABEL: func.func @refines_type
// CHECK: %[[Y:.*]] = tosa.conv2d {{.*}} -> tensor<?x4x4x2xf32>
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[Y]], {{.*}} -> tensor<1x4x4x2xf32>
// CHECK-NEXT: return %[[A]]
func.func @refines_type(%x: tensor<?x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %t = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<?x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x4x4x2xf32>
  %1 = tosa.add %0, %t : (tensor<?x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// f16 layers are left alone (the pass stores f32).
// CHECK-LABEL: func.func @f16
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[Y]],
// CHECK-NEXT: return %[[A]]
func.func @f16(%x: tensor<1x4x4x2xf16>) -> tensor<1x4x4x2xf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf16>}> : () -> tensor<1xf16>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x1x1x2xf16>}> : () -> tensor<2x1x1x2xf16>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf16>}> : () -> tensor<2xf16>
  %t = "tosa.const"() <{values = dense<2.0> : tensor<1x1x1x2xf16>}> : () -> tensor<1x1x1x2xf16>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f16, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf16>, tensor<2x1x1x2xf16>, tensor<2xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x4x4x2xf16>
  %1 = tosa.add %0, %t : (tensor<1x4x4x2xf16>, tensor<1x1x1x2xf16>) -> tensor<1x4x4x2xf16>
  return %1 : tensor<1x4x4x2xf16>
}

// -----

// matmul of two activations: no weight. A reshape that moves OUT off the
// innermost axis: the channels no longer line up with the constants.
// CHECK-LABEL: func.func @matmul_not_fully_connected
// CHECK: %[[MM:.*]] = tosa.matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[MM]],
// CHECK-NEXT: return %[[A]]
// CHECK-LABEL: func.func @reshape_moves_channels
// CHECK: %[[MM:.*]] = tosa.matmul
// CHECK-NEXT: %[[R:.*]] = tosa.reshape %[[MM]]
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[R]],
// CHECK-NEXT: return %[[M]]
func.func @matmul_not_fully_connected(%x: tensor<1x1x3xf32>, %w: tensor<1x3x2xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %t = "tosa.const"() <{values = dense<2.0> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %1 = tosa.add %0, %t : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %1 : tensor<1x1x2xf32>
}
func.func @reshape_moves_channels(%x: tensor<1x2x3xf32>) -> tensor<4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x3x4xf32>}> : () -> tensor<1x3x4xf32>
  %s = "tosa.const"() <{values = dense<[[2.0, 3.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %shape = "tosa.const_shape"() <{values = dense<[4, 2]> : tensor<2xindex>}> : () -> !tosa.shape<2>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %1 = tosa.reshape %0, %shape : (tensor<1x2x4xf32>, !tosa.shape<2>) -> tensor<4x2xf32>
  %2 = tosa.mul %1, %s, %shift : (tensor<4x2xf32>, tensor<1x2xf32>, tensor<1xi8>) -> tensor<4x2xf32>
  return %2 : tensor<4x2xf32>
}
