//===- QuantReport.h - what quantization chose, per layer -------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_QUANTREPORT_H
#define QLIP_TRANSFORMS_QUANTREPORT_H

#include "dialects/Qlip/IR/QlipAttrs.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace mlir::qlip {

/// What one channel's quantization cost.
struct ChannelReport {
  double clip = 0;
  double scale = 0;
  unsigned bits = 0;
  /// The rule that chose the clip: for `best` and `aciq`, the winner.
  ClipRule rule = ClipRule::Max;
  /// Mean squared error of the real quantizer over the channel.
  double mse = 0;
  /// Signal-to-quantization-noise ratio, 10 log10(E[w^2] / mse); infinite
  /// when the channel is quantized exactly.
  double sqnrDb = 0;
};

/// One quantized weight tensor.
struct LayerReport {
  std::string name;
  std::string opName;
  unsigned bits = 0;
  ClipRule rule = ClipRule::Max;
  /// The channel axis, or none for per-tensor parameters.
  std::optional<int64_t> axis;
  /// Whether ACIQ's bias correction rewrote the weights.
  bool biasCorrected = false;
  /// Whether the bias took back the mean error the rounded weights cause
  /// at the layer's output on the calibration inputs.
  bool empiricalBiasCorrection = false;
  /// Over the whole tensor.
  double mse = 0;
  double sqnrDb = 0;
  /// `nearest` or `gptq`.
  std::string rounding = "nearest";
  /// With gptq-adaround: the channels whose AdaRound rounding won.
  int64_t adaRoundedChannels = 0;
  /// With input moments: 10 log10 of the layer's output power over the
  /// mean square error its weights' quantization adds there.
  std::optional<double> outputSqnrDb;
  llvm::SmallVector<ChannelReport> channels;
};

/// The range chosen for one activation.
struct ActivationReport {
  std::string id;
  unsigned bits = 0;
  bool isSigned = true;
  /// The rule that chose the range (`pact` for a learned clip).
  ClipRule rule = ClipRule::Max;
  /// What calibration saw, and the range the rule chose before nudging.
  double observedMin = 0, observedMax = 0;
  double clipMin = 0, clipMax = 0;
  double scale = 1;
  int64_t zeroPoint = 0;
};

/// Writes `{"version": 1, "layers": [...]}` with every layer and channel.
void writeJsonReport(llvm::raw_ostream &os, llvm::ArrayRef<LayerReport> layers);

/// Prints one row per layer (channel clips summarized as min / max).
void printReportTable(llvm::raw_ostream &os,
                      llvm::ArrayRef<LayerReport> layers);

/// Writes `{"version": 1, "activations": [...]}`.
void writeJsonReport(llvm::raw_ostream &os,
                     llvm::ArrayRef<ActivationReport> activations);

/// Prints one row per activation.
void printReportTable(llvm::raw_ostream &os,
                      llvm::ArrayRef<ActivationReport> activations);

/// Writes a report to `path` (`-` is stdout) with `write`; on failure
/// emits an error naming the pass and the file.
LogicalResult writeReportFile(llvm::StringRef path, llvm::StringRef passName,
                              Location loc,
                              llvm::function_ref<void(llvm::raw_ostream &)> write);

/// writeReportFile of a JSON value, indented by two.
LogicalResult writeJsonReportFile(llvm::StringRef path,
                                  llvm::StringRef passName, Location loc,
                                  llvm::json::Value value);

/// A dB figure in a JSON report: a number, or "inf", "-inf", "nan".
llvm::json::Value jsonDb(double db);

} // namespace mlir::qlip

#endif // QLIP_TRANSFORMS_QUANTREPORT_H
