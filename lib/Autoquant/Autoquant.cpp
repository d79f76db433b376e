//===- Autoquant.cpp - activation rules chosen by measurement ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Autoquant/Passes.h"

#include "DetachedModule.h"
#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Runtime/Metrics.h"
#include "qlip/Runtime/Runner.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/QuantReport.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cmath>

namespace mlir::qlip {
#define GEN_PASS_DEF_AUTOQUANTPASS
#include "qlip/Autoquant/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

static constexpr llvm::StringLiteral kPrefix = "qlip-autoquant: ";

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {

/// One activation rule assignment: a global rule and per-observer ones.
struct RuleChoice {
  std::string global;
  /// ReLU6 outputs get the rule's range instead of exactly [0, 6].
  bool calibrateRelu6 = false;
  llvm::SmallVector<std::pair<std::string, std::string>> perActivation;

  /// The options of qlip-quantize-activations that apply it.
  std::string options(llvm::StringRef base) const {
    std::string text = base.str() + " act-clip=" + global;
    if (calibrateRelu6)
      text += " calibrate-relu6=true";
    if (!perActivation.empty()) {
      text += " layer-clip=";
      llvm::ListSeparator comma(",");
      for (const auto &[id, rule] : perActivation)
        text += (llvm::Twine(comma) + id + "=" + rule).str();
    }
    return text;
  }
};

/// Runs copies of one module on one set of samples and measures them
/// against the float model's outputs.
class Measurer {
public:
  Measurer(MLIRContext &like, std::string entry, std::vector<NpyArray> samples,
           std::vector<std::string> names)
      : detached(like), entry(std::move(entry)), samples(std::move(samples)),
        names(std::move(names)) {}

  /// Runs a copy of the float `module` for the reference outputs.
  llvm::Error setReference(ModuleOp module);
  /// Copies `module`, whose weights are quantized, as what each
  /// measurement starts from.
  llvm::Error setWeightsQuantized(ModuleOp module);

  /// The SQNR (dB) of the copy's outputs with `activationPipeline` against
  /// the reference.
  llvm::Expected<double> measure(llvm::StringRef activationPipeline);

  unsigned getMeasurements() const { return measurements; }

private:
  llvm::Expected<std::vector<NpyArray>> run(ModuleOp module);
  llvm::Error runPipeline(ModuleOp module, llvm::StringRef pipeline);

  DetachedContext detached;
  std::string entry;
  std::vector<NpyArray> samples;
  /// The samples' files, for messages.
  std::vector<std::string> names;
  std::vector<NpyArray> reference;
  OwningOpRef<ModuleOp> weightsQuantized;
  bool samplesChecked = false;
  unsigned measurements = 0;
};

} // namespace

/// Replaces every qlip.observe and qlip.fake_quant with its input: the
/// float model.
static void dropQuantization(ModuleOp module) {
  module.walk([](Operation *op) {
    if (isa<ObserveOp, FakeQuantOp>(op)) {
      op->getResult(0).replaceAllUsesWith(op->getOperand(0));
      op->erase();
    }
  });
}

llvm::Error Measurer::runPipeline(ModuleOp module, llvm::StringRef pipeline) {
  std::string errors;
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
    errors += "\n  " + d.str();
    return success();
  });
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  std::string parseError;
  llvm::raw_string_ostream os(parseError);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    return makeError("cannot build '" + pipeline + "': " + parseError);
  if (failed(pm.run(module)))
    return makeError("'" + pipeline + "' failed:" + errors);
  return llvm::Error::success();
}

llvm::Expected<std::vector<NpyArray>> Measurer::run(ModuleOp module) {
  auto runner = Runner::create(module, entry);
  if (!runner)
    return runner.takeError();
  // Every copy has the float model's signature: the samples are checked
  // once, against the first.
  if (!samplesChecked) {
    if (llvm::Error error = checkSampleArrays(**runner, samples, names,
                                              "calibration array(s)",
                                              "measurement"))
      return std::move(error);
    samplesChecked = true;
  }
  ++measurements;
  return (*runner)->runRows(samples);
}

llvm::Error Measurer::setReference(ModuleOp module) {
  auto floatModel = detached.copy(module);
  if (!floatModel)
    return floatModel.takeError();
  dropQuantization(**floatModel);
  auto outputs = run(**floatModel);
  if (!outputs)
    return outputs.takeError();
  reference = std::move(*outputs);
  return llvm::Error::success();
}

