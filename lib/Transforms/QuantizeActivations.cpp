//===- QuantizeActivations.cpp - activation ranges from stats ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Turns every observer that carries calibration statistics into a
// fake-quant with per-tensor parameters. One-shot and whole-module (the
// report is in program order), so it walks rather than running patterns.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/Passes.h"

#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/QuantReport.h"
#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Calibration/ActivationClip.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cfloat>
#include <cmath>

namespace mlir::qlip {
#define GEN_PASS_DEF_QUANTIZEACTIVATIONSPASS
#include "qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {

/// The learned alpha of a PACT clip: `value` is a `tosa.clamp` to [0, alpha]
/// with a finite alpha below FLT_MAX (a plain ReLU clamps at FLT_MAX).
std::optional<double> getPactAlpha(Value value) {
  auto clamp = value.getDefiningOp<tosa::ClampOp>();
  if (!clamp)
    return std::nullopt;
  auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  if (!lo || !hi || lo.getValueAsDouble() != 0.0)
    return std::nullopt;
  double alpha = hi.getValueAsDouble();
  if (!std::isfinite(alpha) || alpha <= 0.0 || alpha >= double(FLT_MAX))
    return std::nullopt;
  return alpha;
}

/// Whether every value `value` can take is >= 0 by construction.
// NOLINTNEXTLINE(misc-no-recursion)
bool isNonNegative(Value value) {
  Operation *op = value.getDefiningOp();
  if (!op)
    return false;
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case<tosa::ClampOp>([](tosa::ClampOp clamp) {
        auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
        return lo && lo.getValueAsDouble() >= 0.0;
      })
      .Case<tosa::SigmoidOp>([](auto) { return true; })
      // Ops that only move, pick or average their input's values.
      // A fake_quant of a non-negative tensor stays non-negative: its grid
      // holds 0, so levels are at least the zero point. (Observers before
      // this one have already become fake_quant ops.)
      .Case<tosa::ReshapeOp, tosa::TransposeOp, tosa::MaxPool2dOp,
            tosa::AvgPool2dOp, tosa::SliceOp, ObserveOp, FakeQuantOp>(
          [](Operation *op) { return isNonNegative(op->getOperand(0)); })
      .Case<tosa::ConcatOp>([](tosa::ConcatOp concat) {
        return llvm::all_of(concat.getInput1(), isNonNegative);
      })
      .Default([](Operation *) { return false; });
}

struct QuantizeActivationsPass
    : qlip::impl::QuantizeActivationsPassBase<QuantizeActivationsPass> {
  using QuantizeActivationsPassBase::QuantizeActivationsPassBase;

  LogicalResult initialize(MLIRContext *context) override;
  void runOnOperation() override;

private:
  /// Chooses the range of one observed tensor; fails with a diagnostic on
  /// the observer when its statistics cannot serve the rule.
  FailureOr<ActivationRange> chooseRange(ObserveOp op, StatsAttr stats,
                                         unsigned bits, bool nonNegative,
                                         ClipRule &rule);
  /// The grid of one observed tensor at `bits`: its max pool input's
  /// (max-pool-input-grid), a PACT clip, or the range `act-clip` chooses.
  FailureOr<QParamsAttr> chooseGrid(ObserveOp op, StatsAttr stats,
                                    unsigned bits);

  llvm::StringMap<unsigned> overrides;
  llvm::StringMap<ClipRule> ruleOverrides;
};

/// An activation rule as options spell it (`aciq-laplace`), or none.
static std::optional<ClipRule> parseActivationRule(StringRef name) {
  // The options spell with dashes what the enum spells with underscores.
  std::string spelling = name.str();
  std::replace(spelling.begin(), spelling.end(), '-', '_');
  std::optional<ClipRule> rule = symbolizeClipRule(spelling);
  if (!rule)
    return std::nullopt;
  switch (*rule) {
  case ClipRule::Max:
  case ClipRule::Percentile:
  case ClipRule::KL:
  case ClipRule::MSE:
  case ClipRule::AciqLaplace:
  case ClipRule::AciqGauss:
  case ClipRule::Aciq:
  case ClipRule::Pact:
    return rule;
  default:
    return std::nullopt;
  }
}

LogicalResult QuantizeActivationsPass::initialize(MLIRContext *context) {
  auto error = [&] {
    return emitError(UnknownLoc::get(context))
           << "qlip-quantize-activations: ";
  };
  for (unsigned bits : {unsigned(actBits), unsigned(firstLayerBits),
                        unsigned(lastLayerBits), unsigned(outputBits)})
    if (bits != 0 && !isSupportedBitWidth(bits))
      return error() << "activation bit width must be 2 to 8 or 16, got "
                     << bits;
  if (actBits == 0)
    return error() << "activation bit width must be 2 to 8 or 16, got 0";
  if (!(percentile > 0.0 && percentile <= 100.0))
    return error() << "percentile must be in (0, 100], got "
                   << double(percentile);
  ruleOverrides.clear();
  for (const std::string &entry : layerClip) {
    auto [id, name] = StringRef(entry).rsplit('=');
    std::optional<ClipRule> rule = parseActivationRule(name);
    if (id.empty() || !rule)
      return error() << "expected ID=RULE with RULE one of max, percentile, "
                        "kl, mse, aciq-laplace, aciq-gauss, aciq, pact in "
                        "layer-clip, got '"
                     << entry << "'";
    ruleOverrides[id] = *rule;
  }
  return parseLayerBits(layerBits, overrides, error);
}

/// The histogram of #qlip.stats as the calibration library's type.
std::optional<Histogram> toHistogram(StatsAttr stats) {
  HistogramAttr attr = stats.getHistogram();
  if (!attr)
    return std::nullopt;
  return Histogram::fromBins(attr.getEdges().asArrayRef(), attr.getCounts());
}

FailureOr<ActivationRange>
QuantizeActivationsPass::chooseRange(ObserveOp op, StatsAttr stats,
                                     unsigned bits, bool nonNegative,
                                     ClipRule &rule) {
  ActivationMoments moments;
  moments.count = stats.getCount();
  moments.min = stats.getMin().getValueAsDouble();
  moments.max = stats.getMax().getValueAsDouble();
  moments.mean = stats.getMean().getValueAsDouble();
  moments.meanAbsDeviation = stats.getMad().getValueAsDouble();
  moments.stddev = stats.getStddev().getValueAsDouble();

  std::optional<Histogram> histogram;
  if (rule == ClipRule::Percentile || rule == ClipRule::KL ||
      rule == ClipRule::MSE || rule == ClipRule::Aciq) {
    histogram = toHistogram(stats);
    if (!histogram) {
      op.emitError("observer '")
          << op.getId() << "' has no histogram, which act-clip="
          << stringifyClipRule(rule) << " needs";
      return failure();
    }
  }
  switch (rule) {
  case ClipRule::Percentile:
    return percentileRange(*histogram, percentile, nonNegative);
  case ClipRule::KL:
    return klRange(*histogram, bits, nonNegative);
  case ClipRule::MSE:
    return mseRange(*histogram, bits, nonNegative);
  case ClipRule::AciqLaplace:
    return aciqRange(moments, AciqPrior::Laplace, bits, nonNegative);
  case ClipRule::AciqGauss:
    return aciqRange(moments, AciqPrior::Gauss, bits, nonNegative);
  case ClipRule::Aciq: {
    // The prior whose clip quantizes the observed distribution better.
    ActivationRange laplace =
        aciqRange(moments, AciqPrior::Laplace, bits, nonNegative);
    ActivationRange gauss =
        aciqRange(moments, AciqPrior::Gauss, bits, nonNegative);
    bool laplaceWins = histogramRangeMse(*histogram, laplace, bits,
                                         nonNegative) <=
                       histogramRangeMse(*histogram, gauss, bits, nonNegative);
    rule = laplaceWins ? ClipRule::AciqLaplace : ClipRule::AciqGauss;
    return laplaceWins ? laplace : gauss;
  }
  default:
    // max, and pact where the tensor has no learned clip.
    rule = ClipRule::Max;
    return maxRange(moments, nonNegative);
  }
}

/// The grid of a max pool's input when the pool's output, observed for
/// `bits`, can keep it (`max-pool-input-grid`): the pool only picks values
/// of its input, which lie on that grid already, so a grid of its own (any
/// rule but max chooses a different one) rounds them again. Not when
/// `bits` asks for a narrower grid than the input's, which the pool's
/// output must then get.
static std::optional<QParamsAttr> getPooledGrid(Value value, unsigned bits) {
  auto pool = value.getDefiningOp<tosa::MaxPool2dOp>();
  if (!pool)
    return std::nullopt;
  auto input = pool.getInput().getDefiningOp<FakeQuantOp>();
  if (!input)
    return std::nullopt;
  QParamsAttr grid = input.getQparams();
  if (grid.isPerAxis() || grid.getBits() > bits)
    return std::nullopt;
  return grid;
}

/// The bits `first-layer-bits` and `last-layer-bits` give observers: the
/// input of the first and of the last weight layer, and the function
/// outputs (the last layer's result). The last layer's input keeps its
/// bits back through the ops that only move, pick or average values (a
/// flatten, a global pool): its values are then made on the wider grid,
/// not rounded to `act-bits` first and rescaled. The walk stops at a value
/// another op reads too.
static llvm::DenseMap<Operation *, unsigned>
getEndLayerBits(ModuleOp module, unsigned firstBits, unsigned lastBits,
                unsigned outputBits) {
  llvm::DenseMap<Operation *, unsigned> bits;
  module.walk([&](func::FuncOp func) {
    SmallVector<Operation *> layers;
    func.walk([&](Operation *op) {
      if (isWeightLayer(op))
        layers.push_back(op);
    });
    auto set = [&](Value value, unsigned b) {
      if (b == 0)
        return;
      if (auto observer = value.getDefiningOp<ObserveOp>())
        bits[observer] = b;
    };
    if (!layers.empty()) {
      Value value = layers.back()->getOperand(0);
      set(value, lastBits);
      while (Operation *op = value.getDefiningOp()) {
        if (!isa<ObserveOp, tosa::ReshapeOp, tosa::TransposeOp,
                 tosa::MaxPool2dOp, tosa::AvgPool2dOp>(op))
          break;
        value = op->getOperand(0);
        if (!value.hasOneUse())
          break;
        set(value, lastBits);
      }
      set(layers.front()->getOperand(0), firstBits);
    }
    // `output-bits` applies to outputs nothing else reads (another reader
    // would have to take that grid too).
    func.walk([&](func::ReturnOp ret) {
      for (Value value : ret.getOperands()) {
        auto observer = value.getDefiningOp<ObserveOp>();
        bool onlyReturned = observer && observer->hasOneUse();
        set(value, onlyReturned && outputBits != 0 ? outputBits : lastBits);
      }
    });
  });
  return bits;
}

/// Fails, naming the activation, when the calibration data gave it one
/// value (all zeros, or a constant up to float rounding): its range says
/// nothing about the values the model will see, and every range after it
/// was measured on the same degenerate data, so the model would be wrong
/// on real inputs while the statistics look fine.
static LogicalResult checkObservedRange(ObserveOp op, StatsAttr stats) {
  double lo = stats.getMin().getValueAsDouble();
  double hi = stats.getMax().getValueAsDouble();
  double magnitude = std::max(std::fabs(lo), std::fabs(hi));
  if (stats.getCount() > 0 && hi - lo > std::ldexp(magnitude, -20))
    return success();
  InFlightDiagnostic diag = op.emitError("observer '")
                            << op.getId() << "' saw ";
  if (stats.getCount() == 0)
    diag << "no values";
  else if (magnitude == 0)
    diag << "only zeros";
  else
    diag << "a single value ("
         << llvm::formatv("{0} to {1}", llvm::format("%g", lo),
                          llvm::format("%g", hi))
                .str()
         << ")";
  diag << " in " << stats.getCount()
       << " calibration values: the calibration data does not exercise "
          "this activation (an all-zero or constant input, or a layer that "
          "never fires on it), so no range for it can be trusted; calibrate "
          "on samples that represent the model's inputs";
  return failure();
}

FailureOr<QParamsAttr>
QuantizeActivationsPass::chooseGrid(ObserveOp op, StatsAttr stats,
                                    unsigned bits) {
  Value input = op.getInput();
  if (maxPoolInputGrid)
    if (std::optional<QParamsAttr> pooled = getPooledGrid(input, bits))
      return *pooled;
  bool nonNegative = isNonNegative(input);
  ActivationRange range;
  ClipRule rule = actClip;
  if (auto it = ruleOverrides.find(op.getId()); it != ruleOverrides.end())
    rule = it->second;
  std::optional<double> alpha = getPactAlpha(input);
  // A ReLU6's 6 is a convention, not a learned range: with
  // `calibrate-relu6` it gets the rule's range (within [0, 6]) instead.
  if (alpha && *alpha == 6.0 && calibrateRelu6)
    alpha.reset();
  if (alpha) {
    // A learned clip is the model's own range: honour it exactly.
    range = {0.0, *alpha};
    rule = ClipRule::Pact;
    nonNegative = true;
  } else {
    FailureOr<ActivationRange> chosen =
        chooseRange(op, stats, bits, nonNegative, rule);
    if (failed(chosen))
      return failure();
    range = *chosen;
  }
  QuantGrid grid = nonNegative ? QuantGrid::unsignedFull(bits)
                               : QuantGrid::signedFull(bits);
  if (bits == 16) {
    // TOSA's 16-bit integer ops take zero point 0 only (EXT-INT16): a
    // 16-bit activation is symmetric on the signed narrow grid whatever
    // its sign (a ReLU's output keeps 15 bits of its 16).
    grid = QuantGrid::signedNarrow(16);
    double m = std::max(std::fabs(range.min), std::fabs(range.max));
    range = {-m, m};
  }
  AffineQuantization affine = nudgeRange(range, grid);
  return QParamsAttr::get(op.getContext(), bits, grid.isSigned,
                          grid.narrowRange, /*axis=*/std::nullopt,
                          {affine.scale}, {affine.zeroPoint}, {range.min},
                          {range.max}, rule);
}

void QuantizeActivationsPass::runOnOperation() {
  SmallVector<ObserveOp> observers;
  getOperation().walk([&](ObserveOp op) { observers.push_back(op); });
  llvm::DenseMap<Operation *, unsigned> endLayerBits =
      getEndLayerBits(getOperation(), firstLayerBits, lastLayerBits,
                      outputBits);

  SmallVector<ActivationReport> report;
  SmallVector<std::string> ids;
  llvm::StringMap<bool> used;
  for (ObserveOp op : observers) {
    ids.push_back(op.getId().str());
    if (overrides.count(op.getId()))
      used[op.getId()] = true;
  }
  if (failed(checkLayerBitsUsed(overrides, used, ids, getOperation().getLoc(),
                                getArgument())))
    return signalPassFailure();
  SmallVector<StringRef> clipIds;
  llvm::StringMap<bool> clipUsed;
  for (const auto &entry : ruleOverrides)
    clipIds.push_back(entry.getKey());
  for (const std::string &id : ids)
    if (ruleOverrides.count(id))
      clipUsed[id] = true;
  if (failed(checkOverridesUsed(clipIds, clipUsed, ids,
                                getOperation().getLoc(), getArgument(),
                                "layer-clip")))
    return signalPassFailure();
  for (ObserveOp op : observers) {
    StatsAttr stats = op.getStatsAttr();
    if (!stats) {
      op.emitError("observer '")
          << op.getId()
          << "' has no statistics; run qlip-apply-stats with the "
             "calibration file first";
      return signalPassFailure();
    }
    if (failed(checkObservedRange(op, stats)))
      return signalPassFailure();
    unsigned bits = actBits;
    if (auto it = endLayerBits.find(op); it != endLayerBits.end())
      bits = it->second;
    if (auto it = overrides.find(op.getId()); it != overrides.end())
      bits = it->second;

    ActivationReport entry;
    entry.id = op.getId().str();
    entry.bits = bits;
    entry.observedMin = stats.getMin().getValueAsDouble();
    entry.observedMax = stats.getMax().getValueAsDouble();

    FailureOr<QParamsAttr> qparams = chooseGrid(op, stats, bits);
    if (failed(qparams))
      return signalPassFailure();
    // The report says what the grid holds.
    entry.bits = qparams->getBits();
    entry.isSigned = qparams->getIsSigned();
    entry.rule = qparams->getRule();
    entry.clipMin = qparams->getClipMin()[0];
    entry.clipMax = qparams->getClipMax()[0];
    entry.scale = qparams->getScales()[0];
    entry.zeroPoint = qparams->getZeroPoints()[0];
    OpBuilder builder(op);
    auto fakeQuant =
        FakeQuantOp::create(builder, op.getLoc(), op.getInput(), *qparams);
    op.replaceAllUsesWith(fakeQuant.getResult());
    op.erase();
    report.push_back(std::move(entry));
  }

  if (printReport)
    printReportTable(llvm::errs(), report);
  if (!reportFile.empty() &&
      failed(writeReportFile(
          reportFile, getArgument(), getOperation().getLoc(),
          [&](llvm::raw_ostream &os) { writeJsonReport(os, report); })))
    return signalPassFailure();
}

} // namespace
