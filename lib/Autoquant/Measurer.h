//===- Measurer.h - a model's outputs against the float model's -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What the measuring passes of this library share: copies of one module,
// changed, compiled and run on the calibration samples, and the SQNR of
// their outputs against the float model's.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_AUTOQUANT_MEASURER_H
#define QLIP_LIB_AUTOQUANT_MEASURER_H

#include "DetachedModule.h"
#include "dialects/Qlip/IR/QlipAttrs.h"

#include "llvm/ADT/StringMap.h"

#include <map>

namespace mlir::qlip {

/// What one measurement found.
struct Measurement {
  double db = 0;
  /// The model was one measured before (same grids): not run again.
  bool reused = false;
  /// The grid (qparams) of every fake_quant, in program order.
  std::vector<QParamsAttr> grids;
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
  /// Copies `module` as what each measurement starts from (qlip-autoquant:
  /// the model with its weights quantized); measurements of an earlier
  /// base are not reused.
  llvm::Error setBase(ModuleOp module);

  /// The SQNR (dB) against the reference of the outputs of the copy with
  /// `activationPipeline` and then `lowering` applied. Choices that give
  /// every activation the grid an earlier one gave are the same model:
  /// its measurement is reused.
  llvm::Expected<Measurement> measure(llvm::StringRef activationPipeline,
                                      llvm::StringRef lowering);
  /// The program-order positions of the fake_quant ops of copies: the
  /// weights', and then the observers' by id.
  llvm::StringMap<SmallVector<size_t>> getObserverPositions();

  /// The SQNR (dB) against the reference of the outputs of a copy of the
  /// base that `prepare` changed (no reuse).
  llvm::Expected<double>
  measureVariant(llvm::function_ref<llvm::Error(ModuleOp)> prepare);

  /// `module` copied into the context measurements run in, where passes
  /// can run while the caller's context is in a pass manager.
  llvm::Expected<OwningOpRef<ModuleOp>> copyIntoContext(ModuleOp module) {
    return detached.copy(module);
  }
  /// The outputs of a copy of the base that `prepare` changed.
  llvm::Expected<std::vector<NpyArray>>
  runVariant(llvm::function_ref<llvm::Error(ModuleOp)> prepare);
  /// The float model's outputs (setReference).
  const std::vector<NpyArray> &getReference() const { return reference; }
  /// Runs `pipeline` (textual, on builtin.module) on `module`; the error
  /// holds the pipeline's diagnostics.
  static llvm::Error runPipeline(ModuleOp module, llvm::StringRef pipeline);

private:
  llvm::Expected<std::vector<NpyArray>> run(ModuleOp module);
  /// The SQNR (dB) of `module`'s outputs against the reference.
  llvm::Expected<double> measureModule(ModuleOp module);
  /// The SQNR (dB) of `outputs` against the reference.
  double sqnrAgainstReference(llvm::ArrayRef<NpyArray> outputs) const;

  DetachedContext detached;
  std::string entry;
  std::vector<NpyArray> samples;
  /// The samples' files, for messages.
  std::vector<std::string> names;
  std::vector<NpyArray> reference;
  OwningOpRef<ModuleOp> base;
  bool samplesChecked = false;
  /// Each measured model's activation grids (in program order), and its
  /// SQNR.
  std::map<std::vector<const void *>, double> measured;
};


/// Replaces every qlip.observe and qlip.fake_quant with its input: the
/// float model.
void dropQuantization(ModuleOp module);

} // namespace mlir::qlip

#endif // QLIP_LIB_AUTOQUANT_MEASURER_H
