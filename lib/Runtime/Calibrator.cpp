//===- Calibrator.cpp - the JIT calibration run -----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Calibrator.h"

#include "qlip/Calibration/ActivationStats.h"
#include "qlip/Conversion/Passes.h"
#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Transforms/LayerInputs.h"
#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/ModelFingerprint.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FormatVariadic.h"

#include <cassert>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>

using namespace mlir;
using namespace mlir::qlip;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// "NaN", "inf" or "-inf".
static const char *describeNonFinite(float value) {
  if (std::isnan(value))
    return "NaN";
  return value > 0 ? "inf" : "-inf";
}

/// The position of the first NaN or infinity in `values`, if any. Blocks
/// are scanned with an integer OR of "exponent all ones" (no branch per
/// value, so the compiler vectorizes it; a float comparison chain could not
/// be reordered), and only a block that has one is searched again.
static std::optional<size_t> findNonFinite(llvm::ArrayRef<float> values) {
  constexpr size_t kBlock = 1024;
  constexpr uint32_t kExponent = 0x7f800000u;
  for (size_t start = 0; start < values.size(); start += kBlock) {
    size_t end = std::min(values.size(), start + kBlock);
    uint32_t any = 0;
    for (size_t i = start; i < end; ++i) {
      uint32_t bits;
      std::memcpy(&bits, &values[i], sizeof(bits));
      any |= static_cast<uint32_t>((bits & kExponent) == kExponent);
    }
    if (!any)
      continue;
    for (size_t i = start; i < end; ++i)
      if (!std::isfinite(values[i]))
        return i;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The C entry point
//===----------------------------------------------------------------------===//

/// The calibrator whose batch is running on this thread: the compiled code
/// runs on the thread that called Runner::run, so this is the one its
/// observers report to.
static thread_local Calibrator *activeCalibrator = nullptr;

extern "C" void qlip_calibration_observe(int64_t index, int64_t rank,
                                         void *descriptor) {
  if (activeCalibrator)
    activeCalibrator->observe(index, rank, descriptor);
}

namespace {
/// Makes a calibrator the one observers report to, for one batch.
class ActiveScope {
public:
  explicit ActiveScope(Calibrator *calibrator) {
    activeCalibrator = calibrator;
  }
  ~ActiveScope() { activeCalibrator = nullptr; }
  ActiveScope(const ActiveScope &) = delete;
  ActiveScope &operator=(const ActiveScope &) = delete;
};
} // namespace

//===----------------------------------------------------------------------===//
// Calibrator
//===----------------------------------------------------------------------===//

struct Calibrator::ObserverState {
  explicit ObserverState(unsigned numBins) : histogram(numBins) {}

  MomentAccumulator moments;
  Histogram histogram;
  /// Pass 2, centred on pass 1's mean.
  std::optional<AbsDeviationAccumulator> absDeviation;
  /// Calls in the current pass (0 after the pass: never reached).
  int64_t calls = 0;
};

/// One observer call: which observer, where its values are, and the batch
/// it came from (for messages).
struct Calibrator::Record {
  int64_t observer = 0;
  /// The values in Reports::values (overlap), else unused.
  size_t begin = 0, size = 0;
  int64_t firstSample = 0, validRows = 0;
  /// Values of the observed tensor, padding included.
  int64_t total = 0;
};

/// Observer calls whose values are not yet in the statistics, in order.
struct Calibrator::Reports {
  std::vector<float> values;
  std::vector<Record> records;
  void clear() {
    values.clear();
    records.clear();
  }
};

/// Values gathered before they are handed to the statistics thread: enough
/// that hand-overs (a mutex and a wake-up each) are rare, few enough that
/// the two buffers stay small next to the model.
static constexpr size_t kHandOverValues = size_t(1) << 18; // 1 MiB

Calibrator::Calibrator()
    : filling(std::make_unique<Reports>()),
      handed(std::make_unique<Reports>()) {}

Calibrator::~Calibrator() { stopWorker(); }

llvm::Expected<std::unique_ptr<Calibrator>>
Calibrator::create(ModuleOp module, llvm::StringRef entry,
                   const CalibratorOptions &options) {
  std::unique_ptr<Calibrator> calibrator(new Calibrator());
  if (options.numBins < kMinHistogramBins ||
      options.numBins > kMaxHistogramBins)
    return makeError(llvm::formatv("histogram bins must be {0} to {1}, got "
                                   "{2}",
                                   kMinHistogramBins, kMaxHistogramBins,
                                   options.numBins)
                         .str());
  calibrator->numBins = options.numBins;
  calibrator->exactMeanAbsDeviation = options.exactMeanAbsDeviation;
  // A second thread only helps if it gets a core of its own.
  calibrator->overlap =
      options.overlap && std::thread::hardware_concurrency() > 1;
  calibrator->observers = collectObservers(module);
  if (calibrator->observers.empty())
    return makeError("the model has no qlip.observe to calibrate; run "
                     "qlip-opt -qlip-insert-observers on it first");
  calibrator->fingerprint = computeModelFingerprint(module);

  // The observers become calls in a clone, numbered as collectObservers
  // numbered them above; the Runner then lowers the clone as any model
  // (it drops functions the entry does not call, but the indices are
  // already constants in the calls).
  OwningOpRef<ModuleOp> observed(module.clone());
  {
    std::string diagnostics;
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
      llvm::raw_string_ostream os(diagnostics);
      os << "\n  ";
      if (auto position = d.getLocation()->findInstanceOf<FileLineColLoc>())
        os << position.getFilename().getValue() << ":" << position.getLine()
           << ":" << position.getColumn() << ": ";
      os << d;
      return success();
    });
    PassManager pm(module.getContext(), ModuleOp::getOperationName());
    pm.addPass(createLowerObserversToCallsPass());
    if (failed(pm.run(*observed)))
      return makeError("cannot turn the observers into calls:" + diagnostics);
  }

  RunnerOptions runnerOptions;
  runnerOptions.optLevel = options.optLevel;
  runnerOptions.symbols[kObserveCallee] =
      reinterpret_cast<void *>(&qlip_calibration_observe);
  auto runner = Runner::create(*observed, entry, runnerOptions);
  if (!runner)
    return runner.takeError();
  calibrator->runners.push_back(std::move(*runner));
  // The module's other entry points run on the same samples when they take
  // the same inputs; the others are named if their observers go unreached.
  auto entryFunc = module.lookupSymbol<func::FuncOp>(entry);
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func == entryFunc || func.isPrivate() || func.isExternal())
      continue;
    if (func.getArgumentTypes() != entryFunc.getArgumentTypes()) {
      calibrator->otherSignatures.push_back(func.getSymName().str());
      continue;
    }
    auto other = Runner::create(*observed, func.getSymName(), runnerOptions);
    if (!other)
      return other.takeError();
    calibrator->runners.push_back(std::move(*other));
  }

  for (auto [i, spec] : llvm::enumerate(calibrator->getInputs())) {
    if (spec.shape.empty())
      return makeError(llvm::formatv("input #{0} of '{1}' ({2}) has no dim 0 "
                                     "to hold samples",
                                     i, entry, spec.str())
                           .str());
    if (i == 0)
      calibrator->batch = spec.shape.front();
    else if (spec.shape.front() != calibrator->batch)
      return makeError(llvm::formatv("input #{0} of '{1}' ({2}) does not have "
                                     "the batch size {3} of input #0 as its "
                                     "dim 0",
                                     i, entry, spec.str(), calibrator->batch)
                           .str());
  }
  if (calibrator->getInputs().empty())
    return makeError("'" + entry + "' takes no input to calibrate with");
  if (calibrator->batch == 0)
    return makeError("'" + entry + "' takes batches of 0 samples");

  calibrator->layerInputRows = options.layerInputRows;
  calibrator->plansByObserver.resize(calibrator->observers.size());
  if (options.layerInputRows > 0) {
    llvm::StringMap<int64_t> indices;
    for (auto [i, info] : llvm::enumerate(calibrator->observers))
      indices[info.id] = i;
    for (auto [position, layer] :
         llvm::enumerate(collectUnquantizedLayers(module))) {
      Operation *op = layer.first;
      ObserveOp observer = getInputObserver(op);
      std::optional<PatchGeometry> geometry =
          getInputPatchGeometry(op, calibrator->batch);
      if (!observer || !geometry)
        continue;
      // The observer must see exactly the layer's input, whole samples
      // (reshapes between them keep the order).
      auto observed = cast<ShapedType>(observer.getType());
      if (!observed.hasStaticShape() ||
          observed.getNumElements() !=
              calibrator->batch * geometry->sampleSize())
        continue;
      int64_t index = indices.lookup(observer.getId());
      calibrator->plansByObserver[index].push_back(
          calibrator->layerInputPlans.size());
      calibrator->layerInputPlans.push_back(
          {getLayerName(op, position), position, index, *geometry});
    }
  }
  return std::move(calibrator);
}

