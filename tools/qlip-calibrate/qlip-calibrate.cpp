//===- qlip-calibrate.cpp - gather activation statistics --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-calibrate model.mlir [--entry main] --calibrate calib.npy
//                  [--calibrate ...] --stats stats.json [--bins 2048]
//
// The model is the output of qlip-insert-observers. It is JIT-compiled with
// every observer reporting to the statistics runtime, run over every
// calibration sample in batches of its own batch size (dim 0 of its
// inputs), once (moments, and the histogram with per-bin sums, which give
// the mean absolute deviation around the final mean exactly but for the
// mean's bin), or twice with --exact-mad (the second pass computes that
// deviation exactly), and the statistics are written as a
// versioned stats file tied to the model's fingerprint, for
// qlip-apply-stats. Exit status: 0 on success, 1 on any error (a message
// names the file, the observer or the sample).
//
// A tool of its own rather than a mode of qlip-run: it compiles the model
// differently (observers become calls), runs it in passes, and has other
// outputs and exit statuses than run-and-compare; both stay simple, and
// what they share (compiling, running) is in the Runner library.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/StatsFile.h"
#include "qlip/InitAll.h"
#include "qlip/Runtime/Calibrator.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Support/CommandLine.h"
#include "qlip/Support/ProgressBar.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

namespace {
/// The command line. Built in main() rather than as globals: see
/// releaseLlvmStatsOption.
struct Options {
  cl::OptionCategory category{"qlip-calibrate options"};
  cl::opt<std::string> modelFile{
      cl::Positional,
      cl::desc("<model.mlir> (the output of qlip-insert-observers)"),
      cl::Required, cl::cat(category)};
  cl::opt<std::string> entryName{"entry", cl::desc("The function to run"),
                                 cl::init("main"), cl::cat(category)};
  cl::list<std::string> calibrationFiles{
      "calibrate",
      cl::desc("Calibration samples for one argument of the entry, in "
               "order: an .npy of shape [N, ...] (the argument's shape "
               "after dim 0)"),
      cl::value_desc("file.npy"), cl::OneOrMore, cl::cat(category)};
  cl::opt<std::string> statsFile{"stats", cl::desc("Write the statistics here"),
                                 cl::value_desc("file.json"), cl::Required,
                                 cl::cat(category)};
  cl::opt<unsigned> numBins{
      "bins",
      cl::desc("Histogram bins per observer (at least 2048 for the kl, mse "
               "and percentile rules)"),
      cl::init(2048), cl::cat(category)};
  cl::opt<bool> overlap{
      "overlap",
      cl::desc("Update pass 1's statistics on a second thread while the "
               "model runs (on machines with more than one core; the "
               "statistics are the same bits either way)"),
      cl::init(true), cl::cat(category)};
  cl::opt<bool> exactMad{
      "exact-mad",
      cl::desc("Run the model a second time for the exact mean absolute "
               "deviation (by default it comes from the histogram's "
               "per-bin sums, exact but for the bin holding the mean)"),
      cl::init(false), cl::cat(category)};
  cl::opt<unsigned> optLevel{"opt-level",
                             cl::desc("LLVM optimization level, 0 to 3"),
                             cl::init(3), cl::cat(category)};
};
} // namespace

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-calibrate: error: " << message << "\n";
  return 1;
}


int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::qlip::setQlipVersionPrinter();
  releaseLlvmStatsOption(argv[0]);
  Options options;
  const std::string &modelFile = options.modelFile;
  const std::string &entryName = options.entryName;
  const std::string &statsFile = options.statsFile;
  cl::list<std::string> &calibrationFiles = options.calibrationFiles;
  // LLVM's own options (hundreds of codegen flags) stay usable but out of
  // --help.
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-calibrate: gather activation statistics for qlip-apply-stats\n\n"
      "Runs a model with observers (qlip-insert-observers) over calibration "
      "samples and writes every observer's count, min, max, mean, "
      "mean absolute deviation, standard deviation, kurtosis and "
      "histogram.\n\nExit status: 0 on success, 1 on an error.\n");
  unsigned optLevel = options.optLevel, numBins = options.numBins;
  if (optLevel > 3)
    return fail("--opt-level must be 0 to 3, got " + llvm::Twine(optLevel));
  if (numBins < kMinHistogramBins || numBins > kMaxHistogramBins)
    return fail("--bins must be " + llvm::Twine(kMinHistogramBins) + " to " +
                llvm::Twine(kMaxHistogramBins) + ", got " +
                llvm::Twine(numBins));

  DialectRegistry registry;
  registerAllQlipDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(modelFile, sourceMgr, &context);
  if (!module)
    return fail("cannot read the model " + modelFile);

  // Unreadable files are reported before anything is compiled.
  llvm::Expected<std::vector<NpyArray>> read = readNpyFiles(calibrationFiles);
  if (!read)
    return fail(llvm::toString(read.takeError()));
  std::vector<NpyArray> samples = std::move(*read);

  CalibratorOptions calibratorOptions;
  calibratorOptions.numBins = numBins;
  calibratorOptions.optLevel = optLevel;
  calibratorOptions.overlap = options.overlap;
  calibratorOptions.exactMeanAbsDeviation = options.exactMad;
  auto calibrator = Calibrator::create(*module, entryName, calibratorOptions);
  if (!calibrator)
    return fail(modelFile + ": " + llvm::toString(calibrator.takeError()));
  if (llvm::Error error =
          (*calibrator)
              ->checkSamples(samples,
                             std::vector<std::string>(calibrationFiles.begin(),
                                                      calibrationFiles.end())))
    return fail(llvm::toString(std::move(error)));

  ProgressBar progress(options.exactMad ? 2 : 1, "samples");
  llvm::Expected<StatsFile> stats =
      (*calibrator)
          ->calibrate(samples, [&](unsigned pass, int64_t done, int64_t total) {
            progress.update(pass, done, total);
          });
  if (!stats)
    return fail(modelFile + ": " + llvm::toString(stats.takeError()));
  if (llvm::Error error = writeStatsFile(statsFile, *stats))
    return fail(llvm::toString(std::move(error)));

  int64_t rows = stats->samples;
  int64_t batch = (*calibrator)->getBatchSize();
  auto [pass1, pass2] = (*calibrator)->getPassSeconds();
  auto rate = [&](double seconds) {
    return seconds > 0 ? llvm::formatv("{0:f1}", rows / seconds).str()
                       : std::string("-");
  };
  llvm::outs() << llvm::formatv(
      "calibrated {0} observer(s) on {1} sample(s) in {2} batch(es) of {3}; "
      "wrote {4}\n",
      stats->observers.size(), rows, (rows + batch - 1) / batch, batch,
      statsFile);
  if (pass2 > 0)
    llvm::outs() << "samples/s: pass 1 " << rate(pass1) << ", pass 2 "
                 << rate(pass2) << ", both " << rate(pass1 + pass2) << "\n";
  else
    llvm::outs() << "samples/s: " << rate(pass1)
                 << llvm::formatv("; mean absolute deviations within {0:e2} "
                                  "of exact (relative; --exact-mad for "
                                  "exact)\n",
                                  (*calibrator)->getMaxMeanAbsDeviationError());
  return 0;
}
