//===- FuzzPtq.cpp - libFuzzer target: the quantization pipeline -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The input's bytes generate a small float TOSA model (conv2d, an optional
// ReLU, a 1x1 conv2d: sizes, weights and biases from the bytes), its
// calibration statistics (each observer's range and histogram from the
// bytes) and qlip-ptq's widths and rules. qlip-prepare, the statistics and
// qlip-ptq then either fail with a diagnostic or give an integer model
// that verifies; nothing crashes. The statistics go through a file, as
// qlip-ptq reads them (one per process).
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Calibration/StatsFile.h"
#include "qlip/InitAll.h"
#include "qlip/Pipelines/Pipelines.h"
#include "qlip/Transforms/ModelFingerprint.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <string>

using namespace mlir;

namespace {

/// The input's bytes in order, then zeros.
struct Bytes {
  const uint8_t *data;
  size_t size, position = 0;
  uint8_t next() { return position < size ? data[position++] : 0; }
  /// One of `n` choices.
  unsigned pick(unsigned n) { return next() % n; }
  /// A weight or bias in [-4, 4), 1/32 apart.
  float value() { return static_cast<int8_t>(next()) / 32.0f; }
};

std::string tensor(llvm::ArrayRef<int64_t> shape) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + "f32>";
}

/// Nested brackets of `shape`'s elements, from the bytes.
void appendElements(Bytes &bytes, llvm::ArrayRef<int64_t> shape,
                    std::string &text) {
  if (shape.empty()) {
    text += llvm::formatv("{0:e}", bytes.value()).str();
    return;
  }
  text += "[";
  for (int64_t i = 0; i < shape.front(); ++i) {
    if (i)
      text += ", ";
    appendElements(bytes, shape.drop_front(), text);
  }
  text += "]";
}

std::string dense(Bytes &bytes, llvm::ArrayRef<int64_t> shape) {
  std::string text = "dense<";
  appendElements(bytes, shape, text);
  return text + "> : " + tensor(shape);
}

/// A conv2d of `input` ([1, h, w, cin]) to `cout` channels, `kernel` wide,
/// padded to keep h and w; returns the result's SSA name.
std::string conv(Bytes &bytes, std::string &body, const std::string &input,
                 int64_t h, int64_t w, int64_t cin, int64_t cout,
                 int64_t kernel, int &next) {
  std::string wName = "%w" + std::to_string(next);
  std::string bName = "%b" + std::to_string(next);
  std::string result = "%c" + std::to_string(next++);
  int64_t pad = kernel / 2, extra = kernel - 1 - pad;
  std::string wType = tensor({cout, kernel, kernel, cin});
  body += llvm::formatv("  {0} = \"tosa.const\"() <{{values = {1}}> : () -> "
                        "{2}\n",
                        wName, dense(bytes, {cout, kernel, kernel, cin}),
                        wType);
  body += llvm::formatv("  {0} = \"tosa.const\"() <{{values = {1}}> : () -> "
                        "{2}\n",
                        bName, dense(bytes, {cout}), tensor({cout}));
  std::string inType = tensor({1, h, w, cin});
  std::string outType = tensor({1, h, w, cout});
  body += llvm::formatv(
      "  {0} = tosa.conv2d {1}, {2}, {3}, %zp, %zp {{acc_type = f32, "
      "dilation = array<i64: 1, 1>, pad = array<i64: {4}, {5}, {4}, {5}>, "
      "stride = array<i64: 1, 1>} : ({6}, {7}, {8}, tensor<1xf32>, "
      "tensor<1xf32>) -> {9}\n",
      result, input, wName, bName, pad, extra, inType, wType, tensor({cout}),
      outType);
  return result;
}

std::string generateModel(Bytes &bytes) {
  int64_t h = 1 + bytes.pick(4), w = 1 + bytes.pick(4);
  int64_t cin = 1 + bytes.pick(3), mid = 1 + bytes.pick(4),
          cout = 1 + bytes.pick(4), kernel = 1 + bytes.pick(3);
  bool relu = bytes.pick(2);
  std::string body = "  %zp = \"tosa.const\"() <{values = dense<0.0> : "
                     "tensor<1xf32>}> : () -> tensor<1xf32>\n";
  int next = 0;
  std::string value = conv(bytes, body, "%x", h, w, cin, mid, kernel, next);
  if (relu) {
    body += llvm::formatv("  %r = tosa.clamp {0} {{min_val = 0.0 : f32, "
                          "max_val = 3.4028235e+38 : f32} : ({1}) -> {1}\n",
                          value, tensor({1, h, w, mid}));
    value = "%r";
  }
  value = conv(bytes, body, value, h, w, mid, cout, 1, next);
  return llvm::formatv("func.func @main(%x: {0}) -> {1} {{\n{2}  return {3} : "
                       "{1}\n}\n",
                       tensor({1, h, w, cin}), tensor({1, h, w, cout}), body,
                       value);
}

