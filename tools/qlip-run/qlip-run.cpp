//===- qlip-run.cpp - JIT-run a model on .npy inputs ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-run model.mlir --entry main --input x.npy [--input ...]
//            [--output y.npy ...] [--compare ref.npy ...] [--labels l.npy]
//            [--tolerance X] [--min-sqnr DB]
//
// Lowers the model with qlip-lower-to-llvm, JIT-compiles it and runs the
// entry function on the inputs (in batches when the inputs have more rows
// than the function's static batch), then writes, prints or compares the
// results. Exit status: 0 on success, 1 on any error (a message names the
// file or argument), 2 when a --tolerance or --min-sqnr check fails.
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/CommandLine.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/InitAll.h"
#include "qlip/Pipelines/Pipelines.h"
#include "qlip/Runtime/Metrics.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Runtime/NpyText.h"
#include "qlip/Runtime/Runner.h"

#include "dialects/Cpu/IR/CpuOps.h"
#include "qlip/Kernels/Kernels.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstring>
#include <optional>

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

static cl::OptionCategory toolCategory("qlip-run options");

static cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(toolCategory));
static cl::opt<std::string> entryName("entry", cl::desc("The function to run"),
                                      cl::init("main"), cl::cat(toolCategory));
static cl::list<std::string>
    inputFiles("input",
               cl::desc("An input .npy file, one per argument, in "
                        "order"),
               cl::value_desc("file"), cl::cat(toolCategory));
static cl::list<std::string>
    outputFiles("output",
                cl::desc("Write result #i to the i-th --output (without "
                         "--output, --compare or --labels the results are "
                         "printed)"),
                cl::value_desc("file"), cl::cat(toolCategory));
static cl::list<std::string> compareFiles(
    "compare",
    cl::desc("Compare result #i with the i-th --compare .npy: max abs "
             "error, SQNR, cosine similarity, top-1 agreement over the last "
             "axis"),
    cl::value_desc("file"), cl::cat(toolCategory));
static cl::opt<std::string>
    labelsFile("labels",
               cl::desc("Integer labels, one per row of result #0: print top-1 "
                        "accuracy"),
               cl::value_desc("file"), cl::cat(toolCategory));
static cl::opt<double> tolerance(
    "tolerance",
    cl::desc("Fail (exit 2) when a compared result's max abs error is "
             "larger"),
    cl::value_desc("X"), cl::cat(toolCategory));
static cl::opt<double>
    minSqnr("min-sqnr",
            cl::desc("Fail (exit 2) when a compared result's SQNR is lower"),
            cl::value_desc("dB"), cl::cat(toolCategory));
static cl::opt<std::string> pipelineOptions(
    "pipeline-options",
    cl::desc("Options of qlip-lower-to-llvm, as in qlip-opt: "
             "\"fuse-elementwise=false emit-c-interface=true\""),
    cl::value_desc("options"), cl::cat(toolCategory));
static cl::opt<unsigned>
    threads("num-threads",
            cl::desc("Threads of each kernel call (convolutions and matmuls "
                     "split their output rows); results are the same for "
                     "every count"),
            cl::init(1), cl::cat(toolCategory));
static cl::opt<std::string> kernelIsa(
    "kernel-isa",
    cl::desc("Force the kernels' code path: auto (the CPU's best), generic, "
             "avx2, avx-vnni or avx512-vnni"),
    cl::init("auto"), cl::cat(toolCategory));
static cl::opt<bool> benchmark(
    "benchmark",
    cl::desc("After compiling, time calls of the function on the first batch "
             "of the inputs (one warm-up call, then at least 5 calls and "
             "--benchmark-seconds) and print the per-call latency: the "
             "calling thread's CPU time, the process's and wall time"),
    cl::cat(toolCategory));
static cl::opt<double> benchmarkSeconds(
    "benchmark-seconds", cl::desc("How long --benchmark times calls"),
    cl::init(1.0), cl::cat(toolCategory));
