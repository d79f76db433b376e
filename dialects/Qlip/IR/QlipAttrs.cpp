//===- QlipAttrs.cpp - qlip attributes --------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipAttrs.h"
#include "dialects/Qlip/IR/QlipDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::qlip;

#include "dialects/Qlip/IR/QlipEnums.cpp.inc"

//===----------------------------------------------------------------------===//
// Parameter syntax
//===----------------------------------------------------------------------===//

FailureOr<FloatAttr> mlir::qlip::parseF64Attr(AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return failure();
  return FloatAttr::get(Float64Type::get(parser.getContext()), value);
}

/// The shortest decimal that reads back as `value` (0.7 prints as `0.7`,
/// not `0.69999999999999996`), always with a `.` so that MLIR's lexer takes
/// it for a float (`1.0e-05`, `3.0`). NaN and infinities print as words;
/// they only reach diagnostics, since the verifiers reject them.
static std::string formatF64(double value) {
  if (!std::isfinite(value))
    return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  std::string text(buffer);
  if (text.find('.') == std::string::npos) {
    size_t exponent = text.find('e');
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  return text;
}

void mlir::qlip::printF64(AsmPrinter &printer, double value) {
  printer << formatF64(value);
}

/// Parses `[elem, elem, ...]` with `parseElement`.
template <typename T, typename Fn>
static FailureOr<SmallVector<T>> parseBracketList(AsmParser &parser,
                                                  Fn parseElement) {
  SmallVector<T> values;
  if (parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square, [&]() -> ParseResult {
            T value;
            if (parseElement(value))
              return failure();
            values.push_back(value);
            return success();
          }))
    return failure();
  return values;
}

/// Parses `[1.0, 2.5]`.
static FailureOr<SmallVector<double>> parseF64Array(AsmParser &parser) {
  return parseBracketList<double>(
      parser, [&](double &value) { return parser.parseFloat(value); });
}

FailureOr<DenseF64ArrayAttr> mlir::qlip::parseF64ArrayAttr(AsmParser &parser) {
  FailureOr<SmallVector<double>> values = parseF64Array(parser);
  if (failed(values))
    return failure();
  return DenseF64ArrayAttr::get(parser.getContext(), *values);
}

void mlir::qlip::printF64Array(AsmPrinter &printer, ArrayRef<double> values) {
  printer << '[';
  llvm::interleaveComma(values, printer,
                        [&](double value) { printF64(printer, value); });
  printer << ']';
}

FailureOr<SmallVector<int64_t>> mlir::qlip::parseI64Array(AsmParser &parser) {
  return parseBracketList<int64_t>(
      parser, [&](int64_t &value) { return parser.parseInteger(value); });
}

void mlir::qlip::printI64Array(AsmPrinter &printer, ArrayRef<int64_t> values) {
  printer << '[' << values << ']';
}

//===----------------------------------------------------------------------===//
// QParamsAttr
//===----------------------------------------------------------------------===//

/// The level of `x` as a double (NaN stays NaN), shared by fakeQuantize
/// and quantize so that both round identically.
static double quantizeLevel(double x, double scale, double zeroPoint,
                            double qmin, double qmax) {
  // Round half to even, as TOSA's float-to-int cast and PyTorch's
  // fake_quantize do (std::nearbyint in the default rounding mode).
  double q = std::nearbyint(x / scale) + zeroPoint;
  return std::clamp(q, qmin, qmax);
}

static double quantizeLevel(QParamsAttr qparams, double x, size_t channel) {
  return quantizeLevel(x, qparams.getScales()[channel],
                       static_cast<double>(qparams.getZeroPoints()[channel]),
                       static_cast<double>(qparams.getQMin()),
                       static_cast<double>(qparams.getQMax()));
}

double QParamsAttr::fakeQuantize(double x, size_t channel) const {
  if (std::isnan(x))
    return x;
  double zeroPoint = static_cast<double>(getZeroPoints()[channel]);
  return (quantizeLevel(*this, x, channel) - zeroPoint) * getScales()[channel];
}

