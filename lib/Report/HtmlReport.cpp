//===- HtmlReport.cpp - the report as one self-contained page -------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Plain HTML with inline CSS and SVG: no script, no font, nothing fetched,
// so the file can be mailed or attached to a bug and opens anywhere. The
// classes are the page's interface for tests: a `tr.layer` per layer with
// `td.sqnr.isolated` and `td.sqnr.cumulative`, a `section.layer` per layer
// with `figure.histogram.activation` and `figure.histogram.weight`, each an
// `svg` whose clip lines are `line.clip`.
//
//===----------------------------------------------------------------------===//

#include "qlip/Report/QuantizationReport.h"
#include "qlip/Runtime/Metrics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qlip;

//===----------------------------------------------------------------------===//
// Text
//===----------------------------------------------------------------------===//

static std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// An id attribute value from a layer name: letters, digits, '-' and '_'
/// kept, everything else '_'.
static std::string toId(llvm::StringRef prefix, llvm::StringRef name) {
  std::string id = prefix.str();
  for (char c : name)
    id += llvm::isAlnum(c) || c == '-' || c == '_' ? c : '_';
  return id;
}

/// Six significant digits, as the report tables of the passes print.
static std::string formatValue(double value) {
  return llvm::formatv("{0}", llvm::format("%.6g", value)).str();
}

/// "ui4", "i8".
static std::string formatGrid(const ReportQuantizer &q) {
  return (q.isSigned ? "i" : "ui") + std::to_string(q.bits);
}

/// The overall clip range of a quantizer and, for per-channel parameters
/// whose channels differ, the narrowest channel's.
struct ClipSummary {
  double lo, hi;
  std::optional<std::pair<double, double>> narrowest;
};

static ClipSummary summarize(const ReportQuantizer &q) {
  ClipSummary s;
  s.lo = *std::min_element(q.clipMin.begin(), q.clipMin.end());
  s.hi = *std::max_element(q.clipMax.begin(), q.clipMax.end());
  double innerLo = *std::max_element(q.clipMin.begin(), q.clipMin.end());
  double innerHi = *std::min_element(q.clipMax.begin(), q.clipMax.end());
  if (innerLo != s.lo || innerHi != s.hi)
    s.narrowest = {innerLo, innerHi};
  return s;
}

static std::string describeRange(const ReportQuantizer &q) {
  if (q.clipMin.empty())
    return "";
  ClipSummary s = summarize(q);
  std::string text = "[" + formatValue(s.lo) + ", " + formatValue(s.hi) + "]";
  if (q.clipMin.size() > 1) {
    text += " over " + std::to_string(q.clipMin.size()) + " channels";
    if (s.narrowest)
      text += ", narrowest [" + formatValue(s.narrowest->first) + ", " +
              formatValue(s.narrowest->second) + "]";
  }
  return text;
}

/// One table cell: grid, rule, range; "float" without a quantizer.
static void writeQuantizerCell(llvm::raw_ostream &os, llvm::StringRef cls,
                               const std::optional<ReportQuantizer> &q) {
  os << "<td class=\"" << cls << "\">";
  if (!q) {
    os << "<span class=\"float\">float</span></td>";
    return;
  }
  os << "<span class=\"grid\">" << formatGrid(*q) << "</span> <span "
     << "class=\"rule\">" << escape(q->rule) << "</span><br><span "
     << "class=\"range\">" << escape(describeRange(*q)) << "</span></td>";
}

//===----------------------------------------------------------------------===//
// Figures
//===----------------------------------------------------------------------===//

namespace {
/// A vertical line at `value`, drawn with `cls` ("clip clip-lo").
struct Mark {
  double value;
  std::string cls;
  std::string label;
  /// Whether the value is also written above the line.
  bool labelled = true;
};

/// The plot area of a figure, in SVG user units.
struct Frame {
  double width = 440, height = 190;
  double left = 62, right = 16, top = 20, bottom = 30;
  double plotWidth() const { return width - left - right; }
  double plotHeight() const { return height - top - bottom; }
};
} // namespace

