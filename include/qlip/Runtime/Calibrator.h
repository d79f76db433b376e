//===- Calibrator.h - the JIT calibration run -------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Runs a model with observers (the output of qlip-insert-observers) over
// calibration samples and streams every observer's values into statistics,
// without keeping any activation:
//
//   auto calibrator = Calibrator::create(module, "main");
//   auto stats = (*calibrator)->calibrate(samples); // a StatsFile
//   writeStatsFile("stats.json", *stats);
//
// The model is compiled with `qlip-lower-observers-to-calls`, so each
// observer calls `qlip_calibration_observe(index, rank, descriptor)` (the C
// entry point below, registered with the JIT through RunnerOptions::symbols)
// with a memref descriptor of its values in place. Pass 1 gathers, per
// observer, count, min, max, mean, the central moments (MomentAccumulator)
// and the exact growing histogram with per-bin sums, from which the mean
// absolute deviation around the final mean follows exactly except for the
// one bin that holds the mean (Histogram::meanAbsDeviation; the error is at
// most half that bin's count times its width, over the count). With
// `exactMeanAbsDeviation` a second pass over the samples computes it
// exactly (AbsDeviationAccumulator around pass 1's mean), at the cost of
// running the model twice.
//
// Memory is one set of accumulators per observer (the histogram's bins);
// activations are read where the compiled code left them. With
// `overlap` (the default on a machine with more than one core) pass 1's
// accumulators are updated on a second thread while the model computes
// (pass 2's sum is cheaper than a copy, so it stays on the model's thread):
// the observers copy their values into a buffer of at most 1 MiB (or one
// activation, if larger) and hand it over when full, so at most two such
// buffers exist. The statistics are the same bits either way (the same
// values reach the same accumulators in the same order).
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_RUNTIME_CALIBRATOR_H
#define QLIP_RUNTIME_CALIBRATOR_H

#include "qlip/Calibration/LayerInputs.h"
#include "qlip/Calibration/StatsFile.h"
#include "qlip/Conversion/ObserversToCalls/ObserversToCalls.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Runtime/Runner.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace mlir::qlip {

/// How the calibration compiles and what it gathers.
struct CalibratorOptions {
  /// Histogram bins per observer (kMinHistogramBins to kMaxHistogramBins;
  /// the rules want 2048 or more).
  unsigned numBins = 2048;
  /// LLVM optimization level of the compiled model (0 to 3).
  unsigned optLevel = 3;
  /// Update the statistics on a second thread while the model runs (only
  /// when the machine has more than one hardware thread).
  bool overlap = true;
  /// Run the model a second time for the exact mean absolute deviation
  /// instead of taking it from the histogram's per-bin sums.
  bool exactMeanAbsDeviation = false;
  /// Also gather, for every weight layer whose input an observer sees, the
  /// second moment E[x x^T] of its input patches (LayerInputMoments, for
  /// GPTQ), from at most this many patches per layer; 0: none.
  int64_t layerInputRows = 0;
};

/// The second moments of one layer's input patches.
struct LayerInputResult {
  /// getLayerName's name, and the layer's index among the module's
  /// unquantized layers (collectUnquantizedLayers).
  std::string layer;
  size_t position = 0;
  PatchGeometry geometry;
  /// Patches the moments average.
  int64_t rows = 0;
  /// groups x K x K.
  std::vector<double> secondMoment;
  /// groups x K.
  std::vector<double> firstMoment;
};

/// Called after every batch: the pass (1 or 2), the samples that pass has
/// done and the total.
using CalibrationProgress =
    std::function<void(unsigned pass, int64_t done, int64_t total)>;

/// A compiled observed model that gathers statistics. Not thread-safe: one
/// calibrate() at a time (the observers report to the calibrator running
/// on the calling thread).
class Calibrator {
public:
  /// Lowers a clone of `module` with the observers turned into calls and
  /// JIT-compiles `entry`, and every other public function that takes the
  /// same inputs (a module holding several entry points to one model: each
  /// runs on the same samples, so each one's observers get statistics).
  /// Fails with a message when the module has no
  /// observer, or for whatever Runner::create rejects (missing or private
  /// entry, arguments that are not statically shaped tensors, lowering).
  static llvm::Expected<std::unique_ptr<Calibrator>>
  create(ModuleOp module, llvm::StringRef entry,
         const CalibratorOptions &options = {});

  ~Calibrator();

  /// The observers in index order (the order of the stats file).
  llvm::ArrayRef<ObserverInfo> getObservers() const { return observers; }
  /// The entry function's inputs; dim 0 of each is the batch.
  llvm::ArrayRef<TensorSpec> getInputs() const {
    return runners.front()->getInputs();
  }
  /// Rows per call: dim 0 of the entry's inputs.
  int64_t getBatchSize() const { return batch; }