llvm::Error Calibrator::checkSamples(llvm::ArrayRef<NpyArray> samples,
                                     llvm::ArrayRef<std::string> names) const {
  if (llvm::Error error = checkSampleArrays(*runners.front(), samples, names,
                                            "calibration array(s)",
                                            "calibration"))
    return error;
  for (auto [i, array] : llvm::enumerate(samples)) {
    if (array.hasElementType<float>()) {
      llvm::ArrayRef<float> values = array.getValues<float>();
      if (std::optional<size_t> bad = findNonFinite(values)) {
        size_t row = values.size() / array.shape.front();
        return makeError(llvm::formatv("{0}: sample {1} holds {2} (element "
                                       "{3} of the sample); calibration data "
                                       "must be finite",
                                       names[i], *bad / row,
                                       describeNonFinite(values[*bad]),
                                       *bad % row)
                             .str());
      }
    } else if (array.hasElementType<double>()) {
      llvm::ArrayRef<double> values = array.getValues<double>();
      for (auto [k, value] : llvm::enumerate(values))
        if (!std::isfinite(value)) {
          size_t row = values.size() / array.shape.front();
          return makeError(llvm::formatv("{0}: sample {1} holds {2} (element "
                                         "{3} of the sample); calibration "
                                         "data must be finite",
                                         names[i], k / row,
                                         describeNonFinite(float(value)),
                                         k % row)
                               .str());
        }
    }
  }
  return llvm::Error::success();
}

