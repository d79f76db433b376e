//===- Ptq.cpp - the qlip-prepare and qlip-ptq pipelines --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Pipelines/Pipelines.h"

#include "qlip/Autoquant/Passes.h"
#include "qlip/Conversion/Passes.h"
#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::qlip;

void mlir::qlip::buildPreparePipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createFoldBatchNormPass());
  pm.addPass(createInsertObserversPass());
}

/// A rule as the options spell it (`aciq-laplace`).
static std::string ruleOption(ClipRule rule) {
  std::string name = stringifyClipRule(rule).str();
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

static std::string listOption(llvm::ArrayRef<std::string> entries) {
  return llvm::join(entries, ",");
}

/// qlip-quantize-weights' options for qlip-ptq's, as qlip-opt spells them
/// (what qlip-autoquant runs).
static std::string weightOptions(const PtqOptions &options) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "bits=" << options.weightBits << " granularity="
     << (options.granularity == Granularity::PerChannel ? "per-channel"
                                                        : "per-tensor")
     << " clip=" << ruleOption(options.weightClip) << " rounding="
     << (options.weightRounding == WeightRounding::Nearest ? "nearest"
         : options.weightRounding == WeightRounding::Gptq  ? "gptq"
                                                           : "gptq-adaround")
     << " first-layer-bits=" << options.firstLayerBits
     << " last-layer-bits=" << options.lastLayerBits
     << " bias-correction=" << (options.biasCorrection ? "true" : "false")
     << " bit-allocation=" << (options.bitAllocation ? "true" : "false");
  // Unless the user set it, qlip-autoquant measures it.
  if (options.empiricalBiasCorrection.hasValue())
    os << " empirical-bias-correction="
       << (options.empiricalBiasCorrection ? "true" : "false");
  if (!options.weightLayerBits.empty())
    os << " layer-bits=" << listOption(options.weightLayerBits);
  if (!options.floatLayers.empty())
    os << " float-layers=" << listOption(options.floatLayers);
  return text;
}

/// qlip-quantize-activations' options for qlip-ptq's, but the rule.
static std::string activationOptions(const PtqOptions &options) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "act-bits=" << options.actBits
     << llvm::format(" percentile=%.17g", double(options.percentile))
     << " first-layer-bits=" << options.firstLayerBits
     << " last-layer-bits=" << options.lastLayerBits
     << " output-bits=" << options.outputBits << " max-pool-input-grid="
     << (options.maxPoolInputGrid ? "true" : "false");
  if (!options.actLayerBits.empty())
    os << " layer-bits=" << listOption(options.actLayerBits);
  return text;
}

void mlir::qlip::buildPtqCalibrationPipeline(OpPassManager &pm,
                                             const PtqOptions &options) {
  // Stage 1-2, idempotent: a model that went through qlip-prepare for
  // calibration is unchanged, so its fingerprint matches the statistics.
  buildPreparePipeline(pm);

  // Stage 3: the statistics (the ranges are the next stage's).
  if (!options.calib.empty()) {
    CalibrateModelPassOptions calibrate;
    calibrate.calib.assign(options.calib.begin(), options.calib.end());
    calibrate.entry = options.entry;
    calibrate.layerInputRows = options.layerInputRows;
    pm.addPass(createCalibrateModelPass(calibrate));
  } else {
    ApplyStatsPassOptions stats;
    stats.file = options.stats;
    pm.addPass(createApplyStatsPass(stats));
  }
}

void mlir::qlip::buildPtqRangesPipeline(OpPassManager &pm,
                                        const PtqOptions &options) {
  // Mixed precision: widths chosen on the calibrated model's moments.
  if (options.sizeBudget != 0 || options.targetSqnr != 0 ||
      options.maxDrop != 0 || !options.labels.empty()) {
    ChooseBitsPassOptions bits;
    // With samples, each layer's gain to the output is measured.
    bits.calib.assign(options.calib.begin(), options.calib.end());
    bits.entry = options.entry;
    bits.widths.assign(options.weightWidths.begin(),
                       options.weightWidths.end());
    bits.sizeBudget = options.sizeBudget;
    bits.targetSqnr = options.targetSqnr;
    bits.maxDrop = options.maxDrop;
    bits.labels = options.labels;
    bits.firstLayerBits = options.firstLayerBits;
    bits.lastLayerBits = options.lastLayerBits;
    bits.floatLayers.assign(options.floatLayers.begin(),
                            options.floatLayers.end());
    bits.allowFloat = options.allowFloat;
    bits.empiricalBiasCorrection = options.empiricalBiasCorrection;
    bits.reportFile = options.bitsReport;
    pm.addPass(createChooseBitsPass(bits));
  }

  bool autoquant = !options.calib.empty() && options.actClip == ClipRule::Auto;
  if (autoquant) {
    AutoquantPassOptions choose;
    choose.calib.assign(options.calib.begin(), options.calib.end());
    choose.entry = options.entry;
    choose.sqnrFloor = options.sqnrFloor;
    choose.weights = weightOptions(options);
    choose.activations = activationOptions(options);
    choose.reportFile = options.autoquantReport;
    choose.chooseBiasCorrection = !options.empiricalBiasCorrection.hasValue();
    choose.residualAddBits = options.residualAddBits;
    choose.layerChoices = options.layerChoices;
    choose.quantize = llvm::formatv(
        "rounding-mode={0} int4-weights={1}",
        options.roundingMode == RoundingMode::Double ? "double" : "single",
        options.int4Weights ? "true" : "false");
    pm.addPass(createAutoquantPass(choose));
  } else {
    QuantizeWeightsPassOptions weights;
    weights.bits = options.weightBits;
    weights.granularity = options.granularity;
    weights.clip = options.weightClip;
    weights.rounding = options.weightRounding;
    weights.firstLayerBits = options.firstLayerBits;
    weights.lastLayerBits = options.lastLayerBits;
    weights.biasCorrection = options.biasCorrection;
    weights.empiricalBiasCorrection = options.empiricalBiasCorrection;
    weights.bitAllocation = options.bitAllocation;
    weights.layerBits.assign(options.weightLayerBits.begin(),
                             options.weightLayerBits.end());
    weights.floatLayers.assign(options.floatLayers.begin(),
                               options.floatLayers.end());
    pm.addPass(createQuantizeWeightsPass(weights));

    QuantizeActivationsPassOptions activations;
    // `auto` measures; with nothing to measure on it is the observed range.
    activations.actClip =
        options.actClip == ClipRule::Auto ? ClipRule::Max : options.actClip;
    activations.percentile = options.percentile;
    activations.actBits = options.actBits;
    activations.firstLayerBits = options.firstLayerBits;
    activations.lastLayerBits = options.lastLayerBits;
    activations.outputBits = options.outputBits;
    activations.maxPoolInputGrid = options.maxPoolInputGrid;
    activations.layerBits.assign(options.actLayerBits.begin(),
                                 options.actLayerBits.end());
    pm.addPass(createQuantizeActivationsPass(activations));
  }

}

