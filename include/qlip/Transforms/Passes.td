//===- Passes.td - qlip's model transforms -----------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The passes that take a float TOSA model through qlip's pipeline stages.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_PASSES_TD
#define QLIP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QuantizeWeightsPass : Pass<"qlip-quantize-weights", "::mlir::ModuleOp"> {
  let summary = "Choose per-channel weight ranges from the constants";
  let description = [{
    Weights are constants, so their ranges are chosen exactly, at compile
    time, from the values themselves. For every `tosa.conv2d`,
    `tosa.depthwise_conv2d`, `tosa.transpose_conv2d` and `tosa.matmul` whose
    weight operand is a constant, the pass inserts a `qlip.fake_quant` on the
    weight with symmetric, narrow-range, zero-point-0 parameters
    (`#qlip.qparams<iN narrow, ...>`), one scale per output channel:

    | op | weight layout | channel axis |
    |----|---------------|--------------|
    | `tosa.conv2d` | OHWI `[OC, KH, KW, IC]` | 0 |
    | `tosa.depthwise_conv2d` | HWCM `[KH, KW, C, M]` | 2 (C; with M > 1 the M outputs of a channel share a scale) |
    | `tosa.transpose_conv2d` | OHWI `[OC, KH, KW, IC]` | 0 |
    | `tosa.matmul` (fully-connected) | `[N, K, OUT]` constant B | 2 |

    The clip alpha of each channel comes from the rule `clip` (see
    docs/algorithms.md): `max`, `mse` (search of the alpha that minimizes the
    real quantizer's MSE), `aciq-laplace` and `aciq-gauss`
    (ACIQ's optimal clip for the prior, computed for qlip's grid), `aciq`
    (the prior with the lower real error, per channel), `sawb` (SAWB's
    formula with coefficients fitted for qlip's grid) or `best` (per channel
    the rule with the lowest real error, so never worse than `max`). From 4
    bits on, a channel keeps `sawb`'s clip only where its real error is no
    worse than `max`'s (its formula is then a difference of near-equal
    terms), and the report names the rule each channel took. A
    layer at 8 bits or more (the first and last layers at their default 8
    bits, whatever `clip` is) does not take `sawb`, whose coefficients are
    a low-bit fit (at 8 bits it lost a first conv 39 dB of SQNR), but
    `mse`; the qparams and the report name the rule taken. The
    scale is alpha / (2^(bits-1) - 1). The model still runs in float; the integer
    lowering reads the parameters from the `qlip.fake_quant` ops.

    A layer that carries `qlip.input_moments` (H = E[x x^T] of its input
    patches, from `qlip-calibrate-model`) is measured where it matters, at
    its output: a channel w rounded to q adds (w - q)^T H (w - q) to the
    mean square error of its output. `clip=auto` (the default) tries every
    rule above per channel and keeps the one with the lowest output error;
    without moments it is `mse`. With `rounding=gptq` (the default) such a
    layer's weights are rounded by GPTQ, each rounding error compensated by
    the weights not yet rounded through H (docs/algorithms.md), and the
    grid-exact result replaces the weight constant. The report gives each
    layer's output SQNR, 10 log10(sum w^T H w / sum (w-q)^T H (w-q)), and
    its rounding.

    Empirical bias correction (`empirical-bias-correction`, on by default)
    needs the inputs' mean as well, `qlip.input_mean` (E[x] of the same
    patches, from `qlip-calibrate-model`), and a bias to move: a conv's
    constant bias, or a matmul's (a `tosa.add` of a constant is inserted
    after it, which the integer lowering folds into the int32 bias). The
    output error of a channel, e = w - q, has mean e^T E[x]: the bias takes
    it back (bias[c] += e^T E[x]), which leaves the error's variance
    e^T C e with C = E[x x^T] - E[x] E[x]^T, never more than e^T H e. GPTQ
    and the clip choice then minimize e^T C e (they factor C instead of
    H), and the output SQNR is w^T H w over e^T C e. The report says
    which layers were corrected (`empirical_bias_correction`);
    `layer-bias-correction=NAME=false` (or `=true`) sets it per layer.

    The attributes are removed. GPTQ needs one H per channel
    layout it knows (per-channel scales, a conv2d, depthwise with
    multiplier 1, or the fully-connected matmul); bias correction and bit
    allocation round to nearest.

    With `bias-correction`, ACIQ's per-channel correction is applied on the
    integer grid: the variance through the channel's scale (exact in
    integers) and the mean by moving the fewest levels by one step, so the
    dequantized channel keeps the float channel's mean to within half a step
    over its size. The pass then replaces the weight constant with the
    corrected, grid-exact values behind the `qlip.fake_quant`.

    With `bit-allocation` (per-channel granularity), ACIQ's bit allocation
    gives each output channel its own width, 2 to 8 bits, in proportion to
    alpha^(2/3) of its clip at the layer's width, so that the widths
    average the layer's exactly (`docs/algorithms.md` section 5). Each
    channel is then clipped by the rule at its own width, and its weights
    are clipped at that alpha in a new constant, so they use only the
    channel's levels of the grid of the widest channel, which the
    `qlip.fake_quant` carries (TOSA stores one type per tensor); the report
    gives each channel's bits.

    Weights already behind a `qlip.fake_quant` are left alone, so running
    the pass twice changes nothing. A weight holding NaN or infinity is an
    error that names the op and the channel.

    With `report=FILE` the pass writes a JSON report per layer and channel
    (clip, scale, bits, rule, MSE, SQNR); `print-report` prints the same as
    a table on stderr.
  }];
  let dependentDialects = ["::mlir::qlip::QlipDialect"];
  let options = [
    Option<"bits", "bits", "unsigned", "8",
           "Weight bit width: 2 to 8, or 16">,
    Option<"granularity", "granularity", "::mlir::qlip::Granularity",
           "::mlir::qlip::Granularity::PerChannel",
           "One scale per output channel or one per tensor",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qlip::Granularity::PerChannel, "per-channel",
                        "one scale per output channel"),
             clEnumValN(::mlir::qlip::Granularity::PerTensor, "per-tensor",
                        "one scale per weight tensor"))}]>,
    Option<"clip", "clip", "::mlir::qlip::ClipRule",
           "::mlir::qlip::ClipRule::Auto",
           "How each channel's clip alpha is chosen",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qlip::ClipRule::Auto, "auto",
                        "per channel, the rule with the lowest error at the "
                        "layer's output (`qlip.input_moments`), else mse"),
             clEnumValN(::mlir::qlip::ClipRule::Max, "max",
                        "alpha = max |w|"),
             clEnumValN(::mlir::qlip::ClipRule::MSE, "mse",
                        "the alpha minimizing the real quantizer's MSE"),
             clEnumValN(::mlir::qlip::ClipRule::AciqLaplace, "aciq-laplace",
                        "ACIQ's optimal clip for a Laplace fit, for qlip's grid"),
             clEnumValN(::mlir::qlip::ClipRule::AciqGauss, "aciq-gauss",
                        "ACIQ's optimal clip for a Gaussian fit, for qlip's grid"),
             clEnumValN(::mlir::qlip::ClipRule::Aciq, "aciq",
                        "per channel, the ACIQ prior with the lower real error"),
             clEnumValN(::mlir::qlip::ClipRule::Sawb, "sawb",
                        "alpha = c1 sqrt(E[w^2]) - c2 E|w|, coefficients "
                        "fitted for qlip's grid"),
             clEnumValN(::mlir::qlip::ClipRule::Best, "best",
                        "per channel, the rule with the lowest real error "
                        "(never worse than max)"))}]>,
    Option<"rounding", "rounding", "::mlir::qlip::WeightRounding",
           "::mlir::qlip::WeightRounding::Gptq",
           "How weights are rounded onto their grid",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qlip::WeightRounding::Nearest, "nearest",
                        "to the nearest level"),
             clEnumValN(::mlir::qlip::WeightRounding::Gptq, "gptq",
                        "GPTQ in layers with `qlip.input_moments`, to "
                        "nearest elsewhere"),
             clEnumValN(::mlir::qlip::WeightRounding::GptqAdaRound,
                        "gptq-adaround",
                        "GPTQ, then AdaRound on each channel's chosen clip, "
                        "keeping the lower output error (500 products with "
                        "H per channel)"))}]>,
    Option<"firstLayerBits", "first-layer-bits", "unsigned", "0",
           "Bits of the first quantized layer (0: same as `bits`)">,
    Option<"lastLayerBits", "last-layer-bits", "unsigned", "0",
           "Bits of the last quantized layer (0: same as `bits`)">,
    Option<"bitAllocation", "bit-allocation", "bool", "false",
           "ACIQ's per-channel bit allocation: channel widths from 2 to 8 "
           "bits averaging the layer's, in proportion to alpha^(2/3) "
           "(rewrites the weight constants)">,
    Option<"empiricalBiasCorrection", "empirical-bias-correction", "bool",
           "true",
           "With `qlip.input_mean`: the layer's bias takes back the mean "
           "error its rounded weights cause at its output, and the rounding "
           "and clip choice minimize the rest (the inputs' covariance)">,
    Option<"biasCorrection", "bias-correction", "bool", "false",
           "ACIQ's per-channel mean and variance correction, kept on the "
           "integer grid (rewrites the weight constants)">,
    ListOption<"layerBits", "layer-bits", "std::string",
               "Per-layer bits as NAME=BITS; NAME matches the op's location "
               "name (NameLoc) or a substring of its file:line:col position "
               "(a NAME no layer matches is an error)">,
    ListOption<"layerBiasCorrection", "layer-bias-correction",
               "std::string",
               "Per-layer empirical bias correction as NAME=true|false, "
               "overriding empirical-bias-correction; NAME as in layer-bits "
               "(a NAME no layer matches is an error)">,
    ListOption<"floatLayers", "float-layers", "std::string",
               "Layers whose weights stay float, named as in layer-bits">,
    Option<"reportFile", "report", "std::string", "\"\"",
           "Write the per-layer, per-channel report as JSON to this file "
           "(`-` for stdout)">,
    Option<"printReport", "print-report", "bool", "false",
           "Print the report as a table on stderr">
  ];
}

