//===- Ptq.cpp - the qlip-prepare and qlip-ptq pipelines --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Pipelines/Pipelines.h"

#include "qlip/Autoquant/Passes.h"
#include "qlip/Conversion/Passes.h"
#include "qlip/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::qlip::buildPreparePipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createFoldBatchNormPass());
  pm.addPass(createInsertObserversPass());
}

void mlir::qlip::buildPtqPipeline(OpPassManager &pm,
                                  const PtqOptions &options) {
  // Stage 1-2, idempotent: a model that went through qlip-prepare for
  // calibration is unchanged, so its fingerprint matches the statistics.
  buildPreparePipeline(pm);

  // Stage 3-4: the statistics, then the ranges.
  if (!options.calib.empty()) {
    CalibrateModelPassOptions calibrate;
    calibrate.calib.assign(options.calib.begin(), options.calib.end());
    calibrate.layerInputRows = options.layerInputRows;
    pm.addPass(createCalibrateModelPass(calibrate));
  } else {
    ApplyStatsPassOptions stats;
    stats.file = options.stats;
    pm.addPass(createApplyStatsPass(stats));
  }

  QuantizeWeightsPassOptions weights;
  weights.bits = options.weightBits;
  weights.granularity = options.granularity;
  weights.clip = options.weightClip;
  weights.rounding = options.weightRounding;
  weights.firstLayerBits = options.firstLayerBits;
  weights.lastLayerBits = options.lastLayerBits;
  weights.biasCorrection = options.biasCorrection;
  weights.bitAllocation = options.bitAllocation;
  weights.layerBits.assign(options.weightLayerBits.begin(),
                           options.weightLayerBits.end());
  pm.addPass(createQuantizeWeightsPass(weights));

  QuantizeActivationsPassOptions activations;
  activations.actClip = options.actClip;
  activations.percentile = options.percentile;
  activations.actBits = options.actBits;
  activations.firstLayerBits = options.firstLayerBits;
  activations.lastLayerBits = options.lastLayerBits;
  activations.maxPoolInputGrid = options.maxPoolInputGrid;
  activations.layerBits.assign(options.actLayerBits.begin(),
                               options.actLayerBits.end());
  pm.addPass(createQuantizeActivationsPass(activations));

  // Stage 5, before any folding: canonicalization would fold the weights'
  // fake_quant ops and lose their parameters.
  QuantizeToTosaPassOptions quantize;
  quantize.roundingMode = options.roundingMode;
  quantize.int4Weights = options.int4Weights;
  quantize.integerIO = options.integerIO;
  quantize.strict = options.strict;
  quantize.reportFile = options.report;
  quantize.validate = options.validate;
  pm.addPass(createQuantizeToTosaPass(quantize));

  // The rules emit a zero point per use; one of each is enough.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::qlip::registerPtqPipelines() {
  PassPipelineRegistration<>(
      "qlip-prepare",
      "Prepare a float TOSA model for calibration: fold batch norm, observe "
      "activations",
      [](OpPassManager &pm) { buildPreparePipeline(pm); });
  PassPipelineRegistration<PtqOptions>(
      "qlip-ptq",
      "Post-training quantization to integer TOSA from a statistics file "
      "(stats=) or calibration samples (calib=): prepare, calibrate, choose "
      "ranges, round, quantize, validate",
      [](OpPassManager &pm, const PtqOptions &options) {
        buildPtqPipeline(pm, options);
      });
}
