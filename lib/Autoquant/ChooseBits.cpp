//===- ChooseBits.cpp - weight widths per layer by measurement --*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Autoquant/Passes.h"

#include "DetachedModule.h"
#include "Measurer.h"
#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Calibration/MixedPrecision.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/QuantReport.h"
#include "qlip/Transforms/WeightBits.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cmath>

namespace mlir::qlip {
#define GEN_PASS_DEF_CHOOSEBITSPASS
#include "qlip/Autoquant/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

/// -10 log10(noise): a SQNR in dB (inf for no noise).
static double toDb(double noise) {
  return noise > 0 ? -10.0 * std::log10(noise) : INFINITY;
}

namespace {
/// One layer: its name, what each option is, and the options.
struct Layer {
  Operation *op;
  std::string name;
  /// Per option: the width, or 0 for float.
  SmallVector<unsigned> widths;
  LayerOptions options;
  bool atOutput = false;
  int64_t elements = 0, channels = 0;
  /// Per option, with `calib`: the model's output noise with only this
  /// layer quantized so (none for float and fixed layers).
  SmallVector<std::optional<double>> modelNoise;
};

struct ChooseBitsPass : qlip::impl::ChooseBitsPassBase<ChooseBitsPass> {
  using ChooseBitsPassBase::ChooseBitsPassBase;
  void runOnOperation() override;

private:
  /// Measures the model's noise with each free layer alone quantized at
  /// each of its widths.
  LogicalResult measureModelNoise(std::vector<Layer> &layers);
};
} // namespace

void ChooseBitsPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &message) {
    emitError(module.getLoc()) << "qlip-choose-bits: " << message;
    signalPassFailure();
  };
  if ((sizeBudget > 0) == (targetSqnr > 0))
    return fail("give one budget: size-budget=BYTES or target-sqnr=DB");
  if (sizeBudget < 0 || targetSqnr < 0)
    return fail("budgets must be positive");
  SmallVector<unsigned> candidates(widths.begin(), widths.end());
  if (candidates.empty())
    candidates = {2, 3, 4, 8};
  llvm::sort(candidates);
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());
  for (unsigned b : candidates)
    if (b < 2 || b > 8)
      return fail("widths must be 2 to 8, got " + Twine(b));
  for (unsigned b : {unsigned(firstLayerBits), unsigned(lastLayerBits)})
    if (b != 0 && !isSupportedBitWidth(b))
      return fail("first and last layer widths must be 2 to 8 or 16 (0: "
                  "chosen), got " +
                  Twine(b));

  auto found = collectUnquantizedLayers(module);
  std::vector<Layer> layers;
  SmallVector<std::string> names;
  llvm::StringMap<bool> usedFloat;
  ProgressBar progress(0, "layers");
  for (auto [position, entry] : llvm::enumerate(found)) {
    Operation *op = entry.first;
    Layer layer{op, getLayerName(op, position), {}, {}, false};
    names.push_back(layer.name);
    bool isFloat = false;
    for (const std::string &name : floatLayers)
      if (isLayerNamed(op, layer.name, name)) {
        usedFloat[name] = true;
        isFloat = true;
      }
    unsigned fixedBits = 0;
    if (position == 0)
      fixedBits = firstLayerBits;
    if (position + 1 == found.size() && lastLayerBits != 0)
      fixedBits = lastLayerBits;
    // The widths measured: the candidates, and the fixed one of an end.
    SmallVector<unsigned> measured = candidates;
    if (fixedBits != 0 && !llvm::is_contained(measured, fixedBits)) {
      measured.push_back(fixedBits);
      llvm::sort(measured);
    }
    FailureOr<WeightSensitivity> sensitivity =
        measureWeightSensitivity(op, layer.name, measured,
                                 empiricalBiasCorrection);
    if (failed(sensitivity))
      return signalPassFailure();
    layer.atOutput = sensitivity->atOutput;
    layer.elements = sensitivity->numElements;
    layer.channels = sensitivity->numChannels;
    for (auto [bits, noise] :
         llvm::zip_equal(measured, sensitivity->relativeError)) {
      layer.widths.push_back(bits);
      layer.options.bytes.push_back(double(sensitivity->numElements) * bits /
                                        8.0 +
                                    4.0 * sensitivity->numChannels);
      layer.options.noise.push_back(noise);
    }
    if (allowFloat || isFloat) {
      layer.widths.push_back(0);
      layer.options.bytes.push_back(4.0 * sensitivity->numElements);
      layer.options.noise.push_back(0.0);
    }
    auto index = [&](unsigned bits) -> unsigned {
      return llvm::find(layer.widths, bits) - layer.widths.begin();
    };
    if (isFloat)
      layer.options.fixed = index(0);
    else if (fixedBits != 0)
      layer.options.fixed = index(fixedBits);
    layers.push_back(std::move(layer));
    progress.update(1, position + 1, found.size());
  }
  SmallVector<StringRef> requestedFloat(floatLayers.begin(), floatLayers.end());
  if (failed(checkOverridesUsed(requestedFloat, usedFloat, names,
                                module.getLoc(), getArgument(),
                                "float-layers")))
    return signalPassFailure();
  if (layers.empty())
    return fail("the model has no weight layer to choose widths for");

  if (!calib.empty())
    if (failed(measureModelNoise(layers)))
      return signalPassFailure();

  // What the choice weighs: the model's noise where it was measured, else
  // the layer's own.
  SmallVector<LayerOptions> options;
  for (const Layer &layer : layers) {
    options.push_back(layer.options);
    for (auto [noise, measured] :
         llvm::zip(options.back().noise, layer.modelNoise))
      if (measured)
        noise = *measured;
  }
  SmallVector<unsigned> choice;
  if (sizeBudget > 0) {
    std::optional<SmallVector<unsigned>> fits =
        chooseWithinSize(options, double(sizeBudget));
    if (!fits) {
      SmallVector<unsigned> smallest;
      for (const LayerOptions &o : options)
        smallest.push_back(o.fixed.value_or(0));
      return fail(llvm::formatv("the weights take at least {0} bytes (every "
                                "layer at its smallest width), over "
                                "size-budget={1}",
                                int64_t(totalBytes(options, smallest)),
                                int64_t(sizeBudget)));
    }
    choice = std::move(*fits);
  } else {
    choice = chooseForNoise(options, std::pow(10.0, -targetSqnr / 10.0));
    double reached = toDb(totalNoise(options, choice));
    if (reached < targetSqnr)
      emitWarning(module.getLoc())
          << "qlip-choose-bits: the predicted SQNR is " << reached
          << " dB with every layer at its widest, below target-sqnr="
          << targetSqnr;
  }

  Builder builder(module.getContext());
  llvm::json::Array perLayer;
  for (auto [index, entry] : llvm::enumerate(llvm::zip_equal(layers, choice))) {
    auto &[layer, option] = entry;
    auto optionsNoise = [&, index = index](size_t i) {
      return options[index].noise[i];
    };
    unsigned bits = layer.widths[option];
    layer.op->removeAttr(kWeightBitsAttrName);
    layer.op->removeAttr(kKeepFloatAttrName);
    if (bits == 0)
      layer.op->setAttr(kKeepFloatAttrName, builder.getUnitAttr());
    else
      layer.op->setAttr(kWeightBitsAttrName, builder.getI64IntegerAttr(bits));
    llvm::json::Array measuredWidths;
    for (auto [i, b] : llvm::enumerate(layer.widths)) {
      llvm::json::Object width{
          {"bits", b == 0 ? llvm::json::Value("float") : llvm::json::Value(b)},
          {"sqnr_db", jsonDb(toDb(optionsNoise(i)))},
          {"layer_sqnr_db", jsonDb(toDb(layer.options.noise[i]))}};
      measuredWidths.push_back(std::move(width));
    }
    perLayer.push_back(llvm::json::Object{
        {"name", layer.name},
        {"bits", bits == 0 ? llvm::json::Value("float") : llvm::json::Value(bits)},
        {"bytes", int64_t(layer.options.bytes[option])},
        {"sqnr_db", jsonDb(toDb(options[index].noise[option]))},
        {"measured_at", layer.atOutput ? "output" : "weights"},
        {"fixed", layer.options.fixed.has_value()},
        {"elements", layer.elements},
        {"channels", layer.channels},
        {"widths", std::move(measuredWidths)}});
  }
  if (reportFile.empty())
    return;
  llvm::json::Object root{
      {"version", 1},
      {"bytes", int64_t(totalBytes(options, choice))},
      {"budget_bytes", int64_t(sizeBudget)},
      {"target_sqnr_db", targetSqnr.getValue()},
      {"predicted_sqnr_db", jsonDb(toDb(totalNoise(options, choice)))},
      {"measured_on_model", !calib.empty()},
      {"layers", std::move(perLayer)}};
  if (failed(writeJsonReportFile(reportFile, getArgument(), module.getLoc(),
                                 std::move(root))))
    signalPassFailure();
}

