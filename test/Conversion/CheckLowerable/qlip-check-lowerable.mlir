// RUN: qlip-opt %s -split-input-file -verify-diagnostics -pass-pipeline="builtin.module(func.func(qlip-check-lowerable))" | FileCheck %s

// tosa-to-linalg lowers SINGLE_ROUND and DOUBLE_ROUND rescales: they pass
// unchanged.
// CHECK-LABEL: func.func @single_and_double
// CHECK:         tosa.rescale {{.*}}rounding_mode = SINGLE_ROUND
// CHECK:         tosa.rescale {{.*}}rounding_mode = DOUBLE_ROUND
func.func @single_and_double(%x: tensor<4xi32>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<4xi8>
  %izp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %1 = tosa.rescale %0, %m, %s, %izp8, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<4xi8>
  return %1 : tensor<4xi8>
}

// -----

// INEXACT_ROUND is diagnosed, every occurrence.
func.func @inexact(%x: tensor<4xi32>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.rescale' op with rounding_mode = INEXACT_ROUND cannot be lowered: the upstream TOSA-to-linalg conversion implements SINGLE_ROUND and DOUBLE_ROUND only; SINGLE_ROUND's results are within the specification's bound for INEXACT_ROUND}}
  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = INEXACT_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<4xi8>
  %izp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error@+1 {{INEXACT_ROUND cannot be lowered}}
  %1 = tosa.rescale %0, %m, %s, %izp8, %ozp {scale32 = true, rounding_mode = INEXACT_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<4xi8>
  return %1 : tensor<4xi8>
}

// -----

// A pooling window past its padded input (which the verifier cannot see
// behind a dynamic result), or beyond int32, is refused before lowering.
func.func @huge_window(%x: tensor<1x4x4x1xf32>) -> tensor<1x?x1x1xf32> {
  // expected-error@+1 {{'tosa.max_pool2d' op kernel height 2147483648 does not fit in int32}}
  %0 = tosa.max_pool2d %x {kernel = array<i64: 2147483648, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>) -> tensor<1x?x1x1xf32>
  return %0 : tensor<1x?x1x1xf32>
}

// -----

func.func @window_past_input(%x: tensor<1x4x4x1xf32>) -> tensor<1x?x?x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.avg_pool2d' op kernel width 7 is larger than the padded input's 4 + 1 + 1}}
  %0 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 7>, pad = array<i64: 0, 0, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x?x?x1xf32>
  return %0 : tensor<1x?x?x1xf32>
}
