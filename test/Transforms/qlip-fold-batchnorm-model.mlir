// RUN: qlip-opt %s -qlip-fold-batchnorm | FileCheck %s --implicit-check-not=tosa.sub --implicit-check-not=tosa.mul --implicit-check-not=tosa.rsqrt

// A small model with three batch norms as exporters write them: conv2d +
// BatchNorm2d (the full chain on [C] parameters reshaped to [1, 1, 1, C],
// rsqrt(var + eps) with eps = 1e-5), depthwise + the exporter's folded
// x * s + t, and Linear + BatchNorm1d on [1, 2] after a global average pool.
// Every sub, mul and rsqrt folds away; what is left is the layers, the
// activations and one bias add for the linear layer.
//
// The expected constants were computed once with python3, independently of
// qlip, from the f32 values of the literals below (struct.pack('<f', v)),
// in double, rounded once to f32:
//   a = gamma / math.sqrt(var + eps)
//   conv1:  W'[i] = f32(a[i // 18] * W[i])   (OHWI [3, 3, 3, 2]: 18 per channel)
//           bias' = f32(a * (bias - mean) + beta)
//   dw:     W'[i] = f32(s[i % 3] * W[i])     (HWCM [3, 3, 3, 1])
//           bias' = f32(t)
//   linear: W'[i] = f32(a[i % 2] * W[i])     ([1, 3, 2], axis 2)
//           bias' = f32(a * (bias - mean) + beta)
// and match the printed values below bit for bit (95 values). For example
// conv1 channel 0: a = 1.094 / sqrt(1.763 + 1e-5) = 0.8239292589, so
// W'[0] = -0.352 * a = -0.2900230976 -> f32 -0.290023088 and
// bias'[0] = a * (-0.696 - 0.336) + 0.68 = -0.1702949678 -> f32 -0.17029497.
// Lowered through upstream mlir-opt and run with mlir-runner on one input,
// the model and its folded form print the same output, [-0.650962, 0.349811].