llvm::Error Measurer::setWeightsQuantized(ModuleOp module) {
  auto copy = detached.copy(module);
  if (!copy)
    return copy.takeError();
  weightsQuantized = std::move(*copy);
  return llvm::Error::success();
}

llvm::Expected<double> Measurer::measure(llvm::StringRef activationPipeline) {
  OwningOpRef<ModuleOp> model(cast<ModuleOp>(weightsQuantized->clone()));
  if (llvm::Error error = runPipeline(*model, activationPipeline))
    return std::move(error);
  auto outputs = run(*model);
  if (!outputs)
    return outputs.takeError();
  SqnrAccumulator sqnr;
  for (auto [actual, expected] : llvm::zip_equal(*outputs, reference))
    sqnr.add(actual.toDoubles(), expected.toDoubles());
  return sqnr.db();
}

/// A SQNR in a JSON report: a number, or "inf" / "-inf" / "nan".
static llvm::json::Value jsonDb(double db) {
  if (std::isfinite(db))
    return db;
  std::string text = formatDb(db);
  return text.substr(0, text.find(' '));
}

namespace {
struct AutoquantPass : qlip::impl::AutoquantPassBase<AutoquantPass> {
  using AutoquantPassBase::AutoquantPassBase;
  void runOnOperation() override;

private:
  LogicalResult fail(llvm::Error error) {
    emitError(getOperation().getLoc())
        << kPrefix << llvm::toString(std::move(error));
    signalPassFailure();
    return failure();
  }
};
} // namespace

