//===- qlip-compile.cpp - one command from a float model to integer code --===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-compile model.onnx --calib calib.npy --bits 4 -o model.o
//
// Imports the model (ONNX, or float TOSA as MLIR), quantizes it with
// qlip-ptq on the calibration data (a .npy per input, or a folder of
// images), and writes what the output's extension or --emit asks for:
//
//   .mlir  integer TOSA              .o   an object file and its C header
//   .ll    optimized LLVM IR         .s   assembly
//   .npub  an npu command stream
//
// It ends with a summary: the weights' size before and after, each layer's
// bits and rules, the SQNR of every output against float on held-out
// calibration rows (or --test), with --labels the top-1 accuracy of both,
// and where each op runs. Stages are reported on stderr as they run;
// --dump-dir keeps every stage's IR. Exit status: 0, 1 after a diagnostic,
// 2 for an ONNX model using something qlip does not import.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/Target/ToCommandStream.h"
#include "qlip/Aot/AotCompiler.h"
#include "qlip/Conversion/Passes.h"
#include "qlip/Import/OnnxImporter.h"
#include "qlip/InitAll.h"
#include "qlip/Kernels/Kernels.h"
#include "qlip/Npu/CommandStream.h"
#include "qlip/Pipelines/Pipelines.h"
#include "qlip/Report/ModelSummary.h"
#include "qlip/Report/QuantizationReport.h"
#include "qlip/Transforms/ApplyStats.h"
#include "qlip/Runtime/Images.h"
#include "qlip/Runtime/Metrics.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Runtime/Runner.h"
#include "qlip/Support/CommandLine.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/LayerNames.h"
#include "dialects/Npu/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

namespace {
/// What qlip-compile writes to -o.
enum class Emit { Auto, Tosa, LLVMIR, Object, Assembly, Npu };
} // namespace

static cl::OptionCategory category("qlip-compile options");
static cl::OptionCategory imageCategory(
    "Images (--calib FOLDER): decoded, resized, scaled, normalized");

