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
#include "qlip/Runtime/Metrics.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/QuantReport.h"
#include "qlip/Transforms/WeightBits.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <map>

namespace mlir::qlip {
#define GEN_PASS_DEF_CHOOSEBITSPASS
#include "qlip/Autoquant/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

/// How many targets max-drop's bisection measures at most.
static constexpr int kDropSearchSteps = 8;

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
  LogicalResult measureModelNoise(Measurer &measurer,
                                  std::vector<Layer> &layers);
  /// The choice with the fewest bytes the search finds whose weights cost
  /// at most max-drop points of top-1 accuracy on the labelled samples;
  /// the tries go to `report`.
  FailureOr<SmallVector<unsigned>>
  chooseForDrop(Measurer &measurer, ArrayRef<Layer> layers,
                ArrayRef<LayerOptions> options, llvm::json::Object &report);
  /// Quantizes the weights of `copy` (a measured variant), layer i at
  /// bitsOf(i) bits or float for 0; activations stay float.
  llvm::Error quantizeAt(ModuleOp copy,
                         llvm::function_ref<unsigned(size_t)> bitsOf);
  LogicalResult fail(const Twine &message) {
    emitError(getOperation().getLoc()) << "qlip-choose-bits: " << message;
    signalPassFailure();
    return failure();
  }
};
} // namespace

void ChooseBitsPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (!labels.empty() && maxDrop == 0)
    return (void)fail("labels= is for max-drop");
  if ((sizeBudget != 0) + (targetSqnr != 0) + (maxDrop != 0) != 1)
    return (void)fail("give one budget: size-budget=BYTES, target-sqnr=DB "
                      "or max-drop=POINTS");
  if (sizeBudget < 0 || targetSqnr < 0 || maxDrop < 0)
    return (void)fail("budgets must be positive");
  if (maxDrop != 0 && (calib.empty() || labels.empty()))
    return (void)fail("max-drop needs labelled samples: calib=FILE.npy and "
                      "labels=FILE.npy");
  SmallVector<unsigned> candidates(widths.begin(), widths.end());
  if (candidates.empty())
    candidates = {2, 3, 4, 8};
  llvm::sort(candidates);
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());
  for (unsigned b : candidates)
    if (b < 2 || b > 8)
      return (void)fail("widths must be 2 to 8, got " + Twine(b));
  for (unsigned b : {unsigned(firstLayerBits), unsigned(lastLayerBits)})
    if (b != 0 && !isSupportedBitWidth(b))
      return (void)fail("first and last layer widths must be 2 to 8 or 16 "
                        "(0: chosen), got " +
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
    return (void)fail("the model has no weight layer to choose widths for");

  // The models measured on calib: its first max-samples samples.
  std::optional<Measurer> measurer;
  if (!calib.empty()) {
    std::vector<std::string> files(calib.begin(), calib.end());
    llvm::Expected<std::vector<NpyArray>> samples = readSampleFiles(files);
    if (!samples)
      return (void)fail(llvm::toString(samples.takeError()));
    keepFirstRows(*samples, maxSamples > 0 ? int64_t(maxSamples)
                            : maxDrop > 0  ? 256
                                           : 64);
    llvm::Expected<std::string> entryName = chooseEntry(module, entry);
    if (!entryName)
      return (void)fail(llvm::toString(entryName.takeError()));
    measurer.emplace(getContext(), *entryName, std::move(*samples), files);
  }
  ScopedKernelThreads threads;
  if (measurer && failed(measureModelNoise(*measurer, layers)))
    return;

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
  llvm::json::Object dropReport;
  if (maxDrop > 0) {
    FailureOr<SmallVector<unsigned>> chosen =
        chooseForDrop(*measurer, layers, options, dropReport);
    if (failed(chosen))
      return;
    choice = std::move(*chosen);
  } else if (sizeBudget > 0) {
    std::optional<SmallVector<unsigned>> fits =
        chooseWithinSize(options, double(sizeBudget));
    if (!fits) {
      SmallVector<unsigned> smallest;
      for (const LayerOptions &o : options)
        smallest.push_back(o.fixed.value_or(0));
      return (void)fail(llvm::formatv("the weights take at least {0} bytes "
                                      "(every layer at its smallest width), "
                                      "over size-budget={1}",
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
  if (maxDrop > 0)
    root["max_drop"] = std::move(dropReport);
  if (failed(writeJsonReportFile(reportFile, getArgument(), module.getLoc(),
                                 std::move(root))))
    signalPassFailure();
}

LogicalResult ChooseBitsPass::measureModelNoise(Measurer &measurer,
                                                std::vector<Layer> &layers) {
  ModuleOp module = getOperation();
  if (llvm::Error error = measurer.setReference(module))
    return fail(llvm::toString(std::move(error)));
  if (llvm::Error error = measurer.setBase(module))
    return fail(llvm::toString(std::move(error)));
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
      // Only layer l quantized, at `bits`; the rest of the model float.
      llvm::Expected<double> db = measurer.measureVariant([&](ModuleOp copy) {
        return quantizeAt(copy, [&, l = l, bits = bits](size_t index) {
          return index == l ? bits : 0u;
        });
      });
      if (!db)
        return fail(llvm::toString(db.takeError()));
      layer.modelNoise[i] = std::isfinite(*db) ? std::pow(10.0, -*db / 10.0)
                            : *db > 0          ? 0.0
                                               : INFINITY;
      progress.update(1, ++done, total);
    }
  }
  return success();
}

llvm::Error
ChooseBitsPass::quantizeAt(ModuleOp copy,
                           llvm::function_ref<unsigned(size_t)> bitsOf) {
  Builder builder(copy.getContext());
  // The layers in program order, as in this module.
  for (auto [index, entry] : llvm::enumerate(collectUnquantizedLayers(copy))) {
    Operation *op = entry.first;
    op->removeAttr(kWeightBitsAttrName);
    op->removeAttr(kKeepFloatAttrName);
    if (unsigned bits = bitsOf(index))
      op->setAttr(kWeightBitsAttrName, builder.getI64IntegerAttr(bits));
    else
      op->setAttr(kKeepFloatAttrName, builder.getUnitAttr());
  }
  return Measurer::runPipeline(
      copy, std::string("qlip-quantize-weights{first-layer-bits=0 "
                        "last-layer-bits=0 empirical-bias-correction=") +
                (empiricalBiasCorrection ? "true" : "false") +
                "},qlip-strip-observers");
}

FailureOr<SmallVector<unsigned>> ChooseBitsPass::chooseForDrop(
    Measurer &measurer, ArrayRef<Layer> layers, ArrayRef<LayerOptions> options,
    llvm::json::Object &report) {
  llvm::Expected<std::vector<int64_t>> allLabels = readLabels(labels);
  if (!allLabels)
    return fail(llvm::toString(allLabels.takeError()));
  const NpyArray &reference = measurer.getReference().front();
  if (reference.shape.empty())
    return fail("max-drop needs a first result of shape [N, classes]");
  size_t rows = reference.shape.front();
  size_t rowLength = rows == 0 ? 0 : reference.numElements() / rows;
  if (allLabels->size() < rows || rowLength == 0)
    return fail(llvm::formatv("{0}: {1} labels for the {2} samples measured "
                              "(max-samples of calib)",
                              labels, allLabels->size(), rows));
  ArrayRef<int64_t> rowLabels = ArrayRef<int64_t>(*allLabels).take_front(rows);
  auto accuracy = [&](ArrayRef<NpyArray> outputs) {
    return 100.0 *
           double(countTop1Correct(outputs.front().toDoubles(), rowLength,
                                   rowLabels)) /
           double(rows);
  };
  double floatAccuracy = accuracy(measurer.getReference());

  // Choices along the greedy ascent, found by bisecting its noise target
  // (accuracy falls, in the main, as the predicted noise rises): the one
  // with the fewest bytes whose drop is within max-drop.
  llvm::json::Array tries;
  std::map<SmallVector<unsigned>, double> measured;
  auto dropOf = [&](const SmallVector<unsigned> &choice)
      -> llvm::Expected<double> {
    if (auto it = measured.find(choice); it != measured.end())
      return it->second;
    llvm::Expected<std::vector<NpyArray>> outputs =
        measurer.runVariant([&](ModuleOp copy) {
          return quantizeAt(copy, [&](size_t index) {
            return layers[index].widths[choice[index]];
          });
        });
    if (!outputs)
      return outputs.takeError();
    double acc = accuracy(*outputs);
    tries.push_back(llvm::json::Object{
        {"bytes", int64_t(totalBytes(options, choice))},
        {"predicted_sqnr_db", jsonDb(toDb(totalNoise(options, choice)))},
        {"accuracy", acc}});
    measured[choice] = floatAccuracy - acc;
    return floatAccuracy - acc;
  };
  SmallVector<unsigned> smallest = chooseForNoise(options, INFINITY);
  SmallVector<unsigned> largest = chooseForNoise(options, 0.0);
  SmallVector<unsigned> best = largest;
  ProgressBar progress(0, "accuracy");
  llvm::Expected<double> drop = dropOf(smallest);
  if (!drop)
    return fail(llvm::toString(drop.takeError()));
  if (*drop <= maxDrop) {
    best = smallest;
  } else {
    drop = dropOf(largest);
    if (!drop)
      return fail(llvm::toString(drop.takeError()));
    if (*drop > maxDrop)
      emitWarning(getOperation().getLoc())
          << "qlip-choose-bits: with every layer at its widest the weights "
             "cost "
          << *drop << " points of top-1 accuracy, over max-drop=" << maxDrop;
    // Bisection over the target, in dB, between the two ends.
    double lo = toDb(totalNoise(options, smallest));
    double hi = std::min(toDb(totalNoise(options, largest)), lo + 120.0);
    for (int step = 0; step < kDropSearchSteps && hi - lo > 0.05; ++step) {
      double mid = 0.5 * (lo + hi);
      SmallVector<unsigned> choice =
          chooseForNoise(options, std::pow(10.0, -mid / 10.0));
      drop = dropOf(choice);
      if (!drop)
        return fail(llvm::toString(drop.takeError()));
      if (*drop <= maxDrop) {
        hi = mid;
        if (totalBytes(options, choice) <= totalBytes(options, best))
          best = choice;
      } else {
        lo = mid;
      }
      progress.update(1, step + 1, kDropSearchSteps);
    }
  }
  report["max_drop_points"] = maxDrop.getValue();
  report["samples"] = int64_t(rows);
  report["float_accuracy"] = floatAccuracy;
  report["accuracy"] = floatAccuracy - measured[best];
  report["tries"] = std::move(tries);
  return best;
}