/// Statistics for every observer of `module`, each range and histogram from
/// the bytes.
qlip::StatsFile generateStats(Bytes &bytes, ModuleOp module) {
  qlip::StatsFile stats;
  stats.fingerprint = qlip::computeModelFingerprint(module);
  stats.samples = 1;
  module.walk([&](qlip::ObserveOp op) {
    qlip::ObserverStats o;
    o.id = op.getId().str();
    double lo = -static_cast<double>(bytes.next()) / 16.0;
    double width = (1 + bytes.next()) / 16.0;
    o.min = lo;
    o.max = lo + width;
    unsigned bins = 1 + bytes.pick(16);
    for (unsigned i = 0; i <= bins; ++i)
      o.histogramEdges.push_back(lo + width * i / bins);
    o.histogramEdges.back() = o.max;
    for (unsigned i = 0; i < bins; ++i)
      o.histogramCounts.push_back(bytes.next());
    o.histogramCounts.front() += 1; // The minimum and the maximum were seen.
    o.histogramCounts.back() += 1;
    for (int64_t c : o.histogramCounts)
      o.count += c;
    o.mean = lo + width / 2;
    o.meanAbsDeviation = width / 4;
    o.stddev = width / 3;
    o.kurtosis = 1.8;
    stats.observers.push_back(std::move(o));
  });
  return stats;
}

/// Runs `pipeline` on `module`; false on a parse or pass failure. Pass
/// managers are kept per pipeline text and context: a pass manager
/// initializes its passes (the canonicalizer freezes every loaded dialect's
/// patterns) on its first run only, and that, not the small model, is most of
/// a fresh pass manager's run.
llvm::StringMap<std::unique_ptr<PassManager>> managers;

bool run(ModuleOp module, const std::string &pipeline) {
  std::unique_ptr<PassManager> &pm = managers[pipeline];
  if (!pm) {
    auto fresh = std::make_unique<PassManager>(module.getContext(),
                                               ModuleOp::getOperationName());
    std::string error;
    llvm::raw_string_ostream os(error);
    if (failed(parsePassPipeline(pipeline, *fresh, os)))
      return false;
    pm = std::move(fresh);
  }
  return succeeded(pm->run(module));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  qlip::registerAllQlipPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<MLIRContext> context;
  static unsigned uses = 0;
  // A fresh context now and then bounds the memory its uniqued constants
  // take; it also drops the pass managers kept for the old one.
  if (!context || ++uses % 20000 == 0) {
    managers.clear(); // They refer to the old context.
    DialectRegistry registry;
    qlip::registerAllQlipDialects(registry);
    context = std::make_unique<MLIRContext>(registry,
                                            MLIRContext::Threading::DISABLED);
    context->loadAllAvailableDialects();
  }
  ScopedDiagnosticHandler quiet(context.get(),
                                [](Diagnostic &) { return success(); });
  Bytes bytes{data, size};
  static const char *weightRules[] = {"max", "mse", "aciq", "sawb"};
  static const char *actRules[] = {"max", "percentile", "kl", "mse", "aciq"};
  static const unsigned widths[] = {2, 3, 4, 8};
  unsigned weightBits = widths[bytes.pick(4)];
  unsigned actBits = bytes.pick(5) == 4 ? 16 : widths[bytes.pick(4)];
  const char *weightRule = weightRules[bytes.pick(4)];
  const char *actRule = actRules[bytes.pick(5)];
  // Upstream's TOSA validation copies its profile tables for every op it
  // checks, most of a run's time here: one input in 32 runs it.
  bool validate = bytes.pick(32) == 0;

  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(generateModel(bytes), context.get());
  if (!module)
    std::abort(); // The generator writes valid IR.
  if (!run(*module, "qlip-prepare"))
    std::abort(); // Any such model can be prepared.
  static const std::string path =
      llvm::formatv("/tmp/qlip-fuzz-ptq-{0}.json",
                    llvm::sys::Process::getProcessId())
          .str();
  if (llvm::Error e =
          qlip::writeStatsFile(path, generateStats(bytes, *module))) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  // Failing is allowed (a diagnostic); a crash or invalid IR is not (the
  // pass manager verifies after each pass).
  (void)run(*module, llvm::formatv("qlip-ptq{{stats={0} weight-bits={1} "
                                   "act-bits={2} weight-clip={3} "
                                   "act-clip={4} sqnr-floor=0 validate={5}}",
                                   path, weightBits, actBits, weightRule,
                                   actRule, validate ? "true" : "false")
                         .str());
  return 0;
}