int64_t QParamsAttr::quantize(double x, size_t channel) const {
  if (std::isnan(x))
    return getZeroPoints()[channel];
  return static_cast<int64_t>(quantizeLevel(*this, x, channel));
}

void QParamsAttr::quantizeAll(ArrayRef<float> values, int64_t inner,
                              MutableArrayRef<int64_t> levels) const {
  ArrayRef<double> scales = getScales();
  ArrayRef<int64_t> zeroPoints = getZeroPoints();
  double qmin = static_cast<double>(getQMin());
  double qmax = static_cast<double>(getQMax());
  size_t channels = isPerAxis() ? scales.size() : 1;
  size_t run = isPerAxis() ? static_cast<size_t>(std::max<int64_t>(inner, 1))
                           : values.size();
  // Runs of `run` elements share a channel.
  for (size_t start = 0, channel = 0; start < values.size();
       start += run, channel = (channel + 1) % channels) {
    double scale = scales[channel];
    int64_t zeroPoint = zeroPoints[channel];
    size_t end = std::min(values.size(), start + run);
    for (size_t i = start; i < end; ++i)
      levels[i] = std::isnan(values[i])
                      ? zeroPoint
                      : static_cast<int64_t>(quantizeLevel(
                            values[i], scale, double(zeroPoint), qmin, qmax));
  }
}

QParamsAttr QParamsAttr::getSignedStorage() const {
  if (getIsSigned() || getBits() != getStorageBits())
    return *this;
  int64_t offset = int64_t{1} << (getBits() - 1);
  SmallVector<int64_t> zeroPoints;
  for (int64_t zp : getZeroPoints())
    zeroPoints.push_back(zp - offset);
  return QParamsAttr::get(getContext(), getBits(), /*isSigned=*/true,
                          /*narrowRange=*/false, getAxis(), getScales(),
                          zeroPoints, getClipMin(), getClipMax(), getRule());
}

LogicalResult
QParamsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                    unsigned bits, bool isSigned, bool narrowRange,
                    std::optional<int64_t> axis, DenseF64ArrayAttr scalesAttr,
                    ArrayRef<int64_t> zeroPoints, DenseF64ArrayAttr clipMinAttr,
                    DenseF64ArrayAttr clipMaxAttr, ClipRule rule) {
  ArrayRef<double> scales = scalesAttr.asArrayRef();
  ArrayRef<double> clipMin = clipMinAttr.asArrayRef();
  ArrayRef<double> clipMax = clipMaxAttr.asArrayRef();
  if (bits < 2 || bits > 16)
    return emitError() << "bit width must be in [2, 16], got " << bits;
  if (scales.empty())
    return emitError() << "expected at least one scale";
  if (axis && *axis < 0)
    return emitError() << "quantization axis must be non-negative, got "
                       << *axis;
  if (!axis && scales.size() != 1)
    return emitError() << "per-tensor parameters take exactly one scale, got "
                       << scales.size() << " (per-axis parameters need an "
                       << "`axis`)";
  for (auto [i, scale] : llvm::enumerate(scales)) {
    if (!std::isfinite(scale) || scale <= 0.0)
      return emitError() << "scale #" << i
                         << " must be positive and finite, got "
                         << formatF64(scale);
    // The integer lowering and the float fake quantization compute with the
    // scale in f32: it must be a normal f32 (qlip's rules never go below
    // FLT_MIN, the floor of a degenerate range).
    if (scale < double(std::numeric_limits<float>::min()) ||
        scale > double(std::numeric_limits<float>::max()))
      return emitError() << "scale #" << i
                         << " must be a normal f32 (1.17549435e-38 to "
                            "3.40282347e+38), got "
                         << formatF64(scale);
  }
  if (zeroPoints.size() != scales.size())
    return emitError() << "expected " << scales.size()
                       << " zero points to match the scales, got "
                       << zeroPoints.size();
  QuantGrid grid{bits, isSigned, narrowRange, /*midRise=*/false};
  int64_t lo = grid.qmin(), hi = grid.qmax();
  for (auto [i, zp] : llvm::enumerate(zeroPoints))
    if (zp < lo || zp > hi)
      return emitError() << "zero point #" << i << " = " << zp
                         << " is outside the grid [" << lo << ", " << hi
                         << "]";
  if (clipMin.size() != scales.size() || clipMax.size() != scales.size())
    return emitError() << "expected " << scales.size()
                       << " clip ranges to match the scales, got "
                       << std::min(clipMin.size(), clipMax.size());
  for (size_t i = 0, e = clipMin.size(); i < e; ++i) {
    if (!std::isfinite(clipMin[i]) || !std::isfinite(clipMax[i]))
      return emitError() << "clip range #" << i << " must be finite";
    if (clipMin[i] > clipMax[i])
      return emitError() << "clip range #" << i << " is empty: min "
                         << formatF64(clipMin[i]) << " > max "
                         << formatF64(clipMax[i]);
  }
  return success();
}

