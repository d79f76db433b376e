//===- qlip-npu-sim.cpp - run an npu program on .npy inputs -----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-npu-sim program.npub --input x.npy [--input ...]
//                [--output y.npy ...] [--report]
//
// Runs a command stream (`qlip-translate --npu-to-binary`) on the
// bit-exact simulator, in batches when the inputs have more rows than the
// program's batch (as qlip-run does, so the two write the same .npy files
// for the same results), and prints the results, writes them, or reports
// the cycles and energy of one inference. Exit status: 0 on success, 1 on
// any error (a message names the file, the argument or the command).
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/CommandLine.h"
#include "qlip/Npu/CommandStream.h"
#include "qlip/Npu/Simulator.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Runtime/NpyText.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>
#include <optional>

using namespace mlir::npu::stream;
using mlir::qlip::NpyArray;
namespace cl = llvm::cl;
namespace qlip = mlir::qlip;

static cl::OptionCategory toolCategory("qlip-npu-sim options");

static cl::opt<std::string> programFile(cl::Positional,
                                        cl::desc("<program.npub>"),
                                        cl::Required, cl::cat(toolCategory));
static cl::list<std::string>
    inputFiles("input", cl::desc("An f32 .npy file per model input, in order"),
               cl::value_desc("file"), cl::cat(toolCategory));
static cl::list<std::string>
    outputFiles("output",
                cl::desc("Write model output #i to the i-th --output "
                         "(without --output or --report the outputs are "
                         "printed)"),
                cl::value_desc("file"), cl::cat(toolCategory));
