//===- Passes.td - passes that run the model while compiling -*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Passes that compile and run (a copy of) the model they transform through
// qlip's JIT: calibration inside a pass pipeline, so that `qlip-ptq
// calib=...` needs no statistics file.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_AUTOQUANT_PASSES_TD
#define QLIP_AUTOQUANT_PASSES_TD

include "mlir/Pass/PassBase.td"

def CalibrateModelPass : Pass<"qlip-calibrate-model", "::mlir::ModuleOp"> {
  let summary = "Calibrate inside the pipeline: run the observed model on "
                "calibration data and attach what it saw";
  let description = [{
    Runs a copy of the module (the output of `qlip-prepare`: observers in
    place) over the calibration samples `calib` through qlip's JIT, as
    `qlip-calibrate` does, and attaches each observer's statistics as
    `#qlip.stats`, as `qlip-apply-stats` does with the file: the two paths
    give the same model.

    With `layer-input-rows` above 0 it also gathers, for every weight layer
    whose input an observer sees (conv2d, depthwise_conv2d with multiplier
    1, the fully-connected matmul), the second moment E[x x^T] of the
    patches the layer's weights multiply, from at most that many patches
    taken evenly from the calibration set, and attaches it to the layer as
    `qlip.input_moments` (f64, [groups, K, K]). `qlip-quantize-weights`
    uses it for GPTQ rounding and to choose clips by the error they cause
    at the layer's output, and removes it.

    The copy is compiled in a context of its own (the module travels as
    bytecode), so the JIT's dialects are never loaded while the pipeline
    runs. Errors name the file, the input and the observer: files that
    cannot be read, arrays that do not match the entry's inputs, NaN or
    infinite samples or activations.
  }];
  let options = [
    ListOption<"calib", "calib", "std::string",
               "Calibration samples: one .npy of shape [N, ...] per argument "
               "of the entry, in order">,
    Option<"entry", "entry", "std::string", "\"\"",
           "The function to run (default: the module's only public "
           "function)">,
    Option<"bins", "bins", "unsigned", "2048",
           "Histogram bins per observer (2 to 1048576)">,
    Option<"layerInputRows", "layer-input-rows", "int64_t", "16384",
           "Patches per layer for the input second moments (0: none)">
  ];
}