// CHECK-LABEL: func.func @model
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xf32>)
// CHECK-NEXT: %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK-NEXT: %[[W1:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}-0.290023088, -0.575102627], [0.248826623, -0.704459548], [0.0593229048, -0.221636966]], {{\[\[}}-0.72835344, 0.0123589383], [-0.762134552, -0.109582596], [-0.708579183, -0.674798071]], {{\[\[}}-0.124413311, 0.538849711], [-0.619594752, -0.45645684], [0.210101962, 0.737416684]]], {{\[\[\[}}0.199359417, -0.267970145], [1.23369825, -1.17414927], [0.928186416, -0.545002043]], {{\[\[}}-0.920419156, -0.989029824], [-0.495809436, 0.818150401], [-0.827212154, 0.211010292]], {{\[\[}}0.359882593, -0.330108136], [0.122981459, -1.13142943], [-1.14049125, -0.761190533]]], {{\[\[\[}}0.289511949, -0.116285965], [-0.298333675, 0.137137249], [-0.0753853843, -0.32078889]], {{\[\[}}0.472361624, 0.319184929], [-0.410609782, 0.119493857], [0.0400986113, 0.601479173]], {{\[\[}}0.368105233, -0.340036213], [0.769893288, -0.61270678], [-0.131523445, 0.412213713]]]]> : tensor<3x3x3x2xf32>}>
// CHECK-NEXT: %[[B1:.*]] = "tosa.const"() <{values = dense<[-0.17029497, 0.175707549, -0.908506274]> : tensor<3xf32>}>
// CHECK-NEXT: %[[C1:.*]] = tosa.conv2d %[[X]], %[[W1]], %[[B1]], %[[ZP]], %[[ZP]]
// CHECK-NEXT: %[[R1:.*]] = tosa.clamp %[[C1]]
// CHECK-NEXT: %[[W2:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}0.277488023], [-1.57516801], [7.753720e-01]], {{\[\[}}2.487240e-01], [1.7669121], [1.23905599]], {{\[\[}}-3.646260e-01], [-4.085760e-01], [6.483880e-01]]], {{\[\[\[}}-0.807929992], [-0.137984008], [-1.27753592]], {{\[\[}}-6.480360e-01], [-1.58054411], [1.03126407]], {{\[\[}}-6.268860e-01], [-0.904960036], [-0.419431984]]], {{\[\[\[}}6.285780e-01], [-1.50348806], [-1.962480e-01]], {{\[\[}}8.375400e-02], [1.37446404], [1.22943604]], {{\[\[}}6.158880e-01], [-7.938560e-01], [-3.251560e-01]]]]> : tensor<3x3x3x1xf32>}>
// CHECK-NEXT: %[[B2:.*]] = "tosa.const"() <{values = dense<[-6.980000e-01, -6.480000e-01, -5.360000e-01]> : tensor<3xf32>}>
// CHECK-NEXT: %[[C2:.*]] = tosa.depthwise_conv2d %[[R1]], %[[W2]], %[[B2]], %[[ZP]], %[[ZP]]
// CHECK-NEXT: %[[R2:.*]] = tosa.clamp %[[C2]]
// CHECK-NEXT: %[[P:.*]] = tosa.avg_pool2d %[[R2]]
// CHECK: %[[F:.*]] = tosa.reshape %[[P]]
// CHECK-NEXT: %[[W3:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}-0.60342288, -0.01473042], [0.201518357, -0.233231649], [-1.12306857, -0.0795442685]]]> : tensor<1x3x2xf32>}>
// CHECK-NEXT: %[[MM:.*]] = tosa.matmul %[[F]], %[[W3]], %[[ZP]], %[[ZP]]
// CHECK-NEXT: %[[Y:.*]] = tosa.reshape %[[MM]]
// CHECK-NEXT: %[[B3:.*]] = "tosa.const"() <{values = dense<{{\[\[}}-0.522190511, 0.438228518]]> : tensor<1x2xf32>}>
// CHECK-NEXT: %[[OUT:.*]] = tosa.add %[[Y]], %[[B3]] : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
// CHECK-NEXT: return %[[OUT]]
func.func @model(%x: tensor<1x4x4x2xf32>) -> tensor<1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %eps = "tosa.const"() <{values = dense<1.0e-05> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shape_c3 = "tosa.const_shape"() <{values = dense<[1, 1, 1, 3]> : tensor<4xindex>}> : () -> !tosa.shape<4>
  // conv1 + BatchNorm2d, as exported: [C] parameters reshaped to [1, 1, 1, C].
  %w1 = "tosa.const"() <{values = dense<[[[[-0.352, -0.698], [0.302, -0.855], [0.072, -0.269]], [[-0.884, 0.015], [-0.925, -0.133], [-0.86, -0.819]], [[-0.151, 0.654], [-0.752, -0.554], [0.255, 0.895]]], [[[0.154, -0.207], [0.953, -0.907], [0.717, -0.421]], [[-0.711, -0.764], [-0.383, 0.632], [-0.639, 0.163]], [[0.278, -0.255], [0.095, -0.874], [-0.881, -0.588]]], [[[0.361, -0.145], [-0.372, 0.171], [-0.094, -0.4]], [[0.589, 0.398], [-0.512, 0.149], [0.05, 0.75]], [[0.459, -0.424], [0.96, -0.764], [-0.164, 0.514]]]]> : tensor<3x3x3x2xf32>}> : () -> tensor<3x3x3x2xf32>
  %b1 = "tosa.const"() <{values = dense<[-0.696, -0.022, -0.922]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %mean1 = "tosa.const"() <{values = dense<[0.336, 0.529, 0.146]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %var1 = "tosa.const"() <{values = dense<[1.763, 0.696, 1.421]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %gamma1 = "tosa.const"() <{values = dense<[1.094, 1.08, 0.956]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %beta1 = "tosa.const"() <{values = dense<[0.68, 0.889, -0.052]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %var_eps1 = tosa.add %var1, %eps : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xf32>
  %inv_std1 = tosa.rsqrt %var_eps1 : (tensor<3xf32>) -> tensor<3xf32>
  %mean1_4 = tosa.reshape %mean1, %shape_c3 : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x1x1x3xf32>
  %inv_std1_4 = tosa.reshape %inv_std1, %shape_c3 : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x1x1x3xf32>
  %gamma1_4 = tosa.reshape %gamma1, %shape_c3 : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x1x1x3xf32>
  %beta1_4 = tosa.reshape %beta1, %shape_c3 : (tensor<3xf32>, !tosa.shape<4>) -> tensor<1x1x1x3xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  %n1 = tosa.sub %c1, %mean1_4 : (tensor<1x4x4x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x4x4x3xf32>
  %n2 = tosa.mul %n1, %inv_std1_4, %shift : (tensor<1x4x4x3xf32>, tensor<1x1x1x3xf32>, tensor<1xi8>) -> tensor<1x4x4x3xf32>
  %n3 = tosa.mul %n2, %gamma1_4, %shift : (tensor<1x4x4x3xf32>, tensor<1x1x1x3xf32>, tensor<1xi8>) -> tensor<1x4x4x3xf32>
  %n4 = tosa.add %n3, %beta1_4 : (tensor<1x4x4x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x4x4x3xf32>
  %r1 = tosa.clamp %n4 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  // depthwise + BatchNorm2d already folded by the exporter into x * s + t.
  %w2 = "tosa.const"() <{values = dense<[[[[0.328], [-0.879], [0.403]], [[0.294], [0.986], [0.644]], [[-0.431], [-0.228], [0.337]]], [[[-0.955], [-0.077], [-0.664]], [[-0.766], [-0.882], [0.536]], [[-0.741], [-0.505], [-0.218]]], [[[0.743], [-0.839], [-0.102]], [[0.099], [0.767], [0.639]], [[0.728], [-0.443], [-0.169]]]]> : tensor<3x3x3x1xf32>}> : () -> tensor<3x3x3x1xf32>
  %b2 = "tosa.const"() <{values = dense<0.0> : tensor<3xf32>}> : () -> tensor<3xf32>
  %s2 = "tosa.const"() <{values = dense<[[[[0.846, 1.792, 1.924]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %t2 = "tosa.const"() <{values = dense<[[[[-0.698, -0.648, -0.536]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %c2 = tosa.depthwise_conv2d %r1, %w2, %b2, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xf32>, tensor<3x3x3x1xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  %m2 = tosa.mul %c2, %s2, %shift : (tensor<1x4x4x3xf32>, tensor<1x1x1x3xf32>, tensor<1xi8>) -> tensor<1x4x4x3xf32>
  %a2 = tosa.add %m2, %t2 : (tensor<1x4x4x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x4x4x3xf32>
  %r2 = tosa.clamp %a2 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  // global average pool, then Linear + BatchNorm1d on [1, 2].
  %p = tosa.avg_pool2d %r2, %zp, %zp {acc_type = f32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x3xf32>
  %shape_fc = "tosa.const_shape"() <{values = dense<[1, 1, 3]> : tensor<3xindex>}> : () -> !tosa.shape<3>
  %shape_out = "tosa.const_shape"() <{values = dense<[1, 2]> : tensor<2xindex>}> : () -> !tosa.shape<2>
  %f = tosa.reshape %p, %shape_fc : (tensor<1x1x1x3xf32>, !tosa.shape<3>) -> tensor<1x1x3xf32>
  %w3 = "tosa.const"() <{values = dense<[[[-0.533, -0.03], [0.178, -0.475], [-0.992, -0.162]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %b3 = "tosa.const"() <{values = dense<[[-0.261, 0.133]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %mean3 = "tosa.const"() <{values = dense<[[0.906, 0.381]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %var3 = "tosa.const"() <{values = dense<[[1.079, 1.273]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %gamma3 = "tosa.const"() <{values = dense<[[1.176, 0.554]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %beta3 = "tosa.const"() <{values = dense<[[0.799, 0.56]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %shape_eps = "tosa.const_shape"() <{values = dense<[1, 1]> : tensor<2xindex>}> : () -> !tosa.shape<2>
  %eps2 = tosa.reshape %eps, %shape_eps : (tensor<1xf32>, !tosa.shape<2>) -> tensor<1x1xf32>
  %var_eps3 = tosa.add %var3, %eps2 : (tensor<1x2xf32>, tensor<1x1xf32>) -> tensor<1x2xf32>
  %inv_std3 = tosa.rsqrt %var_eps3 : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %mm = tosa.matmul %f, %w3, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %y = tosa.reshape %mm, %shape_out : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %yb = tosa.add %y, %b3 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %k1 = tosa.sub %yb, %mean3 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %k2 = tosa.mul %k1, %inv_std3, %shift : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1xi8>) -> tensor<1x2xf32>
  %k3 = tosa.mul %k2, %gamma3, %shift : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1xi8>) -> tensor<1x2xf32>
  %k4 = tosa.add %k3, %beta3 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %k4 : tensor<1x2xf32>
}