/// About four round ticks (1, 2 or 5 times a power of ten apart) in
/// [lo, hi].
static std::vector<double> getTicks(double lo, double hi) {
  double raw = (hi - lo) / 4;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double normalized = raw / magnitude;
  double step = (normalized < 1.5 ? 1 : normalized < 3 ? 2
                 : normalized < 7 ? 5 : 10) * magnitude;
  std::vector<double> ticks;
  for (double tick = std::ceil(lo / step) * step; tick <= hi; tick += step)
    ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0.0 : tick);
  return ticks;
}

/// The histogram as bars over a log10(1 + count) axis, with the marks
/// drawn across it. The x range covers the bins that hold values and every
/// mark; runs of adjacent bins are merged so that at most `kBars` bars are
/// drawn.
static void writeHistogramSvg(llvm::raw_ostream &os,
                              const ReportHistogram &histogram,
                              llvm::ArrayRef<Mark> marks,
                              llvm::StringRef label) {
  constexpr size_t kBars = 100;
  Frame frame;
  size_t first = 0, last = histogram.counts.size();
  while (first < last && histogram.counts[first] == 0)
    ++first;
  while (last > first && histogram.counts[last - 1] == 0)
    --last;
  double x0 = first < last ? histogram.edges[first] : histogram.min;
  double x1 = first < last ? histogram.edges[last] : histogram.max;
  for (const Mark &mark : marks) {
    x0 = std::min(x0, mark.value);
    x1 = std::max(x1, mark.value);
  }
  double span = x1 - x0;
  if (!(span > 0))
    span = std::max(std::fabs(x0), 1.0);
  x0 -= 0.04 * span;
  x1 += 0.04 * span;
  span = x1 - x0;

  // Bars: runs of `merge` bins, each drawn over its own edges.
  size_t merge = std::max<size_t>(1, (last - first + kBars - 1) / kBars);
  struct Bar {
    double lo, hi, count;
  };
  std::vector<Bar> bars;
  double peak = 0;
  for (size_t i = first; i < last; i += merge) {
    size_t end = std::min(last, i + merge);
    double count = 0;
    for (size_t k = i; k < end; ++k)
      count += histogram.counts[k];
    bars.push_back({histogram.edges[i], histogram.edges[end], count});
    peak = std::max(peak, count);
  }
  double logPeak = std::log10(1 + peak);

  auto x = [&](double value) {
    return frame.left + (value - x0) / span * frame.plotWidth();
  };
  double base = frame.top + frame.plotHeight();
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
                      "role=\"img\" aria-label=\"{2}\">",
                      frame.width, frame.height, escape(label));
  os << "<title>" << escape(label) << "</title>";
  os << "<path class=\"bars\" d=\"";
  for (const Bar &bar : bars) {
    if (bar.count == 0)
      continue;
    double height = std::log10(1 + bar.count) / logPeak * frame.plotHeight();
    double width = std::max(x(bar.hi) - x(bar.lo), 0.5);
    os << llvm::format("M%.2f %.2fh%.2fv%.2fh%.2fZ", x(bar.lo), base, width,
                       -height, -width);
  }
  os << "\"/>";
  // Axes: the values below, the count axis (its top labelled) on the left.
  os << llvm::formatv("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" "
                      "y2=\"{1}\"/>",
                      frame.left, base, frame.left + frame.plotWidth());
  os << llvm::formatv("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" "
                      "y2=\"{2}\"/>",
                      frame.left, frame.top, base);
  for (double tick : getTicks(x0, x1))
    os << llvm::formatv("<line class=\"axis\" x1=\"{0:f2}\" y1=\"{1}\" "
                        "x2=\"{0:f2}\" y2=\"{2}\"/><text class=\"tick\" "
                        "x=\"{0:f2}\" y=\"{3}\" text-anchor=\"middle\">{4}"
                        "</text>",
                        x(tick), base, base + 4, base + 16,
                        escape(formatValue(tick)));
  os << llvm::formatv("<text class=\"tick\" x=\"{0}\" y=\"{1}\" "
                      "text-anchor=\"end\">{2}</text>",
                      frame.left - 4, frame.top + 4,
                      escape(llvm::formatv("{0}", llvm::format("%.3g", peak))
                                 .str()));
  os << llvm::formatv("<text class=\"axis-label\" text-anchor=\"middle\" "
                      "transform=\"translate(14 {0:f1}) rotate(-90)\">"
                      "count (log scale)</text>",
                      frame.top + frame.plotHeight() / 2);
  for (const Mark &mark : marks) {
    double at = x(mark.value);
    os << llvm::formatv("<line class=\"{0}\" x1=\"{1:f2}\" y1=\"{2}\" "
                        "x2=\"{1:f2}\" y2=\"{3}\"><title>{4}</title></line>",
                        mark.cls, at, frame.top - 6, base, escape(mark.label));
    // The narrowest channel's clip sits inside, often close to 0: its
    // value is in the line's title only, so labels do not pile up.
    if (!mark.labelled)
      continue;
    os << llvm::formatv("<text class=\"clip-label\" x=\"{0:f2}\" y=\"{1}\" "
                        "text-anchor=\"middle\">{2}</text>",
                        at, frame.top - 8, escape(formatValue(mark.value)));
  }
  os << "</svg>";
}