def FoldBatchNormPass : Pass<"qlip-fold-batchnorm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batch norm into conv and fully-connected weights";
  let description = [{
    Folds the per-channel affine chain that inference batch norm leaves
    after a `tosa.conv2d`, `tosa.depthwise_conv2d`, `tosa.transpose_conv2d`
    or fully-connected `tosa.matmul` (a constant `[N, K, OUT]` B, optionally
    followed by a `tosa.reshape` that keeps OUT innermost) into the layer's
    weights and bias.

    The chain is any run of `tosa.sub`, `tosa.mul` (shift 0) and `tosa.add`
    with one per-channel constant operand each, in any order and on either
    side: `((x - mean) * rsqrt(var + eps)) * gamma + beta`, the exporter
    form `x * s + t`, a lone `x * a` or `x + b`. A per-channel constant has
    shape `[1, ..., 1, C]` (or all ones, a broadcast scalar); it may be a
    `tosa.const`, a `tosa.reshape` of one (`[C]` to `[1, 1, 1, C]`), or
    `tosa.add`, `tosa.sub`, `tosa.mul`, `tosa.rsqrt` and `tosa.reciprocal`
    of such constants. With the chain written `y = a[c] * layer(x) + b[c]`
    for output channel `c`, the pass computes in double and stores f32:

    ```
    W'[c] = a[c] * W[c]        (conv2d, transpose_conv2d: OHWI axis 0;
                                depthwise: HWCM axes C and M flattened,
                                c = ci * M + m; fully-connected: axis 2)
    bias'[c] = a[c] * bias[c] + b[c]
    ```

    A conv's bias becomes a `[OC]` constant (also when it was a `[1]`
    broadcast or zeros); a fully-connected layer gets one `tosa.add` of a
    `[1, ..., 1, OUT]` constant, or none when every b[c] is 0. Weights
    stored as `dense_resource` are written back to a new blob, dense
    weights as a new dense constant.

    The chain is folded up to the first op that is not foldable: an operand
    that is not a per-channel f32 constant, a value with more than one
    use, or an op whose result type is not the layer's output type (it
    would broadcast or refine it). A layer whose
    result has more than one use, whose weight or bias is not a constant,
    or whose element type is not f32 is left unchanged. The pass neither
    folds nor moves any other op; run `-canonicalize` afterwards to clean
    up.

    ```mlir
    %0 = tosa.conv2d %x, %w, %b, %zp, %zp {...}
    %1 = tosa.sub %0, %mean : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
    %2 = tosa.mul %1, %inv_std, %shift : (..., tensor<1xi8>) -> tensor<1x4x4x2xf32>
    %3 = tosa.mul %2, %gamma, %shift : (..., tensor<1xi8>) -> tensor<1x4x4x2xf32>
    %4 = tosa.add %3, %beta : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
    // becomes
    %4 = tosa.conv2d %x, %w_folded, %b_folded, %zp, %zp {...}
    ```
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def InsertObserversPass : Pass<"qlip-insert-observers", "::mlir::ModuleOp"> {
  let summary = "Observe every activation that will be quantized";
  let description = [{
    Puts a `qlip.observe` on every float tensor that feeds an op qlip
    quantizes (the activation operands of `tosa.conv2d`,
    `tosa.depthwise_conv2d`, `tosa.transpose_conv2d`, `tosa.matmul`,
    `tosa.add`, `tosa.sub`, `tosa.mul`, `tosa.avg_pool2d`,
    `tosa.max_pool2d`, `tosa.concat`, `tosa.sigmoid`, `tosa.tanh` and
    `tosa.reduce_sum`), and on every function input and output. Constants
    (weights) are not observed, nor the input of a `tosa.add` or
    `tosa.sub` of a constant: that is a bias, added to the int32
    accumulator of the layer before. Every use of an observed value goes through
    its observer, so calibration sees exactly what the next op reads. The
    output of a ReLU is observed, not its input: the accumulator before an
    activation is never quantized.

    Ids are stable: a value is named after the NameLoc of the op that makes
    it (importers name layers), else its `file:line:col`, with `#N` for the
    N-th result of a multi-result op; a function input is `FUNC.inputN`. A
    repeated id gets `.1`, `.2`, ... in program order; a value with no
    location at all falls back to the op name and a counter.

    Values that are already observed, already fake-quantized or produced by
    an observer are skipped, so running the pass twice changes nothing.

    ```mlir
    %0 = tosa.conv2d %x, ... loc("conv1")
    %1 = tosa.clamp %0 ... loc("relu1")
    %2 = tosa.conv2d %1, ...
    // becomes
    %x0 = qlip.observe "main.input0" %x
    %0 = tosa.conv2d %x0, ...
    %1 = tosa.clamp %0 ...
    %o = qlip.observe "relu1" %1
    %2 = tosa.conv2d %o, ...
    ```
  }];
  let dependentDialects = ["::mlir::qlip::QlipDialect"];
}