def AutoquantPass : Pass<"qlip-autoquant", "::mlir::ModuleOp"> {
  let summary = "Quantize weights and activations, choosing activation "
                "rules by measuring the model's outputs on calibration data";
  let description = [{
    The accuracy autopilot of `qlip-ptq`: quantizes the weights with
    `qlip-quantize-weights{weights}` and the activations with
    `qlip-quantize-activations{activations}`, choosing each activation's
    clipping rule among `candidates` by what the whole model computes. The
    module must be calibrated (`#qlip.stats` on its observers, from
    `qlip-calibrate-model` or `qlip-apply-stats`).

    On a copy of the module (in a context of its own), the float model
    (observers and fake quantizations dropped; run before the weights are
    quantized) gives reference outputs on the first `max-samples` samples
    of `calib`. Each candidate is then applied to every activation at once
    (`act-clip=RULE`), the model is made integer (`qlip-quantize{quantize}`:
    what is measured is what the user gets, which at 2 bits can be far from
    the fake-quant model) and run on the same samples, and the rule whose
    outputs have the highest SQNR against the reference wins. With `refine`,
    activations then try the other candidates one at a time
    (`layer-clip=ID=RULE`), keeping one only where it raises the SQNR by
    more than 0.01 dB. Only rules that give the activation a grid of its
    own are tried (read off the global measurements, which applied each
    rule everywhere), the activations whose rules' scales differ most
    first, at most `max-refinements` of them, stopping after
    `refine-patience` in a row that gain nothing (`wide-refine-patience`
    when every activation is 8 bits or wider, where the rules' grids
    differ by fractions of a level). A choice that gives every
    activation the grids of one measured before is not run again. The chosen rules are applied to this module; the
    choice and every measurement are written to `report` (JSON).

    With `choose-bias-correction` (the default), empirical bias correction
    (`qlip-quantize-weights`' `empirical-bias-correction`, which moves
    each layer's bias by the mean error of its rounded weights on float
    inputs) is measured too: the weights are quantized with it, the global
    rules measured, and then, where the best rule leaves some activation
    narrower than 8 bits, the weights quantized without it are measured
    with that rule; the better model (by more than 0.01 dB) keeps its
    weights. Then each layer with the inputs' mean, in program order, is
    measured with its correction the other way (`layer-bias-correction`)
    and kept so for a gain of more than 0.1 dB, until `refine-patience`
    tries in a row gain nothing: whether a layer's quantized inputs are
    close enough to the float ones is the layer's, not the model's. The
    report lists those layers (`bias_correction_flipped`). (At 8 bits a layer's quantized inputs are within a fraction
    of a level of the float ones the correction is computed on.) It helps most layers at 3 and 4 bits, but at 2-bit activations
    a layer's real inputs are far from the float ones it was computed on,
    and it can cost the model accuracy there: hence a measurement, not a
    rule. `weights` must not set `empirical-bias-correction` or
    `layer-bias-correction` then.

    The operands of residual adds (a `tosa.add` of two observed
    activations) are narrow where the activations are, and a residual
    network sums its signal through them. Where they are narrower than
    `residual-add-bits` (8), the model with all of them at that width is
    measured after the global choice (and the bias correction's) and kept
    if it raises the SQNR by more than 0.1 dB (wider activations cost
    memory, so not for noise). Then, with more than one such add, each add
    in turn is measured with its operands back at the choice's width and
    stays raised only if raising it gained more than 0.1 dB: each add's
    width is decided by its own effect at the output. Refinement starts
    from the result. The report lists what stays raised
    (`residual_raised`). Not when `activations` sets
    `layer-bits` (the user chose the widths).

    `weights` and `activations` are the options of the two passes as
    qlip-opt spells them (`activations` without `act-clip`, `layer-clip`
    and `calibrate-relu6`, which this pass sets). Each measurement compiles the
    model once: on the bundled Fashion-MNIST CNN about 0.1 s (25
    measurements, 4.5 s in all).
  }];
  let options = [
    ListOption<"calib", "calib", "std::string",
               "Samples to measure on: one .npy of shape [N, ...] per "
               "argument of the entry, in order">,
    Option<"entry", "entry", "std::string", "\"\"",
           "The function to run (default: the module's only public "
           "function)">,
    Option<"weights", "weights", "std::string", "\"\"",
           "Options of qlip-quantize-weights">,
    Option<"activations", "activations", "std::string", "\"\"",
           "Options of qlip-quantize-activations (not act-clip, "
           "layer-clip)">,
    Option<"quantize", "quantize", "std::string", "\"\"",
           "Options of qlip-quantize for the measured integer models "
           "(rounding-mode, int4-weights; float inputs and outputs)">,
    ListOption<"candidates", "candidates", "std::string",
               "Activation rules to try (default: max, percentile, mse, "
               "kl, aciq)">,
    Option<"refine", "refine", "bool", "true",
           "After the global choice, try every candidate on each "
           "activation">,
    Option<"maxRefinements", "max-refinements", "int64_t", "48",
           "At most this many measurements after the global choice, for "
           "the activations whose rules disagree most (0: all)">,
    Option<"refinePatience", "refine-patience", "int64_t", "16",
           "Stop refining after this many measurements in a row without a "
           "gain (0: never)">,
    Option<"wideRefinePatience", "wide-refine-patience", "int64_t", "8",
           "refine-patience when every activation is 8 bits or wider (0: "
           "never)">,
    Option<"maxSamples", "max-samples", "int64_t", "256",
           "Samples of calib to measure on">,
    Option<"maxSampleValues", "max-sample-values", "int64_t", "2500000",
           "Measure on at most this many input values: fewer samples of "
           "large inputs, at least 16 (0: no limit; ResNet-50 at 224x224: "
           "16 samples)">,
    Option<"residualAddBits", "residual-add-bits", "unsigned", "8",
           "Bits the operands of residual adds may be raised to, where "
           "that raises the SQNR by more than 0.1 dB (0: never)">,
    Option<"layerChoices", "layer-choices", "bool", "true",
           "Then measure each residual add back at the narrow width and "
           "each layer's bias correction the other way (one measurement "
           "each)">,
    Option<"chooseBiasCorrection", "choose-bias-correction", "bool", "true",
           "Measure the weights with and without qlip-quantize-weights' "
           "empirical-bias-correction and keep the better">,
    Option<"sqnrFloor", "sqnr-floor", "double", "-1.0",
           "Fail when the chosen integer model's SQNR against float on the "
           "samples is below this many dB: such a model is broken, not "
           "coarse (negative: 1.5 dB per bit of the narrowest weight or "
           "activation grid; 0: no check)">,
    Option<"reportFile", "report", "std::string", "\"\"",
           "Write the measurements and the choice as JSON to this file "
           "(`-` for stdout)">
  ];
}

def ChooseBitsPass : Pass<"qlip-choose-bits", "::mlir::ModuleOp"> {
  let summary = "Choose each layer's weight width within a size budget or "
                "for a target SQNR, by its measured sensitivity";
  let description = [{
    Mixed precision by measurement. Each weight layer is rounded at every
    width of `widths` as `qlip-quantize-weights` would (GPTQ, each
    channel's MSE clip) and its noise is measured: the error the rounding
    adds at the layer's output on the calibration inputs
    (`qlip.input_moments`, from `qlip-calibrate-model`), relative to the
    output's power; a layer without moments is measured at its weights.
    With `calib`, each free layer is also measured where it matters: the
    model with only that layer quantized, at each width (activations
    float), is run on the first `max-samples` samples, and its output's
    noise against the float model's is the layer's noise at that width
    (one measurement per free layer and width). The model's noise is
    taken as the sum of its layers', its predicted SQNR as -10 log10 of
    that sum. Without `calib` a layer's own relative noise stands for its
    noise at the output (it passes on roughly unchanged).

    With `size-budget` (bytes of weights: `bits / 8` a weight and a 4-byte
    scale a channel; 4 bytes a float weight) every layer starts at its
    largest option and the step down that adds the least noise per byte
    saved is taken until the model fits. With `target-sqnr` (dB) every
    layer starts at its smallest width and the step up that removes the
    most noise per byte is taken until the prediction reaches the target
    (or every layer is at its largest). `first-layer-bits` and
    `last-layer-bits` fix the ends (0: chosen like the others);
    `float-layers` fixes named layers (names as in `layer-bits`) to float,
    and `allow-float` makes float a choice for every layer.

    The choice is attached as `qlip.weight_bits` (or `qlip.keep_float`),
    which `qlip-quantize-weights` honours (below its own `layer-bits`) and
    removes. `report` gets every layer's noise at every width, the choice,
    the sizes and the predicted SQNR (JSON).
  }];
  let options = [
    ListOption<"calib", "calib", "std::string",
               "Samples to measure each layer's gain on: one .npy per "
               "argument of the entry (none: gains of 1)">,
    Option<"entry", "entry", "std::string", "\"\"",
           "The function to run (default: the module's only public "
           "function)">,
    Option<"maxSamples", "max-samples", "int64_t", "0",
           "Samples of calib to measure on (0: 64, or 256 with max-drop, "
           "whose accuracy needs more)">,
    ListOption<"widths", "widths", "unsigned",
               "The weight widths to choose from (default 2, 3, 4, 8)">,
    Option<"allowFloat", "allow-float", "bool", "false",
           "Float is a choice too, at 4 bytes a weight">,
    Option<"sizeBudget", "size-budget", "int64_t", "0",
           "The largest size of the weights in bytes (0: none)">,
    Option<"targetSqnr", "target-sqnr", "double", "0",
           "The predicted output SQNR (dB) to reach with the least size "
           "(0: none)">,
    Option<"maxDrop", "max-drop", "double", "0",
           "The most top-1 accuracy (points) the weights may cost on the "
           "labelled samples, with the least size (0: none; needs calib "
           "and labels)">,
    Option<"labels", "labels", "std::string", "\"\"",
           "For max-drop: integer labels (.npy), one per sample of calib">,
    Option<"firstLayerBits", "first-layer-bits", "unsigned", "8",
           "Bits of the first layer (0: chosen)">,
    Option<"lastLayerBits", "last-layer-bits", "unsigned", "8",
           "Bits of the last layer (0: chosen)">,
    ListOption<"floatLayers", "float-layers", "std::string",
               "Layers that stay float, named as in layer-bits">,
    Option<"empiricalBiasCorrection", "empirical-bias-correction", "bool",
           "true",
           "Measure each layer as qlip-quantize-weights' "
           "`empirical-bias-correction` will quantize it">,
    Option<"reportFile", "report", "std::string", "\"\"",
           "Write the choice and every measurement as JSON to this file "
           "(`-` for stdout)">
  ];
}

#endif // QLIP_AUTOQUANT_PASSES_TD
