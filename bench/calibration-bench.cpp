//===- calibration-bench.cpp - calibration vs inference speed ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-calibration-bench model.mlir --data samples.npy [--repeat 256]
//                          [--trials 9] [--entry main]
//
// Measures, in one process and on the same samples, the throughput of
//  - plain float inference: the model as given, compiled by the Runner with
//    the default pipeline, run batch by batch (rows copied into the batch,
//    the last one zero-padded, as qlip-run and calibration do);
//  - calibration: the model after qlip-insert-observers, compiled by the
//    Calibrator (observers calling the statistics runtime): the default
//    single pass (moments, histogram with per-bin sums), and with
//    `exactMeanAbsDeviation` its pass 2 (the exact mean absolute deviation)
//    and both passes; each with the statistics on a second thread (the
//    default) and on the model's thread (`overlap = false`).
// The samples are repeated --repeat times so that each measurement lasts
// long enough to time; the trials alternate inference and calibration and
// the median of each is printed (samples per second, and as a fraction of
// inference). Compilation is not timed.
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"
#include "qlip/Runtime/Calibrator.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Runtime/Runner.h"
#include "qlip/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

static cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required);
static cl::opt<std::string> dataFile("data",
                                     cl::desc("Samples for input #0: an .npy "
                                              "of shape [N, ...]"),
                                     cl::Required);
static cl::opt<std::string> entryName("entry", cl::desc("The function to run"),
                                      cl::init("main"));
static cl::opt<unsigned> repeat("repeat",
                                cl::desc("Run the samples this many times per "
                                         "measurement"),
                                cl::init(256));
static cl::opt<unsigned> trials("trials",
                                cl::desc("Measurements of each; the median "
                                         "is printed"),
                                cl::init(9));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-calibration-bench: error: " << message << "\n";
  return 1;
}

/// `array` with its rows repeated `times` times.
static NpyArray tile(const NpyArray &array, unsigned times) {
  NpyArray tiled = array;
  tiled.shape.front() *= times;
  tiled.data.clear();
  for (unsigned i = 0; i < times; ++i)
    tiled.data.insert(tiled.data.end(), array.data.begin(), array.data.end());
  return tiled;
}

/// Runs every row of `samples` through `runner` in batches; returns the
/// seconds taken.
static llvm::Expected<double> timeInference(Runner &runner,
                                            const NpyArray &samples) {
  const TensorSpec &spec = runner.getInputs().front();
  int64_t batch = spec.shape.front();
  int64_t rows = samples.shape.front();
  size_t rowBytes = samples.data.size() / rows;
  std::vector<NpyArray> inputs{spec.makeArray()}, outputs;
  for (const TensorSpec &result : runner.getOutputs())
    outputs.push_back(result.makeArray());
  auto start = std::chrono::steady_clock::now();
  for (int64_t first = 0; first < rows; first += batch) {
    int64_t count = std::min(batch, rows - first);
    std::memcpy(inputs[0].data.data(), samples.data.data() + first * rowBytes,
                count * rowBytes);
    std::memset(inputs[0].data.data() + count * rowBytes, 0,
                (batch - count) * rowBytes);
    if (llvm::Error error = runner.run(inputs, outputs))
      return std::move(error);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

static double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "qlip-calibration-bench: calibration throughput "
                              "vs float inference\n");
  if (repeat == 0 || trials == 0)
    return fail("--repeat and --trials must be at least 1");

  DialectRegistry registry;
  registerAllQlipDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> model =
      parseSourceFile<ModuleOp>(modelFile, sourceMgr, &context);
  if (!model)
    return fail("cannot read the model " + modelFile);
  llvm::Expected<NpyArray> data = readNpy(dataFile);
  if (!data)
    return fail(llvm::toString(data.takeError()));
  if (data->shape.empty() || data->shape.front() == 0)
    return fail(dataFile + ": no samples");
  NpyArray samples = tile(*data, repeat);

  OwningOpRef<ModuleOp> observed(model->clone());
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.addPass(createInsertObserversPass());
  if (failed(pm.run(*observed)))
    return fail("qlip-insert-observers failed");

  auto runner = Runner::create(*model, entryName);
  if (!runner)
    return fail(llvm::toString(runner.takeError()));
  // Four calibrators: {one pass, exact two passes} x {overlap, one thread}.
  std::unique_ptr<Calibrator> calibrators[2][2];
  for (int exact = 0; exact < 2; ++exact) {
    for (int serial = 0; serial < 2; ++serial) {
      CalibratorOptions options;
      options.exactMeanAbsDeviation = exact;
      options.overlap = !serial;
      auto c = Calibrator::create(*observed, entryName, options);
      if (!c)
        return fail(llvm::toString(c.takeError()));
      calibrators[exact][serial] = std::move(*c);
    }
  }

  /// Per calibrator: seconds of pass 1, pass 2 and both, per trial.
  struct PassTimes {
    std::vector<double> pass1, pass2, both;
  };
  auto timeCalibration = [&](Calibrator &c, PassTimes &times) -> llvm::Error {
    llvm::Expected<StatsFile> stats = c.calibrate({samples});
    if (!stats)
      return stats.takeError();
    auto [first, second] = c.getPassSeconds();
    times.pass1.push_back(first);
    times.pass2.push_back(second);
    times.both.push_back(first + second);
    return llvm::Error::success();
  };
  std::vector<double> inference;
  PassTimes times[2][2];
  // Interleaved, so that a slow spell of the machine hits all of them.
  for (unsigned trial = 0; trial < trials; ++trial) {
    llvm::Expected<double> seconds = timeInference(**runner, samples);
    if (!seconds)
      return fail(llvm::toString(seconds.takeError()));
    inference.push_back(*seconds);
    for (int exact = 0; exact < 2; ++exact)
      for (int serial = 0; serial < 2; ++serial)
        if (llvm::Error error = timeCalibration(*calibrators[exact][serial],
                                                times[exact][serial]))
          return fail(llvm::toString(std::move(error)));
  }

  double rows = static_cast<double>(samples.shape.front());
  double reference = rows / median(inference);
  llvm::outs() << llvm::format(
      "%s: %zu observers, batch %lld; %.0f samples (%lld x %u), median of "
      "%u trials, %u hardware threads\n",
      modelFile.c_str(), calibrators[0][0]->getObservers().size(),
      static_cast<long long>(calibrators[0][0]->getBatchSize()), rows,
      static_cast<long long>(data->shape.front()), unsigned(repeat),
      unsigned(trials), std::thread::hardware_concurrency());
  llvm::outs() << "                                     samples/s   vs "
                  "inference\n";
  auto print = [&](const char *name, const std::vector<double> &seconds) {
    double rate = rows / median(seconds);
    llvm::outs() << llvm::format("%-35s %11.0f %13.2f\n", name, rate,
                                 rate / reference);
  };
  print("inference (float)", inference);
  print("calibration (default: one pass)", times[0][0].both);
  print("--exact-mad: pass 1", times[1][0].pass1);
  print("--exact-mad: pass 2", times[1][0].pass2);
  print("--exact-mad: both passes", times[1][0].both);
  print("one thread: calibration", times[0][1].both);
  print("one thread: --exact-mad, both", times[1][1].both);
  llvm::outs() << llvm::format(
      "largest relative error of a one-pass mean absolute deviation: %.2e\n",
      calibrators[0][0]->getMaxMeanAbsDeviationError());
  return 0;
}
