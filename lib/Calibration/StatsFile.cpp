//===- StatsFile.cpp - the calibration statistics file --------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Layout (docs/algorithms.md, "Activation ranges"):
//
//   {"format": "qlip-stats", "version": 1, "fingerprint": "...",
//    "samples": N,
//    "observers": [{"id": "...", "count": C, "min": ..., "max": ...,
//                   "mean": ..., "mad": ..., "stddev": ..., "kurtosis": ...,
//                   "histogram": {"edges": [...], "counts": [...]}}]}
//
// "histogram" is optional; unknown keys are ignored (forward compatible).
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/StatsFile.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

using namespace mlir::qlip;

static constexpr llvm::StringLiteral kFormat = "qlip-stats";

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Checks shared by the reader and the writer
//===----------------------------------------------------------------------===//

/// The named scalar fields of an observer, in file order.
static void forEachNumber(const ObserverStats &o,
                          llvm::function_ref<void(llvm::StringRef, double)> f) {
  f("min", o.min);
  f("max", o.max);
  f("mean", o.mean);
  f("mad", o.meanAbsDeviation);
  f("stddev", o.stddev);
  f("kurtosis", o.kurtosis);
}

/// What is wrong with an observer's values, or nothing.
static std::optional<std::string> checkObserver(const ObserverStats &o) {
  if (o.count < 0)
    return std::string("'count' is negative");
  std::optional<std::string> problem;
  forEachNumber(o, [&](llvm::StringRef key, double v) {
    if (!problem && !std::isfinite(v))
      problem = ("'" + key + "' is not finite").str();
  });
  if (problem)
    return problem;
  if (o.count > 0 && o.min > o.max)
    return std::string("'min' is greater than 'max'");
  if (o.meanAbsDeviation < 0 || o.stddev < 0 || o.kurtosis < 0)
    return std::string("'mad', 'stddev' and 'kurtosis' cannot be negative");

  const auto &edges = o.histogramEdges;
  const auto &counts = o.histogramCounts;
  if (edges.empty() && counts.empty())
    return std::nullopt;
  if (counts.empty() || edges.size() != counts.size() + 1)
    return llvm::formatv("histogram has {0} edges for {1} counts (needs one "
                         "more edge than counts, at least one count)",
                         edges.size(), counts.size())
        .str();
  for (size_t i = 0; i < edges.size(); ++i) {
    if (!std::isfinite(edges[i]))
      return llvm::formatv("histogram edge {0} is not finite", i).str();
    if (i > 0 && !(edges[i] > edges[i - 1]))
      return llvm::formatv("histogram edges are not increasing at edge {0}", i)
          .str();
  }
  // Histogram::fromBins() needs equal bins; allow decimal rounding.
  double width = (edges.back() - edges.front()) / double(counts.size());
  for (size_t i = 0; i + 1 < edges.size(); ++i)
    if (std::fabs((edges[i + 1] - edges[i]) - width) > 1e-6 * width)
      return llvm::formatv("histogram bins are not equally wide (bin {0})", i)
          .str();
  // The histogram covers what the observer saw (a growing histogram may
  // reach past it; decimal rounding of the edges is allowed for).
  double slack = 1e-9 * (edges.back() - edges.front());
  if (o.count > 0 &&
      (edges.front() > o.min + slack || edges.back() < o.max - slack))
    return llvm::formatv("histogram [{0}, {1}] does not cover the observed "
                         "range [{2}, {3}]",
                         llvm::format("%g", edges.front()),
                         llvm::format("%g", edges.back()),
                         llvm::format("%g", o.min), llvm::format("%g", o.max))
        .str();
  // Counts are summed and used as doubles: each exact in a double, the sum
  // without overflow.
  constexpr int64_t kMaxCount = int64_t(1) << 53;
  if (o.count > kMaxCount)
    return llvm::formatv("'count' {0} is more than 2^53", o.count).str();
  int64_t total = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0)
      return llvm::formatv("histogram count {0} is negative", i).str();
    if (counts[i] > kMaxCount - total)
      return llvm::formatv("histogram counts add up to more than 2^53 (at "
                           "count {0})",
                           i)
          .str();
    total += counts[i];
  }
  if (total != o.count)
    return llvm::formatv("histogram holds {0} values but 'count' is {1}", total,
                         o.count)
        .str();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

/// The shortest "%.Ng" that reads back as exactly v, always with a '.' or an
/// exponent so that JSON readers keep it a double (and -0.0 its sign).
static std::string formatDouble(double v) {
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  std::string s = buf;
  if (s.find_first_of(".eE") == std::string::npos)
    s += ".0";
  return s;
}