void mlir::qlip::buildPtqIntegerPipeline(OpPassManager &pm,
                                         const PtqOptions &options) {
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

FailureOr<PtqModels> mlir::qlip::runPtqToFakeQuant(ModuleOp model,
                                                   const PtqOptions &options) {
  PtqModels models;
  models.calibrated = cast<ModuleOp>(model->clone());
  PassManager calibrate(model.getContext(), ModuleOp::getOperationName());
  buildPtqCalibrationPipeline(calibrate, options);
  if (failed(calibrate.run(*models.calibrated)))
    return failure();
  models.fakeQuant = cast<ModuleOp>((*models.calibrated)->clone());
  PassManager ranges(model.getContext(), ModuleOp::getOperationName());
  buildPtqRangesPipeline(ranges, options);
  if (failed(ranges.run(*models.fakeQuant)))
    return failure();
  return models;
}

void mlir::qlip::buildPtqPipeline(OpPassManager &pm,
                                  const PtqOptions &options) {
  buildPtqCalibrationPipeline(pm, options);
  buildPtqRangesPipeline(pm, options);
  buildPtqIntegerPipeline(pm, options);
}

llvm::Error mlir::qlip::checkPtqOptions(const PtqOptions &options) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "qlip-ptq: " + message);
  };
  if (options.calib.empty() == options.stats.empty())
    return error(options.calib.empty()
                     ? "give calib= (calibration samples) or stats= (a "
                       "statistics file)"
                     : "give calib= or stats=, not both");
  if (options.weightBits < 2 || options.weightBits > 8)
    return error("weight-bits must be 2 to 8, got " +
                 llvm::Twine(options.weightBits));
  if (!isSupportedBitWidth(options.actBits))
    return error("act-bits must be 2 to 8 or 16, got " +
                 llvm::Twine(options.actBits));
  for (auto [name, bits] :
       {std::pair<const char *, unsigned>{"first-layer-bits",
                                          options.firstLayerBits},
        {"last-layer-bits", options.lastLayerBits},
        {"output-bits", options.outputBits},
        {"residual-add-bits", options.residualAddBits}})
    if (bits != 0 && !isSupportedBitWidth(bits))
      return error(llvm::Twine(name) + " must be 0 or 2 to 8 or 16, got " +
                   llvm::Twine(bits));
  for (unsigned width : options.weightWidths)
    if (width < 2 || width > 8)
      return error("weight-widths must be 2 to 8, got " + llvm::Twine(width));
  if (!(options.percentile > 0 && options.percentile <= 100))
    return error("percentile must be in (0, 100], got " +
                 llvm::formatv("{0}", double(options.percentile)).str());
  if (options.sizeBudget < 0)
    return error("size-budget must not be negative");
  if (!(options.maxDrop >= 0) || !std::isfinite(options.maxDrop))
    return error("max-drop must be a non-negative number of points");
  if (options.maxDrop > 0 && options.labels.empty())
    return error("max-drop needs labels=");
  if (options.layerInputRows < 0)
    return error("layer-input-rows must not be negative");
  return llvm::Error::success();
}

void mlir::qlip::registerPtqPipelines() {
  PassPipelineRegistration<>(
      "qlip-prepare",
      "Prepare a float TOSA model for calibration: fold batch norm, observe "
      "activations",
      [](OpPassManager &pm) { buildPreparePipeline(pm); });
  // PassPipelineRegistration cannot fail after parsing; qlip-ptq checks
  // its options first, so errors name them as the user wrote them.
  registerPassPipeline(
      "qlip-ptq",
      "Post-training quantization to integer TOSA from a statistics file "
      "(stats=) or calibration samples (calib=): prepare, calibrate, choose "
      "ranges, round, quantize, validate",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        PtqOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (llvm::Error error = checkPtqOptions(options))
          return errorHandler(llvm::toString(std::move(error)));
        buildPtqPipeline(pm, options);
        // The integer model says how it was made (qlip-report reads it).
        RecordPtqOptionsPassOptions record;
        record.text = text.str();
        pm.addPass(createRecordPtqOptionsPass(record));
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optHandler) {
        optHandler(PtqOptions());
      });
}