  /// Checks calibration data: one array per input, in order, each with the
  /// input's dtype and shape except dim 0, which counts the samples (the
  /// same count, at least 1, in every array), and finite floats. `names`
  /// (one per array, e.g. file names) start the messages.
  llvm::Error checkSamples(llvm::ArrayRef<NpyArray> samples,
                           llvm::ArrayRef<std::string> names) const;

  /// Runs the model over every sample in batches of getBatchSize() rows,
  /// once, or twice with `exactMeanAbsDeviation` (see the file comment),
  /// and returns the statistics with the
  /// module's fingerprint. The last batch is zero-padded, and the padded
  /// rows' values are left out of the statistics: an observer's values are
  /// taken to hold the rows in order, batch outermost (true of every
  /// activation whose leading dims are the batch, as after convolutions,
  /// reshapes that keep it outermost, and transposes of inner dims), and
  /// only the leading valid rows count. A model whose observed tensor is
  /// not a multiple of the batch cannot be told apart from its padding: an
  /// error, when there is padding. Errors name the observer and the sample:
  /// a non-finite value, an observer no function run reaches.
  llvm::Expected<StatsFile> calibrate(llvm::ArrayRef<NpyArray> samples,
                                      const CalibrationProgress &progress = {});

  /// The layer inputs of the last calibrate() (with
  /// CalibratorOptions::layerInputRows), in layer order.
  std::vector<LayerInputResult> takeLayerInputs();

  /// Wall-clock seconds of pass 1 and pass 2 (0 when it did not run) of
  /// the last calibrate().
  std::array<double, 2> getPassSeconds() const { return passSeconds; }
  /// The largest error of any observer's mean absolute deviation in the
  /// last calibrate(), relative to that deviation (0 when exact).
  double getMaxMeanAbsDeviationError() const { return maxMadError; }

  /// What the C entry point calls: the values of observer `index` as a
  /// ranked memref descriptor of f32 of rank `rank`.
  void observe(int64_t index, int64_t rank, const void *descriptor);

private:
  struct ObserverState;
  struct Reports;
  struct Record;
  /// A layer whose input moments are gathered from an observer's values.
  struct LayerInputPlan {
    std::string layer;
    size_t position;
    int64_t observer;
    PatchGeometry geometry;
  };

  Calibrator();
  llvm::Error runPass(unsigned pass, llvm::ArrayRef<NpyArray> samples,
                      const CalibrationProgress &progress);
  /// Adds one observer call's values to the statistics (on the thread that
  /// processes them).
  void process(const Record &record, llvm::ArrayRef<float> values);
  void processAll(const Reports &reports);
  /// Hands the values reported so far to the statistics thread (waiting
  /// while it is busy with the previous ones), or processes them here.
  void submit();
  void startWorker();
  void stopWorker();

  std::string fingerprint;
  llvm::SmallVector<ObserverInfo> observers;
  std::vector<ObserverState> states;
  std::vector<LayerInputPlan> layerInputPlans;
  /// Per observer, the plans it feeds.
  std::vector<llvm::SmallVector<size_t, 1>> plansByObserver;
  std::vector<LayerInputMoments> layerInputs;
  int64_t layerInputRows = 0;
  /// The entry's runner first, then the other public functions'.
  std::vector<std::unique_ptr<Runner>> runners;
  /// Public functions not run, because their inputs are not the entry's.
  std::vector<std::string> otherSignatures;
  int64_t batch = 0;
  unsigned numBins = 2048;
  bool overlap = true;
  bool exactMeanAbsDeviation = false;
  std::array<double, 2> passSeconds = {0, 0};
  double maxMadError = 0;

  // The batch being run (set by runPass for observe()).
  unsigned pass = 0;
  int64_t firstSample = 0;
  int64_t validRows = 0;
  std::vector<float> gathered;
  /// An error found while running (main thread).
  std::string runError;

  // The statistics thread. `filling` belongs to the running model's thread,
  // `handed` to the statistics thread while `handedFull`; `statsError` is
  // written by whoever processes and read once the worker is stopped.
  std::unique_ptr<Reports> filling, handed;
  bool handedFull = false, stopping = false;
  std::atomic<bool> statsFailed{false};
  std::string statsError;
  std::mutex mutex;
  std::condition_variable changed;
  std::thread worker;
};

} // namespace mlir::qlip

/// The function compiled observers call (`qlip-lower-observers-to-calls`
/// with its default callee, the default LLVM calling convention of
/// `memref<*xf32>`): forwards to the Calibrator running on this thread, and
/// does nothing outside calibrate().
extern "C" void qlip_calibration_observe(int64_t index, int64_t rank,
                                         void *descriptor);

#endif // QLIP_RUNTIME_CALIBRATOR_H
