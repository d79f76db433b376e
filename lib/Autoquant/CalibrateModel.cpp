//===- CalibrateModel.cpp - calibration inside a pipeline -------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Autoquant/Passes.h"

#include "DetachedModule.h"

#include "qlip/Runtime/Calibrator.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/ApplyStats.h"
#include "qlip/Transforms/LayerInputs.h"
#include "qlip/Transforms/LayerNames.h"

#include "llvm/ADT/StringExtras.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_CALIBRATEMODELPASS
#include "qlip/Autoquant/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {
struct CalibrateModelPass
    : qlip::impl::CalibrateModelPassBase<CalibrateModelPass> {
  using CalibrateModelPassBase::CalibrateModelPassBase;
  void runOnOperation() override;
};
} // namespace

static constexpr llvm::StringLiteral kPrefix = "qlip-calibrate-model: ";

void CalibrateModelPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&]() {
    signalPassFailure();
    return emitError(module.getLoc()) << kPrefix;
  };
  std::vector<std::string> files(calib.begin(), calib.end());
  llvm::Expected<std::vector<NpyArray>> samples = readSampleFiles(files);
  if (!samples) {
    fail() << llvm::toString(samples.takeError());
    return;
  }
  llvm::Expected<std::string> entryName = chooseEntry(module, entry);
  if (!entryName) {
    fail() << llvm::toString(entryName.takeError());
    return;
  }
  DetachedContext detached(getContext());
  llvm::Expected<OwningOpRef<ModuleOp>> copy = detached.copy(module);
  if (!copy) {
    fail() << llvm::toString(copy.takeError());
    return;
  }

  CalibratorOptions options;
  options.numBins = bins;
  options.layerInputRows = layerInputRows;
  ScopedKernelThreads threads;
  auto calibrator = Calibrator::create(**copy, *entryName, options);
  if (!calibrator) {
    fail() << llvm::toString(calibrator.takeError());
    return;
  }
  if (llvm::Error error = (*calibrator)->checkSamples(*samples, files)) {
    fail() << llvm::toString(std::move(error));
    return;
  }
  ProgressBar progress(1, "samples");
  llvm::Expected<StatsFile> stats = (*calibrator)->calibrate(
      *samples, [&](unsigned pass, int64_t done, int64_t total) {
        progress.update(pass, done, total);
      });
  if (!stats) {
    fail() << llvm::toString(stats.takeError());
    return;
  }
  std::string source = "calibration on " + llvm::join(files, ", ");
  if (failed(applyStats(module, *stats, source, kPrefix)))
    return signalPassFailure();

  // The moments go to the same layers of this module: the copy has the
  // same ops in the same order.
  auto layers = collectUnquantizedLayers(module);
  for (LayerInputResult &input : (*calibrator)->takeLayerInputs()) {
    if (input.position >= layers.size() || input.rows == 0)
      continue;
    setInputMoments(layers[input.position].first, input.secondMoment,
                    input.firstMoment, input.geometry.groups(),
                    input.geometry.patchSize());
  }
}