static void writeString(llvm::raw_ostream &os, llvm::StringRef s) {
  llvm::json::OStream(os).value(s);
}

static void writeObserver(llvm::raw_ostream &os, const ObserverStats &o) {
  os << "{\"id\": ";
  writeString(os, o.id);
  os << ", \"count\": " << o.count;
  forEachNumber(o, [&](llvm::StringRef key, double v) {
    os << ", \"" << key << "\": " << formatDouble(v);
  });
  if (!o.histogramCounts.empty()) {
    os << ",\n     \"histogram\": {\"edges\": [";
    llvm::interleave(
        o.histogramEdges, os, [&](double e) { os << formatDouble(e); }, ", ");
    os << "],\n                   \"counts\": [";
    llvm::interleave(o.histogramCounts, os, ", ");
    os << "]}";
  }
  os << "}";
}

static void writeJson(llvm::raw_ostream &os, const StatsFile &stats) {
  os << "{\n  \"format\": \"" << kFormat
     << "\",\n  \"version\": " << stats.version << ",\n  \"fingerprint\": ";
  writeString(os, stats.fingerprint);
  os << ",\n  \"samples\": " << stats.samples << ",\n  \"observers\": [";
  for (size_t i = 0; i < stats.observers.size(); ++i) {
    os << (i ? ",\n    " : "\n    ");
    writeObserver(os, stats.observers[i]);
  }
  os << (stats.observers.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

llvm::Error mlir::qlip::writeStatsFile(llvm::StringRef path,
                                       const StatsFile &stats) {
  // Refuse to write what the reader would reject.
  if (stats.samples < 0)
    return makeError("cannot write stats file '" + path +
                     "': 'samples' is negative");
  llvm::StringMap<size_t> seen;
  for (const ObserverStats &o : stats.observers) {
    if (auto problem = checkObserver(o))
      return makeError("cannot write stats file '" + path + "': observer '" +
                       o.id + "': " + *problem);
    if (!seen.try_emplace(o.id, 0).second)
      return makeError("cannot write stats file '" + path +
                       "': duplicate observer id '" + o.id + "'");
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return makeError("cannot write stats file '" + path + "': " + ec.message());
  writeJson(os, stats);
  os.close();
  if (os.has_error())
    return makeError("cannot write stats file '" + path +
                     "': " + os.error().message());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {
/// Reads typed fields of one JSON object, reporting the first problem with
/// a prefix naming the file and the object.
class FieldReader {
public:
  FieldReader(const llvm::json::Object &object, std::string where)
      : object(object), where(std::move(where)) {}

  const llvm::json::Value *require(llvm::StringRef key) {
    const llvm::json::Value *v = object.get(key);
    if (!v)
      fail("field '" + key + "' is missing");
    return v;
  }
  void read(llvm::StringRef key, std::string &out) {
    if (const llvm::json::Value *v = require(key)) {
      if (auto s = v->getAsString())
        out = s->str();
      else
        fail("field '" + key + "' must be a string");
    }
  }
  void read(llvm::StringRef key, int64_t &out) {
    if (const llvm::json::Value *v = require(key)) {
      if (auto i = v->getAsInteger())
        out = *i;
      else
        fail("field '" + key + "' must be an integer");
    }
  }
  void read(llvm::StringRef key, double &out) {
    if (const llvm::json::Value *v = require(key))
      readNumber(*v, "field '" + key.str() + "'", out);
  }
  bool readNumber(const llvm::json::Value &v, const std::string &what,
                  double &out) {
    auto d = v.getAsNumber();
    if (!d)
      return fail(what + " must be a number");
    if (!std::isfinite(*d))
      return fail(what + " is not finite");
    out = *d;
    return true;
  }
  const llvm::json::Array *array(const llvm::json::Object &in,
                                 llvm::StringRef key) {
    const llvm::json::Value *v = in.get(key);
    if (!v) {
      fail("field '" + key + "' is missing");
      return nullptr;
    }
    const llvm::json::Array *a = v->getAsArray();
    if (!a)
      fail("field '" + key + "' must be an array");
    return a;
  }

  /// Records the first problem; always returns false.
  bool fail(const llvm::Twine &message) {
    if (!problem)
      problem = (where + ": " + message).str();
    return false;
  }
  bool failed() const { return problem.has_value(); }
  llvm::Error takeError() {
    return problem ? makeError(*problem) : llvm::Error::success();
  }

  const llvm::json::Object &object;
  std::string where;

private:
  std::optional<std::string> problem;
};
} // namespace

static void readHistogram(FieldReader &r, ObserverStats &o) {
  const llvm::json::Value *v = r.object.get("histogram");
  if (!v)
    return;
  const llvm::json::Object *h = v->getAsObject();
  if (!h) {
    r.fail("field 'histogram' must be an object");
    return;
  }
  const llvm::json::Array *edges = r.array(*h, "edges");
  const llvm::json::Array *counts = r.array(*h, "counts");
  if (!edges || !counts)
    return;
  if (counts->size() > kMaxHistogramBins) {
    r.fail(llvm::formatv("histogram has {0} bins (at most {1})",
                         counts->size(), kMaxHistogramBins));
    return;
  }
  for (size_t i = 0; i < edges->size(); ++i) {
    double e;
    if (!r.readNumber((*edges)[i], llvm::formatv("histogram edge {0}", i), e))
      return;
    o.histogramEdges.push_back(e);
  }
  for (size_t i = 0; i < counts->size(); ++i) {
    auto c = (*counts)[i].getAsInteger();
    if (!c) {
      r.fail(llvm::formatv("histogram count {0} must be an integer", i));
      return;
    }
    o.histogramCounts.push_back(*c);
  }
}

static llvm::Expected<ObserverStats>
readObserver(const llvm::json::Value &v, size_t index, llvm::StringRef name) {
  std::string where = llvm::formatv("{0}: observers[{1}]", name, index);
  const llvm::json::Object *object = v.getAsObject();
  if (!object)
    return makeError(where + ": must be an object");
  FieldReader r(*object, where);
  ObserverStats o;
  r.read("id", o.id);
  if (r.failed())
    return r.takeError();
  // From here on, messages name the observer by its id.
  r.where = (name + ": observer '" + o.id + "'").str();
  r.read("count", o.count);
  r.read("min", o.min);
  r.read("max", o.max);
  r.read("mean", o.mean);
  r.read("mad", o.meanAbsDeviation);
  r.read("stddev", o.stddev);
  r.read("kurtosis", o.kurtosis);
  if (!r.failed())
    readHistogram(r, o);
  if (r.failed())
    return r.takeError();
  if (auto problem = checkObserver(o))
    return makeError(r.where + ": " + *problem);
  return o;
}

/// llvm::json reports "[line:col, byte=N]: message"; turn it into the usual
/// "file:line:col: message".
static llvm::Error syntaxError(llvm::Error err, llvm::StringRef name) {
  std::string text = llvm::toString(std::move(err));
  llvm::SmallVector<llvm::StringRef> m;
  llvm::Regex position("^\\[([0-9]+):([0-9]+), byte=[0-9]+\\]: (.*)$");
  if (position.match(text, &m))
    return makeError(name + ":" + m[1] + ":" + m[2] +
                     ": not valid JSON: " + m[3]);
  return makeError(name + ": not valid JSON: " + text);
}

llvm::Expected<StatsFile> mlir::qlip::parseStatsFile(llvm::StringRef buffer,
                                                     llvm::StringRef name) {
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(buffer);
  if (!json)
    return syntaxError(json.takeError(), name);
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return makeError(name + ": not a qlip stats file (expected a JSON object)");

  FieldReader r(*root, name.str());
  StatsFile stats;
  std::string format;
  r.read("format", format);
  if (r.failed())
    return r.takeError();
  if (format != kFormat)
    return makeError(name + ": not a qlip stats file (format is '" + format +
                     "', expected '" + kFormat + "')");
  r.read("version", stats.version);
  if (r.failed())
    return r.takeError();
  if (stats.version != StatsFile::kVersion)
    return makeError(llvm::formatv("{0}: unsupported stats file version {1} "
                                   "(this qlip reads version {2})",
                                   name, stats.version, StatsFile::kVersion)
                         .str());
  r.read("fingerprint", stats.fingerprint);
  r.read("samples", stats.samples);
  if (!r.failed() && stats.samples < 0)
    r.fail("field 'samples' is negative");
  const llvm::json::Array *observers = r.array(*root, "observers");
  if (r.failed())
    return r.takeError();

  llvm::StringMap<size_t> seen;
  for (size_t i = 0; i < observers->size(); ++i) {
    llvm::Expected<ObserverStats> o = readObserver((*observers)[i], i, name);
    if (!o)
      return o.takeError();
    auto [it, inserted] = seen.try_emplace(o->id, i);
    if (!inserted)
      return makeError(llvm::formatv("{0}: duplicate observer id '{1}' "
                                     "(observers[{2}] and observers[{3}])",
                                     name, o->id, it->second, i)
                           .str());
    stats.observers.push_back(std::move(*o));
  }
  return stats;
}

llvm::Expected<StatsFile> mlir::qlip::readStatsFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read stats file '" + path +
                     "': " + buffer.getError().message());
  return parseStatsFile((*buffer)->getBuffer(), path);
}
