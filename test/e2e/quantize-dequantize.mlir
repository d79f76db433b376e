// qlip.quantize and qlip.dequantize, lowered by qlip-to-linalg and run:
// quantize gives the levels fake_quant rounds to (the inputs of
// fake-quant.mlir, including the false f32 ties), NaN becomes the zero
// point, and dequantize(quantize(x)) is bit-identical to fake_quant(x), in
// f32 and in f64 arithmetic, per tensor and per axis.

// RUN: qlip-npy create --dtype f32 --shape 8 --values=-12.75,11.75,10.8500004,-10.0500002,0.25,1e30,-0.01,nan -o %t.x.npy
// RUN: qlip-run %s --entry levels --input %t.x.npy | FileCheck %s --check-prefix=LEVELS
// s = 0.1f, z = 0 (see fake-quant.mlir for the false ties):
// LEVELS:      dtype: i8
// LEVELS-NEXT: shape: [8]
// LEVELS-NEXT: -127 117 109 -101 2 127 0 0
// s = 0.1 (not an f32 value: f64 arithmetic, as the folder), ui8 stored
// with z = -128; 11.75 / 0.1 is 117.5 in f64 (the exact quotient is 6.5e-15
// below), a tie that goes to 118, as in the folder:
// LEVELS:      dtype: i8
// LEVELS-NEXT: shape: [8]
// LEVELS-NEXT: -128 -10 -19 -128 -126 127 -128 -128

// The round trip without the NaN (fake_quant keeps a NaN, quantize makes
// it the zero point):
// RUN: qlip-npy create --dtype f32 --shape 8 --values=-12.75,11.75,10.8500004,-10.0500002,0.25,1e30,-0.01,3.3 -o %t.x8.npy
// RUN: qlip-run %s --entry fake_quant --input %t.x8.npy --output %t.fq.npy --output %t.fq1.npy
// RUN: qlip-run %s --entry round_trip --input %t.x8.npy --compare %t.fq.npy --compare %t.fq1.npy --tolerance=0 | FileCheck %s --check-prefixes=CHECK,TWO
// RUN: qlip-npy create --dtype f32 --shape 2,3 --values=1.3,-0.3,7,20,0.6,-5 -o %t.y.npy
// RUN: qlip-run %s --entry fake_quant_axis --input %t.y.npy --output %t.fqa.npy
// RUN: qlip-run %s --entry round_trip_axis --input %t.y.npy --compare %t.fqa.npy --tolerance=0 | FileCheck %s
// CHECK: max abs error: 0{{$}}
// TWO:   max abs error: 0{{$}}

func.func @levels(%x: tensor<8xf32>) -> (tensor<8xi8>, tensor<8xi8>) {
  %0 = qlip.quantize %x with <i8, scales = [0.100000001490116119384765625], clip = [[-12.8, 12.7]], rule = max> : tensor<8xf32> to tensor<8xi8>
  %1 = qlip.quantize %x with <i8, scales = [0.1], zero_points = [-128], clip = [[0.0, 25.5]], rule = max> : tensor<8xf32> to tensor<8xi8>
  return %0, %1 : tensor<8xi8>, tensor<8xi8>
}

func.func @fake_quant(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = qlip.fake_quant %x with <i8, scales = [0.100000001490116119384765625], clip = [[-12.8, 12.7]], rule = max> : tensor<8xf32>
  %1 = qlip.fake_quant %x with <ui8, scales = [0.1], clip = [[0.0, 25.5]], rule = max> : tensor<8xf32>
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}

// round_trip's results are compared one by one with fake_quant's.
func.func @round_trip(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = qlip.quantize %x with <i8, scales = [0.100000001490116119384765625], clip = [[-12.8, 12.7]], rule = max> : tensor<8xf32> to tensor<8xi8>
  %1 = qlip.dequantize %0 with <i8, scales = [0.100000001490116119384765625], clip = [[-12.8, 12.7]], rule = max> : tensor<8xi8> to tensor<8xf32>
  %2 = qlip.quantize %x with <i8, scales = [0.1], zero_points = [-128], clip = [[0.0, 25.5]], rule = max> : tensor<8xf32> to tensor<8xi8>
  %3 = qlip.dequantize %2 with <i8, scales = [0.1], zero_points = [-128], clip = [[0.0, 25.5]], rule = max> : tensor<8xi8> to tensor<8xf32>
  return %1, %3 : tensor<8xf32>, tensor<8xf32>
}

func.func @fake_quant_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.fake_quant %x with <ui4, axis = 1, scales = [0.5, 0.25, 2.0], zero_points = [0, 2, 1], clip = [[0.0, 7.5], [-0.5, 3.25], [-2.0, 28.0]], rule = max> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @round_trip_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.quantize %x with <ui4, axis = 1, scales = [0.5, 0.25, 2.0], zero_points = [0, 2, 1], clip = [[0.0, 7.5], [-0.5, 3.25], [-2.0, 28.0]], rule = max> : tensor<2x3xf32> to tensor<2x3xi8>
  %1 = qlip.dequantize %0 with <ui4, axis = 1, scales = [0.5, 0.25, 2.0], zero_points = [0, 2, 1], clip = [[0.0, 7.5], [-0.5, 3.25], [-2.0, 28.0]], rule = max> : tensor<2x3xi8> to tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
