//===- MeasureReport.cpp - run the models a report compares ---------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// One float model and one fake-quant model that return every layer's
// output besides their results, and per layer an isolated model that keeps
// only that layer's fake_quants and returns only its output (the rest of
// the model is dead code the lowering drops). All of them run on the same
// batches; the SQNRs are summed over the batches' valid rows.
//
//===----------------------------------------------------------------------===//

#include "qlip/Report/QuantizationReport.h"

#include "LayerProbes.h"

#include "qlip/Transforms/LayerNames.h"
#include "dialects/Qlip/IR/FloatElements.h"
#include "qlip/Calibration/ActivationClip.h"
#include "qlip/Calibration/ClipMath.h"
#include "qlip/Runtime/Metrics.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Runtime/Runner.h"
#include "qlip/Transforms/ModelFingerprint.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qlip;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static std::string printType(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

static std::string printTypes(TypeRange types) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(types, os);
  return text;
}

/// The entry function of `module`, which the report can rewrite: defined,
/// one block.
static llvm::Expected<func::FuncOp> getEntry(ModuleOp module,
                                             llvm::StringRef entry,
                                             llvm::StringRef name) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    return makeError(name + ": no function '" + entry + "'");
  if (func.isExternal())
    return makeError(name + ": '" + entry + "' is a declaration");
  if (!func.getBody().hasOneBlock())
    return makeError(name + ": '" + entry +
                     "' has more than one block, which qlip-report does not "
                     "take");
  return func;
}

/// Checks that the two functions compute the same ops in the same order.
static llvm::Error checkSameOps(func::FuncOp fakeQuant, func::FuncOp floatFunc,
                                const ComputeOps &fakeQuantOps,
                                const ComputeOps &floatOps,
                                const ReportOptions &options) {
  std::string models =
      llvm::formatv("{0} is not a quantization of {1}", options.modelName,
                    options.floatName)
          .str();
  if (fakeQuant.getFunctionType() != floatFunc.getFunctionType())
    return makeError(llvm::formatv("{0}: '{1}' has type {2} in one and {3} "
                                   "in the other",
                                   models, options.entry,
                                   printType(fakeQuant.getFunctionType()),
                                   printType(floatFunc.getFunctionType()))
                         .str());
  llvm::ArrayRef<Operation *> q = fakeQuantOps.getOps(), f = floatOps.getOps();
  for (size_t i = 0, e = std::min(q.size(), f.size()); i < e; ++i) {
    if (q[i]->getName() == f[i]->getName() &&
        q[i]->getResultTypes() == f[i]->getResultTypes())
      continue;
    return makeError(
        llvm::formatv("{0}: op #{1} of '{2}' is {3} -> ({4}) in one and {5} "
                      "-> ({6}) in the other",
                      models, i, options.entry, q[i]->getName(),
                      printTypes(q[i]->getResultTypes()), f[i]->getName(),
                      printTypes(f[i]->getResultTypes()))
            .str());
  }
  if (q.size() != f.size())
    return makeError(llvm::formatv("{0}: '{1}' computes {2} ops in one and {3} "
                                   "in the other",
                                   models, options.entry, q.size(), f.size())
                         .str());
  return llvm::Error::success();
}

static ReportQuantizer describe(FakeQuantOp op) {
  QParamsAttr qparams = op.getQparams();
  ReportQuantizer quantizer;
  quantizer.bits = qparams.getBits();
  quantizer.isSigned = qparams.getIsSigned();
  quantizer.rule = stringifyClipRule(qparams.getRule()).str();
  llvm::ArrayRef<double> lo = qparams.getClipMin().asArrayRef();
  llvm::ArrayRef<double> hi = qparams.getClipMax().asArrayRef();
  quantizer.clipMin.assign(lo.begin(), lo.end());
  quantizer.clipMax.assign(hi.begin(), hi.end());
  return quantizer;
}