/// Syntax:
///   `<` int-type `narrow`? (`,` `axis` `=` int)? `,` `scales` `=` f64-list
///   (`,` `zero_points` `=` int-list)? `,` `clip` `=` `[` `[` min `,` max `]`
///   ... `]` `,` `rule` `=` rule `>`
/// The keyed fields may come in any order; zero points default to 0.
Attribute QParamsAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  IntegerType storage;
  if (parser.parseLess() || parser.parseType(storage))
    return {};
  bool narrowRange = succeeded(parser.parseOptionalKeyword("narrow"));

  std::optional<int64_t> axis;
  std::optional<SmallVector<double>> scales;
  SmallVector<int64_t> zeroPoints;
  bool hasZeroPoints = false;
  SmallVector<double> clipMin, clipMax;
  bool hasClip = false;
  std::optional<ClipRule> rule;
  llvm::StringSet<> seen;

  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (!seen.insert(key).second) {
      parser.emitError(keyLoc) << "duplicate field `" << key << "`";
      return {};
    }
    if (key == "axis") {
      int64_t value;
      if (parser.parseInteger(value))
        return {};
      axis = value;
    } else if (key == "scales") {
      FailureOr<SmallVector<double>> values = parseF64Array(parser);
      if (failed(values))
        return {};
      scales = std::move(*values);
    } else if (key == "zero_points") {
      FailureOr<SmallVector<int64_t>> values = parseI64Array(parser);
      if (failed(values))
        return {};
      zeroPoints = std::move(*values);
      hasZeroPoints = true;
    } else if (key == "clip") {
      hasClip = true;
      if (parser.parseCommaSeparatedList(
              AsmParser::Delimiter::Square, [&]() -> ParseResult {
                double lo, hi;
                if (parser.parseLSquare() || parser.parseFloat(lo) ||
                    parser.parseComma() || parser.parseFloat(hi) ||
                    parser.parseRSquare())
                  return failure();
                clipMin.push_back(lo);
                clipMax.push_back(hi);
                return success();
              }))
        return {};
    } else if (key == "rule") {
      SMLoc ruleLoc = parser.getCurrentLocation();
      StringRef name;
      if (parser.parseKeyword(&name))
        return {};
      rule = symbolizeClipRule(name);
      if (!rule) {
        parser.emitError(ruleLoc) << "unknown clipping rule `" << name << "`";
        return {};
      }
    } else {
      parser.emitError(keyLoc)
          << "unknown field `" << key
          << "`, expected one of axis, scales, zero_points, clip, rule";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  if (!scales) {
    parser.emitError(loc) << "missing field `scales`";
    return {};
  }
  if (!hasClip) {
    parser.emitError(loc) << "missing field `clip`";
    return {};
  }
  if (!rule) {
    parser.emitError(loc) << "missing field `rule`";
    return {};
  }
  if (!hasZeroPoints)
    zeroPoints.assign(scales->size(), 0);
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), storage.getWidth(),
                    !storage.isUnsigned(), narrowRange, axis,
                    ArrayRef<double>(*scales), ArrayRef<int64_t>(zeroPoints),
                    ArrayRef<double>(clipMin), ArrayRef<double>(clipMax),
                    *rule);
}