void Calibrator::observe(int64_t index, int64_t rank, const void *descriptor) {
  // After an error the rest of the batch would only repeat or follow from
  // it (and must not replace the first message).
  if (!runError.empty() || statsFailed)
    return;
  if (index < 0 || index >= static_cast<int64_t>(states.size())) {
    runError = llvm::formatv("the model reported observer #{0}, but has {1} "
                             "observers (was it lowered for another "
                             "module?)",
                             index, states.size())
                   .str();
    return;
  }
  const ObserverInfo &info = observers[index];
  ++states[index].calls;

  // The ranked descriptor: allocated and aligned pointers, offset, sizes,
  // strides.
  const int64_t *words = static_cast<const int64_t *>(descriptor);
  const float *aligned =
      reinterpret_cast<const float *>(static_cast<intptr_t>(words[1]));
  int64_t offset = words[2];
  llvm::ArrayRef<int64_t> sizes(words + 3, rank);
  llvm::ArrayRef<int64_t> strides(words + 3 + rank, rank);
  int64_t total = 1;
  for (int64_t size : sizes)
    total *= size;

  // Only the leading rows of the last batch are samples; the rest is
  // padding.
  int64_t valid = total;
  if (validRows < batch) {
    if (total % batch != 0) {
      runError =
          llvm::formatv("observer '{0}' ({1}) holds {2} values, not a multiple "
                        "of the batch size {3}, so the padding of the last "
                        "batch cannot be left out; give a number of samples "
                        "that is a multiple of {3}",
                        info.id, info.type, total, batch)
              .str();
      return;
    }
    valid = total / batch * validRows;
  }

  Record record;
  record.observer = index;
  record.firstSample = firstSample;
  record.validRows = validRows;
  record.total = total;

  // Row-major contiguous (size-1 dims may have any stride)? Then the values
  // are read in place; otherwise the valid ones are gathered in row-major
  // order.
  bool contiguous = true;
  int64_t expectedStride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (sizes[d] != 1 && strides[d] != expectedStride)
      contiguous = false;
    expectedStride *= sizes[d];
  }
  const float *data = aligned + offset;
  if (!contiguous) {
    gathered.resize(valid);
    llvm::SmallVector<int64_t> position(rank, 0);
    int64_t linear = offset;
    for (int64_t i = 0; i < valid; ++i) {
      gathered[i] = aligned[linear];
      // Next position in row-major order.
      for (int64_t d = rank - 1; d >= 0; --d) {
        linear += strides[d];
        if (++position[d] < sizes[d])
          break;
        linear -= strides[d] * sizes[d];
        position[d] = 0;
      }
    }
    data = gathered.data();
  }

  // Pass 2 only sums |x - mean|, cheaper than copying the values for
  // another thread.
  if (!overlap || pass == 2) {
    process(record, llvm::ArrayRef<float>(data, valid));
    return;
  }
  // The compiled code reuses its buffers: the values are copied for the
  // statistics thread.
  record.begin = filling->values.size();
  record.size = valid;
  filling->values.insert(filling->values.end(), data, data + valid);
  filling->records.push_back(record);
  if (filling->values.size() >= kHandOverValues)
    submit();
}