/// `op`'s parameters on the same clip ranges at 8 bits, or null when they
/// are 8 bits or wider: the "what if this were 8-bit" of the sensitivity.
static QParamsAttr atEightBits(FakeQuantOp op) {
  QParamsAttr q = op.getQparams();
  if (q.getBits() >= 8)
    return nullptr;
  llvm::ArrayRef<double> lo = q.getClipMin().asArrayRef();
  llvm::ArrayRef<double> hi = q.getClipMax().asArrayRef();
  llvm::SmallVector<double> scales;
  llvm::SmallVector<int64_t> zeroPoints;
  for (auto [min, max] : llvm::zip_equal(lo, hi)) {
    if (q.getIsSigned() && q.getNarrowRange()) {
      // A weight's symmetric grid: zero point 0, the clip at the top level.
      double alpha = std::max(std::fabs(min), std::fabs(max));
      scales.push_back(clipScale(alpha, QuantGrid::signedNarrow(8)));
      zeroPoints.push_back(0);
    } else {
      AffineQuantization affine = nudgeRange(
          {min, max}, q.getIsSigned() ? QuantGrid::signedFull(8)
                                      : QuantGrid::unsignedFull(8));
      scales.push_back(affine.scale);
      zeroPoints.push_back(affine.zeroPoint);
    }
  }
  return QParamsAttr::get(op.getContext(), 8, q.getIsSigned(),
                          q.getNarrowRange(), q.getAxis(), scales, zeroPoints,
                          lo, hi, q.getRule());
}

/// The id of the observer on `value` in the float model, or "".
static std::string getObserverId(Value value) {
  for (Operation *user : value.getUsers())
    if (auto observe = dyn_cast<ObserveOp>(user))
      return observe.getId().str();
  return "";
}

/// A histogram of `values` in `bins` equal bins over [-extent, extent].
static ReportHistogram makeSymmetricHistogram(llvm::ArrayRef<float> values,
                                              double extent, size_t bins) {
  ReportHistogram histogram;
  if (values.empty() || !(extent > 0))
    return histogram;
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  histogram.min = *lo;
  histogram.max = *hi;
  for (size_t i = 0; i <= bins; ++i)
    histogram.edges.push_back(-extent + 2 * extent * double(i) / double(bins));
  histogram.counts.assign(bins, 0);
  for (float value : values) {
    double bin = std::floor((value + extent) / (2 * extent) * bins);
    histogram.counts[std::clamp<size_t>(static_cast<size_t>(std::max(bin, 0.0)),
                                        0, bins - 1)] += 1;
  }
  return histogram;
}

/// The weight's values, binned over [-a, a] with a its largest magnitude or
/// clip, whichever is wider.
static ReportHistogram getWeightHistogram(Value weight,
                                          const ReportQuantizer *quantizer) {
  ElementsAttr attr;
  if (!matchPattern(weight, m_Constant(&attr)))
    return {};
  std::optional<FloatElements> elements = FloatElements::read(attr);
  if (!elements)
    return {};
  double extent = 0;
  for (float value : elements->values())
    extent = std::max(extent, std::fabs(double(value)));
  if (quantizer)
    for (auto [lo, hi] : llvm::zip_equal(quantizer->clipMin, quantizer->clipMax))
      extent = std::max({extent, std::fabs(lo), std::fabs(hi)});
  constexpr size_t kWeightBins = 64;
  return makeSymmetricHistogram(elements->values(), extent, kWeightBins);
}

/// The observer's histogram from the statistics file.
static ReportHistogram getObservedHistogram(const ObserverStats &stats) {
  ReportHistogram histogram;
  histogram.min = stats.min;
  histogram.max = stats.max;
  histogram.edges.assign(stats.histogramEdges.begin(),
                         stats.histogramEdges.end());
  histogram.counts.assign(stats.histogramCounts.begin(),
                          stats.histogramCounts.end());
  return histogram;
}

