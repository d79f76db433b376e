// Each clipping rule is wired to its closed form. The channel below has 30
// values of +-0.01 and two outliers +-1: mean 0, Laplace b = E|w| = 0.071875,
// unbiased sigma = 0.254191, RMS = 0.250187.
// RUN: qlip-opt %s -qlip-quantize-weights="clip=max bits=4" | FileCheck %s --check-prefix=MAX
// RUN: qlip-opt %s -qlip-quantize-weights="clip=aciq-laplace bits=4" | FileCheck %s --check-prefix=LAPLACE4
// RUN: qlip-opt %s -qlip-quantize-weights="clip=aciq-laplace bits=2" | FileCheck %s --check-prefix=LAPLACE2
// RUN: qlip-opt %s -qlip-quantize-weights="clip=aciq-gauss bits=4" | FileCheck %s --check-prefix=GAUSS4
// RUN: qlip-opt %s -qlip-quantize-weights="clip=aciq bits=4 report=-" -o /dev/null | FileCheck %s --check-prefix=AUTO
// RUN: qlip-opt %s -qlip-quantize-weights="clip=sawb bits=2" | FileCheck %s --check-prefix=SAWB2
// RUN: qlip-opt %s -qlip-quantize-weights="clip=mse bits=4" | FileCheck %s --check-prefix=MSE
// RUN: qlip-opt %s -qlip-quantize-weights="clip=best bits=4 report=-" -o /dev/null | FileCheck %s --check-prefix=BEST

// max: alpha = max |w| = 1.
// MAX: clip = {{\[\[}}-1.0, 1.0]], rule = max
// ACIQ, qlip's 4-bit narrow grid: alpha = 4.8199 b (Laplace), 2.4739 sigma
// (Gauss); at 2 bits the Laplace multiplier is exactly 2.
// LAPLACE4: clip = {{\[\[}}-0.3464{{[0-9]*}}, 0.3464{{[0-9]*}}]], rule = aciq_laplace
// LAPLACE2: clip = {{\[\[}}-0.1437{{[0-9]*}}, 0.1437{{[0-9]*}}]], rule = aciq_laplace
// GAUSS4: clip = {{\[\[}}-0.6288{{[0-9]*}}, 0.6288{{[0-9]*}}]], rule = aciq_gauss
// The automatic choice records the winning prior per channel.
// AUTO: "rule": "aciq_{{laplace|gauss}}"
// AUTO: "rule": "aciq"
// SAWB, 2 bits on qlip's grid: 2.1352 RMS - 1.1272 E|w| = 0.4532.
// SAWB2: clip = {{\[\[}}-0.4531{{[0-9]*}}, 0.4531{{[0-9]*}}]], rule = sawb
// mse keeps the outliers: with 32 values, clipping two of them costs more
// than the coarser step costs the other 30 (which the ACIQ priors, fitted
// to the bulk, do not see).
// MSE: clip = {{\[\[}}-1.0, 1.0]], rule = mse
// best names the rule that won the channel: max and mse tie, and the
// simpler rule is kept.
// BEST: "rule": "max"
// BEST: "rule": "best"
func.func @fc(%x: tensor<1x1x32xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [-0.01], [1.0], [-1.0]]]> : tensor<1x32x1xf32>}> : () -> tensor<1x32x1xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x32xf32>, tensor<1x32x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

// From 4 bits on, a channel keeps SAWB's clip only where it is no worse
// than max's. 32 values evenly spaced over [-1, 1] (uniform: max is the
// best clip): SAWB at 4 bits gives 14.3302 RMS - 14.8337 E|w|, about 0.86,
// so the channel takes max; at 3 bits SAWB is kept whatever it gives.
// RUN: qlip-opt %s -qlip-quantize-weights="clip=sawb bits=4 report=-" -o /dev/null | FileCheck %s --check-prefix=SAWBMAX
// RUN: qlip-opt %s -qlip-quantize-weights="clip=sawb bits=3 report=-" -o /dev/null | FileCheck %s --check-prefix=SAWB3
// (The report lists a layer's channels before its name.)
// SAWBMAX-LABEL: "name": "matmul_0"
// SAWBMAX:      "clip": 1,
// SAWBMAX-NEXT: "mse"
// SAWBMAX-NEXT: "rule": "max",
// SAWBMAX:      "name": "uniform"
// SAWBMAX-NEXT: "op"
// SAWBMAX-NEXT: "rounding": "nearest",
// SAWBMAX-NEXT: "rule": "sawb",
// SAWB3-LABEL: "name": "matmul_0"
// SAWB3:      "clip": 0.90
// SAWB3-NEXT: "mse"
// SAWB3-NEXT: "rule": "sawb",
// SAWB3:      "name": "uniform"
func.func @uniform(%x: tensor<1x1x32xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[-1.0], [-0.935483871], [-0.870967742], [-0.806451613], [-0.741935484], [-0.677419355], [-0.612903226], [-0.548387097], [-0.483870968], [-0.419354839], [-0.35483871], [-0.290322581], [-0.225806452], [-0.161290323], [-0.096774194], [-0.032258065], [0.032258065], [0.096774194], [0.161290323], [0.225806452], [0.290322581], [0.35483871], [0.419354839], [0.483870968], [0.548387097], [0.612903226], [0.677419355], [0.741935484], [0.806451613], [0.870967742], [0.935483871], [1.0]]]> : tensor<1x32x1xf32>}> : () -> tensor<1x32x1xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x32xf32>, tensor<1x32x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32> loc("uniform")
  return %0 : tensor<1x1x1xf32>
}
