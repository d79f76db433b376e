// RUN: qlip-opt %s -split-input-file -qlip-quantize | FileCheck %s

// A conv2d with i4 weights, an input zero point, a bias, and ReLU6 folded
// into a 4-bit unsigned output grid. By hand:
//   input s_x = 0.5, z_x = 1; weights [0.5, -0.25] at s_w = [0.125, 0.0625]
//   are levels [4, -4] (i4); bias [0.25, -1.0] at s_x * s_w = [0.0625,
//   0.03125] is [4, -32]; the rescale to s = 0.5 multiplies by 0.125 =
//   2^30 * 2^-33 and 0.0625 = 2^30 * 2^-34; ReLU6 on the ui4 grid [0, 15]
//   clamps the levels to [0, 12] (6 / 0.5).

// CHECK-LABEL: func.func @conv_relu6
// CHECK-SAME:    (%[[ARG:.*]]: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK:         %[[X:.*]] = qlip.quantize %[[ARG]] with <i8, scales = [0.5], zero_points = [1]{{.*}}> : tensor<1x2x2x1xf32> to tensor<1x2x2x1xi8>
// CHECK-DAG:     %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4]]], {{\[\[\[}}-4]]]]> : tensor<2x1x1x1xi4>}>
// CHECK-DAG:     %[[XZP:.*]] = "tosa.const"() <{values = dense<1> : tensor<1xi8>}>
// CHECK-DAG:     %[[WZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi4>}>
// CHECK-DAG:     %[[B:.*]] = "tosa.const"() <{values = dense<[4, -32]> : tensor<2xi32>}>
// CHECK:         %[[ACC:.*]] = tosa.conv2d %[[X]], %[[W]], %[[B]], %[[XZP]], %[[WZP]] {acc_type = i32, {{.*}}} : {{.*}} -> tensor<1x2x2x2xi32>
// CHECK-DAG:     %[[M:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<2xi32>}>
// CHECK-DAG:     %[[S:.*]] = "tosa.const"() <{values = dense<[33, 34]> : tensor<2xi8>}>
// CHECK:         %[[R:.*]] = tosa.rescale %[[ACC]], %[[M]], %[[S]], %{{.*}}, %{{.*}} {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true}
// CHECK-SAME:      -> tensor<1x2x2x2xi8>
// CHECK:         %[[C:.*]] = tosa.clamp %[[R]] {max_val = 12 : i8, min_val = 0 : i8
// CHECK:         %[[Y:.*]] = qlip.dequantize %[[C]] with <ui4, scales = [0.5]{{.*}}> : tensor<1x2x2x2xi8> to tensor<1x2x2x2xf32>
// CHECK:         return %[[Y]]
// CHECK-NOT:     tosa.clamp {{.*}}f32
func.func @conv_relu6(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], zero_points = [1], clip = [[-64.5, 63.0]], rule = max> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i4 narrow, axis = 0, scales = [0.125, 0.0625], clip = [[-0.875, 0.875], [-0.4375, 0.4375]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.25, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %2 = qlip.fake_quant %1 with <ui4, scales = [0.5], clip = [[0.0, 7.5]], rule = pact> : tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}

// -----

// ReLU after a conv on an unsigned 8-bit grid: stored in i8 with the zero
// point moved to -128, so the ReLU's lower bound is the type's minimum and
// no clamp remains; per-tensor weights make one multiplier.

