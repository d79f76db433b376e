//===- QuantizationReport.h - what quantization costs per layer -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Measures, layer by layer, how far a fake-quant model is from the float
// model it was made from, and writes that as one self-contained HTML page
// (qlip-report):
//
//   auto report = measureQuantizationReport(fakeQuant, observed, stats,
//                                           samples, options);
//   if (!report) ...                    // a message naming the problem
//   writeHtmlReport(os, *report);
//
// The layers are the weight layers (conv2d, depthwise_conv2d,
// transpose_conv2d, fully-connected matmul). A layer's output is its result
// after what the integer lowering folds into it (bias adds, clamps,
// reshapes): in the fake-quant model the result of its output fake_quant.
// That output is compared with the float model's at the same place, over
// every sample, in two ways:
//  * isolated: in the fake-quant model with only this layer's quantizers
//    (the fake_quants of its weight, of its input and of its output) and
//    every other op float, so the layer sees float inputs: what this
//    layer's quantization costs by itself;
//  * cumulative: in the whole fake-quant model, so the error of every
//    layer before adds up.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_REPORT_QUANTIZATIONREPORT_H
#define QLIP_REPORT_QUANTIZATIONREPORT_H

#include "qlip/Calibration/StatsFile.h"
#include "qlip/Runtime/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::qlip {

/// One quantizer, as its #qlip.qparams say.
struct ReportQuantizer {
  unsigned bits = 0;
  bool isSigned = true;
  /// The rule that chose the range, as #qlip.qparams spells it
  /// ("aciq_laplace").
  std::string rule;
  /// The real range, per channel (one entry per tensor for per-tensor
  /// parameters).
  std::vector<double> clipMin, clipMax;
  /// An activation's observer in the statistics file ("" for a weight, or
  /// when the float model has no observer there).
  std::string observer;
};

/// Bins of values: edges.size() == counts.size() + 1, or both empty.
struct ReportHistogram {
  std::vector<double> edges;
  std::vector<double> counts;
  /// The smallest and largest value seen.
  double min = 0, max = 0;

  bool empty() const { return counts.empty(); }
};

struct ReportLayer {
  /// The name users know it by (LayerNames), its op ("tosa.conv2d"), its
  /// position in the fake-quant model ("model.mlir:12:5", "" without one)
  /// and its output's type.
  std::string name, opName, location, outputType;
  /// Absent where the model leaves the value float.
  std::optional<ReportQuantizer> weight, input, output;
  /// What calibration saw at the output (empty when it has no observer or
  /// its observer no histogram), and the weight's values.
  ReportHistogram outputHistogram, weightHistogram;
  double isolatedSqnrDb = 0, cumulativeSqnrDb = 0;
  /// Each output channel's smallest and largest weight (along the
  /// weight's channel axis; one entry for a per-tensor weight).
  std::vector<double> channelMin, channelMax;
  /// The sensitivity: the model's first result's SQNR against float with
  /// this layer's weight and input left float, or on their ranges at 8
  /// bits (absent when both already are 8 bits), and everything else as
  /// quantized.
  std::optional<double> floatLayerSqnrDb, eightBitLayerSqnrDb;
};

/// One quantized activation (a `qlip.fake_quant` of a computed value).
struct ReportActivation {
  /// The producing op's name (the ONNX node's) or position, and op.
  std::string name, opName;
  ReportQuantizer quantizer;
  /// What calibration saw (empty without an observer there).
  ReportHistogram histogram;
};

/// One result of the entry function, fake-quant against float.
struct ReportResult {
  std::string type;
  double sqnrDb = 0;
  /// Rows of the last axis, and how many agree on their top-1 class.
  size_t rows = 0, top1Agreement = 0;
};

struct QuantizationReport {
  /// How the inputs are named on the page and in messages.
  std::string modelName, floatName, statsName;
  std::vector<std::string> sampleNames;
  std::string entry;
  int64_t samples = 0, batch = 0;
  std::vector<ReportLayer> layers;
  std::vector<ReportActivation> activations;
  std::vector<ReportResult> results;
  /// With labels: top-1 accuracy (%) of the first result, float and
  /// fake-quant.
  std::optional<double> floatAccuracy, quantizedAccuracy;
};

struct ReportOptions {
  std::string entry = "main";
  /// How messages and the page name the inputs (file names, say).
  std::string modelName = "the fake-quant model";
  std::string floatName = "the float model";
  std::string statsName = "the statistics file";
  /// One per sample array.
  std::vector<std::string> sampleNames;
  /// LLVM optimization level of the JIT-compiled models.
  unsigned optLevel = 3;
  /// One integer label per sample row: the report gives the first result's
  /// top-1 accuracy, float and quantized.
  std::vector<int64_t> labels;
  /// Measure each layer's sensitivity (two more models per layer).
  bool sensitivity = true;
  /// Draw a progress bar on a terminal.
  bool progress = true;
};

/// Measures every weight layer of `fakeQuant` (a model with qlip.fake_quant
/// ops, before qlip-quantize) against `observed`, the float model that
/// `stats` was gathered on (the output of qlip-prepare or
/// qlip-insert-observers; its fingerprint must be the file's), on
/// `samples`: one array per argument of the entry, of shape [N, ...], run in
/// batches of the entry's dim 0. Fails with a message when the models'
/// ops differ, the statistics belong to another model, the fake-quant model
/// has no fake_quant or no layer, the samples do not fit, or a model does
/// not compile.
llvm::Expected<QuantizationReport>
measureQuantizationReport(ModuleOp fakeQuant, ModuleOp observed,
                          const StatsFile &stats,
                          llvm::ArrayRef<NpyArray> samples,
                          const ReportOptions &options);

/// The report as one HTML page: a summary, a table with one row per layer,
/// a chart of both SQNRs per layer and, per layer, the histograms of its
/// output (from calibration) and its weight with the clip ranges drawn, all
/// inline SVG, no scripts, nothing fetched.
void writeHtmlReport(llvm::raw_ostream &os, const QuantizationReport &report);

/// One row per layer: name, op, bits, both SQNRs.
void printReportSummary(llvm::raw_ostream &os,
                        const QuantizationReport &report);

} // namespace mlir::qlip

#endif // QLIP_REPORT_QUANTIZATIONREPORT_H