/// The clip lines of a quantizer: its overall range, and for per-channel
/// ranges that differ the narrowest channel's, dashed.
static std::vector<Mark> getClipMarks(const ReportQuantizer &q) {
  std::vector<Mark> marks;
  if (q.clipMin.empty())
    return marks;
  ClipSummary s = summarize(q);
  marks.push_back({s.lo, "clip clip-lo", "clip low " + formatValue(s.lo)});
  marks.push_back({s.hi, "clip clip-hi", "clip high " + formatValue(s.hi)});
  if (s.narrowest) {
    marks.push_back({s.narrowest->first, "clip clip-narrowest",
                     "narrowest channel's clip low " +
                         formatValue(s.narrowest->first),
                     /*labelled=*/false});
    marks.push_back({s.narrowest->second, "clip clip-narrowest",
                     "narrowest channel's clip high " +
                         formatValue(s.narrowest->second),
                     /*labelled=*/false});
  }
  return marks;
}

/// Two bars per layer, isolated over cumulative, on one dB axis from 0 to
/// the largest finite SQNR (an infinite SQNR fills the row; a negative one
/// draws nothing).
static void writeSqnrChart(llvm::raw_ostream &os,
                           const QuantizationReport &report) {
  double top = 1;
  for (const ReportLayer &layer : report.layers)
    for (double db : {layer.isolatedSqnrDb, layer.cumulativeSqnrDb})
      if (std::isfinite(db))
        top = std::max(top, db);
  top = std::ceil(top / 10) * 10;
  constexpr double kRow = 30, kLeft = 150, kWidth = 460, kTop = 24;
  double height = kTop + kRow * report.layers.size() + 26;
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
                      "role=\"img\" aria-label=\"SQNR per layer\">",
                      kLeft + kWidth + 70, height);
  os << "<title>SQNR per layer: isolated and cumulative</title>";
  auto length = [&](double db) {
    if (std::isnan(db) || db <= 0)
      return 0.0;
    return std::isinf(db) ? kWidth : db / top * kWidth;
  };
  for (auto [i, layer] : llvm::enumerate(report.layers)) {
    double y = kTop + kRow * i;
    os << llvm::formatv("<text class=\"layer-name\" x=\"{0}\" y=\"{1:f1}\" "
                        "text-anchor=\"end\">{2}</text>",
                        kLeft - 8, y + 17, escape(layer.name));
    for (auto [k, kind, db] :
         {std::tuple{0, "isolated", layer.isolatedSqnrDb},
          std::tuple{1, "cumulative", layer.cumulativeSqnrDb}}) {
      double barY = y + 3 + 12 * k;
      os << llvm::formatv("<rect class=\"bar {0}\" x=\"{1}\" y=\"{2:f1}\" "
                          "width=\"{3:f2}\" height=\"11\"><title>{4} {0}: "
                          "{5}</title></rect>",
                          kind, kLeft, barY, length(db), escape(layer.name),
                          formatDb(db));
      os << llvm::formatv("<text class=\"value\" x=\"{0:f2}\" y=\"{1:f1}\">{2}"
                          "</text>",
                          kLeft + length(db) + 4, barY + 10, formatDb(db));
    }
  }
  double axisY = kTop + kRow * report.layers.size() + 4;
  os << llvm::formatv("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" "
                      "y2=\"{1}\"/>",
                      kLeft, axisY, kLeft + kWidth);
  for (int step = 0; step <= 4; ++step) {
    double db = top * step / 4;
    os << llvm::formatv("<text class=\"tick\" x=\"{0:f2}\" y=\"{1}\" "
                        "text-anchor=\"middle\">{2} dB</text>",
                        kLeft + kWidth * step / 4, axisY + 16,
                        formatValue(db));
  }
  os << "</svg>";
}