static cl::opt<std::string> modelFile(cl::Positional,
                                      cl::desc("<model.onnx | model.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string>
    outputFile("o",
               cl::desc("Output file; its extension chooses what is written "
                        "(.mlir, .ll, .o, .s, .npub) unless --emit does"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<Emit> emit(
    "emit", cl::desc("What to write (default: from -o's extension)"),
    cl::values(clEnumValN(Emit::Tosa, "tosa", "integer TOSA (.mlir)"),
               clEnumValN(Emit::LLVMIR, "llvm", "optimized LLVM IR (.ll)"),
               clEnumValN(Emit::Object, "obj",
                          "an object file and its C header (.o, .h)"),
               clEnumValN(Emit::Assembly, "asm", "assembly (.s)"),
               clEnumValN(Emit::Npu, "npu",
                          "an npu command stream (.npub)")),
    cl::init(Emit::Auto), cl::cat(category));
static cl::list<std::string>
    calib("calib",
          cl::desc("Calibration data: a .npy of samples [N, ...] per model "
                   "input (repeat for several inputs), or a folder of "
                   "images for a one-image-input model"),
          cl::value_desc("file|folder"), cl::cat(category));
static cl::opt<unsigned> bits("bits",
                              cl::desc("Weight and activation bits, 2 to 8"),
                              cl::init(8), cl::cat(category));
static cl::opt<unsigned>
    weightBits("weight-bits", cl::desc("Weight bits, 2 to 8 (default --bits)"),
               cl::cat(category));
static cl::opt<unsigned> actBits(
    "act-bits", cl::desc("Activation bits, 2 to 8 or 16 (default --bits)"),
    cl::cat(category));
static cl::opt<std::string> ptqOptions(
    "ptq-options",
    cl::desc("More qlip-ptq options, as qlip-opt takes them: "
             "\"weight-clip=sawb first-layer-bits=0\" (calib= comes from "
             "--calib)"),
    cl::value_desc("options"), cl::cat(category));
static cl::opt<int64_t> holdout(
    "holdout",
    cl::desc("Calibration rows kept out of calibration to measure on "
             "(default: an eighth, with 16 rows or more; 0: measure on the "
             "calibration rows)"),
    cl::init(-1), cl::cat(category));
static cl::list<std::string>
    testInputs("test",
               cl::desc("Measure on these samples (a .npy per input) "
                        "instead of held-out calibration rows"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string> labelsFile(
    "labels",
    cl::desc("Integer labels (.npy), one per row of --test, else one per "
             "calibration row: the summary gives float and quantized top-1 "
             "accuracy"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<double> maxDrop(
    "max-drop",
    cl::desc("With --labels of the calibration rows: choose each layer's "
             "weight width for at most this many points of accuracy lost, "
             "with the fewest bytes"),
    cl::init(0), cl::cat(category));
static cl::opt<std::string>
    dumpDir("dump-dir",
            cl::desc("Write every stage's IR (and the calibration split) to "
                     "this folder"),
            cl::value_desc("folder"), cl::cat(category));
static cl::opt<std::string> reportFile(
    "report",
    cl::desc("Also write qlip-report's HTML page, measured on the rows the "
             "summary measures on"),
    cl::value_desc("file.html"), cl::cat(category));
static cl::opt<bool> quiet("quiet",
                           cl::desc("Print neither stages nor the summary"),
                           cl::cat(category));
static cl::opt<std::string> entryName(
    "entry", cl::desc("The model's function (MLIR input)"), cl::init("main"),
    cl::cat(category));
static cl::opt<int64_t>
    batch("batch",
          cl::desc("ONNX: the size of a symbolic batch dimension (default: "
                   "1)"),
          cl::init(1), cl::cat(category));
static cl::opt<OnnxIoLayout> ioLayout(
    "io-layout",
    cl::desc("ONNX: the layout of the model's 4-D inputs and outputs"),
    cl::init(OnnxIoLayout::Onnx),
    cl::values(clEnumValN(OnnxIoLayout::Onnx, "onnx",
                          "as the ONNX model declares them (NCHW)"),
               clEnumValN(OnnxIoLayout::Nhwc, "nhwc",
                          "NHWC, as qlip's TOSA models take them")),
    cl::cat(category));
static cl::opt<std::string>
    cName("name", cl::desc("Object files: the C function's name "
                           "(default qlip_<entry>)"),
          cl::value_desc("identifier"), cl::cat(category));
static cl::opt<std::string> headerFile(
    "header",
    cl::desc("Object files: the C header (default: -o with extension .h)"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    targetCpu("mcpu",
              cl::desc("CPU outputs: 'native' or an LLVM CPU name"),
              cl::init("native"), cl::cat(category));
static cl::opt<unsigned> optLevel("opt-level",
                                  cl::desc("LLVM optimization level, 0 to 3"),
                                  cl::init(3), cl::cat(category));
static cl::opt<std::string> npuTarget(
    "npu-target", cl::desc("npu outputs: the #npu.target to compile for"),
    cl::init("#npu.target<rows = 16, cols = 16, widths = [2, 4, 8], "
             "scratchpad = 65536, weight_buffer = 4096, "
             "dram_bytes_per_cycle = 8, clock_mhz = 500>"),
    cl::cat(category));

static cl::opt<int64_t> resize(
    "resize",
    cl::desc("Resize the shorter side to this, then crop the centre to "
             "the model's size (default: resize to the model's size)"),
    cl::init(0), cl::cat(imageCategory));
static cl::list<double>
    mean("mean", cl::desc("Per-channel means subtracted after scaling"),
         cl::CommaSeparated, cl::cat(imageCategory));
static cl::list<double>
    stdDev("std", cl::desc("Per-channel standard deviations divided by"),
           cl::CommaSeparated, cl::cat(imageCategory));
static cl::opt<double> scale("scale",
                             cl::desc("Pixel values (0-255) are multiplied "
                                      "by this first"),
                             cl::init(1.0 / 255.0), cl::cat(imageCategory));
static cl::opt<ImageLayout> layout(
    "layout", cl::desc("The model input's layout"),
    cl::values(clEnumValN(ImageLayout::Auto, "auto",
                          "NCHW when dim 1 is 1 or 3 and the last is not"),
               clEnumValN(ImageLayout::NCHW, "nchw", "[N, C, H, W]"),
               clEnumValN(ImageLayout::NHWC, "nhwc", "[N, H, W, C]")),
    cl::init(ImageLayout::Auto), cl::cat(imageCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-compile: error: " << message << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// Stages
//===----------------------------------------------------------------------===//

namespace {
/// Reports the stages on stderr: "[2/5] quantizing ..." when one starts and
/// its time when it ends.
class Stages {
public:
  explicit Stages(unsigned total) : total(total) {}

  void begin(const llvm::Twine &what) {
    start = std::chrono::steady_clock::now();
    if (!quiet)
      llvm::errs() << "[" << ++current << "/" << total << "] " << what
                   << "\n";
  }
  void end(const llvm::Twine &result = "") {
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (!quiet)
      llvm::errs() << "      " << result << (result.isTriviallyEmpty() ? "" : ", ")
                   << llvm::format("%.1f s", seconds) << "\n";
  }

private:
  unsigned total, current = 0;
  std::chrono::steady_clock::time_point start;
};

/// A folder for the files the pipeline reads (the calibration split):
/// --dump-dir, or a temporary one removed at exit.
class WorkDir {
public:
  llvm::Error create() {
    if (!dumpDir.empty()) {
      path = dumpDir;
      if (std::error_code ec = llvm::sys::fs::create_directories(path))
        return llvm::createStringError(ec, "--dump-dir: cannot create " +
                                               path + ": " + ec.message());
      return llvm::Error::success();
    }
    llvm::SmallString<128> dir;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("qlip-compile", dir))
      return llvm::createStringError(
          ec, "cannot create a temporary folder: " + ec.message());
    path = dir.str().str();
    temporary = true;
    return llvm::Error::success();
  }
  ~WorkDir() {
    if (temporary)
      llvm::sys::fs::remove_directories(path);
  }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> result(path);
    llvm::sys::path::append(result, name);
    return result.str().str();
  }

  std::string path;

private:
  bool temporary = false;
};
} // namespace

/// Writes `module` to `path` with its locations (the layer names).
static LogicalResult writeModule(ModuleOp module, llvm::StringRef path) {
  OpPrintingFlags flags;
  flags.enableDebugInfo();
  if (llvm::Error error = writeOutputFile(
          path, [&](llvm::raw_ostream &os) { module->print(os, flags); }))
    return fail(llvm::toString(std::move(error))), failure();
  return success();
}

static LogicalResult writeBytes(llvm::StringRef path, llvm::StringRef bytes) {
  if (llvm::Error error =
          writeOutputFile(path, [&](llvm::raw_ostream &os) { os << bytes; }))
    return fail(llvm::toString(std::move(error))), failure();
  return success();
}

/// The kind of output `path`'s extension asks for.
static std::optional<Emit> emitForExtension(llvm::StringRef path) {
  std::string extension = llvm::sys::path::extension(path).lower();
  return llvm::StringSwitch<std::optional<Emit>>(extension)
      .Case(".mlir", Emit::Tosa)
      .Case(".ll", Emit::LLVMIR)
      .Case(".o", Emit::Object)
      .Case(".s", Emit::Assembly)
      .Case(".npub", Emit::Npu)
      .Default(std::nullopt);
}

/// Rows [first, first + count) of every array.
static std::vector<NpyArray> sliceRows(llvm::ArrayRef<NpyArray> arrays,
                                       int64_t first, int64_t count) {
  std::vector<NpyArray> slices;
  for (const NpyArray &array : arrays) {
    NpyArray slice;
    slice.dtype = array.dtype;
    slice.shape = array.shape;
    slice.shape[0] = count;
    slice.data.resize(count * getRowBytes(array));
    slices.push_back(std::move(slice));
  }
  fillBatch(arrays, first, count, slices);
  return slices;
}

//===----------------------------------------------------------------------===//
// Measuring
//===----------------------------------------------------------------------===//

namespace {
/// The integer model against the float one on the evaluation rows.
struct Measurement {
  int64_t rows = 0;
  llvm::SmallVector<double> sqnrDb;
  std::optional<double> floatAccuracy, quantizedAccuracy;
};
} // namespace

static llvm::Expected<Measurement>
measure(ModuleOp floatModel, ModuleOp integerModel,
        llvm::ArrayRef<NpyArray> samples,
        std::optional<llvm::ArrayRef<int64_t>> labels) {
  // The float model's run, then the integer model's.
  ProgressBar progress(2, "rows");
  auto run = [&](ModuleOp model,
                 unsigned pass) -> llvm::Expected<std::vector<NpyArray>> {
    auto runner = Runner::create(model, entryName);
    if (!runner)
      return runner.takeError();
    return (*runner)->runRows(samples, [&](int64_t done, int64_t total) {
      progress.update(pass, done, total);
    });
  };
  auto reference = run(floatModel, 1);
  if (!reference)
    return reference.takeError();
  auto actual = run(integerModel, 2);
  if (!actual)
    return actual.takeError();
  Measurement result;
  result.rows = samples.front().shape[0];
  for (auto [quantized, exact] : llvm::zip(*actual, *reference))
    result.sqnrDb.push_back(sqnrDb(quantized.toDoubles(), exact.toDoubles()));
  if (labels) {
    const NpyArray &scores = reference->front();
    size_t rowLength = scores.numElements() / scores.shape[0];
    auto accuracy = [&](const NpyArray &output) {
      return 100.0 *
             countTop1Correct(output.toDoubles(), rowLength, *labels) /
             labels->size();
    };
    result.floatAccuracy = accuracy(reference->front());
    result.quantizedAccuracy = accuracy(actual->front());
  }
  return result;
}

//===----------------------------------------------------------------------===//
// main
//===----------------------------------------------------------------------===//

/// The labels of the rows measured on: all of --test's, else those of the
/// held-out calibration rows (the last ones).
static llvm::ArrayRef<int64_t> evalLabels(llvm::ArrayRef<int64_t> labels,
                                          llvm::ArrayRef<NpyArray> evalRows) {
  return testInputs.empty() ? labels.take_back(evalRows.front().shape[0])
                            : labels;
}

/// "3.2 MB", "410 kB", "96 B".
static std::string formatBytes(double bytes) {
  if (bytes >= 1e6)
    return llvm::formatv("{0:f2} MB", bytes / 1e6).str();
  if (bytes >= 1e3)
    return llvm::formatv("{0:f1} kB", bytes / 1e3).str();
  return llvm::formatv("{0:f0} B", bytes).str();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  setQlipVersionPrinter();
  cl::HideUnrelatedOptions({&category, &imageCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-compile: a float model (ONNX or TOSA) to integer code in one "
      "command\n\n"
      "  qlip-compile model.onnx --calib calib.npy --bits 4 -o model.o\n");

  // --- Options ---------------------------------------------------------------
  if (modelFile.empty())
    return fail("no input model (see --help)");
  if (outputFile.empty())
    return fail("no output: -o FILE (.mlir, .ll, .o, .s or .npub)");
  Emit kind = emit;
  if (kind == Emit::Auto) {
    std::optional<Emit> fromName = emitForExtension(outputFile);
    if (!fromName)
      return fail("-o " + outputFile +
                  ": the extension does not say what to write; use .mlir, "
                  ".ll, .o, .s or .npub, or --emit");
    kind = *fromName;
  }
  if (kind == Emit::Object && (headerFile.empty()
                                   ? aot::getDefaultHeaderPath(outputFile)
                                   : headerFile.getValue()) == outputFile)
    return fail("the header and the output are both " + outputFile +
                "; name the header with --header");
  if (calib.empty())
    return fail("no calibration data: --calib FILE.npy (one per model "
                "input) or --calib FOLDER of images");
  unsigned wBits = weightBits.getNumOccurrences() ? weightBits : bits;
  unsigned aBits = actBits.getNumOccurrences() ? actBits : bits;
  if (bits < 2 || bits > 8)
    return fail("--bits must be 2 to 8, got " + llvm::Twine(bits));
  if (wBits < 2 || wBits > 8)
    return fail("--weight-bits must be 2 to 8, got " + llvm::Twine(wBits));
  if (!isSupportedBitWidth(aBits))
    return fail("--act-bits must be 2 to 8 or 16, got " + llvm::Twine(aBits));
  if (batch < 1)
    return fail("--batch must be positive, got " + llvm::Twine(batch));
  if (maxDrop < 0 || !std::isfinite(maxDrop))
    return fail("--max-drop must be a non-negative number of points");
  if (maxDrop > 0 && (labelsFile.empty() || !testInputs.empty()))
    return fail("--max-drop needs --labels of the calibration rows (and no "
                "--test)");
  std::unique_ptr<PtqOptions> ptq =
      ptqOptions.empty() ? std::make_unique<PtqOptions>()
                         : PtqOptions::createFromString(ptqOptions);
  if (!ptq)
    return fail("--ptq-options: cannot parse '" + ptqOptions +
                "' (qlip-opt --help lists qlip-ptq's options)");
  if (!ptq->calib.empty() || !ptq->stats.empty() || !ptq->labels.empty())
    return fail("--ptq-options: calib=, stats= and labels= come from --calib "
                "and --labels");
  ptq->weightBits = wBits;
  ptq->actBits = aBits;
  ptq->maxDrop = maxDrop;
  aot::AotOptions aotOptions;
  aotOptions.entry = entryName;
  aotOptions.cName = cName;
  aotOptions.optLevel = optLevel;
  aotOptions.targetCpu = targetCpu;
  aotOptions.sourceName = llvm::sys::path::filename(modelFile).str();
  if (kind == Emit::Object || kind == Emit::Assembly || kind == Emit::LLVMIR)
    if (llvm::Error error = aot::checkOptions(aotOptions))
      return fail(llvm::toString(std::move(error)));
  ImagePreprocessing images;
  images.resizeShorter = resize;
  images.scale = scale;
  if (!mean.empty())
    images.mean.assign(mean.begin(), mean.end());
  if (!stdDev.empty())
    images.std.assign(stdDev.begin(), stdDev.end());
  images.layout = layout;
  if (resize < 0)
    return fail("--resize must be positive");

  DialectRegistry registry;
  registerAllQlip(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  // "model.onnx: node 'conv1': error: ...": the layer's name and position.
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    llvm::raw_ostream &os = llvm::errs();
    // A whole file's position (file:0:0) is the file.
    if (std::optional<std::string> position =
            getLocationPosition(diag.getLocation()))
      os << llvm::StringRef(*position).drop_back(
                llvm::StringRef(*position).ends_with(":0:0") ? 4 : 0)
         << ": ";
    // The layer's name, unless the message already gives it (the
    // importer's do).
    std::string message = diag.str();
    if (std::optional<std::string> name = getLocationName(diag.getLocation()))
      if (!llvm::StringRef(message).contains("'" + *name + "'"))
        os << "'" << *name << "': ";
    os << (diag.getSeverity() == DiagnosticSeverity::Error     ? "error: "
           : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning: "
                                                                : "note: ")
       << message << "\n";
    for (Diagnostic &note : diag.getNotes())
      os << "  note: " << note.str() << "\n";
    return success();
  });

  WorkDir work;
  if (llvm::Error error = work.create())
    return fail(llvm::toString(std::move(error)));
  auto dump = [&](ModuleOp module, llvm::StringRef name) {
    return dumpDir.empty() ? success() : writeModule(module, work.file(name));
  };
  Stages stages(reportFile.empty() ? 4 : 5);

  // --- 1. The float model ---------------------------------------------------
  bool isOnnx = llvm::StringRef(modelFile).ends_with_insensitive(".onnx");
  stages.begin("import " + modelFile);
  OwningOpRef<ModuleOp> floatModel;
  if (isOnnx) {
    auto buffer = llvm::MemoryBuffer::getFile(modelFile, /*IsText=*/false);
    if (!buffer)
      return fail(modelFile + ": cannot read: " + buffer.getError().message());
    OnnxImportOptions options;
    options.entry = entryName;
    options.batch = batch;
    options.ioLayout = ioLayout;
    llvm::SmallString<256> dir(modelFile.getValue());
    llvm::sys::path::remove_filename(dir);
    options.externalDataDir = dir.empty() ? "." : dir.str().str();
    OnnxImportResult result = importOnnxModel((*buffer)->getBuffer(),
                                              modelFile, &context, options);
    if (!result.module)
      return result.status == OnnxImportStatus::Unsupported ? 2 : 1;
    floatModel = std::move(result.module);
  } else {
    llvm::SourceMgr sourceMgr;
    floatModel = parseSourceFile<ModuleOp>(modelFile, sourceMgr, &context);
    if (!floatModel)
      return fail("cannot read the model " + modelFile);
  }
  auto entry = floatModel->lookupSymbol<func::FuncOp>(entryName);
  if (!entry || entry.isExternal())
    return fail(modelFile + " has no function '" + entryName +
                "' to compile (--entry names it)");
  if (failed(dump(*floatModel, "1-float.mlir")))
    return 1;
  RangeSummary floatSummary = summarizeRanges(*floatModel);
  stages.end(llvm::formatv("{0} layers, {1} of float weights",
                           floatSummary.layers.size(),
                           formatBytes(floatSummary.floatWeightBytes))
                 .str());

  // --- 2. Calibration data ------------------------------------------------------
  std::vector<NpyArray> samples;
  FunctionType signature = entry.getFunctionType();
  if (calib.size() == 1 && llvm::sys::fs::is_directory(calib.front())) {
    if (signature.getNumInputs() != 1)
      return fail("--calib " + calib.front() + ": a folder of images feeds a "
                  "model with one input; '" + entryName + "' has " +
                  llvm::Twine(signature.getNumInputs()));
    auto type = dyn_cast<RankedTensorType>(signature.getInput(0));
    if (!type || !type.hasStaticShape())
      return fail("--calib " + calib.front() +
                  ": images need a static input shape");
    auto array = readImageFolder(calib.front(), type.getShape(), images);
    if (!array)
      return fail("--calib: " + llvm::toString(array.takeError()));
    samples.push_back(std::move(*array));
  } else {
    auto arrays = readNpyFiles(std::vector<std::string>(calib.begin(),
                                                         calib.end()));
    if (!arrays)
      return fail("--calib: " + llvm::toString(arrays.takeError()));
    samples = std::move(*arrays);
  }
  int64_t rows = samples.front().getRank() ? samples.front().shape[0] : 0;
  for (auto [index, array] : llvm::enumerate(samples))
    if (array.getRank() == 0 || array.shape[0] != rows)
      return fail("--calib: every array needs the same number of rows [N, "
                  "...]; " + calib[std::min(index, calib.size() - 1)] +
                  " has shape " + formatArrayShape(array.shape));
  int64_t held = holdout;
  if (!testInputs.empty())
    held = 0;
  else if (held < 0)
    held = rows >= 16 ? rows / 8 : 0;
  if (held >= rows)
    return fail("--holdout " + llvm::Twine(held) + " leaves no calibration "
                "rows of " + llvm::Twine(rows));
  std::vector<NpyArray> calibRows = sliceRows(samples, 0, rows - held);
  std::vector<NpyArray> evalRows =
      held ? sliceRows(samples, rows - held, held) : std::move(samples);
  if (!testInputs.empty()) {
    auto arrays = readNpyFiles(std::vector<std::string>(testInputs.begin(),
                                                         testInputs.end()));
    if (!arrays)
      return fail("--test: " + llvm::toString(arrays.takeError()));
    evalRows = std::move(*arrays);
  }
  std::optional<std::vector<int64_t>> labels;
  if (!labelsFile.empty()) {
    auto read = readLabels(labelsFile);
    if (!read)
      return fail(llvm::toString(read.takeError()));
    int64_t expected = testInputs.empty() ? rows : evalRows.front().shape[0];
    if (int64_t(read->size()) != expected)
      return fail("--labels " + labelsFile + " has " +
                  llvm::Twine(read->size()) + " labels; " +
                  (testInputs.empty() ? "the calibration set" : "--test") +
                  " has " + llvm::Twine(expected) + " rows");
    labels = std::move(*read);
  }
  for (auto [index, array] : llvm::enumerate(calibRows)) {
    std::string path = work.file(llvm::formatv("calib-{0}.npy", index).str());
    if (llvm::Error error = writeNpy(path, array))
      return fail(llvm::toString(std::move(error)));
    ptq->calib.push_back(path);
  }
  if (maxDrop > 0) {
    std::string path = work.file("calib-labels.npy");
    llvm::ArrayRef<int64_t> calibLabels =
        llvm::ArrayRef(*labels).take_front(rows - held);
    if (llvm::Error error = writeNpy(
            path, NpyArray::create<int64_t>(
                      {int64_t(calibLabels.size())}, calibLabels)))
      return fail(llvm::toString(std::move(error)));
    ptq->labels = path;
  }

  if (llvm::Error error = checkPtqOptions(*ptq))
    return fail("--ptq-options: " + llvm::toString(std::move(error)));

  // --- 3. Ranges ----------------------------------------------------------------
  stages.begin(llvm::formatv("calibrate on {0} rows, choose ranges and round "
                             "W{1}A{2} (qlip-ptq)",
                             rows - held, wBits, aBits)
                   .str());
  // The calibrated float model (observers with their statistics) is what
  // the report measures against.
  FailureOr<PtqModels> stages23 = runPtqToFakeQuant(*floatModel, *ptq);
  if (failed(stages23))
    return fail("quantizing " + modelFile + " failed");
  OwningOpRef<ModuleOp> model = std::move(stages23->fakeQuant);
  OwningOpRef<ModuleOp> calibrated = std::move(stages23->calibrated);
  if (failed(dump(*model, "2-fake-quant.mlir")))
    return 1;
  RangeSummary ranges = summarizeRanges(*model);
  stages.end();

  if (!reportFile.empty()) {
    stages.begin("report on " + llvm::Twine(evalRows.front().shape[0]) +
                 " rows to " + reportFile);
    llvm::Expected<StatsFile> stats =
        readAttachedStats(*calibrated, rows - held);
    if (!stats)
      return fail(llvm::toString(stats.takeError()));
    ReportOptions options;
    options.entry = entryName;
    options.modelName = modelFile + " at W" + std::to_string(wBits) + "A" +
                        std::to_string(aBits);
    options.floatName = modelFile;
    options.statsName = "calibration on " + llvm::join(calib, ", ");
    options.sampleNames = testInputs.empty()
                              ? std::vector<std::string>(calib.begin(),
                                                         calib.end())
                              : std::vector<std::string>(testInputs.begin(),
                                                         testInputs.end());
    if (labels)
      options.labels = evalLabels(*labels, evalRows);
    llvm::Expected<QuantizationReport> report = measureQuantizationReport(
        *model, *calibrated, *stats, evalRows, options);
    if (!report)
      return fail(llvm::toString(report.takeError()));
    if (llvm::Error error = writeOutputFile(
            reportFile,
            [&](llvm::raw_ostream &os) { writeHtmlReport(os, *report); }))
      return fail(llvm::toString(std::move(error)));
    stages.end();
  }

  // --- 4. Integer model ---------------------------------------------------------
  stages.begin("integer TOSA (qlip-quantize), measured on " +
               llvm::Twine(evalRows.front().shape[0]) +
               (testInputs.empty() ? (held ? " held-out" : " calibration")
                                   : " test") +
               " rows");
  {
    PassManager pm(&context, ModuleOp::getOperationName());
    buildPtqIntegerPipeline(pm, *ptq);
    if (failed(pm.run(*model)))
      return fail("lowering " + modelFile + " to integer TOSA failed");
  }
  if (failed(dump(*model, "3-integer.mlir")))
    return 1;
  llvm::Expected<Measurement> measured = measure(
      *floatModel, *model, evalRows,
      labels ? std::optional<llvm::ArrayRef<int64_t>>(
                   evalLabels(*labels, evalRows))
             : std::nullopt);
  if (!measured)
    return fail(llvm::toString(measured.takeError()));
  stages.end();

  // --- 5. Output ------------------------------------------------------------------
  static const char *const kindNames[] = {"", "integer TOSA", "LLVM IR",
                                          "an object file", "assembly",
                                          "an npu command stream"};
  stages.begin(llvm::Twine("write ") + kindNames[int(kind)] + " to " +
               outputFile);
  llvm::SmallVector<Placement> placement;
  std::string isa = qlip_isa_name(qlip_get_best_isa());
  if (kind == Emit::Npu) {
    OwningOpRef<ModuleOp> npu(cast<ModuleOp>((*model)->clone()));
    PassManager pm(&context, ModuleOp::getOperationName());
    TosaToNpuPassOptions toNpu;
    toNpu.target = npuTarget;
    pm.addPass(createTosaToNpuPass(toNpu));
    if (failed(pm.run(*npu)))
      return fail("compiling for the npu failed");
    placement = summarizePlacement(*npu, isa);
    if (failed(dump(*npu, "4-npu.mlir")))
      return 1;
    PassManager lower(&context, ModuleOp::getOperationName());
    lower.addPass(npu::createNpuPlanPass());
    lower.addPass(npu::createNpuLowerPass());
    if (failed(lower.run(*npu)))
      return fail("lowering to an npu program failed");
    if (failed(dump(*npu, "5-npu-program.mlir")))
      return 1;
    FailureOr<npu::stream::Program> program =
        npu::translateToCommandStream(*npu);
    if (failed(program))
      return 1;
    std::string bytes;
    llvm::raw_string_ostream os(bytes);
    npu::stream::writeProgram(os, *program);
    if (failed(writeBytes(outputFile, bytes)))
      return 1;
  } else {
    {
      OwningOpRef<ModuleOp> cpu(cast<ModuleOp>((*model)->clone()));
      PassManager pm(&context, ModuleOp::getOperationName());
      pm.addNestedPass<func::FuncOp>(createTosaToCpuPass());
      if (failed(pm.run(*cpu)))
        return fail("placing the layers on the CPU kernels failed");
      placement = summarizePlacement(*cpu, isa);
    }
    if (kind == Emit::Tosa) {
      if (failed(writeModule(*model, outputFile)))
        return 1;
    } else {
      OwningOpRef<ModuleOp> lowered(cast<ModuleOp>((*model)->clone()));
      llvm::SmallString<0> bytes;
      aot::EmitKind aotKind = kind == Emit::Object ? aot::EmitKind::Object
                              : kind == Emit::Assembly
                                  ? aot::EmitKind::Assembly
                                  : aot::EmitKind::LLVMIR;
      FailureOr<aot::CEntry> cEntry =
          aot::compile(*lowered, aotOptions, aotKind, bytes);
      if (failed(cEntry))
        return 1;
      if (failed(dump(*lowered, "4-llvm-dialect.mlir")) ||
          failed(writeBytes(outputFile, bytes)))
        return 1;
      std::string header = headerFile.empty()
                               ? aot::getDefaultHeaderPath(outputFile)
                               : headerFile.getValue();
      if (kind == Emit::Object && !header.empty()) {
        std::string text;
        llvm::raw_string_ostream os(text);
        aot::writeCHeader(os, *cEntry, modelFile);
        if (failed(writeBytes(header, text)))
          return 1;
      }
    }
  }
  stages.end();

  // --- Summary ----------------------------------------------------------------------
  if (quiet)
    return 0;
  llvm::raw_ostream &os = outputFile == "-" ? llvm::errs() : llvm::outs();
  os << "\nqlip-compile: " << modelFile << " -> " << outputFile << " (W"
     << wBits << "A" << aBits << ")\n";
  os << "weights: " << formatBytes(ranges.floatWeightBytes) << " float -> "
     << formatBytes(ranges.quantizedWeightBytes) << " at their widths ("
     << llvm::format("%.1fx", ranges.floatWeightBytes /
                                  std::max(ranges.quantizedWeightBytes, 1.0))
     << " smaller)\n";
  os << "layers:\n";
  printRangeSummary(os, ranges);
  os << "against float on " << measured->rows
     << (testInputs.empty() ? (held ? " held-out calibration" : " calibration")
                            : " test")
     << " rows:\n";
  for (auto [index, db] : llvm::enumerate(measured->sqnrDb))
    os << "  output " << index << " SQNR: " << formatDb(db) << "\n";
  if (measured->floatAccuracy)
    os << llvm::format("  top-1 accuracy: float %.2f%%, quantized %.2f%%\n",
                       *measured->floatAccuracy, *measured->quantizedAccuracy);
  if (testInputs.empty() && !held)
    os << "  (the calibration rows themselves: give more rows, --holdout "
          "or --test for an unbiased figure)\n";
  os << "where the ops run" << (kind == Emit::Npu ? "" : " on this CPU")
     << ":\n";
  printPlacement(os, placement);
  return 0;
}