void Calibrator::process(const Record &record, llvm::ArrayRef<float> values) {
  ObserverState &state = states[record.observer];
  if (pass == 2) {
    state.absDeviation->add(values);
    return;
  }
  if (std::optional<size_t> bad = findNonFinite(values)) {
    const ObserverInfo &info = observers[record.observer];
    int64_t total = record.total;
    std::string where =
        total % batch == 0
            ? llvm::formatv("sample {0}",
                            record.firstSample +
                                static_cast<int64_t>(*bad) / (total / batch))
                  .str()
            : llvm::formatv("samples {0} to {1}", record.firstSample,
                            record.firstSample + record.validRows - 1)
                  .str();
    statsError = llvm::formatv("observer '{0}' ({1}, in '{2}') saw {3} in {4}; "
                               "calibration needs finite activations",
                               info.id, info.type, info.function,
                               describeNonFinite(values[*bad]), where)
                     .str();
    statsFailed = true;
    return;
  }
  state.moments.add(values);
  state.histogram.add(values);
  for (size_t plan : plansByObserver[record.observer])
    layerInputs[plan].addSamples(values);
}

void Calibrator::processAll(const Reports &reports) {
  for (const Record &record : reports.records) {
    // After the first error the rest would only repeat or follow from it.
    if (statsFailed)
      return;
    process(record, llvm::ArrayRef<float>(reports.values.data() + record.begin,
                                          record.size));
  }
}

void Calibrator::submit() {
  if (filling->records.empty())
    return;
  {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return !handedFull; });
    std::swap(filling, handed);
    handedFull = true;
  }
  changed.notify_all();
  // What comes back is the buffer the worker is done with; its capacity is
  // reused.
  filling->clear();
}

void Calibrator::startWorker() {
  if (!overlap || pass == 2)
    return;
  stopping = false;
  worker = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      changed.wait(lock, [&] { return handedFull || stopping; });
      if (!handedFull)
        return;
      lock.unlock();
      processAll(*handed);
      lock.lock();
      handedFull = false;
      changed.notify_all();
    }
  });
}

void Calibrator::stopWorker() {
  if (!worker.joinable())
    return;
  submit();
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  changed.notify_all();
  worker.join();
}

llvm::Error Calibrator::runPass(unsigned passNumber,
                                llvm::ArrayRef<NpyArray> samples,
                                const CalibrationProgress &progress) {
  int64_t rows = samples.front().shape.front();
  std::vector<NpyArray> inputs;
  std::vector<std::vector<NpyArray>> outputs(runners.size());
  for (const TensorSpec &spec : getInputs())
    inputs.push_back(spec.makeArray());
  for (auto [runner, arrays] : llvm::zip_equal(runners, outputs))
    for (const TensorSpec &spec : runner->getOutputs())
      arrays.push_back(spec.makeArray());
  for (ObserverState &state : states)
    state.calls = 0;

  pass = passNumber;
  // Stopped on every way out: the thread must be joined, and the values
  // still in flight must reach the statistics before they are read.
  startWorker();
  llvm::scope_exit stop([&] { stopWorker(); });
  for (int64_t first = 0; first < rows; first += batch) {
    int64_t count = std::min(batch, rows - first);
    fillBatch(samples, first, count, inputs);
    firstSample = first;
    validRows = count;
    {
      ActiveScope scope(this);
      for (auto [runner, arrays] : llvm::zip_equal(runners, outputs))
        if (llvm::Error error = runner->run(inputs, arrays))
          return error;
    }
    if (!runError.empty() || statsFailed)
      break;
    if (progress)
      progress(passNumber, first + count, rows);
  }
  stopWorker();
  // Values reported before a run error were processed first: an error in
  // them comes first.
  if (statsFailed)
    return makeError(statsError);
  if (!runError.empty())
    return makeError(runError);

  for (auto [info, state] : llvm::zip_equal(observers, states)) {
    if (state.calls != 0)
      continue;
    std::string ran;
    for (const auto &runner : runners)
      ran += (ran.empty() ? "'" : ", '") + runner->getEntry().str() + "'";
    std::string message = "observer '" + info.id + "' (in '" + info.function +
                          "') was never reached: " + ran +
                          (runners.size() > 1 ? " do" : " does") +
                          " not run it, so it would get no statistics";
    if (llvm::is_contained(otherSignatures, info.function))
      message += "; '" + info.function + "' takes other inputs than '" +
                 runners.front()->getEntry().str() +
                 "', so the calibration data cannot feed it: quantize it "
                 "from a module of its own";
    return makeError(message);
  }
  return llvm::Error::success();
}

