//===- Autoquant.cpp - activation rules chosen by measurement ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Autoquant/Passes.h"

#include "DetachedModule.h"
#include "Measurer.h"
#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Runtime/Metrics.h"
#include "qlip/Runtime/Runner.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/LayerInputs.h"
#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/QuantReport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <array>
#include <cmath>
#include <map>

namespace mlir::qlip {
#define GEN_PASS_DEF_AUTOQUANTPASS
#include "qlip/Autoquant/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

static constexpr llvm::StringLiteral kPrefix = "qlip-autoquant: ";

/// Whether the pass options `options` (as qlip-opt spells them) set
/// `name` (`first-layer-bits=` does not set `layer-bits`).
static bool setsOption(llvm::StringRef options, llvm::StringRef name) {
  SmallVector<llvm::StringRef> tokens;
  options.split(tokens, ' ', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  return llvm::any_of(tokens, [&](llvm::StringRef token) {
    return token.split('=').first.trim("{}") == name;
  });
}

/// The fewest samples max-sample-values leaves.
static constexpr int64_t kMinMeasuredSamples = 16;

/// The SQNR gain (dB) that raising the residual adds' operands must beat:
/// wider activations cost memory and bandwidth, so not for noise.
static constexpr double kResidualGainDb = 0.1;

/// The SQNR gain (dB) a layer's bias correction the other way must beat:
/// many layers are tried, and small gains on the calibration samples are
/// as often noise that costs accuracy on other data.
static constexpr double kLayerCorrectionGainDb = 0.1;

namespace {

/// One activation rule assignment: a global rule and per-observer ones.
struct RuleChoice {
  std::string global;
  /// ReLU6 outputs get the rule's range instead of exactly [0, 6].
  bool calibrateRelu6 = false;
  llvm::SmallVector<std::pair<std::string, std::string>> perActivation;
  /// Activations at other bits (the residual adds' operands).
  llvm::SmallVector<std::pair<std::string, unsigned>> perActivationBits;

  /// The global rule as the report names its try.
  std::string describe() const {
    return "act-clip=" + global + (calibrateRelu6 ? " calibrate-relu6" : "");
  }

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
    if (!perActivationBits.empty()) {
      text += " layer-bits=";
      llvm::ListSeparator comma(",");
      for (const auto &[id, bits] : perActivationBits)
        text += (llvm::Twine(comma) + id + "=" + llvm::Twine(bits)).str();
    }
    return text;
  }
};

} // namespace

namespace {
/// One activation and a rule to try on it.
struct Refinement {
  std::string id;
  std::string rule;
  /// The activation's largest |log(scale ratio)| between its rules.
  double spread = 0;
};
} // namespace

/// The grids the global measurement of `best` gave, or null.
static const std::vector<QParamsAttr> *
gridsOf(ArrayRef<RuleChoice> globalChoices,
        ArrayRef<std::vector<QParamsAttr>> globalGrids,
        const RuleChoice &best) {
  for (auto [choice, grids] : llvm::zip_equal(globalChoices, globalGrids))
    if (choice.global == best.global &&
        choice.calibrateRelu6 == best.calibrateRelu6)
      return &grids;
  return nullptr;
}

/// The refinements worth measuring, most promising first: for each
/// activation, the rules that give it a grid other than the best global
/// choice's (read off the globally measured models, which applied each
/// rule everywhere; the others would measure the same model again), the
/// activations ordered by how far apart their rules' scales are (the
/// largest |log(scale ratio)| first: where the rules disagree most, the
/// choice matters most), then by program order.
static SmallVector<Refinement>
rankRefinements(ArrayRef<RuleChoice> globalChoices,
                ArrayRef<std::vector<QParamsAttr>> globalGrids,
                const RuleChoice &best,
                const llvm::StringMap<SmallVector<size_t>> &positions,
                ArrayRef<std::string> ids) {
  const std::vector<QParamsAttr> *bestGrids =
      gridsOf(globalChoices, globalGrids, best);
  struct Ranked {
    double spread = 0;
    size_t index = 0;
    SmallVector<std::string> rules;
  };
  SmallVector<Ranked> ranked;
  for (auto [index, id] : llvm::enumerate(ids)) {
    Ranked entry;
    entry.index = index;
    auto it = positions.find(id);
    for (auto [choice, grids] : llvm::zip_equal(globalChoices, globalGrids)) {
      if (choice.calibrateRelu6 != best.calibrateRelu6 ||
          choice.global == best.global)
        continue;
      // Without the positions (a pass added fake_quants of its own), every
      // rule is tried.
      bool differs = !bestGrids || it == positions.end() ||
                     grids.size() != bestGrids->size();
      double spread = 0;
      if (!differs)
        for (size_t position : it->second) {
          QParamsAttr mine = grids[position], theirs = (*bestGrids)[position];
          if (mine == theirs)
            continue;
          differs = true;
          double a = mine.getScales()[0], b = theirs.getScales()[0];
          if (a > 0 && b > 0)
            spread = std::max(spread, std::fabs(std::log(a / b)));
        }
      if (differs) {
        entry.rules.push_back(choice.global);
        entry.spread = std::max(entry.spread, spread);
      }
    }
    if (!entry.rules.empty())
      ranked.push_back(std::move(entry));
  }
  llvm::stable_sort(ranked, [](const Ranked &a, const Ranked &b) {
    return a.spread > b.spread;
  });
  SmallVector<Refinement> order;
  for (const Ranked &entry : ranked)
    for (const std::string &rule : entry.rules)
      order.push_back({ids[entry.index], rule, entry.spread});
  return order;
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
  // Every measurement compiles the model and runs it on these: on large
  // inputs, fewer of them (the SQNR of a few thousand outputs ranks rules
  // as well as more would; calibration used every sample).
  int64_t rows = keepFirstRows(
      *samples, std::min<int64_t>(maxSamples,
                                  rowsWithinValues(*samples, maxSampleValues,
                                                   kMinMeasuredSamples)));
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
  // Only what a run of the entry measures: the activations of the module's
  // other public functions keep the global choice.
  llvm::SmallPtrSet<Operation *, 8> reached =
      getReachedFunctions(module, *entryName);
  auto isReached = [&](Operation *op) {
    return reached.contains(op->getParentOfType<func::FuncOp>());
  };
  SmallVector<std::string> ids;
  module.walk([&](ObserveOp op) {
    if (!llvm::is_contained(ids, op.getId()) && isReached(op))
      ids.push_back(op.getId().str());
  });
  for (llvm::StringRef chosen : {"act-clip", "layer-clip", "calibrate-relu6"})
    if (setsOption(activations, chosen))
      return (void)fail(makeError("activations= must not set act-clip, "
                                  "layer-clip or calibrate-relu6, which this "
                                  "pass chooses"));
  // The residual adds (adds of two observed activations), each with its
  // operands' ids, whose bits are measured: unless the user set
  // activations' bits.
  SmallVector<std::array<std::string, 2>> residualAdds;
  if (residualAddBits != 0 && !setsOption(activations, "layer-bits"))
    module.walk([&](tosa::AddOp add) {
      auto lhs = add.getInput1().getDefiningOp<ObserveOp>();
      auto rhs = add.getInput2().getDefiningOp<ObserveOp>();
      if (lhs && rhs && isReached(add))
        residualAdds.push_back({lhs.getId().str(), rhs.getId().str()});
    });
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

  if (chooseBiasCorrection &&
      (setsOption(weights, "empirical-bias-correction") ||
       setsOption(weights, "layer-bias-correction")))
    return (void)fail(makeError(
        "weights= must not set empirical-bias-correction or "
        "layer-bias-correction, which this pass chooses "
        "(choose-bias-correction=false keeps the ones given)"));

  // Pipelines of passes on the module (parsed into module pass managers):
  // the weights with empirical bias correction `corrected`, but in the
  // layers `flipped`.
  auto weightPipeline = [&](bool corrected,
                            ArrayRef<std::string> flipped = {}) {
    std::string text = "qlip-quantize-weights{" + weights;
    if (chooseBiasCorrection)
      text += std::string(" empirical-bias-correction=") +
              (corrected ? "true" : "false");
    if (!flipped.empty()) {
      text += " layer-bias-correction=";
      llvm::ListSeparator comma(",");
      for (const std::string &name : flipped)
        text += (llvm::Twine(comma) + name + "=" +
                 (corrected ? "false" : "true"))
                    .str();
    }
    return text + "}";
  };
  // The layers the correction applies to (those with the inputs' mean), by
  // the names qlip-quantize-weights knows them by, in program order.
  SmallVector<std::string> correctable;
  for (auto [position, layer] :
       llvm::enumerate(collectUnquantizedLayers(module)))
    if (layer.first->hasAttr(kInputMeanAttrName) && isReached(layer.first))
      correctable.push_back(getLayerName(layer.first, position));
  auto activationPipeline = [&](const RuleChoice &choice) {
    return "qlip-quantize-activations{" + choice.options(activations) + "}";
  };
  // What is measured is the integer model, as qlip-quantize makes it (it
  // can differ from the fake-quant model at low widths, and it compiles
  // faster). Validation is for the final model.
  std::string lowering =
      "qlip-quantize{" + quantize + " validate=false},canonicalize";

  ScopedKernelThreads threads;
  Measurer measurer(getContext(), *entryName, std::move(*samples), files);
  // The weights are quantized once per variant, here (GPTQ is the
  // expensive part on a large model); each measurement copies the result.
  if (llvm::Error error = measurer.setReference(module))
    return (void)fail(std::move(error));
  // The float model, for the weights without bias correction (a clone
  // shares the weights' attributes: it is cheap).
  OwningOpRef<ModuleOp> floatModule;
  if (chooseBiasCorrection)
    floatModule = module.clone();
  // Pipelines on this module run as the pass's dynamic pipelines.
  auto runInPlace = [&](const std::string &pipeline) -> LogicalResult {
    OpPassManager pm(ModuleOp::getOperationName());
    std::string parseError;
    llvm::raw_string_ostream os(parseError);
    if (failed(parsePassPipeline(pipeline, pm, os)))
      return fail(makeError(parseError));
    if (failed(runPipeline(pm, module))) {
      signalPassFailure();
      return failure();
    }
    return success();
  };
  if (failed(runInPlace(weightPipeline(true))))
    return;
  if (llvm::Error error = measurer.setBase(module))
    return (void)fail(std::move(error));
  // Where each observer's fake_quant is in every measured model (the same
  // for every base: the weights' fake_quants are where they were).
  llvm::StringMap<SmallVector<size_t>> positions =
      measurer.getObserverPositions();

  // Every measurement, in order, for the report.
  llvm::json::Array measured;
  ProgressBar progress(refine ? 2 : 1, "measurements");
  auto measure = [&](const RuleChoice &choice, llvm::StringRef what,
                     std::optional<double> spread =
                         std::nullopt) -> llvm::Expected<Measurement> {
    llvm::Expected<Measurement> result =
        measurer.measure(activationPipeline(choice), lowering);
    if (result) {
      llvm::json::Object entry{{"try", what.str()},
                               {"sqnr_db", jsonDb(result->db)},
                               {"same_model_as_before", result->reused}};
      if (spread)
        entry["scale_spread"] = *spread;
      measured.push_back(std::move(entry));
    }
    return result;
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
  // Each global choice's grids: what each activation gets under each rule.
  SmallVector<std::vector<QParamsAttr>> globalGrids;
  for (auto [i, choice] : llvm::enumerate(globalChoices)) {
    llvm::Expected<Measurement> result = measure(choice, choice.describe());
    if (!result)
      return (void)fail(result.takeError());
    globalGrids.push_back(std::move(result->grids));
    if (result->db > bestDb) {
      bestDb = result->db;
      best = choice;
    }
    progress.update(1, i + 1, globalChoices.size());
  }
  // The weights without empirical bias correction, with the best rule:
  // where some activation is narrower than 8 bits (the correction is
  // computed on float inputs; at 8 bits a layer's quantized inputs are
  // within a fraction of a level of them, and on every model measured it
  // gained there, ResNet-50 W8A8 from 6.7 to 16.0 dB).
  bool corrected = true;
  const std::vector<QParamsAttr> *bestGrids =
      gridsOf(globalChoices, globalGrids, best);
  // Whether the best global model gives activation `id` fewer than `bits`.
  auto isNarrower = [&](llvm::StringRef id, unsigned bits) {
    auto it = positions.find(id);
    return bestGrids && it != positions.end() &&
           llvm::any_of(it->second, [&](size_t position) {
             return position < bestGrids->size() &&
                    (*bestGrids)[position].getBits() < bits;
           });
  };
  bool narrowActivations = llvm::any_of(
      ids, [&](const std::string &id) { return isNarrower(id, 8); });
  bool measureCorrection = chooseBiasCorrection && narrowActivations;
  int64_t patience = narrowActivations ? refinePatience : wideRefinePatience;
  // The layers whose correction is the opposite of `corrected`.
  SmallVector<std::string> flipped;
  if (measureCorrection) {
    // Weights quantized in the measuring context, where passes may run.
    auto quantizeCopy =
        [&](bool corrected, ArrayRef<std::string> flips)
        -> llvm::Expected<OwningOpRef<ModuleOp>> {
      llvm::Expected<OwningOpRef<ModuleOp>> copy =
          measurer.copyIntoContext(*floatModule);
      if (!copy)
        return copy.takeError();
      if (llvm::Error error = Measurer::runPipeline(
              **copy, weightPipeline(corrected, flips)))
        return std::move(error);
      return std::move(*copy);
    };
    // The weights the measurements start from, where they are not this
    // module's.
    OwningOpRef<ModuleOp> bestBase;
    llvm::Expected<OwningOpRef<ModuleOp>> uncorrected =
        quantizeCopy(false, {});
    if (!uncorrected)
      return (void)fail(uncorrected.takeError());
    if (llvm::Error error = measurer.setBase(**uncorrected))
      return (void)fail(std::move(error));
    llvm::Expected<Measurement> result =
        measure(best, "empirical-bias-correction=false " + best.describe());
    if (!result)
      return (void)fail(result.takeError());
    if (result->db > bestDb + 0.01) {
      bestDb = result->db;
      corrected = false;
      bestBase = std::move(*uncorrected);
    }
    // Then each layer the other way, kept for a clear gain: the correction
    // is computed on float inputs, and whether a layer's quantized inputs
    // are close enough to them is a property of the layer. A long run
    // without a gain ends the search, as it ends refinement.
    int64_t sinceGain = 0;
    for (const std::string &name : correctable) {
      if (!layerChoices || (patience > 0 && sinceGain >= patience))
        break;
      SmallVector<std::string> flips = flipped;
      flips.push_back(name);
      llvm::Expected<OwningOpRef<ModuleOp>> variant =
          quantizeCopy(corrected, flips);
      if (!variant)
        return (void)fail(variant.takeError());
      if (llvm::Error error = measurer.setBase(**variant))
        return (void)fail(std::move(error));
      result = measure(best, "layer-bias-correction=" + name + "=" +
                                 (corrected ? "false" : "true"));
      if (!result)
        return (void)fail(result.takeError());
      ++sinceGain;
      if (result->db > bestDb + kLayerCorrectionGainDb) {
        bestDb = result->db;
        flipped = std::move(flips);
        bestBase = std::move(*variant);
        sinceGain = 0;
      }
    }
    if (llvm::Error error = measurer.setBase(bestBase ? *bestBase : module))
      return (void)fail(std::move(error));
    if (bestBase) {
      // This module takes the chosen weights (quantized again here, where
      // the copy's context cannot reach).
      module.getBodyRegion().takeBody(floatModule->getBodyRegion());
      if (failed(runInPlace(weightPipeline(corrected, flipped))))
        return;
    }
  }
  // Residual adds' operands at residual-add-bits, where they are narrower
  // (read off the best model's grids): all of them first, kept if that
  // gains clearly; then each add in turn back at the choice's bits, kept
  // there unless raising it gained clearly. An add's operands are what
  // its error at the output decides, not the model's sum.
  auto narrowOperands = [&](const std::array<std::string, 2> &add) {
    SmallVector<std::string, 2> ids;
    for (const std::string &id : add)
      if (isNarrower(id, residualAddBits) && !llvm::is_contained(ids, id))
        ids.push_back(id);
    return ids;
  };
  SmallVector<std::string> raised;
  SmallVector<SmallVector<std::string, 2>> narrowAdds;
  for (const auto &add : residualAdds) {
    SmallVector<std::string, 2> ids = narrowOperands(add);
    if (ids.empty())
      continue;
    narrowAdds.push_back(ids);
    for (const std::string &id : ids)
      if (!llvm::is_contained(raised, id))
        raised.push_back(id);
  }
  auto raise = [&](const RuleChoice &base, ArrayRef<std::string> ids) {
    RuleChoice choice = base;
    choice.perActivationBits.clear();
    for (const std::string &id : ids)
      choice.perActivationBits.push_back({id, unsigned(residualAddBits)});
    return choice;
  };
  // What stays raised, in `raised`'s order.
  SmallVector<std::string> keptRaised;
  if (!raised.empty()) {
    RuleChoice choice = raise(best, raised);
    llvm::Expected<Measurement> result =
        measure(choice, ("residual-add-bits=" + llvm::Twine(residualAddBits) +
                         " on " + llvm::join(raised, ","))
                            .str());
    if (!result)
      return (void)fail(result.takeError());
    // Wider activations cost memory: only a clear gain.
    if (result->db > bestDb + kResidualGainDb) {
      bestDb = result->db;
      best = choice;
      keptRaised = raised;
    }
  }
  if (layerChoices && !keptRaised.empty() && narrowAdds.size() > 1) {
    for (const auto &add : narrowAdds) {
      // Its operands back at the choice's bits, but those another raised
      // add also sums.
      SmallVector<std::string> lowered;
      for (const std::string &id : add) {
        bool shared = llvm::any_of(narrowAdds, [&](const auto &other) {
          return &other != &add && llvm::is_contained(other, id) &&
                 llvm::all_of(other, [&](const std::string &otherId) {
                   return llvm::is_contained(keptRaised, otherId);
                 });
        });
        if (!shared && llvm::is_contained(keptRaised, id))
          lowered.push_back(id);
      }
      if (lowered.empty())
        continue;
      SmallVector<std::string> rest;
      for (const std::string &id : keptRaised)
        if (!llvm::is_contained(lowered, id))
          rest.push_back(id);
      RuleChoice choice = raise(best, rest);
      llvm::Expected<Measurement> result = measure(
          choice, "residual-add-lowered on " + llvm::join(lowered, ","));
      if (!result)
        return (void)fail(result.takeError());
      // Raised only if that gained clearly at the output.
      if (!(bestDb > result->db + kResidualGainDb)) {
        bestDb = result->db;
        best = choice;
        keptRaised = std::move(rest);
      }
    }
  }
  // The most promising refinements come first: a long run without a gain
  // ends them. With every activation at 8 bits the rules' grids differ by
  // fractions of a level and a shorter run does (ResNet-50 W8A8 kept what
  // it kept among the first five); below, gains come later (dw_net W3A3:
  // 60.6% top-1 stopping after 8, 80.0% after 16).
  if (refine) {
    SmallVector<Refinement> order =
        rankRefinements(globalChoices, globalGrids, best, positions, ids);
    int64_t total = order.size();
    if (maxRefinements > 0)
      total = std::min<int64_t>(total, maxRefinements);
    int64_t sinceGain = 0;
    for (int64_t done = 0; done < total; ++done) {
      if (patience > 0 && sinceGain >= patience) {
        progress.update(2, total, total);
        break;
      }
      const Refinement &refinement = order[done];
      // This activation's rule replaces the one it has.
      RuleChoice choice = best;
      llvm::erase_if(choice.perActivation, [&](const auto &entry) {
        return entry.first == refinement.id;
      });
      choice.perActivation.push_back({refinement.id, refinement.rule});
      llvm::Expected<Measurement> result =
          measure(choice, "layer-clip=" + refinement.id + "=" + refinement.rule,
                  refinement.spread);
      if (!result)
        return (void)fail(result.takeError());
      // Only a clear gain: measurement noise must not pick rules.
      ++sinceGain;
      if (result->db > bestDb + 0.01) {
        bestDb = result->db;
        best = choice;
        sinceGain = 0;
      }
      progress.update(2, done + 1, total);
    }
  }

  // The choice, applied to this module (its weights are quantized).
  if (failed(runInPlace(activationPipeline(best))))
    return;

  // The end-to-end check: an integer model far below what its narrowest
  // grid gives (about 6 dB a bit; the floor allows a quarter of that) was
  // broken by something no rule can fix, and must not be written.
  double floor = sqnrFloor;
  if (floor < 0) {
    unsigned narrowest = 16;
    module.walk([&](FakeQuantOp op) {
      narrowest = std::min(narrowest, op.getQparams().getBits());
    });
    floor = 1.5 * narrowest;
  }
  if (floor > 0 && !(bestDb >= floor))
    return (void)fail(makeError(llvm::formatv(
        "the quantized model's SQNR against the float model on {0} "
        "calibration sample(s) is {1} dB, below the floor of {2} dB "
        "(sqnr-floor=): it is broken, not coarse. Check the calibration "
        "data (it must represent the model's inputs) and the model's "
        "weights; qlip-report shows the layer that loses it",
        rows, llvm::format("%.2f", bestDb), llvm::format("%.1f", floor))));

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
  if (!raised.empty()) {
    llvm::json::Array ids;
    for (const std::string &id : keptRaised)
      ids.push_back(id);
    root["residual_add_bits"] = int64_t(residualAddBits);
    root["residual_raised"] = std::move(ids);
  }
  // It bounded the refinements and the per-layer bias correction tries.
  root["refine_patience"] = patience;
  // What it chose; otherwise `weights` said.
  if (chooseBiasCorrection) {
    root["empirical_bias_correction"] = corrected;
    llvm::json::Array layers;
    for (const std::string &name : flipped)
      layers.push_back(name);
    root["bias_correction_flipped"] = std::move(layers);
  }
  if (failed(writeJsonReportFile(reportFile, getArgument(), module.getLoc(),
                                 std::move(root))))
    signalPassFailure();
}
