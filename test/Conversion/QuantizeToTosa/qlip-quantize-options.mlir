// The options of qlip-quantize, on one small model: a conv with 4-bit
// weights, ReLU, a max pool and a sigmoid that has no integer rule.

// Defaults: i4 weights, single rounding, float I/O.
// RUN: qlip-opt %s --mlir-print-debuginfo=false -qlip-quantize | FileCheck %s --check-prefix=DEFAULT
// DEFAULT:     func.func @main(%{{.*}}: tensor<1x2x2x1xf32>) -> (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>)
// DEFAULT:     tensor<2x1x1x1xi4>
// DEFAULT:     rounding_mode = SINGLE_ROUND
// DEFAULT-NOT: DOUBLE_ROUND

// The target the model needs: the sigmoid keeps pro_fp. `validate` checks
// the model against it.
// RUN: qlip-opt %s --mlir-print-debuginfo=false -qlip-quantize=validate | FileCheck %s --check-prefix=TARGET
// TARGET: module attributes {tosa.target_env = #tosa.target_env<specification_version = "1.0", level = none, profiles = [pro_int, pro_fp], extensions = [int4]>}

// Double rounding needs its extension; i8 weights do not need int4.
// RUN: qlip-opt %s --mlir-print-debuginfo=false -qlip-quantize="rounding-mode=double int4-weights=false validate" | FileCheck %s --check-prefix=OPTS
// OPTS:     extensions = [doubleround]>}
// OPTS:     tensor<2x1x1x1xi8>
// OPTS:     rounding_mode = DOUBLE_ROUND
// OPTS-NOT: SINGLE_ROUND

// Without extensions no target is left (MLIR 22 cannot parse an empty
// extension list back), though validation ran against one.
// RUN: qlip-opt %s --mlir-print-debuginfo=false -qlip-quantize="int4-weights=false validate" | FileCheck %s --check-prefix=NOEXT
// NOEXT-NOT: tosa.target_env

// Integer I/O: the integer levels cross the boundary; the sigmoid's
// result is quantized again rather than returned in float.
// RUN: qlip-opt %s --mlir-print-debuginfo=false -qlip-quantize=integer-io | FileCheck %s --check-prefix=IO
// IO:     func.func @main(%[[ARG:.*]]: tensor<1x2x2x1xi8>) -> (tensor<1x1x1x2xi8>, tensor<1x1x1x2xi8>)
// IO-NOT: qlip.quantize %[[ARG]]
// IO:     tosa.conv2d %[[ARG]]
// IO:     tosa.sigmoid
// IO:     %[[Q:.*]] = qlip.quantize
// IO:     return %{{.*}}, %[[Q]] : tensor<1x1x1x2xi8>, tensor<1x1x1x2xi8>

// The report: the layer, every rescale, the float ops and the TOSA
// extensions, as a table and as JSON.
// RUN: qlip-opt %s --mlir-print-debuginfo=false -qlip-quantize="print-report report=%t.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TABLE
// TABLE:      layer op w-bits w-type acc input scale zp bias-adj
// TABLE-NEXT: conv1 tosa.conv2d 4 i4 i32 0.5 0 0
// TABLE:      rescale to bits scale zp multiplier shift
// TABLE-NEXT: relu1 8 0.25 -128 1073741824..1073741824 32..33
// TABLE:      float ops: 1
// TABLE-NEXT:   sig (tosa.sigmoid)
// TABLE-NEXT: TOSA extensions: int4
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t.json
// JSON:      "extensions": "int4"
// JSON:      "float_ops": [
// JSON-NEXT:   "sig (tosa.sigmoid)"
// JSON:      "layers": [
// JSON:        "acc_type": "i32"
// JSON:        "name": "conv1"
// JSON:        "weight_type": "i4"
// JSON:      "rescales": [
// JSON:        "name": "relu1"

// A report file that cannot be written is an error:
// RUN: not qlip-opt %s -qlip-quantize=report=%t.missing/r.json -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: qlip-quantize: cannot write the report

// A bad option value is an error:
// RUN: not qlip-opt %s -qlip-quantize=rounding-mode=inexact -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: Cannot find option named 'inexact'

func.func @main(%arg0: tensor<1x2x2x1xf32>) -> (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = qlip.fake_quant %arg0 with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %wq = qlip.fake_quant %w with <i4 narrow, axis = 0, scales = [0.125, 0.0625], clip = [[-0.875, 0.875], [-0.4375, 0.4375]], rule = max> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.conv2d %x, %wq, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32> loc("conv1")
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %2 = qlip.fake_quant %1 with <ui8, scales = [0.25], clip = [[0.0, 63.75]], rule = max> : tensor<1x2x2x2xf32> loc("relu1")
  %3 = tosa.max_pool2d %2 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  %4 = tosa.sigmoid %3 : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32> loc("sig")
  %5 = qlip.fake_quant %4 with <ui8, scales = [0.00390625], clip = [[0.0, 0.99609375]], rule = max> : tensor<1x1x1x2xf32>
  return %3, %5 : tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>
}
