//===- ApplyStats.cpp - attach calibration statistics -----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/ApplyStats.h"
#include "qlip/Transforms/Passes.h"

#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Calibration/StatsFile.h"
#include "qlip/Transforms/ModelFingerprint.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_APPLYSTATSPASS
#include "qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {
struct ApplyStatsPass : qlip::impl::ApplyStatsPassBase<ApplyStatsPass> {
  using ApplyStatsPassBase::ApplyStatsPassBase;
  void runOnOperation() override;
};

} // namespace

LogicalResult mlir::qlip::applyStats(ModuleOp module, const StatsFile &stats,
                                     StringRef source, StringRef prefix) {
  auto fail = [&](Location loc) { return emitError(loc) << prefix; };
  std::string fingerprint = computeModelFingerprint(module);
  if (stats.fingerprint != fingerprint)
    return fail(module.getLoc())
           << "'" << source << "' was gathered for another model (fingerprint "
           << stats.fingerprint << ", this model " << fingerprint << ")";

  llvm::StringMap<const ObserverStats *> byId;
  for (const ObserverStats &observer : stats.observers)
    byId[observer.id] = &observer;
  llvm::StringSet<> applied;
  WalkResult result = module.walk([&](ObserveOp op) {
    auto it = byId.find(op.getId());
    if (it == byId.end()) {
      fail(op.getLoc()) << "'" << source << "' has no statistics for observer '"
                        << op.getId() << "'";
      return WalkResult::interrupt();
    }
    const ObserverStats &observer = *it->second;
    if (observer.count == 0) {
      fail(op.getLoc()) << "observer '" << op.getId() << "' saw no values in '"
                        << source << "' (was the calibration set empty?)";
      return WalkResult::interrupt();
    }
    // The file was validated when read; the attribute verifiers check the
    // rest (e.g. that the histogram holds `count` values).
    auto emitObserverError = [&] {
      return fail(op.getLoc())
             << "observer '" << op.getId() << "' in '" << source << "': ";
    };
    HistogramAttr histogram;
    if (!observer.histogramCounts.empty()) {
      histogram = HistogramAttr::getChecked(
          emitObserverError, op.getContext(),
          ArrayRef<double>(observer.histogramEdges),
          ArrayRef<int64_t>(observer.histogramCounts));
      if (!histogram)
        return WalkResult::interrupt();
    }
    auto f64 = [&](double value) {
      return FloatAttr::get(Float64Type::get(op.getContext()), value);
    };
    StatsAttr attr = StatsAttr::getChecked(
        emitObserverError, op.getContext(), observer.count, f64(observer.min),
        f64(observer.max), f64(observer.mean), f64(observer.meanAbsDeviation),
        f64(observer.stddev), f64(observer.kurtosis), histogram);
    if (!attr)
      return WalkResult::interrupt();
    op.setStatsAttr(attr);
    applied.insert(op.getId());
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  for (const ObserverStats &observer : stats.observers)
    if (!applied.contains(observer.id))
      return fail(module.getLoc())
             << "'" << source << "' has statistics for observer '"
             << observer.id << "', which this model does not have";
  return success();
}

llvm::Expected<StatsFile> mlir::qlip::readAttachedStats(ModuleOp module,
                                                        int64_t samples) {
  StatsFile stats;
  stats.fingerprint = computeModelFingerprint(module);
  stats.samples = samples;
  std::string missing;
  module.walk([&](ObserveOp op) {
    StatsAttr attr = op.getStatsAttr();
    if (!attr) {
      missing = op.getId().str();
      return WalkResult::interrupt();
    }
    ObserverStats observer;
    observer.id = op.getId().str();
    observer.count = attr.getCount();
    observer.min = attr.getMin().getValueAsDouble();
    observer.max = attr.getMax().getValueAsDouble();
    observer.mean = attr.getMean().getValueAsDouble();
    observer.meanAbsDeviation = attr.getMad().getValueAsDouble();
    observer.stddev = attr.getStddev().getValueAsDouble();
    observer.kurtosis = attr.getKurtosis().getValueAsDouble();
    if (HistogramAttr histogram = attr.getHistogram()) {
      observer.histogramEdges.assign(histogram.getEdges().asArrayRef().begin(),
                                     histogram.getEdges().asArrayRef().end());
      observer.histogramCounts.assign(histogram.getCounts().begin(),
                                      histogram.getCounts().end());
    }
    stats.observers.push_back(std::move(observer));
    return WalkResult::advance();
  });
  if (!missing.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "observer '" + missing +
                                       "' has no statistics attached");
  return stats;
}

void ApplyStatsPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&](Location loc) {
    signalPassFailure();
    return emitError(loc) << "qlip-apply-stats: ";
  };
  if (file.empty()) {
    fail(module.getLoc()) << "no statistics file given (file=...)";
    return;
  }
  llvm::Expected<StatsFile> stats = readStatsFile(file);
  if (!stats) {
    fail(module.getLoc()) << llvm::toString(stats.takeError());
    return;
  }
  if (failed(applyStats(module, *stats, file, "qlip-apply-stats: ")))
    signalPassFailure();
}