void AutoquantPass::runOnOperation() {
  ModuleOp module = getOperation();
  std::vector<std::string> files(calib.begin(), calib.end());
  llvm::Expected<std::vector<NpyArray>> samples = readSampleFiles(files);
  if (!samples)
    return (void)fail(samples.takeError());
  // The first max-samples rows (the arrays are checked when first run).
  int64_t rows = 0;
  for (NpyArray &array : *samples) {
    if (array.shape.empty())
      continue;
    int64_t keep = std::min<int64_t>(array.shape.front(),
                                     std::max<int64_t>(maxSamples, 1));
    array.data.resize(keep * getRowBytes(array));
    array.shape.front() = keep;
    rows = keep;
  }
  llvm::Expected<std::string> entryName = chooseEntry(module, entry);
  if (!entryName)
    return (void)fail(entryName.takeError());

  SmallVector<std::string> rules(candidates.begin(), candidates.end());
  if (rules.empty())
    rules = {"max", "percentile", "mse", "kl", "aciq"};
  static constexpr llvm::StringLiteral known[] = {
      "max", "percentile", "kl", "mse", "aciq-laplace", "aciq-gauss", "aciq"};
  for (const std::string &rule : rules)
    if (!llvm::is_contained(known, rule))
      return (void)fail(makeError("unknown candidate rule '" + rule +
                                  "'; expected " +
                                  llvm::join(llvm::ArrayRef(known), ", ")));
  SmallVector<std::string> ids;
  module.walk([&](ObserveOp op) {
    if (!llvm::is_contained(ids, op.getId()))
      ids.push_back(op.getId().str());
  });
  for (llvm::StringRef chosen : {"act-clip", "layer-clip", "calibrate-relu6"})
    if (llvm::StringRef(activations.getValue()).contains(chosen))
      return (void)fail(makeError("activations= must not set act-clip, "
                                  "layer-clip or calibrate-relu6, which this "
                                  "pass chooses"));
  // A ReLU6's [0, 6] is honoured, or calibrated like any activation: both
  // are measured where the model has one.
  bool hasRelu6 = false;
  module.walk([&](tosa::ClampOp clamp) {
    auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
    auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
    if (lo && hi && lo.getValueAsDouble() == 0.0 &&
        hi.getValueAsDouble() == 6.0)
      hasRelu6 = true;
  });

  // Pipelines of passes on the module (parsed into module pass managers).
  std::string weightPipeline = "qlip-quantize-weights{" + weights + "}";
  auto activationPipeline = [&](const RuleChoice &choice) {
    return "qlip-quantize-activations{" + choice.options(activations) + "}";
  };
  // What is measured is the integer model, as qlip-quantize makes it (it
  // can differ from the fake-quant model at low widths, and it compiles
  // faster). Validation is for the final model.
  auto integerPipeline = [&](const RuleChoice &choice) {
    return activationPipeline(choice) + ",qlip-quantize{" + quantize +
           " validate=false},canonicalize";
  };

  Measurer measurer(getContext(), *entryName, std::move(*samples), files);
  // The weights are quantized once, here (GPTQ is the expensive part on a
  // large model); each measurement copies the result.
  if (llvm::Error error = measurer.setReference(module))
    return (void)fail(std::move(error));
  {
    OpPassManager pm(ModuleOp::getOperationName());
    std::string parseError;
    llvm::raw_string_ostream os(parseError);
    if (failed(parsePassPipeline(weightPipeline, pm, os)))
      return (void)fail(makeError(parseError));
    if (failed(runPipeline(pm, module)))
      return signalPassFailure();
  }
  if (llvm::Error error = measurer.setWeightsQuantized(module))
    return (void)fail(std::move(error));

  // Every measurement, in order, for the report.
  llvm::json::Array measured;
  ProgressBar progress(refine ? 2 : 1, "measurements");
  auto measure = [&](const RuleChoice &choice,
                     llvm::StringRef what) -> llvm::Expected<double> {
    llvm::Expected<double> db = measurer.measure(integerPipeline(choice));
    if (db)
      measured.push_back(
          llvm::json::Object{{"try", what.str()}, {"sqnr_db", jsonDb(*db)}});
    return db;
  };

  RuleChoice best;
  double bestDb = -INFINITY;
  SmallVector<RuleChoice> globalChoices;
  for (bool calibrateRelu6 : {false, true}) {
    if (calibrateRelu6 && !hasRelu6)
      break;
    for (const std::string &rule : rules)
      globalChoices.push_back({rule, calibrateRelu6, {}});
  }
  for (auto [i, choice] : llvm::enumerate(globalChoices)) {
    llvm::Expected<double> db = measure(
        choice, "act-clip=" + choice.global +
                    (choice.calibrateRelu6 ? " calibrate-relu6" : ""));
    if (!db)
      return (void)fail(db.takeError());
    if (*db > bestDb) {
      bestDb = *db;
      best = choice;
    }
    progress.update(1, i + 1, globalChoices.size());
  }
  if (refine) {
    int64_t total = ids.size() * (rules.size() - 1), done = 0;
    for (const std::string &id : ids) {
      for (const std::string &rule : rules) {
        if (rule == best.global)
          continue;
        // This activation's rule replaces the one it has.
        RuleChoice choice = best;
        llvm::erase_if(choice.perActivation,
                       [&](const auto &entry) { return entry.first == id; });
        choice.perActivation.push_back({id, rule});
        llvm::Expected<double> db =
            measure(choice, "layer-clip=" + id + "=" + rule);
        if (!db)
          return (void)fail(db.takeError());
        // Only a clear gain: measurement noise must not pick rules.
        if (*db > bestDb + 0.01) {
          bestDb = *db;
          best = choice;
        }
        progress.update(2, ++done, total);
      }
    }
  }

  // The choice, applied to this module (its weights are quantized).
  OpPassManager pm(ModuleOp::getOperationName());
  std::string parseError;
  llvm::raw_string_ostream os(parseError);
  if (failed(parsePassPipeline(activationPipeline(best), pm, os)))
    return (void)fail(makeError(parseError));
  if (failed(runPipeline(pm, module)))
    return signalPassFailure();

  if (reportFile.empty())
    return;
  llvm::json::Array perActivation;
  for (const auto &[id, rule] : best.perActivation)
    perActivation.push_back(llvm::json::Object{{"id", id}, {"rule", rule}});
  llvm::json::Object root{
      {"version", 1},
      {"act_clip", best.global},
      {"calibrate_relu6", best.calibrateRelu6},
      {"layer_clip", std::move(perActivation)},
      {"sqnr_db", jsonDb(bestDb)},
      {"samples", rows},
      {"measurements", std::move(measured)},
  };
  if (failed(writeReportFile(reportFile, getArgument(), module.getLoc(),
                             [&](llvm::raw_ostream &out) {
                               out << llvm::formatv(
                                          "{0:2}",
                                          llvm::json::Value(std::move(root)))
                                   << "\n";
                             })))
    signalPassFailure();
}
