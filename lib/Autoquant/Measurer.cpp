//===- Measurer.cpp - a model's outputs against the float model's -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "Measurer.h"

#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Runtime/Metrics.h"
#include "qlip/Runtime/Runner.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace mlir::qlip;

void mlir::qlip::dropQuantization(ModuleOp module) {
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
  // At -O1: the layers run in qlip's precompiled kernels and the JIT code
  // is the glue between them, which -O1 compiles faster than -O3 and runs
  // as fast; -O0's glue is slow on large activations. Compile and run of
  // the integer ResNet-50 on 64 samples, 2 threads: 1.8 s at -O3, 1.7 s
  // at -O1, 3.3 s at -O0 (224x224); 1.5, 1.4 and 1.1 s (64x64, 1
  // thread). The outputs are the same bits at every level.
  RunnerOptions options;
  options.optLevel = 1;
  auto runner = Runner::create(module, entry, options);
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

llvm::Error Measurer::setBase(ModuleOp module) {
  auto copy = detached.copy(module);
  if (!copy)
    return copy.takeError();
  base = std::move(*copy);
  // Other weights: no earlier measurement is of this model.
  measured.clear();
  return llvm::Error::success();
}

llvm::Expected<Measurement>
Measurer::measure(llvm::StringRef activationPipeline,
                  llvm::StringRef lowering) {
  OwningOpRef<ModuleOp> model(cast<ModuleOp>(base->clone()));
  if (llvm::Error error = runPipeline(*model, activationPipeline))
    return std::move(error);
  // The weights are the same in every copy: the activations' grids (the
  // qparams attributes, uniqued in the context) tell the models apart.
  Measurement result;
  model->walk(
      [&](FakeQuantOp op) { result.grids.push_back(op.getQparamsAttr()); });
  std::vector<const void *> key;
  for (QParamsAttr grid : result.grids)
    key.push_back(grid.getAsOpaquePointer());
  if (auto it = measured.find(key); it != measured.end()) {
    result.db = it->second;
    result.reused = true;
    return result;
  }
  if (llvm::Error error = runPipeline(*model, lowering))
    return std::move(error);
  llvm::Expected<double> db = measureModule(*model);
  if (!db)
    return db.takeError();
  result.db = *db;
  measured[key] = result.db;
  return result;
}

llvm::Expected<double> Measurer::measureModule(ModuleOp module) {
  auto outputs = run(module);
  if (!outputs)
    return outputs.takeError();
  return sqnrAgainstReference(*outputs);
}

double Measurer::sqnrAgainstReference(llvm::ArrayRef<NpyArray> outputs) const {
  SqnrAccumulator sqnr;
  for (auto [actual, expected] : llvm::zip_equal(outputs, reference))
    sqnr.add(actual.toDoubles(), expected.toDoubles());
  return sqnr.db();
}

llvm::Expected<double> Measurer::measureVariant(
    llvm::function_ref<llvm::Error(ModuleOp)> prepare) {
  auto outputs = runVariant(prepare);
  if (!outputs)
    return outputs.takeError();
  return sqnrAgainstReference(*outputs);
}

llvm::Expected<std::vector<NpyArray>> Measurer::runVariant(
    llvm::function_ref<llvm::Error(ModuleOp)> prepare) {
  OwningOpRef<ModuleOp> model(cast<ModuleOp>(base->clone()));
  if (llvm::Error error = prepare(*model))
    return std::move(error);
  return run(*model);
}

llvm::StringMap<SmallVector<size_t>> Measurer::getObserverPositions() {
  // qlip-quantize-activations puts each observer's fake_quant where the
  // observer was, so positions among observers and the weights'
  // fake_quants (already there) carry over.
  llvm::StringMap<SmallVector<size_t>> positions;
  size_t position = 0;
  base->walk([&](Operation *op) {
    if (auto observe = dyn_cast<ObserveOp>(op))
      positions[observe.getId()].push_back(position++);
    else if (isa<FakeQuantOp>(op))
      ++position;
  });
  return positions;
}
