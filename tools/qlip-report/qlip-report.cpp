//===- qlip-report.cpp - a per-layer quantization report --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-report model.mlir --calib calib.npy --ptq-options "weight-bits=4 \
//               act-bits=4" --input samples.npy [--labels labels.npy] \
//               -o report.html
//   qlip-report model.fq.mlir --float observed.mlir --stats stats.json \
//               --input samples.npy -o report.html
//
// The first form reports on what qlip-ptq makes of the float model with
// those options (its first two stages, in memory: calibration and the
// ranges); the second on a fake-quant model made by hand.
//
// Runs the fake-quant model, the float model it was made from and one
// model per layer with only that layer quantized on the samples, and
// writes one self-contained HTML page: per layer, its output's SQNR with
// float inputs (isolated) and through the whole fake-quant model
// (cumulative), its ranges, rules and bits, and histograms of its output
// (from the calibration statistics) and weight with the clip lines drawn.
// Prints the same table on stdout. Exit status: 0 on success, 1 on any
// error (a message names the file).
//
// The float model may be the model qlip-calibrate ran on (the output of
// qlip-prepare) or the float model before it: qlip-prepare runs on it
// first, which changes nothing the second time.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/StatsFile.h"
#include "qlip/InitAll.h"
#include "qlip/Pipelines/Pipelines.h"
#include "qlip/Report/QuantizationReport.h"
#include "dialects/Qlip/IR/QlipDialect.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Runtime/Runner.h"
#include "qlip/Transforms/ApplyStats.h"
#include "qlip/Support/CommandLine.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

namespace {
/// The command line, built in main() after releaseLlvmStatsOption.
struct Options {
  cl::OptionCategory category{"qlip-report options"};
  cl::opt<std::string> modelFile{
      cl::Positional,
      cl::desc("<model.mlir> (with --calib the float model; else a "
               "fake-quant model: the output of qlip-quantize-weights and "
               "qlip-quantize-activations)"),
      cl::Required, cl::cat(category)};
  cl::list<std::string> calibFiles{
      "calib",
      cl::desc("Quantize the float model as qlip-ptq does, calibrating on "
               "these samples (one .npy per input)"),
      cl::value_desc("file.npy"), cl::cat(category)};
  cl::opt<std::string> ptqOptions{
      "ptq-options",
      cl::desc("With --calib: qlip-ptq's options, as qlip-opt takes them "
               "(\"weight-bits=4 act-bits=4\")"),
      cl::value_desc("options"), cl::cat(category)};
  cl::opt<std::string> floatFile{
      "float",
      cl::desc("Without --calib: the float model the statistics were "
               "gathered on (the output of qlip-prepare), or the model "
               "before it"),
      cl::value_desc("model.mlir"), cl::cat(category)};
  cl::opt<std::string> statsFile{
      "stats",
      cl::desc("Without --calib: the statistics file of qlip-calibrate"),
      cl::value_desc("file.json"), cl::cat(category)};
  cl::opt<std::string> labelsFile{
      "labels",
      cl::desc("Integer labels (.npy), one per sample row: the page gives "
               "float and quantized top-1 accuracy"),
      cl::value_desc("file.npy"), cl::cat(category)};
  cl::opt<bool> sensitivity{
      "sensitivity",
      cl::desc("Measure each layer's sensitivity: the model with that "
               "layer float, and at 8 bits (two more models per layer)"),
      cl::init(true), cl::cat(category)};
  cl::list<std::string> inputFiles{
      "input",
      cl::desc("Samples for one argument of the entry, in order: an .npy "
               "of shape [N, ...] (the argument's shape after dim 0)"),
      cl::value_desc("file.npy"), cl::OneOrMore, cl::cat(category)};
  cl::opt<std::string> outputFile{
      "o", cl::desc("Write the HTML report here ('-' for stdout)"),
      cl::value_desc("report.html"), cl::Required, cl::cat(category)};
  cl::opt<std::string> entryName{"entry", cl::desc("The function to run"),
                                 cl::init("main"), cl::cat(category)};
  cl::opt<unsigned> optLevel{"opt-level",
                             cl::desc("LLVM optimization level, 0 to 3"),
                             cl::init(3), cl::cat(category)};
};
} // namespace

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-report: error: " << message << "\n";
  return 1;
}