static cl::opt<unsigned> optLevel("opt-level",
                                  cl::desc("LLVM optimization level, 0 to 3"),
                                  cl::init(3), cl::cat(toolCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-run: error: " << message << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// Batching
//===----------------------------------------------------------------------===//

/// How the inputs map onto calls of the function: one call with the arrays
/// as they are, or `rows` rows in calls of `batch` rows each.
struct BatchPlan {
  bool batched = false;
  int64_t rows = 0;
  int64_t batch = 0;
};

/// Checks the inputs against the function and decides whether to batch:
/// every input must have the function's shape, or all of them the same
/// number of rows (dim 0) with the function's shape after that, in which
/// case the rows go through in batches of the function's dim 0 (which every
/// input and result must share).
static llvm::Expected<BatchPlan> planBatches(const Runner &runner,
                                             llvm::ArrayRef<NpyArray> arrays) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  llvm::ArrayRef<TensorSpec> specs = runner.getInputs();
  if (arrays.size() != specs.size())
    return error(llvm::formatv("'{0}' takes {1} input(s), got {2} --input",
                               runner.getEntry(), specs.size(), arrays.size())
                     .str());
  bool exact = true;
  for (auto [i, array] : llvm::enumerate(arrays)) {
    const TensorSpec &spec = specs[i];
    std::string what =
        llvm::formatv("{0}: input #{1} of '{2}' ({3})", inputFiles[i], i,
                      runner.getEntry(), spec.str());
    if (!spec.accepts(array.dtype))
      return error(what + " takes " + getNpyDTypeName(spec.dtype) +
                   " data, got " + getNpyDTypeName(array.dtype));
    if (llvm::ArrayRef<int64_t>(array.shape) == llvm::ArrayRef(spec.shape))
      continue;
    exact = false;
    bool rowsDiffer = !spec.shape.empty() &&
                      array.shape.size() == spec.shape.size() &&
                      llvm::ArrayRef(array.shape).drop_front() ==
                          llvm::ArrayRef(spec.shape).drop_front();
    if (!rowsDiffer)
      return error(what + " takes shape " + formatArrayShape(spec.shape) +
                   formatBatchedShapeHint(spec.shape) + ", got " +
                   formatArrayShape(array.shape));
  }
  BatchPlan plan;
  if (exact)
    return plan;

  // Batching: one row count, one batch size, results with the batch too.
  // (A 0-d input that matched exactly has no rows to batch.)
  for (auto [i, spec] : llvm::enumerate(specs))
    if (spec.shape.empty())
      return error(llvm::formatv("cannot run in batches: input #{0} of '{1}' "
                                 "({2}) has no dim 0",
                                 i, runner.getEntry(), spec.str())
                       .str());
  plan.batched = true;
  plan.rows = arrays.front().shape.front();
  plan.batch = specs.front().shape.front();
  for (auto [i, array] : llvm::enumerate(arrays)) {
    if (specs[i].shape.front() != plan.batch)
      return error(llvm::formatv("cannot run in batches: input #{0} of '{1}' "
                                 "({2}) does not have the batch size {3} of "
                                 "input #0 as its dim 0",
                                 i, runner.getEntry(), specs[i].str(),
                                 plan.batch)
                       .str());
    if (array.shape.front() != plan.rows)
      return error(llvm::formatv("cannot run in batches: {0} has {1} rows, "
                                 "{2} has {3}",
                                 inputFiles[0], plan.rows, inputFiles[i],
                                 array.shape.front())
                       .str());
  }
  for (auto [i, spec] : llvm::enumerate(runner.getOutputs()))
    if (spec.shape.empty() || spec.shape.front() != plan.batch)
      return error(llvm::formatv("cannot run in batches: result #{0} of "
                                 "'{1}' ({2}) does not have the batch size "
                                 "{3} as its dim 0",
                                 i, runner.getEntry(), spec.str(), plan.batch)
                       .str());
  if (plan.batch == 0)
    return error("cannot run in batches of 0 rows");
  return plan;
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

/// Prints the comparison of each result with its reference and applies the
/// checks; returns the exit status (0, 1 on an error, 2 on a failed check).
static int compareResults(llvm::ArrayRef<NpyArray> results) {
  bool checkFailed = false;
  for (auto [i, file] : llvm::enumerate(compareFiles)) {
    llvm::Expected<NpyArray> reference = readNpy(file);
    if (!reference)
      return fail(llvm::toString(reference.takeError()));
    const NpyArray &result = results[i];
    if (reference->shape != result.shape)
      return fail(llvm::formatv("{0}: shape {1} does not match result #{2} "
                                "({3})",
                                file, formatArrayShape(reference->shape), i,
                                formatArrayShape(result.shape))
                      .str());
    size_t rowLength = result.shape.empty() ? 1 : result.shape.back();
    Comparison c =
        compare(result.toDoubles(), reference->toDoubles(), rowLength);
    llvm::outs() << llvm::formatv("result #{0} vs {1}: {2} values, {3} rows\n",
                                  i, file, c.count, c.rows);
    llvm::outs() << llvm::format("  max abs error:     %.9g\n", c.maxAbsError);
    llvm::outs() << "  SQNR:              " << formatDb(c.sqnrDb) << "\n";
    llvm::outs() << llvm::format("  cosine similarity: %.9f\n", c.cosine);
    llvm::outs() << llvm::formatv("  top-1 agreement:   {0}/{1}\n",
                                  c.top1Agreement, c.rows);
    // Written so that NaN fails the checks.
    if (tolerance.getNumOccurrences() && !(c.maxAbsError <= tolerance)) {
      llvm::outs() << llvm::format(
          "FAILED: result #%zu: max abs error %.9g > tolerance %.9g\n", i,
          c.maxAbsError, static_cast<double>(tolerance));
      checkFailed = true;
    }
    if (minSqnr.getNumOccurrences() && !(c.sqnrDb >= minSqnr)) {
      llvm::outs() << llvm::formatv("FAILED: result #{0}: SQNR {1} < {2}\n", i,
                                    formatDb(c.sqnrDb), formatDb(minSqnr));
      checkFailed = true;
    }
  }

  if (!labelsFile.empty()) {
    llvm::Expected<std::vector<int64_t>> labels = readLabels(labelsFile);
    if (!labels)
      return fail(llvm::toString(labels.takeError()));
    const NpyArray &result = results.front();
    size_t rowLength = result.shape.empty() ? 1 : result.shape.back();
    size_t rows = rowLength ? result.numElements() / rowLength : 0;
    if (labels->size() != rows)
      return fail(llvm::formatv("{0}: {1} labels for the {2} rows of result "
                                "#0 ({3})",
                                labelsFile, labels->size(), rows,
                                formatArrayShape(result.shape))
                      .str());
    size_t correct = countTop1Correct(result.toDoubles(), rowLength, *labels);
    llvm::outs() << llvm::formatv("top-1 accuracy: {0}/{1}", correct, rows);
    if (rows)
      llvm::outs() << llvm::format(" (%.2f%%)", 100.0 * correct / rows);
    llvm::outs() << "\n";
  }
  return checkFailed ? 2 : 0;
}

//===----------------------------------------------------------------------===//
// Benchmark
//===----------------------------------------------------------------------===//

static double cpuSeconds(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Times calls on the first batch of `arrays` (compilation is done): what a
/// deployed model costs per call, as iree-benchmark-module reports it.
static int runBenchmark(Runner &runner, llvm::ArrayRef<NpyArray> arrays,
                        const BatchPlan &plan) {
  std::vector<NpyArray> inputs, outputs;
  for (const TensorSpec &spec : runner.getInputs())
    inputs.push_back(spec.makeArray());
  for (const TensorSpec &spec : runner.getOutputs())
    outputs.push_back(spec.makeArray());
  if (plan.batched)
    fillBatch(arrays, 0, std::min(plan.batch, plan.rows), inputs);
  else
    inputs.assign(arrays.begin(), arrays.end());
  if (llvm::Error error = runner.run(inputs, outputs)) // warm-up
    return fail(llvm::toString(std::move(error)));
  std::vector<double> thread, process, wall;
  auto start = std::chrono::steady_clock::now();
  while (thread.size() < 5 ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
                 .count() < benchmarkSeconds) {
    double t0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    double p0 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    auto w0 = std::chrono::steady_clock::now();
    if (llvm::Error error = runner.run(inputs, outputs))
      return fail(llvm::toString(std::move(error)));
    wall.push_back(1e3 * std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - w0)
                             .count());
    thread.push_back(1e3 * (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - t0));
    process.push_back(1e3 * (cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - p0));
  }
  llvm::outs() << llvm::format(
      "benchmark: %zu calls, thread CPU %.4f ms/call median, %.4f ms min; "
      "wall %.4f ms/call median\n",
      thread.size(), median(thread),
      *std::min_element(thread.begin(), thread.end()), median(wall));
  llvm::outs() << llvm::format(
      "benchmark: process CPU %.4f ms/call median; %d thread(s), kernel path "
      "%s\n",
      median(process), qlip_get_num_threads(), qlip_isa_name(qlip_get_isa()));
  return 0;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::qlip::setQlipVersionPrinter();
  cl::HideUnrelatedOptions(toolCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-run: JIT-run a function of a TOSA/qlip model on .npy inputs\n\n"
      "Exit status: 0 on success, 1 on an error, 2 when --tolerance or "
      "--min-sqnr fails.\n");

  if ((tolerance.getNumOccurrences() || minSqnr.getNumOccurrences()) &&
      compareFiles.empty())
    return fail("--tolerance and --min-sqnr need --compare");
  if (optLevel > 3)
    return fail("--opt-level must be 0 to 3, got " + llvm::Twine(optLevel));
  if (threads < 1 || threads > 1024)
    return fail("--num-threads must be 1 to 1024, got " + llvm::Twine(threads));
  qlip_set_num_threads(int(threads));
  int isa = cpu::getIsaCode(kernelIsa);
  if (isa < 0)
    return fail("--kernel-isa: unknown path '" + kernelIsa +
                "' (auto, generic, avx2, avx-vnni or avx512-vnni)");
  if (qlip_set_isa(isa) != 0)
    return fail("--kernel-isa: this CPU cannot run the '" + kernelIsa +
                "' path (it has: best '" +
                qlip_isa_name(qlip_get_best_isa()) + "')");
  if (!(benchmarkSeconds >= 0) || benchmarkSeconds > 3600)
    return fail("--benchmark-seconds must be 0 to 3600");

  DialectRegistry registry;
  registerAllQlipDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(modelFile, sourceMgr, &context);
  if (!module)
    return fail("cannot read the model " + modelFile);

  llvm::Expected<std::vector<NpyArray>> read = readNpyFiles(inputFiles);
  if (!read)
    return fail(llvm::toString(read.takeError()));
  std::vector<NpyArray> inputs = std::move(*read);

  RunnerOptions options;
  options.optLevel = optLevel;
  if (!pipelineOptions.empty()) {
    std::unique_ptr<mlir::qlip::LowerToLLVMOptions> lowering =
        mlir::qlip::LowerToLLVMOptions::createFromString(pipelineOptions);
    if (!lowering)
      return fail("--pipeline-options: cannot parse '" + pipelineOptions + "'");
    options.buildPipeline =
        [lowering = std::shared_ptr(std::move(lowering))](OpPassManager &pm) {
          buildLowerToLLVMPipeline(pm, *lowering);
        };
  }
  llvm::Expected<std::unique_ptr<Runner>> runner =
      Runner::create(*module, entryName, options);
  if (!runner)
    return fail(modelFile + ": " + llvm::toString(runner.takeError()));
  size_t numResults = (*runner)->getOutputs().size();
  if (outputFiles.size() > numResults)
    return fail(llvm::formatv("{0} --output for the {1} result(s) of '{2}'",
                              outputFiles.size(), numResults, entryName)
                    .str());
  if (compareFiles.size() > numResults)
    return fail(llvm::formatv("{0} --compare for the {1} result(s) of '{2}'",
                              compareFiles.size(), numResults, entryName)
                    .str());
  if (!labelsFile.empty() && numResults == 0)
    return fail("--labels: '" + entryName + "' has no result");

  llvm::Expected<BatchPlan> plan = planBatches(**runner, inputs);
  if (!plan)
    return fail(llvm::toString(plan.takeError()));
  if (benchmark)
    return runBenchmark(**runner, inputs, *plan);
  ProgressBar progress(/*passes=*/0, "samples");
  llvm::Expected<std::vector<NpyArray>> results =
      plan->batched ? (*runner)->runRows(inputs,
                                         [&](int64_t done, int64_t total) {
                                           progress.update(1, done, total);
                                         })
                    : (*runner)->run(inputs);
  if (!results)
    return fail(llvm::toString(results.takeError()));

  for (auto [i, file] : llvm::enumerate(outputFiles))
    if (llvm::Error error = writeNpy(file, (*results)[i]))
      return fail(llvm::toString(std::move(error)));
  if (outputFiles.empty() && compareFiles.empty() && labelsFile.empty())
    for (auto [i, result] : llvm::enumerate(*results)) {
      llvm::outs() << "result #" << i << "\n";
      printNpyArray(llvm::outs(), result);
    }
  return compareResults(*results);
}
