// tosa.rescale between integer widths, with zero points, clamping and
// unsigned input, against values computed by hand.

// i16 -> i8, x 0.5 (2^30 >> 31), SINGLE_ROUND = floor(v / 2 + 1/2), then
// clamp to [-128, 127]: 127.5 -> 128 -> 127, -127.5 -> -127, 150 -> 127,
// -150 -> -128.
// RUN: qlip-npy create --dtype i16 --shape 4 --values=255,-255,300,-300 -o %t.i16.npy
// RUN: qlip-run %s --entry i16_to_i8 --input %t.i16.npy | FileCheck %s --check-prefix=I16
// I16:      dtype: i8
// I16-NEXT: shape: [4]
// I16-NEXT: 127 -127 127 -128

// i32 -> i16, x 2^-10 (2^30 >> 40): 100000 / 1024 = 97.65625 -> 98,
// -97.65625 -> -98, and INT32_MAX, INT32_MIN clamp to the i16 range.
// RUN: qlip-npy create --dtype i32 --shape 4 --values=100000,-100000,2147483647,-2147483648 -o %t.i32.npy
// RUN: qlip-run %s --entry i32_to_i16 --input %t.i32.npy | FileCheck %s --check-prefix=I32
// I32:      dtype: i16
// I32-NEXT: shape: [4]
// I32-NEXT: 98 -98 32767 -32768

// Unsigned input: u8 data in a signless i8 tensor, read unsigned
// (input_unsigned) with zero point 128, x 1 (2^30 >> 30):
// [0, 128, 255, 129] - 128 = [-128, 0, 127, 1].
// RUN: qlip-npy create --dtype u8 --shape 4 --values=0,128,255,129 -o %t.u8.npy
// RUN: qlip-run %s --entry u8_to_i8 --input %t.u8.npy | FileCheck %s --check-prefix=U8
// U8:      dtype: i8
// U8-NEXT: shape: [4]
// U8-NEXT: -128 0 127 1

// i8 -> i8 with input zero point 5 and output zero point -3, x 0.1875
// (3 * 2^29 >> 33), DOUBLE_ROUND: v = x - 5 = [-133, 122, -5, 0];
// v * 0.1875 = [-24.9375, 22.875, -0.9375, 0]; floor(v s + 1/2 -+ 1/8) =
// [-25, 23, -1, 0]; plus -3: [-28, 20, -4, -3].
// RUN: qlip-npy create --dtype i8 --shape 4 --values=-128,127,0,5 -o %t.i8.npy
// RUN: qlip-run %s --entry i8_to_i8 --input %t.i8.npy | FileCheck %s --check-prefix=I8
// I8:      dtype: i8
// I8-NEXT: shape: [4]
// I8-NEXT: -28 20 -4 -3

func.func @i16_to_i8(%x: tensor<4xi16>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi16>, tensor<1xi32>, tensor<1xi8>, tensor<1xi16>, tensor<1xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

func.func @i32_to_i16(%x: tensor<4xi32>) -> tensor<4xi16> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<40> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi16>) -> tensor<4xi16>
  return %0 : tensor<4xi16>
}

func.func @u8_to_i8(%x: tensor<4xi8>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<30> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ozp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = true, output_unsigned = false} : (tensor<4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

func.func @i8_to_i8(%x: tensor<4xi8>) -> tensor<4xi8> {
  %m = "tosa.const"() <{values = dense<1610612736> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<33> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ozp = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