LogicalResult ChooseBitsPass::measureModelNoise(std::vector<Layer> &layers) {
  ModuleOp module = getOperation();
  auto fail = [&](llvm::Error error) {
    emitError(module.getLoc())
        << "qlip-choose-bits: " << llvm::toString(std::move(error));
    return failure();
  };
  std::vector<std::string> files(calib.begin(), calib.end());
  llvm::Expected<std::vector<NpyArray>> samples = readSampleFiles(files);
  if (!samples)
    return fail(samples.takeError());
  keepFirstRows(*samples, maxSamples);
  llvm::Expected<std::string> entryName = chooseEntry(module, entry);
  if (!entryName)
    return fail(entryName.takeError());
  ScopedKernelThreads threads;
  Measurer measurer(getContext(), *entryName, std::move(*samples), files);
  if (llvm::Error error = measurer.setReference(module))
    return fail(std::move(error));
  if (llvm::Error error = measurer.setBase(module))
    return fail(std::move(error));
  int64_t total = 0, done = 0;
  for (const Layer &layer : layers)
    if (!layer.options.fixed)
      total += llvm::count_if(layer.widths, [](unsigned b) { return b != 0; });
  ProgressBar progress(0, "measurements");
  for (size_t l = 0; l < layers.size(); ++l) {
    Layer &layer = layers[l];
    layer.modelNoise.assign(layer.widths.size(), std::nullopt);
    if (layer.options.fixed)
      continue;
    for (auto [i, bits] : llvm::enumerate(layer.widths)) {
      if (bits == 0)
        continue;
      // Only layer l quantized, at `bits`; the rest of the model float
      // (the layers in program order, as in this module).
      llvm::Expected<double> db =
          measurer.measureVariant([&](ModuleOp copy) -> llvm::Error {
            Builder builder(copy.getContext());
            for (auto [index, entry] :
                 llvm::enumerate(collectUnquantizedLayers(copy))) {
              Operation *op = entry.first;
              op->removeAttr(kWeightBitsAttrName);
              op->removeAttr(kKeepFloatAttrName);
              if (index == l)
                op->setAttr(kWeightBitsAttrName,
                            builder.getI64IntegerAttr(bits));
              else
                op->setAttr(kKeepFloatAttrName, builder.getUnitAttr());
            }
            // Activations stay float.
            return Measurer::runPipeline(
                copy, std::string("qlip-quantize-weights{first-layer-bits=0 "
                                  "last-layer-bits=0 "
                                  "empirical-bias-correction=") +
                          (empiricalBiasCorrection ? "true" : "false") +
                          "},qlip-strip-observers");
          });
      if (!db)
        return fail(db.takeError());
      layer.modelNoise[i] = std::isfinite(*db) ? std::pow(10.0, -*db / 10.0)
                            : *db > 0          ? 0.0
                                               : INFINITY;
      progress.update(1, ++done, total);
    }
  }
  return success();
}
