// RUN: qlip-opt %s -split-input-file -qlip-insert-observers --mlir-print-debuginfo=false | FileCheck %s
// Running the pass twice changes nothing.
// RUN: qlip-opt %s -split-input-file -qlip-insert-observers > %t.once
// RUN: qlip-opt %t.once -split-input-file -qlip-insert-observers > %t.twice
// RUN: diff %t.once %t.twice

// A conv, ReLU, pool and fully-connected layer with named locations: the
// input, the ReLU output (not the conv output: the accumulator before an
// activation is never quantized), the FC input and the output are observed;
// the bias add is not (its other operand is a constant), nor any weight.
// CHECK-LABEL: func.func @cnn
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x1xf32>)
// CHECK: %[[XO:.*]] = qlip.observe "cnn.input0" %[[X]] : tensor<1x4x4x1xf32>
// CHECK: %[[C:.*]] = tosa.conv2d %[[XO]],
// CHECK: %[[R:.*]] = tosa.clamp %[[C]]
// CHECK: %[[RO:.*]] = qlip.observe "relu1" %[[R]] : tensor<1x4x4x2xf32>
// CHECK: tosa.avg_pool2d %[[RO]],
// CHECK: %[[F:.*]] = tosa.reshape
// CHECK: %[[FO:.*]] = qlip.observe "flatten" %[[F]]
// CHECK: tosa.matmul %[[FO]],
// CHECK: %[[Y:.*]] = tosa.add
// CHECK: %[[YO:.*]] = qlip.observe "logits" %[[Y]]
// CHECK: return %[[YO]]
func.func @cnn(%x: tensor<1x4x4x1xf32>) -> tensor<1x1x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv1")
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc("relu1")
  %2 = tosa.avg_pool2d %1, %zp, %zp {acc_type = f32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32> loc("pool")
  %s = tosa.const_shape {values = dense<[1, 1, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %3 = tosa.reshape %2, %s : (tensor<1x1x1x2xf32>, !tosa.shape<3>) -> tensor<1x1x2xf32> loc("flatten")
  %fw = "tosa.const"() <{values = dense<0.25> : tensor<1x2x3xf32>}> : () -> tensor<1x2x3xf32>
  %4 = tosa.matmul %3, %fw, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32> loc("fc")
  %fb = "tosa.const"() <{values = dense<0.1> : tensor<1x1x3xf32>}> : () -> tensor<1x1x3xf32>
  %5 = tosa.add %4, %fb : (tensor<1x1x3xf32>, tensor<1x1x3xf32>) -> tensor<1x1x3xf32> loc("logits")
  return %5 : tensor<1x1x3xf32>
}

// -----

// A residual add: both inputs are observed, one observer per value however
// many readers it has. Without names, ids are file positions; a repeated id
// gets a suffix; an input with a NameLoc keeps its name.
// CHECK-LABEL: func.func @residual
// CHECK: %[[XO:.*]] = qlip.observe "image" %{{.*}}
// CHECK: %[[A:.*]] = tosa.sigmoid %[[XO]]
// CHECK: %[[AO:.*]] = qlip.observe "sigmoid_0" %[[A]]
// CHECK: %[[S:.*]] = tosa.add %[[AO]], %[[XO]]
// CHECK: %[[SO:.*]] = qlip.observe "block" %[[S]]
// CHECK: %[[T:.*]] = tosa.tanh %[[SO]]
// CHECK: %[[TO:.*]] = qlip.observe "block.1" %[[T]]
// CHECK: return %[[TO]], %[[SO]]
func.func @residual(%x: tensor<4xf32> loc("image")) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = tosa.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  %s = tosa.add %a, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc("block")
  %t = tosa.tanh %s : (tensor<4xf32>) -> tensor<4xf32> loc("block")
  return %t, %s : tensor<4xf32>, tensor<4xf32>
}

// -----

// Integer tensors, already fake-quantized values and existing observers
// are left alone; existing ids stay taken.
// CHECK-LABEL: func.func @skips
// CHECK: qlip.observe "skips.input0"
// CHECK-NEXT: qlip.fake_quant
// CHECK-NOT: qlip.observe
// CHECK: return
func.func @skips(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = qlip.observe "skips.input0" %x : tensor<4xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<4xf32>
  %2 = tosa.add %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %1, %2 : tensor<4xf32>, tensor<4xi32>
}