void QParamsAttr::print(AsmPrinter &printer) const {
  printer << '<' << (getIsSigned() ? "i" : "ui") << getBits();
  if (getNarrowRange())
    printer << " narrow";
  if (std::optional<int64_t> axis = getAxis())
    printer << ", axis = " << *axis;
  printer << ", scales = ";
  printF64Array(printer, getScales());
  if (llvm::any_of(getZeroPoints(), [](int64_t zp) { return zp != 0; })) {
    printer << ", zero_points = ";
    printI64Array(printer, getZeroPoints());
  }
  printer << ", clip = [";
  for (size_t i = 0, e = getClipMin().size(); i < e; ++i) {
    if (i)
      printer << ", ";
    printer << '[';
    printF64(printer, getClipMin()[i]);
    printer << ", ";
    printF64(printer, getClipMax()[i]);
    printer << ']';
  }
  printer << "], rule = " << stringifyClipRule(getRule()) << '>';
}

//===----------------------------------------------------------------------===//
// HistogramAttr
//===----------------------------------------------------------------------===//

LogicalResult
HistogramAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      DenseF64ArrayAttr edgesAttr,
                      ArrayRef<int64_t> counts) {
  ArrayRef<double> edges = edgesAttr.asArrayRef();
  if (counts.empty())
    return emitError() << "histogram needs at least one bin";
  if (edges.size() != counts.size() + 1)
    return emitError() << "histogram with " << counts.size()
                       << " bins needs " << counts.size() + 1
                       << " edges, got " << edges.size();
  for (auto [i, edge] : llvm::enumerate(edges)) {
    if (!std::isfinite(edge))
      return emitError() << "histogram edge #" << i << " must be finite";
    if (i > 0 && !(edges[i - 1] < edge))
      return emitError() << "histogram edges must increase strictly, but "
                         << "edge #" << i << " = " << formatF64(edge)
                         << " follows " << formatF64(edges[i - 1]);
  }
  for (auto [i, count] : llvm::enumerate(counts))
    if (count < 0)
      return emitError() << "histogram count #" << i
                         << " must be non-negative, got " << count;
  return success();
}

//===----------------------------------------------------------------------===//
// StatsAttr
//===----------------------------------------------------------------------===//

LogicalResult StatsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t count, FloatAttr minAttr,
                                FloatAttr maxAttr, FloatAttr meanAttr,
                                FloatAttr madAttr, FloatAttr stddevAttr,
                                FloatAttr kurtosisAttr,
                                HistogramAttr histogram) {
  double min = minAttr.getValueAsDouble(), max = maxAttr.getValueAsDouble();
  double mean = meanAttr.getValueAsDouble(), mad = madAttr.getValueAsDouble();
  double stddev = stddevAttr.getValueAsDouble();
  double kurtosis = kurtosisAttr.getValueAsDouble();
  if (count < 0)
    return emitError() << "count must be non-negative, got " << count;
  for (auto [name, value] :
       {std::pair<StringRef, double>{"min", min}, {"max", max},
        {"mean", mean}, {"mad", mad}, {"stddev", stddev},
        {"kurtosis", kurtosis}})
    if (!std::isfinite(value))
      return emitError() << "`" << name << "` must be finite";
  if (count > 0 && min > max)
    return emitError() << "min " << formatF64(min) << " exceeds max "
                       << formatF64(max);
  if (mad < 0.0 || stddev < 0.0 || kurtosis < 0.0)
    return emitError() << "mad, stddev and kurtosis must be non-negative";
  // The mean absolute deviation never exceeds the standard deviation
  // (Jensen); allow for the rounding of two separately accumulated sums.
  if (mad > stddev * (1.0 + 1e-6) + 1e-30)
    return emitError() << "mad " << formatF64(mad) << " exceeds stddev "
                       << formatF64(stddev);
  if (histogram) {
    int64_t total = 0;
    for (int64_t c : histogram.getCounts())
      total += c;
    if (total != count)
      return emitError() << "histogram holds " << total
                         << " values but count is " << count;
  }
  return success();
}

#define GET_ATTRDEF_CLASSES
#include "dialects/Qlip/IR/QlipAttrs.cpp.inc"

void QlipDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Qlip/IR/QlipAttrs.cpp.inc"
      >();
}
