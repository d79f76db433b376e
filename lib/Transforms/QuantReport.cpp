//===- QuantReport.cpp - what quantization chose, per layer -----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/QuantReport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qlip;

/// JSON has no infinity: an exact quantization has SQNR `null`.
static llvm::json::Value sqnrValue(double sqnrDb) {
  if (std::isinf(sqnrDb))
    return nullptr;
  return sqnrDb;
}

void mlir::qlip::writeJsonReport(llvm::raw_ostream &os,
                                 ArrayRef<LayerReport> layers) {
  llvm::json::Array jsonLayers;
  for (const LayerReport &layer : layers) {
    llvm::json::Array channels;
    for (const ChannelReport &c : layer.channels)
      channels.push_back(llvm::json::Object{
          {"clip", c.clip},
          {"scale", c.scale},
          {"bits", c.bits},
          {"rule", stringifyClipRule(c.rule)},
          {"mse", c.mse},
          {"sqnr_db", sqnrValue(c.sqnrDb)},
      });
    llvm::json::Object object{
        {"name", layer.name},
        {"op", layer.opName},
        {"bits", layer.bits},
        {"rule", stringifyClipRule(layer.rule)},
        {"granularity", layer.axis ? "per-channel" : "per-tensor"},
        {"bias_corrected", layer.biasCorrected},
        {"empirical_bias_correction", layer.empiricalBiasCorrection},
        {"mse", layer.mse},
        {"sqnr_db", sqnrValue(layer.sqnrDb)},
        {"rounding", layer.rounding},
        {"adaround_channels", layer.adaRoundedChannels},
        {"channels", std::move(channels)},
    };
    if (layer.outputSqnrDb)
      object["output_sqnr_db"] = sqnrValue(*layer.outputSqnrDb);
    if (layer.axis)
      object["axis"] = *layer.axis;
    jsonLayers.push_back(std::move(object));
  }
  llvm::json::Value root =
      llvm::json::Object{{"version", 1}, {"layers", std::move(jsonLayers)}};
  os << llvm::formatv("{0:2}", root) << "\n";
}

void mlir::qlip::printReportTable(llvm::raw_ostream &os,
                                  ArrayRef<LayerReport> layers) {
  // One row per layer (its clip range over the channels, its total MSE and
  // SQNR), then one indented row per channel, so the table answers "which
  // channel costs the most" without opening the JSON.
  os << llvm::format("%-24s %-22s %4s %-12s %8s %11s %11s %11s %11s\n",
                     "layer", "op", "bits", "rule", "channels", "clip min",
                     "clip max", "MSE", "SQNR dB");
  for (const LayerReport &layer : layers) {
    double lo = INFINITY, hi = 0;
    for (const ChannelReport &c : layer.channels) {
      lo = std::min(lo, c.clip);
      hi = std::max(hi, c.clip);
    }
    os << llvm::format("%-24s %-22s %4u %-12s %8zu %11.5g %11.5g %11.4g "
                       "%11.2f\n",
                       layer.name.c_str(), layer.opName.c_str(), layer.bits,
                       stringifyClipRule(layer.rule).str().c_str(),
                       layer.channels.size(), lo, hi, layer.mse,
                       layer.sqnrDb);
    for (auto [index, c] : llvm::enumerate(layer.channels))
      os << llvm::format("    channel %-6zu bits %-2u %-12s clip %-11.5g "
                         "scale %-11.5g MSE %-11.4g SQNR dB %.2f\n",
                         index, c.bits,
                         stringifyClipRule(c.rule).str().c_str(), c.clip,
                         c.scale, c.mse, c.sqnrDb);
  }
}

void mlir::qlip::writeJsonReport(llvm::raw_ostream &os,
                                 ArrayRef<ActivationReport> activations) {
  llvm::json::Array entries;
  for (const ActivationReport &a : activations)
    entries.push_back(llvm::json::Object{
        {"id", a.id},
        {"bits", a.bits},
        {"signed", a.isSigned},
        {"rule", stringifyClipRule(a.rule)},
        {"observed_min", a.observedMin},
        {"observed_max", a.observedMax},
        {"clip_min", a.clipMin},
        {"clip_max", a.clipMax},
        {"scale", a.scale},
        {"zero_point", a.zeroPoint},
    });
  llvm::json::Value root =
      llvm::json::Object{{"version", 1}, {"activations", std::move(entries)}};
  os << llvm::formatv("{0:2}", root) << "\n";
}

void mlir::qlip::printReportTable(llvm::raw_ostream &os,
                                  ArrayRef<ActivationReport> activations) {
  os << llvm::format("%-28s %4s %-12s %11s %11s %11s %11s %11s %5s\n",
                     "activation", "bits", "rule", "seen min", "seen max",
                     "clip min", "clip max", "scale", "zp");
  for (const ActivationReport &a : activations)
    os << llvm::format("%-28s %3s%u %-12s %11.5g %11.5g %11.5g %11.5g %11.5g "
                       "%5lld\n",
                       a.id.c_str(), a.isSigned ? "i" : "ui", a.bits,
                       stringifyClipRule(a.rule).str().c_str(), a.observedMin,
                       a.observedMax, a.clipMin, a.clipMax, a.scale,
                       static_cast<long long>(a.zeroPoint));
}

LogicalResult mlir::qlip::writeReportFile(
    StringRef path, StringRef passName, Location loc,
    llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::string error;
  auto output = openOutputFile(path, &error);
  if (!output)
    return emitError(loc) << passName << ": cannot write the report: " << error;
  write(output->os());
  output->keep();
  return success();
}

LogicalResult mlir::qlip::writeJsonReportFile(llvm::StringRef path,
                                              llvm::StringRef passName,
                                              Location loc,
                                              llvm::json::Value value) {
  return writeReportFile(path, passName, loc, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", value) << "\n";
  });
}

llvm::json::Value mlir::qlip::jsonDb(double db) {
  if (std::isfinite(db))
    return db;
  if (std::isnan(db))
    return "nan";
  return db > 0 ? "inf" : "-inf";
}