std::vector<LayerInputResult> Calibrator::takeLayerInputs() {
  std::vector<LayerInputResult> results;
  for (auto [plan, moments] : llvm::zip_equal(layerInputPlans, layerInputs)) {
    LayerInputResult result;
    result.layer = plan.layer;
    result.position = plan.position;
    result.geometry = plan.geometry;
    result.rows = moments.getRows();
    result.secondMoment = moments.secondMoment();
    result.firstMoment = moments.firstMoment();
    results.push_back(std::move(result));
  }
  layerInputs.clear();
  return results;
}

llvm::Expected<StatsFile>
Calibrator::calibrate(llvm::ArrayRef<NpyArray> samples,
                      const CalibrationProgress &progress) {
  llvm::SmallVector<std::string> names;
  for (size_t i = 0; i < samples.size(); ++i)
    names.push_back("calibration input #" + std::to_string(i));
  if (llvm::Error checkError = checkSamples(samples, names))
    return std::move(checkError);

  runError.clear();
  statsError.clear();
  maxMadError = 0;
  statsFailed = false;
  states.clear();
  states.reserve(observers.size());
  for (size_t i = 0; i < observers.size(); ++i)
    states.emplace_back(numBins);
  layerInputs.clear();
  for (const LayerInputPlan &plan : layerInputPlans)
    layerInputs.emplace_back(plan.geometry, samples.front().shape.front(),
                             layerInputRows);

  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  if (llvm::Error passError = runPass(1, samples, progress))
    return std::move(passError);
  auto middle = Clock::now();
  if (exactMeanAbsDeviation) {
    for (ObserverState &state : states)
      state.absDeviation.emplace(state.moments.mean());
    if (llvm::Error passError = runPass(2, samples, progress))
      return std::move(passError);
  }
  auto end = Clock::now();
  passSeconds = {std::chrono::duration<double>(middle - start).count(),
                 exactMeanAbsDeviation
                     ? std::chrono::duration<double>(end - middle).count()
                     : 0.0};

  StatsFile stats;
  stats.fingerprint = fingerprint;
  stats.samples = samples.front().shape.front();
  for (auto [info, state] : llvm::zip_equal(observers, states)) {
    const MomentAccumulator &moments = state.moments;
    if (moments.count() == 0)
      return makeError("observer '" + info.id + "' (" + info.type +
                       ") saw no values: it observes an empty tensor");
    // Both passes ran the same code on the same data.
    if (state.absDeviation && state.absDeviation->count() != moments.count())
      return makeError(llvm::formatv("observer '{0}' saw {1} values in pass "
                                     "2 but {2} in pass 1: the model does "
                                     "not compute the same thing twice",
                                     info.id, state.absDeviation->count(),
                                     moments.count())
                           .str());
    ObserverStats entry;
    entry.id = info.id;
    entry.count = moments.count();
    entry.min = moments.min();
    entry.max = moments.max();
    entry.mean = moments.mean();
    if (state.absDeviation) {
      entry.meanAbsDeviation = state.absDeviation->meanAbsDeviation();
    } else {
      double bound;
      // The true value is at most the standard deviation; so is the
      // estimate, then, and never further from the truth.
      entry.meanAbsDeviation =
          std::min(state.histogram.meanAbsDeviation(moments.mean(), &bound),
                   moments.stddev());
      if (entry.meanAbsDeviation > 0)
        maxMadError = std::max(maxMadError, bound / entry.meanAbsDeviation);
    }
    entry.stddev = moments.stddev();
    entry.kurtosis = moments.kurtosis();
    entry.histogramEdges = state.histogram.edges();
    entry.histogramCounts.assign(state.histogram.counts().begin(),
                                 state.histogram.counts().end());
    stats.observers.push_back(std::move(entry));
  }
  return stats;
}