def ApplyStatsPass : Pass<"qlip-apply-stats", "::mlir::ModuleOp"> {
  let summary = "Attach a calibration statistics file to the observers";
  let description = [{
    Reads the statistics file `file` written by calibration and attaches
    each observer's statistics as `#qlip.stats` (with its histogram) to the
    `qlip.observe` with the same id.

    It is an error when the file cannot be read or is malformed (the
    message names the file and the field), when its version is not this
    build's, when its model fingerprint differs from this module's (it was
    gathered for another model), when an observer of the module has no
    statistics or saw no values, and when the file has statistics for an
    observer the module does not have. Weight quantization does not change
    the fingerprint, so statistics gathered on the float model apply after
    `qlip-quantize-weights`.
  }];
  let dependentDialects = ["::mlir::qlip::QlipDialect"];
  let options = [
    Option<"file", "file", "std::string", "\"\"",
           "The statistics file (JSON) written by calibration">
  ];
}

def QuantizeActivationsPass
    : Pass<"qlip-quantize-activations", "::mlir::ModuleOp"> {
  let summary = "Choose activation ranges from calibration statistics";
  let description = [{
    Replaces every `qlip.observe` that carries `#qlip.stats` (see
    `qlip-apply-stats`) with a `qlip.fake_quant` whose per-tensor
    `#qlip.qparams` come from the rule `act-clip`:

    - `max`: the observed [min, max];
    - `percentile`: the range holding `percentile` percent of the values;
    - `kl`: TensorRT's entropy calibration on the histogram;
    - `mse`: the range minimizing the quantizer's squared error on the
      histogram;
    - `aciq-laplace`, `aciq-gauss`: ACIQ's analytical clip from the mean
      absolute deviation or the standard deviation; `aciq`: per tensor, the
      prior whose clip has the lower error on the histogram;
    - `pact`: learned PACT alphas where the model has them (below), `max`
      elsewhere.

    A tensor that is non-negative by construction (the output of a ReLU,
    ReLU6 or any `tosa.clamp` with a lower bound of 0, of a sigmoid, or of a
    pool, reshape, transpose or concat of such tensors) gets an unsigned
    range [0, alpha] on the `uiN` grid with zero point 0, and the one-sided
    ACIQ multipliers. Any other tensor gets an asymmetric range on the
    signed `iN` grid, widened to contain 0 and nudged so that 0.0 is exact.
    At 16 bits every tensor, non-negative ones too, gets the symmetric
    range [-m, m] (m the larger end) on the signed narrow grid with zero
    point 0: TOSA's 16-bit integer ops take no other zero point.

    A tensor produced by `tosa.clamp` with bounds [0, alpha] and a finite
    constant alpha (a PACT-trained model's learned clip, or a ReLU6) gets
    exactly [0, alpha] and scale alpha / (2^bits - 1), whatever calibration
    saw, with rule `pact`; the report says so. With `calibrate-relu6` a
    ReLU6 (alpha exactly 6, a convention rather than a learned clip) gets
    the rule's range instead: at 4 bits a [0, 6] grid has steps of 0.4,
    while a network's ReLU6 outputs may stay below 2.

    With `max-pool-input-grid`, a max pool's output keeps the grid of its
    input's `qlip.fake_quant` (per tensor, and no wider than the bits the
    output asks for): the pool only picks values already on that grid, so
    a grid of its own rounds them again (and costs a rescale). It is not
    the default because it measured worse: on the bundled Fashion-MNIST
    CNN at A4 with ACIQ, the logits' SQNR against float fell by 0.8 to 1.5
    dB (0.2 to 0.5 dB at A3) on each of four calibration subsets, top-1
    from 81.6% to 76.7%; neutral on a ResNet-18.

    Bits come from `act-bits`, or from `layer-bits` (`ID=BITS`, matching the
    observer id; an id the model does not have is an error that lists the
    ids it has). `first-layer-bits` sets the input of the first layer with
    a constant weight (conv2d, depthwise_conv2d, transpose_conv2d, matmul,
    in program order), `last-layer-bits` the input of the last one and
    every observed function output, as the papers keep those layers at 8
    bits; the last layer's input keeps those bits back through reshapes,
    transposes and pools (a flatten, a global average pool) to the tensor
    they are computed from, while each of those values has no other
    reader, so that it is made at 8 bits rather than rounded to `act-bits`
    and rescaled; `layer-bits` wins over both. `output-bits` sets the
    function outputs nothing else reads (16: logits on the symmetric int16
    grid; on the bundled CNN at W4A4 an 8-bit grid tied the argmax of 13
    of 1000 rows, 16 bits none; the npu and the CPU kernels' fused
    requantization take 8-bit outputs only, so it is not the default).
    `layer-clip` (`ID=RULE`)
    gives an activation a rule of its own (what `qlip-autoquant` chooses);
    an id the model does not have is an error. With `report=FILE` the chosen ranges are written as JSON;
    `print-report` prints them as a table on stderr.
  }];
  let dependentDialects = ["::mlir::qlip::QlipDialect"];
  let options = [
    Option<"actClip", "act-clip", "::mlir::qlip::ClipRule",
           "::mlir::qlip::ClipRule::Max",
           "How each activation's range is chosen",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qlip::ClipRule::Max, "max",
                        "the observed range"),
             clEnumValN(::mlir::qlip::ClipRule::Percentile, "percentile",
                        "the range holding `percentile` percent of values"),
             clEnumValN(::mlir::qlip::ClipRule::KL, "kl",
                        "TensorRT's entropy calibration"),
             clEnumValN(::mlir::qlip::ClipRule::MSE, "mse",
                        "the lowest squared error on the histogram"),
             clEnumValN(::mlir::qlip::ClipRule::AciqLaplace, "aciq-laplace",
                        "ACIQ with a Laplace prior"),
             clEnumValN(::mlir::qlip::ClipRule::AciqGauss, "aciq-gauss",
                        "ACIQ with a Gaussian prior"),
             clEnumValN(::mlir::qlip::ClipRule::Aciq, "aciq",
                        "the ACIQ prior with the lower error"),
             clEnumValN(::mlir::qlip::ClipRule::Pact, "pact",
                        "learned PACT alphas, `max` elsewhere"))}]>,
    Option<"percentile", "percentile", "double", "99.99",
           "The percentage of values `act-clip=percentile` keeps">,
    Option<"actBits", "act-bits", "unsigned", "8",
           "Activation bit width: 2 to 8, or 16">,
    Option<"firstLayerBits", "first-layer-bits", "unsigned", "0",
           "Bits of the first layer's input (0: same as `act-bits`)">,
    Option<"lastLayerBits", "last-layer-bits", "unsigned", "0",
           "Bits of the last layer's input and of the function outputs (0: "
           "same as `act-bits`)">,
    ListOption<"layerBits", "layer-bits", "std::string",
               "Per-activation bits as ID=BITS, ID an observer id">,
    Option<"calibrateRelu6", "calibrate-relu6", "bool", "false",
           "A clamp to [0, 6] (ReLU6) gets the rule's range from "
           "calibration instead of exactly [0, 6]">,
    Option<"outputBits", "output-bits", "unsigned", "0",
           "Bits of the function outputs that nothing else reads (0: "
           "`last-layer-bits`); 16 keeps logits off an 8-bit grid">,
    ListOption<"layerClip", "layer-clip", "std::string",
               "Per-activation rule as ID=RULE (a rule of act-clip), ID an "
               "observer id">,
    Option<"maxPoolInputGrid", "max-pool-input-grid", "bool", "false",
           "A max pool's output keeps its input's grid instead of a range "
           "of its own">,
    Option<"reportFile", "report", "std::string", "\"\"",
           "Write the chosen ranges as JSON to this file (`-` for stdout)">,
    Option<"printReport", "print-report", "bool", "false",
           "Print the chosen ranges as a table on stderr">
  ];
}

def PrintFingerprintPass
    : Pass<"qlip-print-fingerprint", "::mlir::ModuleOp"> {
  let summary = "Print the model fingerprint calibration files are tied to";
  let description = [{
    Prints `fingerprint: xxh3:...` on stdout: the hash a statistics file
    records and `qlip-apply-stats` checks (function signatures, the ops that
    compute, and the observers; not constants, qlip ops or locations). Use
    it to tell which model a statistics file belongs to.
  }];
}

def RecordPtqOptionsPass
    : Pass<"qlip-record-ptq-options", "::mlir::ModuleOp"> {
  let summary = "Record the qlip-ptq options a model was quantized with";
  let description = [{
    Sets the module's `qlip.ptq` string attribute to `options`. qlip-ptq
    runs it last, so an integer model says how it was made, and
    `qlip-report int.mlir --float model.mlir` rebuilds its ranges from the
    float model with them (and checks that they give the same integer
    model).
  }];
  let options = [
    Option<"text", "options", "std::string", /*default=*/"\"\"",
           "qlip-ptq's options, as given">
  ];
}

#endif // QLIP_TRANSFORMS_PASSES_TD