//===----------------------------------------------------------------------===//
// The page
//===----------------------------------------------------------------------===//

static constexpr const char *kStyle = R"css(
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
h3 small { font-weight: normal; color: #666; }
code { background: #f3f3f3; padding: 0 0.25em; border-radius: 3px; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left;
         vertical-align: top; }
th { background: #f6f6f6; }
td.sqnr { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.worst td.sqnr.isolated { background: #fde2e1; font-weight: bold; }
.range, .float { color: #555; font-size: 0.92em; }
.figures { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0.5em 0; }
figcaption { color: #555; font-size: 0.9em; max-width: 440px; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.bars { fill: #4c78a8; }
.axis { stroke: #888; stroke-width: 1; }
.clip { stroke: #d62728; stroke-width: 2; }
.clip-narrowest { stroke-dasharray: 4 3; stroke-width: 1.5; }
.clip-label { fill: #d62728; }
.bar.isolated { fill: #4c78a8; }
.bar.cumulative { fill: #f58518; }
.legend .isolated { color: #4c78a8; font-weight: bold; }
.legend .cumulative { color: #f58518; font-weight: bold; }
.channel-range { fill: #4c78a8; }
.channel-clip { stroke: #d62728; stroke-width: 1.5; }
.grid { stroke: #ddd; stroke-width: 1; }
.legend .recover-float, .legend .recover-8bit { font-weight: bold; }
.accuracy { font-size: 1.1em; }
)css";

static void writeSummary(llvm::raw_ostream &os,
                         const QuantizationReport &report) {
  os << "<p class=\"inputs\">The fake-quant model <code>"
     << escape(report.modelName) << "</code> against the float model <code>"
     << escape(report.floatName) << "</code> (function <code>"
     << escape(report.entry) << "</code>), on " << report.samples
     << " sample(s) of ";
  llvm::interleave(
      report.sampleNames, os,
      [&](const std::string &name) { os << "<code>" << escape(name) << "</code>"; },
      ", ");
  os << " in batches of " << report.batch
     << "; calibration histograms from <code>" << escape(report.statsName)
     << "</code>.</p>\n";

  os << "<table class=\"results\"><thead><tr><th>result</th><th>type</th>"
        "<th>SQNR</th><th>top-1 agreement</th></tr></thead><tbody>\n";
  for (auto [i, result] : llvm::enumerate(report.results)) {
    os << "<tr class=\"result\"><td>#" << i << "</td><td><code>"
       << escape(result.type) << "</code></td><td class=\"sqnr\">"
       << formatDb(result.sqnrDb) << "</td><td>" << result.top1Agreement
       << "/" << result.rows;
    if (result.rows)
      os << llvm::format(" (%.1f%%)",
                         100.0 * result.top1Agreement / result.rows);
    os << "</td></tr>\n";
  }
  os << "</tbody></table>\n";
  if (report.floatAccuracy)
    os << llvm::format("<p class=\"accuracy\">Top-1 accuracy on the "
                       "labelled samples: float <span class=\"float-"
                       "accuracy\">%.2f%%</span>, quantized <span "
                       "class=\"quantized-accuracy\">%.2f%%</span>.</p>\n",
                       *report.floatAccuracy, *report.quantizedAccuracy);
}

/// How much of result #0's SQNR a what-if model recovers: "+3.1 dB".
static std::string formatRecovery(const QuantizationReport &report,
                                  std::optional<double> db) {
  if (!db)
    return "";
  if (report.results.empty())
    return formatDb(*db);
  double gain = *db - report.results.front().sqnrDb;
  if (!std::isfinite(gain))
    return formatDb(*db);
  return llvm::formatv("{0}{1:f1} dB", gain >= 0 ? "+" : "", gain).str();
}

/// The layer with the lowest isolated SQNR: the one whose own quantization
/// costs most.
static std::optional<size_t> findWorstLayer(const QuantizationReport &report) {
  std::optional<size_t> worst;
  for (auto [i, layer] : llvm::enumerate(report.layers))
    if (!std::isnan(layer.isolatedSqnrDb) &&
        (!worst ||
         layer.isolatedSqnrDb < report.layers[*worst].isolatedSqnrDb))
      worst = i;
  return worst;
}

static void writeLayerTable(llvm::raw_ostream &os,
                            const QuantizationReport &report) {
  std::optional<size_t> worst = findWorstLayer(report);
  os << "<p class=\"legend\">Each layer's output (after its bias, activation "
        "and output fake_quant) against the float model's, over every "
        "sample: <span class=\"isolated\">isolated</span>, in the model with "
        "only this layer's quantizers (its weight, input and output "
        "fake_quants; every other op float), and <span "
        "class=\"cumulative\">cumulative</span>, in the whole fake-quant "
        "model.";
  if (worst)
    os << " The layer whose own quantization costs most is <a href=\"#"
       << toId("layer-", report.layers[*worst].name) << "\">"
       << escape(report.layers[*worst].name) << "</a> ("
       << formatDb(report.layers[*worst].isolatedSqnrDb) << " isolated).";
  os << "</p>\n<figure class=\"sqnr-chart\">";
  writeSqnrChart(os, report);
  os << "<figcaption>SQNR per layer, dB: isolated (blue) and cumulative "
        "(orange).</figcaption></figure>\n";

  bool sensitivity = llvm::any_of(report.layers, [](const ReportLayer &l) {
    return l.floatLayerSqnrDb.has_value();
  });
  if (sensitivity)
    os << "<p class=\"legend\">Sensitivity: what result #0's SQNR "
          "against float (" << formatDb(report.results.front().sqnrDb)
       << ") gains with this layer's weight and input <span "
          "class=\"recover-float\">left float</span>, or <span "
          "class=\"recover-8bit\">at 8 bits</span> on the same ranges, "
          "everything else quantized.</p>\n";
  os << "<table class=\"layers\"><thead><tr><th>layer</th><th>op</th>"
        "<th>SQNR isolated</th><th>SQNR cumulative</th>";
  if (sensitivity)
    os << "<th>float recovers</th><th>8-bit recovers</th>";
  os << "<th>weight</th><th>input</th><th>output</th></tr></thead><tbody>\n";
  for (auto [i, layer] : llvm::enumerate(report.layers)) {
    os << "<tr class=\"layer" << (worst && *worst == i ? " worst" : "")
       << "\" id=\"" << toId("row-", layer.name) << "\" data-layer=\""
       << escape(layer.name) << "\"><td class=\"name\"><a href=\"#"
       << toId("layer-", layer.name) << "\">" << escape(layer.name)
       << "</a></td><td class=\"op\">" << escape(layer.opName)
       << "</td><td class=\"sqnr isolated\">" << formatDb(layer.isolatedSqnrDb)
       << "</td><td class=\"sqnr cumulative\">"
       << formatDb(layer.cumulativeSqnrDb) << "</td>";
    if (sensitivity)
      os << "<td class=\"sqnr recover-float\">"
         << formatRecovery(report, layer.floatLayerSqnrDb)
         << "</td><td class=\"sqnr recover-8bit\">"
         << formatRecovery(report, layer.eightBitLayerSqnrDb) << "</td>";
    writeQuantizerCell(os, "weight", layer.weight);
    writeQuantizerCell(os, "input", layer.input);
    writeQuantizerCell(os, "output", layer.output);
    os << "</tr>\n";
  }
  os << "</tbody></table>\n";
}

/// One figure: the histogram with the quantizer's clip lines (or `missing`
/// when there is no histogram), and a caption that starts with `what` and
/// says the values' range and what the quantizer made of them.
static void writeFigure(llvm::raw_ostream &os, llvm::StringRef cls,
                        llvm::StringRef what, const ReportHistogram &histogram,
                        const std::optional<ReportQuantizer> &quantizer,
                        llvm::StringRef label, llvm::StringRef missing) {
  os << "<figure class=\"histogram " << cls << "\">";
  if (histogram.empty())
    os << "<p class=\"no-histogram\">" << escape(missing) << "</p>";
  else
    writeHistogramSvg(os, histogram,
                      quantizer ? getClipMarks(*quantizer) : std::vector<Mark>(),
                      label);
  os << "<figcaption>" << what << ": values from "
     << formatValue(histogram.min) << " to " << formatValue(histogram.max)
     << "; ";
  if (quantizer) {
    os << "clipped to " << escape(describeRange(*quantizer)) << " on "
       << formatGrid(*quantizer) << " by " << escape(quantizer->rule);
    if (quantizer->clipMin.size() > 1)
      os << " (solid: the widest channel's clip, dashed: the narrowest's)";
  } else {
    os << "not quantized";
  }
  os << ".</figcaption></figure>\n";
}

/// Per output channel, a bar from its smallest to its largest weight and
/// ticks at its clip range.
static void writeChannelChart(llvm::raw_ostream &os, const ReportLayer &layer) {
  size_t channels = layer.channelMin.size();
  if (channels == 0)
    return;
  double extent = 0;
  for (size_t c = 0; c < channels; ++c)
    extent = std::max({extent, std::fabs(layer.channelMin[c]),
                       std::fabs(layer.channelMax[c])});
  const ReportQuantizer *q = layer.weight ? &*layer.weight : nullptr;
  bool perChannel = q && q->clipMin.size() == channels;
  if (q)
    for (size_t c = 0; c < q->clipMin.size(); ++c)
      extent = std::max({extent, std::fabs(q->clipMin[c]),
                         std::fabs(q->clipMax[c])});
  if (!(extent > 0))
    return;
  constexpr double kHeight = 160, kTop = 10, kLeft = 80, kWidth = 560;
  double step = kWidth / channels;
  auto y = [&](double v) { return kTop + (1 - (v + extent) / (2 * extent)) * kHeight; };
  os << "<figure class=\"channels\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
     << llvm::formatv("viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
                      "role=\"img\" aria-label=\"{2} weight range per "
                      "channel\">",
                      kLeft + kWidth + 10, kTop + kHeight + 24,
                      escape(layer.name));
  for (double v : {-extent, 0.0, extent})
    os << llvm::formatv("<text class=\"tick\" x=\"{0}\" y=\"{1:f1}\" "
                        "text-anchor=\"end\">{2}</text><line class=\"grid\" "
                        "x1=\"{3}\" x2=\"{4}\" y1=\"{5:f1}\" y2=\"{5:f1}\"/>",
                        kLeft - 4, y(v) + 4, escape(formatValue(v)), kLeft,
                        kLeft + kWidth, y(v));
  for (size_t c = 0; c < channels; ++c) {
    double x = kLeft + step * (c + 0.5);
    double width = std::max(1.0, step * 0.6);
    os << llvm::formatv("<rect class=\"channel-range\" x=\"{0:f2}\" "
                        "y=\"{1:f2}\" width=\"{2:f2}\" height=\"{3:f2}\">"
                        "<title>channel {4}: {5} to {6}</title></rect>",
                        x - width / 2, y(layer.channelMax[c]), width,
                        std::max(0.5, y(layer.channelMin[c]) -
                                          y(layer.channelMax[c])),
                        c, escape(formatValue(layer.channelMin[c])),
                        escape(formatValue(layer.channelMax[c])));
    if (q) {
      size_t k = perChannel ? c : 0;
      for (double v : {q->clipMin[k], q->clipMax[k]})
        os << llvm::formatv("<line class=\"channel-clip\" x1=\"{0:f2}\" "
                            "x2=\"{1:f2}\" y1=\"{2:f2}\" y2=\"{2:f2}\"/>",
                            x - step / 2, x + step / 2, y(v));
    }
  }
  os << "</svg><figcaption>Weight range per output channel (" << channels
     << " channels): bars from each channel's smallest to largest weight";
  if (q)
    os << ", lines at its clip";
  os << ".</figcaption></figure>\n";
}

/// Every quantized activation: where, its grid and rule, the range chosen
/// and what calibration saw.
static void writeActivationTable(llvm::raw_ostream &os,
                                 const QuantizationReport &report) {
  os << "<h2>Activations</h2>\n<p class=\"legend\">Every quantized "
        "activation (" << report.activations.size()
     << "), named by the op that computes it.</p>\n<table "
        "class=\"activations\"><thead><tr><th>activation</th><th>op</th>"
        "<th>grid</th><th>rule</th><th>range</th><th>observed</th></tr>"
        "</thead><tbody>\n";
  for (const ReportActivation &activation : report.activations) {
    os << "<tr class=\"activation\"><td class=\"name\">"
       << escape(activation.name) << "</td><td class=\"op\">"
       << escape(activation.opName) << "</td><td>"
       << formatGrid(activation.quantizer) << "</td><td>"
       << escape(activation.quantizer.rule) << "</td><td>"
       << escape(describeRange(activation.quantizer)) << "</td><td>";
    if (!activation.histogram.empty())
      os << escape(formatValue(activation.histogram.min)) << " to "
         << escape(formatValue(activation.histogram.max));
    os << "</td></tr>\n";
  }
  os << "</tbody></table>\n";
}

static void writeLayerSection(llvm::raw_ostream &os, const ReportLayer &layer) {
  os << "<section class=\"layer\" id=\"" << toId("layer-", layer.name)
     << "\"><h3>" << escape(layer.name) << " <small>" << escape(layer.opName);
  if (!layer.location.empty())
    os << ", " << escape(layer.location);
  os << ", output <code>" << escape(layer.outputType) << "</code></small></h3>\n"
     << "<div class=\"figures\">\n";
  std::string output = "Output, as calibration saw it";
  if (layer.output && !layer.output->observer.empty())
    output += " (observer <code>" + escape(layer.output->observer) + "</code>)";
  writeFigure(os, "activation", output, layer.outputHistogram, layer.output,
              layer.name + " output histogram",
              "The statistics file has no histogram of this output.");
  writeFigure(os, "weight", "Weight", layer.weightHistogram, layer.weight,
              layer.name + " weight histogram",
              "The weight is not a float constant.");
  os << "</div>\n";
  writeChannelChart(os, layer);
  os << "</section>\n";
}

void mlir::qlip::writeHtmlReport(llvm::raw_ostream &os,
                                 const QuantizationReport &report) {
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
        "charset=\"utf-8\">\n<title>qlip quantization report: "
     << escape(report.modelName) << "</title>\n<style>" << kStyle
     << "</style>\n</head>\n<body>\n<h1>Quantization report</h1>\n";
  writeSummary(os, report);
  os << "<h2>Layers</h2>\n";
  writeLayerTable(os, report);
  for (const ReportLayer &layer : report.layers)
    writeLayerSection(os, layer);
  writeActivationTable(os, report);
  os << "<p class=\"footer\">Written by qlip-report.</p>\n</body>\n</html>\n";
}

void mlir::qlip::printReportSummary(llvm::raw_ostream &os,
                                    const QuantizationReport &report) {
  auto bits = [](const std::optional<ReportQuantizer> &q) {
    return q ? formatGrid(*q) : std::string("f32");
  };
  os << llvm::format("%-20s %-22s %6s %6s %6s %14s %14s\n", "layer", "op",
                     "weight", "input", "output", "SQNR isolated",
                     "cumulative");
  for (const ReportLayer &layer : report.layers)
    os << llvm::format("%-20s %-22s %6s %6s %6s %14s %14s\n",
                       layer.name.c_str(), layer.opName.c_str(),
                       bits(layer.weight).c_str(), bits(layer.input).c_str(),
                       bits(layer.output).c_str(),
                       formatDb(layer.isolatedSqnrDb).c_str(),
                       formatDb(layer.cumulativeSqnrDb).c_str());
  for (auto [i, result] : llvm::enumerate(report.results))
    os << llvm::formatv("result #{0}: SQNR {1}, top-1 agreement {2}/{3}\n", i,
                        formatDb(result.sqnrDb), result.top1Agreement,
                        result.rows);
}
