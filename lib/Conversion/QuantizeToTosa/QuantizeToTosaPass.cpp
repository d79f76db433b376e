//===- QuantizeToTosaPass.cpp - the qlip-quantize pass ----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Runs the Quantizer on every function and writes its report: the layers
// made integer, every requantization, the ops left in float and the TOSA
// extensions the integer model needs.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"

#include "qlip/Transforms/QuantReport.h"
#include "dialects/Qlip/IR/QlipDialect.h"
#include "qlip/Conversion/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_QUANTIZETOTOSAPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::quantize;

/// The TOSA extensions the integer model needs.
static SmallVector<tosa::Extension>
getExtensions(const QuantizeReport &report) {
  SmallVector<tosa::Extension> extensions;
  if (report.needsInt4)
    extensions.push_back(tosa::Extension::int4);
  if (report.needsInt16)
    extensions.push_back(tosa::Extension::int16);
  if (report.needsDoubleRound)
    extensions.push_back(tosa::Extension::doubleround);
  return extensions;
}

/// The extensions as tosa-attach-target takes them (`int4,doubleround`).
static std::string getExtensionList(const QuantizeReport &report) {
  return llvm::join(llvm::map_range(getExtensions(report),
                                    [](tosa::Extension e) {
                                      return tosa::stringifyExtension(e);
                                    }),
                    ",");
}

static void writeJson(llvm::raw_ostream &os, const QuantizeReport &report) {
  llvm::json::Array layers, rescales, floatOps;
  for (const LayerRecord &layer : report.layers)
    layers.push_back(llvm::json::Object{
        {"name", layer.name},
        {"op", layer.opName},
        {"weight_bits", layer.weightBits},
        {"weight_type", layer.weightType},
        {"acc_type", layer.accType},
        {"input_scale", layer.inputScale},
        {"input_zero_point", layer.inputZeroPoint},
        {"bias_adjusted_channels", layer.biasAdjusted}});
  for (const RescaleRecord &rescale : report.rescales)
    rescales.push_back(llvm::json::Object{
        {"name", rescale.name},
        {"bits", rescale.bits},
        {"scale", rescale.scale},
        {"zero_point", rescale.zeroPoint},
        {"multiplier", llvm::json::Array{rescale.minMultiplier,
                                         rescale.maxMultiplier}},
        {"shift", llvm::json::Array{rescale.minShift, rescale.maxShift}}});
  for (const std::string &op : report.floatOps)
    floatOps.push_back(op);
  llvm::json::Object root{{"version", 1},
                          {"layers", std::move(layers)},
                          {"rescales", std::move(rescales)},
                          {"float_ops", std::move(floatOps)},
                          {"extensions", getExtensionList(report)}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

static void printTable(llvm::raw_ostream &os, const QuantizeReport &report) {
  os << llvm::format("%-18s %-24s %6s %6s %5s %12s %5s %8s\n", "layer", "op",
                     "w-bits", "w-type", "acc", "input scale", "zp",
                     "bias-adj");
  for (const LayerRecord &l : report.layers)
    os << llvm::format("%-18s %-24s %6u %6s %5s %12.6g %5lld %8u\n",
                       l.name.c_str(), l.opName.c_str(), l.weightBits,
                       l.weightType.c_str(), l.accType.c_str(), l.inputScale,
                       static_cast<long long>(l.inputZeroPoint),
                       l.biasAdjusted);
  os << llvm::format("%-18s %5s %12s %5s %23s %7s\n", "rescale to", "bits",
                     "scale", "zp", "multiplier", "shift");
  for (const RescaleRecord &r : report.rescales)
    os << llvm::format("%-18s %5u %12.6g %5lld %11d..%-10d %3d..%-3d\n",
                       r.name.c_str(), r.bits, r.scale,
                       static_cast<long long>(r.zeroPoint), r.minMultiplier,
                       r.maxMultiplier, r.minShift, r.maxShift);
  os << "float ops: " << report.floatOps.size() << "\n";
  for (const std::string &op : report.floatOps)
    os << "  " << op << "\n";
  std::string extensions = getExtensionList(report);
  os << "TOSA extensions: " << (extensions.empty() ? "none" : extensions)
     << "\n";
}

/// Sets the module's tosa.target_env to what the integer model needs.
static void attachTargetEnv(ModuleOp module, const QuantizeReport &report) {
  SmallVector<tosa::Profile> profiles{tosa::Profile::pro_int};
  if (!report.floatOps.empty())
    profiles.push_back(tosa::Profile::pro_fp);
  SmallVector<tosa::Extension> extensions = getExtensions(report);
  module->setAttr(tosa::TargetEnvAttr::name,
                  tosa::TargetEnvAttr::get(module.getContext(),
                                           tosa::SpecificationVersion::V_1_0,
                                           tosa::Level::none, profiles,
                                           extensions));
}

namespace {
struct QuantizeToTosaPass
    : qlip::impl::QuantizeToTosaPassBase<QuantizeToTosaPass> {
  using QuantizeToTosaPassBase::QuantizeToTosaPassBase;

  void runOnOperation() override {
    QuantizeOptions options;
    options.rounding = roundingMode;
    options.int4Weights = int4Weights;
    options.integerIO = integerIO;
    options.strict = strict;

    QuantizeReport report;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      Quantizer quantizer(func, options, report);
      if (failed(quantizer.run()))
        return signalPassFailure();
    }
    ModuleOp module = getOperation();
    if (attachTarget || validate)
      attachTargetEnv(module, report);
    if (validate) {
      OpPassManager pm(ModuleOp::getOperationName());
      tosa::TosaValidationOptions validation;
      validation.strictOpSpecAlignment = true;
      pm.addPass(tosa::createTosaValidation(validation));
      if (failed(runPipeline(pm, module)))
        return signalPassFailure();
    }
    if (!attachTarget || getExtensions(report).empty())
      module->removeAttr(tosa::TargetEnvAttr::name);
    if (printReport)
      printTable(llvm::errs(), report);
    if (!reportFile.empty() &&
        failed(writeReportFile(reportFile, "qlip-quantize",
                               getOperation().getLoc(),
                               [&](llvm::raw_ostream &os) {
                                 writeJson(os, report);
                               })))
      return signalPassFailure();
  }
};
} // namespace
