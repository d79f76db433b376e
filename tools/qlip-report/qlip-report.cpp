//===- qlip-report.cpp - a per-layer quantization report --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-report model.fq.mlir --float observed.mlir --stats stats.json \
//               --input samples.npy -o report.html
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
#include "qlip/Runtime/Npy.h"
#include "qlip/Support/CommandLine.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
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
      cl::desc("<model.mlir> (a fake-quant model: the output of "
               "qlip-quantize-weights and qlip-quantize-activations)"),
      cl::Required, cl::cat(category)};
  cl::opt<std::string> floatFile{
      "float",
      cl::desc("The float model the statistics were gathered on (the "
               "output of qlip-prepare), or the model before it"),
      cl::value_desc("model.mlir"), cl::Required, cl::cat(category)};
  cl::opt<std::string> statsFile{
      "stats", cl::desc("The statistics file of qlip-calibrate"),
      cl::value_desc("file.json"), cl::Required, cl::cat(category)};
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
  registerAllQlipDialects(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> fakeQuant = parseModel(options.modelFile, context);
  if (!fakeQuant)
    return fail("cannot read the model " + options.modelFile);
  OwningOpRef<ModuleOp> observed = parseModel(options.floatFile, context);
  if (!observed)
    return fail("cannot read the float model " + options.floatFile);
  PassManager prepare(&context);
  buildPreparePipeline(prepare);
  if (failed(prepare.run(*observed)))
    return fail(options.floatFile + ": qlip-prepare failed");

  llvm::Expected<StatsFile> stats = readStatsFile(options.statsFile);
  if (!stats)
    return fail(llvm::toString(stats.takeError()));
  llvm::Expected<std::vector<NpyArray>> samples =
      readNpyFiles(options.inputFiles);
  if (!samples)
    return fail(llvm::toString(samples.takeError()));

  ReportOptions reportOptions;
  reportOptions.entry = options.entryName;
  reportOptions.modelName = options.modelFile;
  reportOptions.floatName = options.floatFile;
  reportOptions.statsName = options.statsFile;
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
