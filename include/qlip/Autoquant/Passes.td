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
           "Histogram bins per observer">,
    Option<"layerInputRows", "layer-input-rows", "int64_t", "16384",
           "Patches per layer for the input second moments (0: none)">
  ];
}

#endif // QLIP_AUTOQUANT_PASSES_TD