/// Each output channel's smallest and largest value of the constant
/// `weight` along `axis`.
static void getChannelRanges(Value weight, int64_t axis,
                             std::vector<double> &channelMin,
                             std::vector<double> &channelMax) {
  ElementsAttr attr;
  if (!matchPattern(weight, m_Constant(&attr)))
    return;
  std::optional<FloatElements> elements = FloatElements::read(attr);
  auto type = dyn_cast<ShapedType>(weight.getType());
  if (!elements || !type || !type.hasStaticShape() || axis >= type.getRank())
    return;
  int64_t channels = type.getDimSize(axis);
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  channelMin.assign(channels, std::numeric_limits<double>::infinity());
  channelMax.assign(channels, -std::numeric_limits<double>::infinity());
  for (auto [index, value] : llvm::enumerate(elements->values())) {
    int64_t channel = (int64_t(index) / inner) % channels;
    channelMin[channel] = std::min(channelMin[channel], double(value));
    channelMax[channel] = std::max(channelMax[channel], double(value));
  }
}

/// Returns exactly `values` from `func`.
static void setResults(func::FuncOp func, llvm::ArrayRef<Value> values) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  ret->setOperands(values);
  func.removeResAttrsAttr();
  func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                 ValueRange(values).getTypes()));
}

namespace {
/// The first `count` rows of a result whose dim 0 is the batch, as
/// doubles: the rows of the padding left out.
std::vector<double> getValidRows(const NpyArray &array, int64_t batch,
                                 int64_t count) {
  std::vector<double> values = array.toDoubles();
  if (!array.shape.empty() && array.shape.front() == batch && batch > 0)
    values.resize(values.size() / batch * count);
  return values;
}

/// A compiled model and the buffers of its results.
struct CompiledModel {
  std::unique_ptr<Runner> runner;
  std::vector<NpyArray> results;
};

llvm::Expected<CompiledModel> compile(ModuleOp module, const Twine &name,
                                      const ReportOptions &options) {
  RunnerOptions runnerOptions;
  runnerOptions.optLevel = options.optLevel;
  auto runner = Runner::create(module, options.entry, runnerOptions);
  if (!runner)
    return makeError(name + ": " + llvm::toString(runner.takeError()));
  CompiledModel model;
  model.runner = std::move(*runner);
  for (const TensorSpec &spec : model.runner->getOutputs())
    model.results.push_back(spec.makeArray());
  return model;
}
} // namespace

