//===- CalibrateModel.cpp - calibration inside a pipeline -------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Autoquant/Passes.h"

#include "dialects/Qlip/IR/QlipDialect.h"
#include "qlip/Runtime/Calibrator.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/ApplyStats.h"
#include "qlip/Transforms/LayerInputs.h"
#include "qlip/Transforms/LayerNames.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
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

private:
  /// The function to run: `entry`, or the only public function.
  FailureOr<std::string> chooseEntry();
};
} // namespace

static constexpr llvm::StringLiteral kPrefix = "qlip-calibrate-model: ";

FailureOr<std::string> CalibrateModelPass::chooseEntry() {
  ModuleOp module = getOperation();
  if (!entry.empty())
    return std::string(entry);
  SmallVector<func::FuncOp> publics;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isDeclaration())
      publics.push_back(func);
  if (publics.size() == 1)
    return publics.front().getSymName().str();
  InFlightDiagnostic diag = emitError(module.getLoc()) << kPrefix;
  if (publics.empty())
    return diag << "the module has no public function to calibrate",
           failure();
  diag << "the module has " << publics.size()
       << " public functions; name the one to calibrate with entry=: ";
  llvm::interleaveComma(publics, diag,
                        [&](func::FuncOp f) { diag << f.getSymName(); });
  return failure();
}

void CalibrateModelPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&]() {
    signalPassFailure();
    return emitError(module.getLoc()) << kPrefix;
  };
  if (calib.empty()) {
    fail() << "no calibration data given (calib=FILE.npy, one per input)";
    return;
  }
  FailureOr<std::string> entryName = chooseEntry();
  if (failed(entryName))
    return signalPassFailure();
  std::vector<std::string> files(calib.begin(), calib.end());
  llvm::Expected<std::vector<NpyArray>> samples = readNpyFiles(files);
  if (!samples) {
    fail() << llvm::toString(samples.takeError());
    return;
  }

  // The copy that runs lives in a context of its own: lowering it loads
  // dialects (linalg, LLVM, ...), which a context must not do while a pass
  // manager runs on it. It travels as bytecode, resources included.
  std::string bytes;
  {
    llvm::raw_string_ostream os(bytes);
    if (failed(writeBytecodeToFile(module, os))) {
      fail() << "cannot copy the module for calibration";
      return;
    }
  }
  DialectRegistry registry;
  getContext().getDialectRegistry().appendTo(registry);
  registry.insert<QlipDialect, tosa::TosaDialect, func::FuncDialect>();
  MLIRContext runContext(registry);
  std::string parseErrors;
  OwningOpRef<ModuleOp> copy;
  {
    ScopedDiagnosticHandler handler(&runContext, [&](Diagnostic &d) {
      parseErrors += "\n  " + d.str();
      return success();
    });
    copy = parseSourceString<ModuleOp>(bytes, ParserConfig(&runContext));
  }
  if (!copy) {
    fail() << "cannot copy the module for calibration:" << parseErrors;
    return;
  }

  CalibratorOptions options;
  options.numBins = bins;
  options.layerInputRows = layerInputRows;
  auto calibrator = Calibrator::create(*copy, *entryName, options);
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
                    input.geometry.groups(), input.geometry.patchSize());
  }
}