/// Parses one model, with its own source manager for the diagnostics (a
/// source manager parses one main buffer).
static OwningOpRef<ModuleOp> parseModel(llvm::StringRef file,
                                        MLIRContext &context) {
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  return parseSourceFile<ModuleOp>(file, sourceMgr, &context);
}

/// Whether `integer` computes what qlip-ptq's last stage makes of
/// `fakeQuant` with `ptq`: both run on `samples`, every output bit for bit.
static llvm::Error checkSameIntegerModel(ModuleOp integer, ModuleOp fakeQuant,
                                         const PtqOptions &ptq,
                                         llvm::StringRef entry,
                                         llvm::ArrayRef<NpyArray> samples) {
  OwningOpRef<ModuleOp> rebuilt(cast<ModuleOp>(fakeQuant->clone()));
  PassManager pm(fakeQuant.getContext(), ModuleOp::getOperationName());
  buildPtqIntegerPipeline(pm, ptq);
  if (failed(pm.run(*rebuilt)))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "its integer stage failed");
  std::vector<std::vector<NpyArray>> outputs;
  for (ModuleOp module : {integer, *rebuilt}) {
    auto runner = Runner::create(module, entry);
    if (!runner)
      return runner.takeError();
    auto results = (*runner)->runRows(samples);
    if (!results)
      return results.takeError();
    outputs.push_back(std::move(*results));
  }
  for (auto [index, given, made] :
       llvm::enumerate(outputs.front(), outputs.back()))
    if (given.shape != made.shape || given.data != made.data)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "result #" + llvm::Twine(index) + " differs on the samples");
  return llvm::Error::success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::qlip::setQlipVersionPrinter();
  releaseLlvmStatsOption(argv[0]);
  Options options;
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-report: what each layer's quantization costs, as one HTML page\n\n"
      "Per layer: the SQNR of its output with float inputs (isolated) and "
      "through the whole fake-quant model (cumulative), its ranges, rules "
      "and bits, and histograms with the clip lines.\n\nExit status: 0 on "
      "success, 1 on an error.\n");
  if (options.optLevel > 3)
    return fail("--opt-level must be 0 to 3, got " +
                llvm::Twine(options.optLevel));

  DialectRegistry registry;
  registerAllQlip(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> model = parseModel(options.modelFile, context);
  if (!model)
    return fail("cannot read the model " + options.modelFile);

  // Three inputs: a float model with --calib; qlip-ptq's integer model
  // (which records its options) with --float; a fake-quant model with
  // --float and --stats.
  auto recorded =
      (*model)->getAttrOfType<StringAttr>(QlipDialect::kPtqOptionsAttrName);
  bool fromFloat = !options.calibFiles.empty() && options.floatFile.empty();
  bool fromInteger = recorded && !options.floatFile.empty();
  if (!fromFloat && !fromInteger &&
      (options.floatFile.empty() || options.statsFile.empty()))
    return fail("give the float model with --calib, qlip-ptq's integer model "
                "with --float, or a fake-quant model with --float and "
                "--stats");
  if ((fromFloat || fromInteger) && !options.statsFile.empty())
    return fail("--stats goes with a fake-quant model: " +
                llvm::Twine(fromFloat ? "with --calib" : "for an integer model") +
                " qlip-report calibrates itself");
  if (!fromFloat && !fromInteger && !options.calibFiles.empty())
    return fail("--calib goes with a float model or qlip-ptq's integer "
                "model, not with --stats");
  if (!fromFloat && !options.ptqOptions.empty())
    return fail("--ptq-options goes with --calib and a float model (an "
                "integer model records its own)");
  std::string ptqText =
      fromInteger ? recorded.getValue().str() : options.ptqOptions.getValue();
  std::unique_ptr<PtqOptions> ptq =
      ptqText.empty() ? std::make_unique<PtqOptions>()
                      : PtqOptions::createFromString(ptqText);
  if (!ptq)
    return fail((fromInteger ? options.modelFile + ": its recorded qlip-ptq "
                                                   "options"
                             : std::string("--ptq-options")) +
                ": cannot parse '" + ptqText +
                "' (qlip-opt --help lists qlip-ptq's options)");
  if (fromFloat && (!ptq->calib.empty() || !ptq->stats.empty()))
    return fail("--ptq-options: calib= and stats= come from --calib");
  if (fromInteger && !options.calibFiles.empty()) {
    // The calibration files moved: the user says where they are now.
    ptq->calib.clear();
    ptq->stats.clear();
  }

  OwningOpRef<ModuleOp> fakeQuant, observed;
  std::string statsName = options.statsFile;
  llvm::Expected<StatsFile> stats = StatsFile();
  std::string floatName = fromFloat ? options.modelFile : options.floatFile;
  if (fromFloat || fromInteger) {
    // The float model through qlip-ptq's calibration and ranges.
    OwningOpRef<ModuleOp> floatModel =
        fromFloat ? std::move(model) : parseModel(options.floatFile, context);
    if (!floatModel)
      return fail("cannot read the float model " + options.floatFile);
    for (const std::string &file : options.calibFiles)
      ptq->calib.push_back(file);
    if (llvm::Error error = checkPtqOptions(*ptq))
      return fail((fromFloat ? "--ptq-options: " : options.modelFile + ": ") +
                  llvm::toString(std::move(error)));
    FailureOr<PtqModels> models = runPtqToFakeQuant(*floatModel, *ptq);
    if (failed(models))
      return fail("quantizing " + floatName + " failed");
    observed = std::move(models->calibrated);
    fakeQuant = std::move(models->fakeQuant);
    statsName = "calibration on " +
                llvm::join(ptq->calib.begin(), ptq->calib.end(), ", ");
    // The report does not use the sample count: the files are not read
    // again to count it.
    stats = readAttachedStats(*observed, /*samples=*/0);
  } else {
    fakeQuant = std::move(model);
    observed = parseModel(options.floatFile, context);
    if (!observed)
      return fail("cannot read the float model " + options.floatFile);
    PassManager prepare(&context);
    buildPreparePipeline(prepare);
    if (failed(prepare.run(*observed)))
      return fail(options.floatFile + ": qlip-prepare failed");
    stats = readStatsFile(options.statsFile);
  }
  if (!stats)
    return fail(llvm::toString(stats.takeError()));
  llvm::Expected<std::vector<NpyArray>> samples =
      readNpyFiles(options.inputFiles);
  if (!samples)
    return fail(llvm::toString(samples.takeError()));
  if (fromInteger)
    if (llvm::Error error = checkSameIntegerModel(
            *model, *fakeQuant, *ptq, options.entryName, *samples))
      return fail(options.modelFile + " is not what qlip-ptq makes of " +
                  options.floatFile + " with its recorded options '" +
                  ptqText + "': " + llvm::toString(std::move(error)));

  ReportOptions reportOptions;
  reportOptions.entry = options.entryName;
  reportOptions.modelName =
      fromFloat ? options.modelFile + " through qlip-ptq" : options.modelFile;
  reportOptions.floatName = floatName;
  reportOptions.statsName = statsName;
  reportOptions.sensitivity = options.sensitivity;
  if (!options.labelsFile.empty()) {
    llvm::Expected<std::vector<int64_t>> labels =
        readLabels(options.labelsFile);
    if (!labels)
      return fail(llvm::toString(labels.takeError()));
    reportOptions.labels = std::move(*labels);
  }
  reportOptions.sampleNames.assign(options.inputFiles.begin(),
                                   options.inputFiles.end());
  reportOptions.optLevel = options.optLevel;
  llvm::Expected<QuantizationReport> report = measureQuantizationReport(
      *fakeQuant, *observed, *stats, *samples, reportOptions);
  if (!report)
    return fail(llvm::toString(report.takeError()));

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(options.outputFile, &error);
  if (!output)
    return fail("cannot write " + options.outputFile + ": " + error);
  writeHtmlReport(output->os(), *report);
  output->os().flush();
  if (output->os().has_error())
    return fail("cannot write " + options.outputFile);
  output->keep();
  if (options.outputFile != "-") {
    printReportSummary(llvm::outs(), *report);
    llvm::outs() << "wrote " << options.outputFile << "\n";
  }
  return 0;
}
