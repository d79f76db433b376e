// First, last and named layers get their own bit widths.
// RUN: qlip-opt %s -qlip-quantize-weights="clip=max bits=4 first-layer-bits=8 last-layer-bits=6" | FileCheck %s --check-prefix=FIRSTLAST
// RUN: qlip-opt %s -qlip-quantize-weights="clip=max bits=4 layer-bits=fc2=2,fc1=3" | FileCheck %s --check-prefix=NAMED
// A name also matches a substring of the printed location.
// RUN: qlip-opt %s -qlip-quantize-weights="clip=max bits=4 layer-bits=f.py:3=8" | FileCheck %s --check-prefix=BYLOC
// A name no layer has is an error that lists the layers' names.
// RUN: not qlip-opt %s -qlip-quantize-weights="clip=max bits=4 layer-bits=fc9=2,fc1=3" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: qlip-quantize-weights: layer-bits names 'fc9', which is not in the model; it has: fc1, mid, fc2
// sawb is a low-bit rule: the 8-bit first and last layers take mse.
// RUN: qlip-opt %s -qlip-quantize-weights="clip=sawb bits=4 first-layer-bits=8 last-layer-bits=8" | FileCheck %s --check-prefix=SAWB

// SAWB: qlip.fake_quant {{.*}} with <i8 narrow{{.*}}rule = mse>
// SAWB: qlip.fake_quant {{.*}} with <i4 narrow{{.*}}rule = sawb>
// SAWB: qlip.fake_quant {{.*}} with <i8 narrow{{.*}}rule = mse>

// FIRSTLAST: qlip.fake_quant {{.*}} with <i8 narrow
// FIRSTLAST: qlip.fake_quant {{.*}} with <i4 narrow
// FIRSTLAST: qlip.fake_quant {{.*}} with <i6 narrow
// NAMED: qlip.fake_quant {{.*}} with <i3 narrow
// NAMED: qlip.fake_quant {{.*}} with <i4 narrow
// NAMED: qlip.fake_quant {{.*}} with <i2 narrow
// BYLOC: qlip.fake_quant {{.*}} with <i4 narrow
// BYLOC: qlip.fake_quant {{.*}} with <i8 narrow
// BYLOC: qlip.fake_quant {{.*}} with <i4 narrow
func.func @mlp(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.5, 1.0], [0.25, -1.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32> loc("fc1")
  %1 = tosa.matmul %0, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32> loc(fused["mid", "f.py":3:1])
  %2 = tosa.matmul %1, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32> loc("fc2")
  return %2 : tensor<1x1x2xf32>
}
