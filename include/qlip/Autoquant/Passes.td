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
    `refine-patience` in a row that gain nothing. A choice that gives every
    activation the grids of one measured before is not run again. The chosen rules are applied to this module; the
    choice and every measurement are written to `report` (JSON).

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
    Option<"maxSamples", "max-samples", "int64_t", "256",
           "Samples of calib to measure on">,
    Option<"reportFile", "report", "std::string", "\"\"",
           "Write the measurements and the choice as JSON to this file "
           "(`-` for stdout)">
  ];
}

#endif // QLIP_AUTOQUANT_PASSES_TD