// CHECK-LABEL: func.func @conv_relu_ui8
// CHECK:         tosa.conv2d {{.*}} -> tensor<1x2x2x2xi32>
// CHECK:         %[[R:.*]] = tosa.rescale {{.*}}per_channel = false{{.*}} -> tensor<1x2x2x2xi8>
// CHECK-NOT:     tosa.clamp
// CHECK:         qlip.dequantize %[[R]] with <i8, scales = [0.25], zero_points = [-128]
func.func @conv_relu_ui8(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i8 narrow, scales = [0.0625], clip = [[-7.9375, 7.9375]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %2 = qlip.fake_quant %1 with <ui8, scales = [0.25], clip = [[0.0, 63.75]], rule = max> : tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}

// -----

// A fully-connected layer: the bias added after the reshape joins the
// matmul's accumulator (int32, at s_x * s_w[c]) before the reshape; the
// matmul weights stay i8 (TOSA's matmul operands share one type) even at
// 4 bits. s_x = 0.5, s_w = [0.25, 0.5] -> acc scales [0.125, 0.25]; bias
// [1.0, -0.5] -> [8, -2].

// CHECK-LABEL: func.func @fully_connected
// CHECK:         %[[MM:.*]] = tosa.matmul {{.*}} : (tensor<1x1x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x2xi32>
// CHECK:         %[[B:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}8, -2]]]> : tensor<1x1x2xi32>}>
// CHECK:         %[[ADD:.*]] = tosa.add %[[MM]], %[[B]] : (tensor<1x1x2xi32>, tensor<1x1x2xi32>) -> tensor<1x1x2xi32>
// CHECK:         %[[RS:.*]] = tosa.reshape %[[ADD]], %{{.*}} : (tensor<1x1x2xi32>, !tosa.shape<2>) -> tensor<1x2xi32>
// CHECK:         tosa.rescale %[[RS]]
// CHECK-NOT:     tosa.add
func.func @fully_connected(%arg0: tensor<1x1x3xf32>) -> tensor<1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x1x3xf32>
  %w = "tosa.const"() <{values = dense<[[[0.5, 1.0], [-0.25, -1.5], [0.75, 0.5]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %wq = qlip.fake_quant %w with <i4 narrow, axis = 2, scales = [0.25, 0.5], clip = [[-1.75, 1.75], [-3.5, 3.5]], rule = max> : tensor<1x3x2xf32>
  %0 = tosa.matmul %x, %wq, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %1 = tosa.reshape %0, %s : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %b = "tosa.const"() <{values = dense<[[1.0, -0.5]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %2 = tosa.add %1, %b : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %3 = qlip.fake_quant %2 with <i8, scales = [0.125], clip = [[-16.0, 15.875]], rule = max> : tensor<1x2xf32>
  return %3 : tensor<1x2xf32>
}

// -----

// An op qlip-quantize has no integer rule for stays float between a
// dequantize and a quantize.

// CHECK-LABEL: func.func @float_island
// CHECK:         %[[Q:.*]] = qlip.quantize %{{.*}} to tensor<1x4xi8>
// CHECK:         %[[D:.*]] = qlip.dequantize %[[Q]]
// CHECK:         %[[S:.*]] = tosa.sigmoid %[[D]] : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK:         %[[Q2:.*]] = qlip.quantize %[[S]] with <i8, scales = [0.00390625], zero_points = [-128]
// CHECK:         qlip.dequantize %[[Q2]]
func.func @float_island(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x4xf32>
  %0 = tosa.sigmoid %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %1 = qlip.fake_quant %0 with <ui8, scales = [0.00390625], clip = [[0.0, 0.99609375]], rule = max> : tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}

// -----

// An activation with no fake_quant after it stays an accumulator until a
// float op reads it: then it is dequantized as acc * s_x * s_w[c], with the
// clamp it still owes, in float.

// CHECK-LABEL: func.func @accumulator_to_float
// CHECK:         %[[ACC:.*]] = tosa.conv2d {{.*}} -> tensor<1x1x1x2xi32>
// CHECK:         %[[F:.*]] = tosa.cast %[[ACC]] : (tensor<1x1x1x2xi32>) -> tensor<1x1x1x2xf32>
// CHECK:         %[[SC:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.500000e-01, 1.250000e-01]]]]> : tensor<1x1x1x2xf32>}>
// CHECK:         %[[M:.*]] = tosa.mul %[[F]], %[[SC]]
// CHECK:         %[[C:.*]] = tosa.clamp %[[M]] {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32
// CHECK:         tosa.tanh %[[C]]
func.func @accumulator_to_float(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0]]], [[[0.5]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i8 narrow, axis = 0, scales = [0.5, 0.25], clip = [[-63.5, 63.5], [-31.75, 31.75]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %2 = tosa.tanh %1 : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  return %2 : tensor<1x1x1x2xf32>
}

// -----

// 16-bit activations with 8-bit weights (EXT-INT16): 48-bit accumulation,
// a 48-bit bias, and a rescale with 16-bit multipliers and single
// rounding (TOSA allows neither 32-bit multipliers nor double rounding on
// 48-bit input). 0.25 * 0.5 / 0.125 = 1 = 2^14 * 2^-14.

// CHECK-LABEL: func.func @int16_activations
// CHECK:         qlip.quantize %{{.*}} to tensor<1x1x1x1xi16>
// CHECK:         "tosa.const"() <{values = dense<[4, -8]> : tensor<2xi48>}>
// CHECK:         tosa.conv2d {{.*}}acc_type = i48{{.*}} -> tensor<1x1x1x2xi48>
// CHECK:         "tosa.const"() <{values = dense<16384> : tensor<1xi16>}>
// CHECK:         "tosa.const"() <{values = dense<14> : tensor<1xi8>}>
// CHECK:         tosa.rescale {{.*}}rounding_mode = SINGLE_ROUND, scale32 = false{{.*}} -> tensor<1x1x1x2xi16>
func.func @int16_activations(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i16, scales = [0.25], clip = [[-8192.0, 8191.75]], rule = max> : tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0]]], [[[-0.5]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i8 narrow, scales = [0.5], clip = [[-63.5, 63.5]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.5, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %1 = qlip.fake_quant %0 with <i16, scales = [0.125], clip = [[-4096.0, 4095.875]], rule = max> : tensor<1x1x1x2xf32>
  return %1 : tensor<1x1x1x2xf32>
}

// -----

// Binary ops: both inputs rescaled to int32 at the common scale, 2^-21 of
// the coarser input's (0.5 * 2^-21 = 2^-22): x 0.5 / 2^-22 = 2^21 =
// 2^30 * 2^-9, y 0.25 / 2^-22 = 2^20 = 2^30 * 2^-10.

// CHECK-LABEL: func.func @add
// CHECK:         %[[SX:.*]] = "tosa.const"() <{values = dense<9> : tensor<1xi8>}>
// CHECK:         %[[A:.*]] = tosa.rescale %{{.*}}, %{{.*}}, %[[SX]], {{.*}} -> tensor<1x4xi32>
// CHECK:         %[[SY:.*]] = "tosa.const"() <{values = dense<10> : tensor<1xi8>}>
// CHECK:         %[[B:.*]] = tosa.rescale %{{.*}}, %{{.*}}, %[[SY]], {{.*}} -> tensor<1x4xi32>
// CHECK:         %[[S:.*]] = tosa.add %[[A]], %[[B]] : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
// The sum at 2^-22 to the output grid of step 1: 2^30 * 2^-52.
// CHECK:         "tosa.const"() <{values = dense<52> : tensor<1xi8>}>
// CHECK:         tosa.rescale %[[S]]{{.*}} -> tensor<1x4xi8>
func.func @add(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x4xf32>
  %y = qlip.fake_quant %arg1 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<1x4xf32>
  %0 = tosa.add %x, %y : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [1.0], clip = [[-128.0, 127.0]], rule = max> : tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}

// -----

// An unpadded average pool sums its windows in int32 with a depthwise conv
// of ones (input zero point 3) and the requantization divides: the scale
// 0.5 / 4 / 0.25 = 0.5 = 2^30 * 2^-31. A padded one is TOSA's integer
// avg_pool2d on the input grid, zero points as operands.

// CHECK-LABEL: func.func @avg_pools
// CHECK-DAG:     %[[ONES:.*]] = "tosa.const"() <{values = dense<1> : tensor<2x2x2x1xi8>}>
// CHECK-DAG:     %[[ZERO:.*]] = "tosa.const"() <{values = dense<0> : tensor<2xi32>}>
// CHECK-DAG:     %[[Z3:.*]] = "tosa.const"() <{values = dense<3> : tensor<1xi8>}>
// CHECK:         %[[SUM:.*]] = tosa.depthwise_conv2d %[[X:.*]], %[[ONES]], %[[ZERO]], %[[Z3]], %{{.*}} {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} {{.*}} -> tensor<1x1x1x2xi32>
// CHECK:         "tosa.const"() <{values = dense<31> : tensor<1xi8>}>
// CHECK:         tosa.rescale %[[SUM]]
// CHECK:         tosa.avg_pool2d %[[X]], %[[ZP:.*]], %[[ZP]] {acc_type = i32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
func.func @avg_pools(%arg0: tensor<1x2x2x2xf32>) -> (tensor<1x1x1x2xf32>, tensor<1x2x2x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], zero_points = [3], clip = [[-65.5, 62.0]], rule = max> : tensor<1x2x2x2xf32>
  %0 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<1x1x1x2xf32>
  %2 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %1, %2 : tensor<1x1x1x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Concat rescales its inputs to the grid of the fake_quant that reads it
// (x from 0.5 to 0.25 is 2^30 * 2^-29; y already is on it); mul
// multiplies centred levels (scale 1: 2^30 * 2^-30) in int32; pad pads
// with the level of 0.0, the zero point 3.

// CHECK-LABEL: func.func @concat_mul_pad
// CHECK:         %[[X:.*]] = qlip.quantize %arg0
// CHECK:         %[[Y:.*]] = qlip.quantize %arg1
// CHECK:         "tosa.const"() <{values = dense<29> : tensor<1xi8>}>
// CHECK:         %[[XR:.*]] = tosa.rescale %[[X]]
// CHECK:         tosa.concat %[[XR]], %[[Y]] {axis = 1 : i32} : (tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x8xi8>
// CHECK:         "tosa.const"() <{values = dense<30> : tensor<1xi8>}>
// CHECK:         %[[A:.*]] = tosa.rescale %[[X]]{{.*}} -> tensor<1x4xi32>
// CHECK:         %[[B:.*]] = tosa.rescale %[[Y]]{{.*}} -> tensor<1x4xi32>
// CHECK:         tosa.mul %[[A]], %[[B]], %{{.*}} : (tensor<1x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<1x4xi32>
// CHECK:         %[[PC:.*]] = "tosa.const"() <{values = dense<3> : tensor<1xi8>}>
// CHECK:         tosa.pad %[[X]], %{{.*}}, %[[PC]] : (tensor<1x4xi8>, !tosa.shape<4>, tensor<1xi8>) -> tensor<1x6xi8>
func.func @concat_mul_pad(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> (tensor<1x8xf32>, tensor<1x4xf32>, tensor<1x6xf32>) {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], zero_points = [3], clip = [[-65.5, 62.0]], rule = max> : tensor<1x4xf32>
  %y = qlip.fake_quant %arg1 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<1x4xf32>
  %0 = tosa.concat %x, %y {axis = 1 : i32} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x8xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<1x8xf32>
  %2 = tosa.mul %x, %y, %shift : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  %3 = qlip.fake_quant %2 with <i8, scales = [1.0], clip = [[-128.0, 127.0]], rule = max> : tensor<1x4xf32>
  %padding = tosa.const_shape {values = dense<[0, 0, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %pc = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %4 = tosa.pad %x, %padding, %pc : (tensor<1x4xf32>, !tosa.shape<4>, tensor<1xf32>) -> tensor<1x6xf32>
  return %1, %3, %4 : tensor<1x8xf32>, tensor<1x4xf32>, tensor<1x6xf32>
}

// -----

// Dynamic shapes: an unpadded average pool whose channel count is unknown
// cannot build its weight of ones, so it is TOSA's integer avg_pool2d; a
// conv with a dynamic batch accumulates as usual.

// CHECK-LABEL: func.func @dynamic
// CHECK:         tosa.avg_pool2d {{.*}} : (tensor<?x2x2x?xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<?x1x1x?xi8>
// CHECK:         tosa.conv2d {{.*}} -> tensor<?x2x2x2xi32>
func.func @dynamic(%arg0: tensor<?x2x2x?xf32>, %arg1: tensor<?x2x2x1xf32>) -> (tensor<?x1x1x?xf32>, tensor<?x2x2x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<?x2x2x?xf32>
  %0 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<?x2x2x?xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x1x1x?xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<?x1x1x?xf32>
  %y = qlip.fake_quant %arg1 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<?x2x2x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i8 narrow, axis = 0, scales = [0.125, 0.0625], clip = [[-0.875, 0.875], [-0.4375, 0.4375]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.25, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %2 = tosa.conv2d %y, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<?x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x2x2x2xf32>
  %3 = qlip.fake_quant %2 with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<?x2x2x2xf32>
  return %1, %3 : tensor<?x1x1x?xf32>, tensor<?x2x2x2xf32>
}

// -----

// Rescaling 4-bit values to the concat's grid: x (scale 0.5) is halved, so
// its levels [-8, 7] cannot leave [-8, 7] and get no clamp; y (scale 2) is
// doubled to [-16, 14] and is clamped.

// CHECK-LABEL: func.func @clamps_only_what_can_clip
// CHECK:         %[[X:.*]] = qlip.quantize %arg0
// CHECK:         %[[Y:.*]] = qlip.quantize %arg1
// CHECK:         %[[XR:.*]] = tosa.rescale %[[X]]
// CHECK-NOT:     tosa.clamp %[[XR]]
// CHECK:         %[[YR:.*]] = tosa.rescale %[[Y]]
// CHECK:         %[[YC:.*]] = tosa.clamp %[[YR]] {max_val = 7 : i8, min_val = -8 : i8
// CHECK:         tosa.concat %[[XR]], %[[YC]]
func.func @clamps_only_what_can_clip(%arg0: tensor<1x4xf32>, %arg1: tensor<1x4xf32>) -> tensor<1x8xf32> {
  %x = qlip.fake_quant %arg0 with <i4, scales = [0.5], clip = [[-4.0, 3.5]], rule = max> : tensor<1x4xf32>
  %y = qlip.fake_quant %arg1 with <i4, scales = [2.0], clip = [[-16.0, 14.0]], rule = max> : tensor<1x4xf32>
  %0 = tosa.concat %x, %y {axis = 1 : i32} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x8xf32>
  %1 = qlip.fake_quant %0 with <i4, scales = [1.0], clip = [[-8.0, 7.0]], rule = max> : tensor<1x8xf32>
  return %1 : tensor<1x8xf32>
}