llvm::Expected<QuantizationReport> mlir::qlip::measureQuantizationReport(
    ModuleOp fakeQuant, ModuleOp observed, const StatsFile &stats,
    llvm::ArrayRef<NpyArray> samples, const ReportOptions &options) {
  QuantizationReport report;
  report.modelName = options.modelName;
  report.floatName = options.floatName;
  report.statsName = options.statsName;
  report.sampleNames = options.sampleNames;
  report.entry = options.entry;
  if (report.sampleNames.size() != samples.size())
    for (size_t i = report.sampleNames.size(); i < samples.size(); ++i)
      report.sampleNames.push_back(llvm::formatv("samples #{0}", i).str());

  // The models, and whether they belong together.
  llvm::Expected<func::FuncOp> qFunc =
      getEntry(fakeQuant, options.entry, options.modelName);
  if (!qFunc)
    return qFunc.takeError();
  llvm::Expected<func::FuncOp> fFunc =
      getEntry(observed, options.entry, options.floatName);
  if (!fFunc)
    return fFunc.takeError();
  bool hasFakeQuant = false;
  qFunc->walk([&](FakeQuantOp) { hasFakeQuant = true; });
  if (!hasFakeQuant)
    return makeError(options.modelName + ": '" + options.entry +
                     "' has no qlip.fake_quant: give the fake-quant model "
                     "(from qlip-quantize-weights and "
                     "qlip-quantize-activations, before qlip-quantize)");
  std::string fingerprint = computeModelFingerprint(observed);
  if (fingerprint != stats.fingerprint)
    return makeError(llvm::formatv("{0} was gathered on another model than "
                                   "{1} (fingerprint {2}, the model's is "
                                   "{3}): give the model qlip-calibrate ran "
                                   "on",
                                   options.statsName, options.floatName,
                                   stats.fingerprint, fingerprint)
                         .str());
  ComputeOps qOps(*qFunc), fOps(*fFunc);
  if (llvm::Error error =
          checkSameOps(*qFunc, *fFunc, qOps, fOps, options))
    return std::move(error);
  SmallVector<ProbedLayer> layers = findLayers(qOps);
  if (layers.empty())
    return makeError(options.modelName + ": '" + options.entry +
                     "' has no weight layer (conv2d, depthwise_conv2d, "
                     "transpose_conv2d or matmul with a constant weight)");

  // What the models say about each layer.
  llvm::StringMap<const ObserverStats *> observers;
  for (const ObserverStats &observer : stats.observers)
    observers[observer.id] = &observer;
  for (auto [position, layer] : llvm::enumerate(layers)) {
    Operation *qOp = qOps.getOps()[layer.op];
    Operation *fOp = fOps.getOps()[layer.op];
    ReportLayer entry;
    entry.name = getLocationName(qOp->getLoc()) ? getLayerName(qOp, position)
                                                : getLayerName(fOp, position);
    entry.opName = qOp->getName().getStringRef().str();
    entry.location = getLocationPosition(qOp->getLoc()).value_or("");
    entry.outputType = printType(getMeasuredValue(layer, qOps).getType());
    Value floatOutput = fOps.lookup(layer.outputPosition);
    if (layer.weight)
      entry.weight = describe(layer.weight);
    if (layer.input) {
      entry.input = describe(layer.input);
      if (std::optional<ValuePosition> at = qOps.find(layer.input.getInput()))
        entry.input->observer = getObserverId(fOps.lookup(*at));
    }
    std::string outputObserver = getObserverId(floatOutput);
    if (layer.output) {
      entry.output = describe(layer.output);
      entry.output->observer = outputObserver;
    }
    if (auto it = observers.find(outputObserver); it != observers.end())
      entry.outputHistogram = getObservedHistogram(*it->second);
    Value weight = qOp->getOperand(getWeightOperand(qOp)->index);
    if (layer.weight)
      weight = layer.weight.getInput();
    entry.weightHistogram =
        getWeightHistogram(weight, entry.weight ? &*entry.weight : nullptr);
    getChannelRanges(weight, getWeightOperand(qOp)->channelAxis,
                     entry.channelMin, entry.channelMax);
    report.layers.push_back(std::move(entry));
  }

  // Every quantized activation, with what calibration saw there.
  qFunc->walk([&](FakeQuantOp op) {
    if (matchPattern(op.getInput(), m_Constant()))
      return;
    ReportActivation activation;
    Operation *producer = op.getInput().getDefiningOp();
    Location loc = producer ? producer->getLoc() : op.getLoc();
    activation.name = getLocationName(loc).value_or(
        producer ? getLocationPosition(loc).value_or("") : "input");
    activation.opName =
        producer ? producer->getName().getStringRef().str() : "argument";
    activation.quantizer = describe(op);
    if (std::optional<ValuePosition> at = qOps.find(op.getInput()))
      if (auto it = observers.find(getObserverId(fOps.lookup(*at)));
          it != observers.end())
        activation.histogram = getObservedHistogram(*it->second);
    report.activations.push_back(std::move(activation));
  });
  if (!options.labels.empty() &&
      int64_t(options.labels.size()) != samples.front().shape.front())
    return makeError(llvm::formatv("{0} labels for {1} samples",
                                   options.labels.size(),
                                   samples.front().shape.front())
                         .str());

  // The models that run: float and fake-quant with every layer's output
  // as an extra result, and one isolated model per layer.
  size_t numResults = qFunc->getNumResults();
  auto withLayerOutputs = [&](ModuleOp module, const Twine &name,
                              bool measureFakeQuant)
      -> llvm::Expected<CompiledModel> {
    OwningOpRef<ModuleOp> clone(module.clone());
    auto func = clone->lookupSymbol<func::FuncOp>(options.entry);
    ComputeOps ops(func);
    SmallVector<ProbedLayer> cloneLayers = findLayers(ops);
    SmallVector<Value> values(
        func.getBody().front().getTerminator()->getOperands());
    for (const ProbedLayer &layer : measureFakeQuant ? cloneLayers : layers)
      values.push_back(measureFakeQuant ? getMeasuredValue(layer, ops)
                                        : ops.lookup(layer.outputPosition));
    setResults(func, values);
    return compile(*clone, name, options);
  };
  llvm::Expected<CompiledModel> floatModel =
      withLayerOutputs(observed, options.floatName, false);
  if (!floatModel)
    return floatModel.takeError();
  // The samples, in batches: checked before the other models compile.
  Runner &floatRunner = *floatModel->runner;
  if (llvm::Error error =
          checkSampleArrays(floatRunner, samples, report.sampleNames,
                            "sample array(s)", "the report"))
    return std::move(error);
  int64_t rows = samples.front().shape.front();
  int64_t batch = floatRunner.getInputs().front().shape.front();
  if (batch == 0)
    return makeError(options.floatName + ": '" + options.entry +
                     "' takes batches of 0 samples");
  report.samples = rows;
  report.batch = batch;
  if (rows % batch != 0)
    for (auto [i, spec] : llvm::enumerate(floatRunner.getOutputs()))
      if (spec.shape.empty() || spec.shape.front() != batch) {
        std::string what =
            i < numResults
                ? llvm::formatv("result #{0}", i).str()
                : "the output of " + report.layers[i - numResults].name;
        return makeError(llvm::formatv(
                             "{0} of '{1}' ({2}) does not have the batch "
                             "size {3} as its dim 0, so the padding of the "
                             "last batch cannot be left out: give a multiple "
                             "of {3} samples",
                             what, options.entry, spec.str(), batch)
                             .str());
      }

  llvm::Expected<CompiledModel> cumulative =
      withLayerOutputs(fakeQuant, options.modelName, true);
  if (!cumulative)
    return cumulative.takeError();
  std::vector<CompiledModel> isolated;
  for (auto [index, entry] : llvm::enumerate(report.layers)) {
    OwningOpRef<ModuleOp> clone(fakeQuant.clone());
    auto func = clone->lookupSymbol<func::FuncOp>(options.entry);
    ComputeOps ops(func);
    ProbedLayer layer = findLayers(ops)[index];
    llvm::SmallPtrSet<Operation *, 4> keep;
    for (FakeQuantOp op : {layer.weight, layer.input, layer.output})
      if (op)
        keep.insert(op);
    stripFakeQuants(func, keep);
    setResults(func, {getMeasuredValue(layer, ops)});
    llvm::Expected<CompiledModel> model = compile(
        *clone, options.modelName + " with only " + entry.name + " quantized",
        options);
    if (!model)
      return model.takeError();
    isolated.push_back(std::move(*model));
  }

  // The sensitivity: per layer, the whole fake-quant model with that
  // layer's weight and input left float, and with them at 8 bits.
  struct Variant {
    size_t layer;
    bool eightBit;
    CompiledModel model;
    SqnrAccumulator sqnr;
  };
  std::vector<Variant> variants;
  ProgressBar progress(2, "steps");
  size_t numVariants = options.sensitivity ? 2 * layers.size() : 0;
  for (size_t index = 0; index < numVariants; ++index) {
    size_t l = index / 2;
    bool eightBit = index % 2;
    OwningOpRef<ModuleOp> clone(fakeQuant.clone());
    auto func = clone->lookupSymbol<func::FuncOp>(options.entry);
    ComputeOps ops(func);
    ProbedLayer layer = findLayers(ops)[l];
    bool changed = false;
    for (FakeQuantOp op : {layer.weight, layer.input}) {
      if (!op)
        continue;
      if (!eightBit) {
        op.getOutput().replaceAllUsesWith(op.getInput());
        op.erase();
        changed = true;
      } else if (QParamsAttr wider = atEightBits(op)) {
        op.setQparamsAttr(wider);
        changed = true;
      }
    }
    if (options.progress)
      progress.update(1, index + 1, numVariants);
    if (!changed)
      continue;
    setResults(func, {func.getBody().front().getTerminator()->getOperand(0)});
    llvm::Expected<CompiledModel> model = compile(
        *clone,
        options.modelName + " with " + report.layers[l].name +
            (eightBit ? " at 8 bits" : " float"),
        options);
    if (!model)
      return model.takeError();
    variants.push_back({l, eightBit, std::move(*model), {}});
  }

  std::vector<NpyArray> inputs;
  for (const TensorSpec &spec : floatRunner.getInputs())
    inputs.push_back(spec.makeArray());
  size_t floatCorrect = 0, quantizedCorrect = 0;
  std::vector<SqnrAccumulator> isolatedSqnr(layers.size()),
      cumulativeSqnr(layers.size()), resultSqnr(numResults);
  report.results.resize(numResults);
  for (int64_t first = 0; first < rows; first += batch) {
    int64_t count = std::min(batch, rows - first);
    fillBatch(samples, first, count, inputs);
    for (CompiledModel *model : {&*floatModel, &*cumulative})
      if (llvm::Error error = model->runner->run(inputs, model->results))
        return std::move(error);
    auto valid = [&](const NpyArray &array) {
      return getValidRows(array, batch, count);
    };
    for (size_t r = 0; r < numResults; ++r) {
      std::vector<double> q = valid(cumulative->results[r]);
      std::vector<double> f = valid(floatModel->results[r]);
      resultSqnr[r].add(q, f);
      const NpyArray &array = floatModel->results[r];
      size_t rowLength = array.shape.empty() ? 1 : array.shape.back();
      if (rowLength == 0)
        continue;
      report.results[r].rows += q.size() / rowLength;
      report.results[r].top1Agreement += countTop1Agreement(q, f, rowLength);
    }
    if (!options.labels.empty()) {
      const NpyArray &array = floatModel->results.front();
      size_t rowLength = array.shape.empty() ? 1 : array.shape.back();
      llvm::ArrayRef<int64_t> batchLabels =
          llvm::ArrayRef(options.labels).slice(first, count);
      floatCorrect += countTop1Correct(valid(floatModel->results.front()),
                                       rowLength, batchLabels);
      quantizedCorrect += countTop1Correct(
          valid(cumulative->results.front()), rowLength, batchLabels);
    }
    std::vector<double> firstResult = valid(floatModel->results.front());
    for (Variant &variant : variants) {
      if (llvm::Error error =
              variant.model.runner->run(inputs, variant.model.results))
        return std::move(error);
      variant.sqnr.add(valid(variant.model.results.front()), firstResult);
    }
    if (options.progress)
      progress.update(2, first + count, rows);
    for (size_t l = 0; l < layers.size(); ++l) {
      std::vector<double> f = valid(floatModel->results[numResults + l]);
      cumulativeSqnr[l].add(valid(cumulative->results[numResults + l]), f);
      CompiledModel &model = isolated[l];
      if (llvm::Error error = model.runner->run(inputs, model.results))
        return std::move(error);
      isolatedSqnr[l].add(valid(model.results.front()), f);
    }
  }
  for (size_t l = 0; l < layers.size(); ++l) {
    report.layers[l].isolatedSqnrDb = isolatedSqnr[l].db();
    report.layers[l].cumulativeSqnrDb = cumulativeSqnr[l].db();
  }
  for (size_t r = 0; r < numResults; ++r) {
    report.results[r].type = floatRunner.getOutputs()[r].str();
    report.results[r].sqnrDb = resultSqnr[r].db();
  }
  for (Variant &variant : variants)
    (variant.eightBit ? report.layers[variant.layer].eightBitLayerSqnrDb
                      : report.layers[variant.layer].floatLayerSqnrDb) =
        variant.sqnr.db();
  if (!options.labels.empty()) {
    report.floatAccuracy = 100.0 * floatCorrect / rows;
    report.quantizedAccuracy = 100.0 * quantizedCorrect / rows;
  }
  return report;
}