static cl::opt<bool>
    report("report",
           cl::desc("Print the cycles, DRAM traffic and energy of one "
                    "inference, per layer"),
           cl::cat(toolCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-npu-sim: error: " << message << "\n";
  return 1;
}

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Batching
//===----------------------------------------------------------------------===//

/// An array of `shape`'s f32 zeros.
static NpyArray makeArray(llvm::ArrayRef<int64_t> shape) {
  NpyArray array;
  array.shape.assign(shape.begin(), shape.end());
  array.data.assign(array.numElements() * sizeof(float), 0);
  return array;
}

/// The rows to run in batches of the program's dim 0: none when every input
/// has its boundary's shape exactly (one run), else the inputs' common dim
/// 0. Checks the inputs as qlip-run does.
static llvm::Expected<std::optional<int64_t>>
getBatchRows(const Program &program, llvm::ArrayRef<NpyArray> arrays) {
  if (arrays.size() != program.inputs.size())
    return makeError(llvm::formatv("{0} takes {1} input(s), got {2} --input",
                                   programFile, program.inputs.size(),
                                   arrays.size())
                         .str());
  bool exact = true;
  for (auto [i, array] : llvm::enumerate(arrays)) {
    llvm::ArrayRef<int64_t> shape = program.inputs[i].shape;
    std::string what = llvm::formatv("{0}: input #{1}", inputFiles[i], i);
    if (array.dtype != qlip::NpyDType::F32)
      return makeError(what + " takes f32 data, got " +
                       qlip::getNpyDTypeName(array.dtype));
    if (llvm::equal(array.shape, shape))
      continue;
    exact = false;
    if (shape.empty() || array.shape.size() != shape.size() ||
        !llvm::equal(llvm::ArrayRef(array.shape).drop_front(),
                     shape.drop_front()))
      return makeError(what + " takes shape " + qlip::formatArrayShape(shape) +
                       qlip::formatBatchedShapeHint(shape) + ", got " +
                       qlip::formatArrayShape(array.shape));
  }
  if (exact)
    return std::nullopt;
  int64_t rows = arrays.front().shape.front();
  int64_t batch = program.inputs.front().shape.front();
  for (auto [i, array] : llvm::enumerate(arrays))
    if (array.shape.front() != rows)
      return makeError(llvm::formatv("cannot run in batches: {0} has {1} "
                                     "rows, {2} has {3}",
                                     inputFiles[0], rows, inputFiles[i],
                                     array.shape.front())
                           .str());
  auto boundaries =
      llvm::concat<const Boundary>(program.inputs, program.outputs);
  for (const Boundary &b : boundaries)
    if (b.shape.empty() || b.shape.front() != batch)
      return makeError(llvm::formatv("cannot run in batches: the program's "
                                     "inputs and outputs do not all have "
                                     "the batch size {0} as their dim 0",
                                     batch)
                           .str());
  return rows;
}

/// Runs `rows` rows of the inputs through the program a batch at a time,
/// zero-padding the last batch, and returns the outputs' rows (the
/// padding's dropped).
static llvm::Expected<std::vector<NpyArray>>
runBatched(Simulator &simulator, llvm::ArrayRef<NpyArray> arrays,
           int64_t rows) {
  const Program &program = simulator.getProgram();
  int64_t batch = program.inputs.front().shape.front();
  std::vector<NpyArray> inputs, outputs, results;
  for (const Boundary &b : program.inputs)
    inputs.push_back(makeArray(b.shape));
  for (const Boundary &b : program.outputs) {
    llvm::SmallVector<int64_t> shape(b.shape.begin(), b.shape.end());
    shape.front() = rows;
    results.push_back(makeArray(shape));
  }
  for (int64_t first = 0; first < rows; first += batch) {
    int64_t count = std::min(batch, rows - first);
    qlip::fillBatch(arrays, first, count, inputs);
    if (llvm::Error error = simulator.run(inputs, outputs))
      return std::move(error);
    qlip::copyBatchRows(outputs, first, count, results);
  }
  return results;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

static void printReport(llvm::raw_ostream &os, const Program &program,
                        const Stats &stats) {
  std::vector<const LayerStats *> rows;
  if (stats.preload)
    rows.push_back(&*stats.preload);
  for (const LayerStats &s : stats.layers)
    rows.push_back(&s);
  int width = 10;
  for (const LayerStats *s : rows)
    width = std::max<int>(width, s->name.size());
  os << llvm::format("%-*s %-16s %4s %6s %11s %6s %10s %10s %10s %-7s %10s "
                     "%10s\n",
                     width, "layer", "op", "bits", "tiles", "MACs", "util%",
                     "compute", "DMA", "cycles", "bound", "DRAM B",
                     "energy nJ");
  for (const LayerStats *s : rows) {
    std::string op = s->kind ? getLayerKindName(*s->kind).str() : "-";
    std::string bits = s->kind ? std::to_string(s->weightBits) : "-";
    std::string util =
        s->macs ? llvm::formatv("{0:f1}", 100 * s->utilization).str() : "-";
    os << llvm::format(
        "%-*s %-16s %4s %6lld %11lld %6s %10lld %10lld %10lld "
        "%-7s %10lld %10.2f\n",
        width, s->name.c_str(), op.c_str(), bits.c_str(), s->tiles, s->macs,
        util.c_str(), s->computeCycles, s->dmaCycles, s->cycles,
        s->isComputeBound() ? "compute" : "DMA", s->dramBytes, s->energyNj);
  }
  os << llvm::format("total: %lld cycles (%.2f us at %lld MHz), %lld DRAM "
                     "bytes, %.2f nJ, weights %s, peak scratchpad %lld of "
                     "%lld B\n",
                     stats.cycles, stats.microseconds, program.target.clockMhz,
                     stats.dramBytes, stats.energyNj,
                     stats.weightsResident ? "resident" : "streamed",
                     stats.peakScratchpad, program.target.scratchpad);
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
      "qlip-npu-sim: run an npu command stream on .npy inputs, bit-exact, "
      "and time it\n\nExit status: 0 on success, 1 on an error.\n");

  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(programFile, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(programFile + ": " + buffer.getError().message());
  llvm::Expected<Program> program =
      readProgram((*buffer)->getBuffer(), programFile);
  if (!program)
    return fail(llvm::toString(program.takeError()));
  llvm::Expected<Simulator> simulator = Simulator::create(*program);
  if (!simulator)
    return fail(programFile + ": " + llvm::toString(simulator.takeError()));
  if (outputFiles.size() > program->outputs.size())
    return fail(llvm::formatv("{0} --output for the {1} output(s) of {2}",
                              outputFiles.size(), program->outputs.size(),
                              programFile)
                    .str());

  llvm::Expected<std::vector<NpyArray>> inputs = qlip::readNpyFiles(inputFiles);
  if (!inputs)
    return fail(llvm::toString(inputs.takeError()));
  llvm::Expected<std::optional<int64_t>> rows = getBatchRows(*program, *inputs);
  if (!rows)
    return fail(llvm::toString(rows.takeError()));
  std::vector<NpyArray> results;
  if (!*rows) {
    if (llvm::Error error = simulator->run(*inputs, results))
      return fail(programFile + ": " + llvm::toString(std::move(error)));
  } else {
    llvm::Expected<std::vector<NpyArray>> batched =
        runBatched(*simulator, *inputs, **rows);
    if (!batched)
      return fail(programFile + ": " + llvm::toString(batched.takeError()));
    results = std::move(*batched);
  }

  for (auto [file, result] : llvm::zip_first(outputFiles, results))
    if (llvm::Error error = qlip::writeNpy(file, result))
      return fail(llvm::toString(std::move(error)));
  if (report)
    printReport(llvm::outs(), *program, simulator->getStats());
  else if (outputFiles.empty())
    for (auto [i, result] : llvm::enumerate(results)) {
      llvm::outs() << "result #" << i << "\n";
      qlip::printNpyArray(llvm::outs(), result);
    }
  return 0;
}
