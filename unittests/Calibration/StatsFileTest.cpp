//===- StatsFileTest.cpp - the calibration statistics file ----------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/StatsFile.h"
#include "qlip/Calibration/ActivationStats.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

using namespace mlir::qlip;

namespace {

/// A temporary file path, removed at the end of the test.
class TempPath {
public:
  TempPath() { llvm::sys::fs::createTemporaryFile("qlip-stats", "json", path); }
  ~TempPath() { llvm::sys::fs::remove(path); }
  llvm::StringRef str() const { return path; }

private:
  llvm::SmallString<128> path;
};

bool sameBits(double a, double b) { return std::memcmp(&a, &b, 8) == 0; }

ObserverStats observerWithHistogram() {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.5f, 2.0f);
  std::vector<float> x(50000);
  for (float &v : x)
    v = normal(rng);
  Histogram h;
  for (size_t i = 0; i < x.size(); i += 1000)
    h.add(llvm::ArrayRef<float>(x).slice(i, 1000));
  MomentAccumulator m;
  m.add(x);
  AbsDeviationAccumulator a(m.mean());
  a.add(x);
  ObserverStats o;
  o.id = "conv1/relu:0 \"quoted\" \\ \xc3\xa9";
  o.count = m.count();
  o.min = m.min();
  o.max = m.max();
  o.mean = m.mean();
  o.meanAbsDeviation = a.meanAbsDeviation();
  o.stddev = m.stddev();
  o.kurtosis = m.kurtosis();
  o.histogramEdges = h.edges();
  o.histogramCounts.assign(h.counts().begin(), h.counts().end());
  return o;
}

TEST(StatsFileTest, RoundTripIsExact) {
  StatsFile stats;
  stats.fingerprint = "sha256:0123abcd";
  stats.samples = 1234;
  stats.observers.push_back(observerWithHistogram());
  // Doubles that print badly: every one must come back bit for bit.
  ObserverStats tricky;
  tricky.id = "tricky";
  tricky.count = 3;
  tricky.min = -0.0;
  tricky.max = 0.1;
  tricky.mean = 1.0 / 3.0;
  tricky.meanAbsDeviation = 4.9406564584124654e-324; // smallest denormal
  tricky.stddev = DBL_MAX;
  tricky.kurtosis = 3.0; // integral: must stay a double in the file
  stats.observers.push_back(tricky);
  ObserverStats empty;
  empty.id = "never-ran";
  stats.observers.push_back(empty);

  TempPath path;
  ASSERT_FALSE(bool(writeStatsFile(path.str(), stats)));
  llvm::Expected<StatsFile> back = readStatsFile(path.str());
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->version, StatsFile::kVersion);
  EXPECT_EQ(back->fingerprint, stats.fingerprint);
  EXPECT_EQ(back->samples, 1234);
  ASSERT_EQ(back->observers.size(), stats.observers.size());
  for (size_t i = 0; i < stats.observers.size(); ++i) {
    const ObserverStats &a = stats.observers[i], &b = back->observers[i];
    SCOPED_TRACE(a.id);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.count, b.count);
    EXPECT_TRUE(sameBits(a.min, b.min));
    EXPECT_TRUE(sameBits(a.max, b.max));
    EXPECT_TRUE(sameBits(a.mean, b.mean));
    EXPECT_TRUE(sameBits(a.meanAbsDeviation, b.meanAbsDeviation));
    EXPECT_TRUE(sameBits(a.stddev, b.stddev));
    EXPECT_TRUE(sameBits(a.kurtosis, b.kurtosis));
    ASSERT_EQ(a.histogramEdges.size(), b.histogramEdges.size());
    for (size_t j = 0; j < a.histogramEdges.size(); ++j)
      EXPECT_TRUE(sameBits(a.histogramEdges[j], b.histogramEdges[j]));
    EXPECT_EQ(a.histogramCounts, b.histogramCounts);
  }
  // The histogram comes back as the same histogram.
  const ObserverStats &o = back->observers[0];
  Histogram h = Histogram::fromBins(o.histogramEdges, o.histogramCounts);
  EXPECT_EQ(h.total(), o.count);
  EXPECT_TRUE(llvm::equal(h.edges(), o.histogramEdges));

  // Written once more, the file is byte-identical.
  TempPath again;
  ASSERT_FALSE(bool(writeStatsFile(again.str(), *back)));
  auto first = llvm::MemoryBuffer::getFile(path.str());
  auto second = llvm::MemoryBuffer::getFile(again.str());
  ASSERT_TRUE(first && second);
  EXPECT_EQ((*first)->getBuffer(), (*second)->getBuffer());
  EXPECT_TRUE((*first)->getBuffer().contains("\"format\": \"qlip-stats\""));
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// A valid file with two observers, the second with a histogram.
std::string validFile() {
  return R"({
  "format": "qlip-stats",
  "version": 1,
  "fingerprint": "abc",
  "samples": 8,
  "observers": [
    {"id": "a", "count": 4, "min": -1.0, "max": 2.0, "mean": 0.5,
     "mad": 1.0, "stddev": 1.25, "kurtosis": 1.5},
    {"id": "b", "count": 4, "min": 0.0, "max": 3.0, "mean": 1.5,
     "mad": 1.0, "stddev": 1.25, "kurtosis": 1.5,
     "histogram": {"edges": [0.0, 1.0, 2.0, 3.0], "counts": [1, 2, 1]}}
  ]
})";
}

/// validFile() with the first occurrence of `from` replaced by `to`.
std::string with(llvm::StringRef from, llvm::StringRef to) {
  std::string s = validFile();
  size_t at = s.find(from.str());
  EXPECT_NE(at, std::string::npos) << from.str();
  if (at != std::string::npos)
    s.replace(at, from.size(), to.str());
  return s;
}

/// Parses `text` as "s.json" and returns the error message ("" if it
/// parsed).
std::string errorOf(const std::string &text) {
  llvm::Expected<StatsFile> r = parseStatsFile(text, "s.json");
  if (r)
    return "";
  return llvm::toString(r.takeError());
}

#define EXPECT_ERROR(text, ...)                                                \
  do {                                                                         \
    std::string message = errorOf(text);                                       \
    EXPECT_FALSE(message.empty()) << "parsed: " << (text);                     \
    EXPECT_EQ(message.rfind("s.json", 0), 0u) << message;                      \
    for (const char *part : {__VA_ARGS__})                                     \
      EXPECT_NE(message.find(part), std::string::npos)                         \
          << "'" << part << "' not in: " << message;                           \
  } while (false)

TEST(StatsFileTest, ValidFileParses) {
  llvm::Expected<StatsFile> r = parseStatsFile(validFile(), "s.json");
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  ASSERT_EQ(r->observers.size(), 2u);
  EXPECT_EQ(r->observers[1].histogramCounts.size(), 3u);
  EXPECT_EQ(r->observers[0].meanAbsDeviation, 1.0);
  EXPECT_EQ(r->samples, 8);
  // Unknown keys are ignored, integral numbers are fine as doubles, and an
  // empty observer list is valid.
  EXPECT_EQ(errorOf(with("\"samples\": 8", "\"samples\": 8, \"tool\": \"x\"")),
            "");
  EXPECT_EQ(errorOf(with("\"min\": -1.0", "\"min\": -1")), "");
  EXPECT_EQ(errorOf(R"({"format": "qlip-stats", "version": 1,
      "fingerprint": "", "samples": 0, "observers": []})"),
            "");
}

TEST(StatsFileTest, NotJsonReportsLineAndColumn) {
  EXPECT_ERROR(with("\"samples\": 8,", "\"samples\": 8,,"),
               "s.json:5:", "not valid JSON");
  EXPECT_ERROR("", "not valid JSON");
  EXPECT_ERROR(with("\"max\": 2.0", "\"max\": NaN"), "not valid JSON");
}

TEST(StatsFileTest, TopLevelMustBeAnObject) {
  EXPECT_ERROR("[1, 2]", "not a qlip stats file");
}

TEST(StatsFileTest, WrongFormatTag) {
  EXPECT_ERROR(with("qlip-stats", "onnx-stats"), "not a qlip stats file",
               "onnx-stats");
  EXPECT_ERROR(with("\"format\": \"qlip-stats\",", ""), "'format' is missing");
  EXPECT_ERROR(with("\"qlip-stats\"", "7"), "'format' must be a string");
}

TEST(StatsFileTest, UnsupportedVersion) {
  EXPECT_ERROR(with("\"version\": 1", "\"version\": 2"),
               "unsupported stats file version 2", "reads version 1");
  EXPECT_ERROR(with("\"version\": 1", "\"version\": 1.5"),
               "'version' must be an integer");
  EXPECT_ERROR(with("\"version\": 1,", ""), "'version' is missing");
}

TEST(StatsFileTest, MissingOrIllTypedTopLevelFields) {
  EXPECT_ERROR(with("\"fingerprint\": \"abc\",", ""),
               "'fingerprint' is missing");
  EXPECT_ERROR(with("\"abc\"", "123"), "'fingerprint' must be a string");
  EXPECT_ERROR(with("\"samples\": 8", "\"samples\": -1"),
               "'samples' is negative");
  EXPECT_ERROR(with("\"samples\": 8", "\"samples\": \"8\""),
               "'samples' must be an integer");
  EXPECT_ERROR(R"({"format": "qlip-stats", "version": 1, "fingerprint": "",
                   "samples": 0, "observers": {}})",
               "'observers' must be an array");
  EXPECT_ERROR(R"({"format": "qlip-stats", "version": 1, "fingerprint": "",
                   "samples": 0})",
               "'observers' is missing");
}

TEST(StatsFileTest, ObserverFieldErrorsNameTheObserver) {
  EXPECT_ERROR(with("\"id\": \"a\", ", ""), "observers[0]", "'id' is missing");
  EXPECT_ERROR(with("\"id\": \"a\"", "\"id\": 5"), "observers[0]",
               "'id' must be a string");
  EXPECT_ERROR(R"({"format": "qlip-stats", "version": 1, "fingerprint": "",
                   "samples": 0, "observers": [3]})",
               "observers[0]", "must be an object");
  EXPECT_ERROR(with("\"mad\": 1.0, \"stddev\": 1.25, \"kurtosis\": 1.5}",
                    "\"stddev\": 1.25, \"kurtosis\": 1.5}"),
               "observer 'a'", "'mad' is missing");
  EXPECT_ERROR(with("\"min\": -1.0", "\"min\": \"-1\""), "observer 'a'",
               "'min' must be a number");
  EXPECT_ERROR(with("\"count\": 4", "\"count\": 4.5"), "observer 'a'",
               "'count' must be an integer");
  EXPECT_ERROR(with("\"count\": 4", "\"count\": -4"), "observer 'a'",
               "'count' is negative");
  EXPECT_ERROR(with("\"min\": -1.0", "\"min\": 5.0"), "observer 'a'",
               "'min' is greater than 'max'");
  EXPECT_ERROR(with("\"stddev\": 1.25", "\"stddev\": -1.25"), "observer 'a'",
               "cannot be negative");
}

TEST(StatsFileTest, NonFiniteNumbers) {
  // JSON has no NaN or infinity literals, but an overflowing number reads
  // as infinity.
  EXPECT_ERROR(with("\"max\": 2.0", "\"max\": 1e999"), "observer 'a'",
               "'max' is not finite");
  EXPECT_ERROR(with("[0.0, 1.0, 2.0, 3.0]", "[0.0, 1.0, 2.0, -1e999]"),
               "observer 'b'", "histogram edge 3 is not finite");
}

TEST(StatsFileTest, HistogramErrors) {
  EXPECT_ERROR(with("[1, 2, 1]", "[1, 2, 1, 0]"), "observer 'b'",
               "histogram has 4 edges for 4 counts");
  EXPECT_ERROR(with("[0.0, 1.0, 2.0, 3.0], \"counts\": [1, 2, 1]",
                    "[0.0], \"counts\": []"),
               "observer 'b'", "at least one count");
  EXPECT_ERROR(with("[0.0, 1.0, 2.0, 3.0]", "[0.0, 2.0, 1.0, 3.0]"),
               "observer 'b'", "not increasing at edge 2");
  EXPECT_ERROR(with("[0.0, 1.0, 2.0, 3.0]", "[0.0, 1.0, 1.0, 3.0]"),
               "observer 'b'", "not increasing at edge 2");
  EXPECT_ERROR(with("[0.0, 1.0, 2.0, 3.0]", "[0.0, 0.5, 2.0, 3.0]"),
               "observer 'b'", "not equally wide");
  EXPECT_ERROR(with("[1, 2, 1]", "[1, -2, 5]"), "observer 'b'",
               "histogram count 1 is negative");
  EXPECT_ERROR(with("[1, 2, 1]", "[1, 2.5, 1]"), "observer 'b'",
               "histogram count 1 must be an integer");
  EXPECT_ERROR(with("[1, 2, 1]", "[1, 2, 2]"), "observer 'b'",
               "histogram holds 5 values but 'count' is 4");
  EXPECT_ERROR(with("[0.0, 1.0, 2.0, 3.0]", "[0.0, \"1\", 2.0, 3.0]"),
               "observer 'b'", "histogram edge 1 must be a number");
  EXPECT_ERROR(with("\"histogram\": {\"edges\"", "\"histogram\": {\"e\""),
               "observer 'b'", "'edges' is missing");
  EXPECT_ERROR(with("\"counts\": [1, 2, 1]", "\"counts\": 4"), "observer 'b'",
               "'counts' must be an array");
  EXPECT_ERROR(with("\"histogram\": {\"edges\": [0.0, 1.0, 2.0, 3.0], "
                    "\"counts\": [1, 2, 1]}",
                    "\"histogram\": [1]"),
               "observer 'b'", "'histogram' must be an object");
}

TEST(StatsFileTest, DuplicateIds) {
  EXPECT_ERROR(with("\"id\": \"b\"", "\"id\": \"a\""),
               "duplicate observer id 'a'", "observers[0] and observers[1]");
}

TEST(StatsFileTest, FileErrors) {
  llvm::Expected<StatsFile> r = readStatsFile("/nonexistent/dir/stats.json");
  ASSERT_FALSE(bool(r));
  std::string message = llvm::toString(r.takeError());
  EXPECT_NE(
      message.find("cannot read stats file '/nonexistent/dir/stats.json'"),
      std::string::npos)
      << message;

  StatsFile stats;
  llvm::Error err = writeStatsFile("/nonexistent/dir/stats.json", stats);
  ASSERT_TRUE(bool(err));
  message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("cannot write stats file"), std::string::npos);

  // Syntax errors read from a file name the file.
  TempPath path;
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path.str(), ec);
    os << "{\n  \"format\": }\n";
  }
  r = readStatsFile(path.str());
  ASSERT_FALSE(bool(r));
  message = llvm::toString(r.takeError());
  EXPECT_EQ(message.rfind((path.str() + ":2:").str(), 0), 0u) << message;
}

TEST(StatsFileTest, WriterRefusesWhatTheReaderRejects) {
  TempPath path;
  StatsFile stats;
  ObserverStats o;
  o.id = "x";
  o.count = 1;
  o.mean = std::numeric_limits<double>::quiet_NaN();
  stats.observers.push_back(o);
  llvm::Error err = writeStatsFile(path.str(), stats);
  ASSERT_TRUE(bool(err));
  std::string message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("observer 'x': 'mean' is not finite"),
            std::string::npos)
      << message;

  stats.observers[0].mean = 0;
  stats.observers.push_back(stats.observers[0]);
  err = writeStatsFile(path.str(), stats);
  ASSERT_TRUE(bool(err));
  message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("duplicate observer id 'x'"), std::string::npos);

  stats.observers.pop_back();
  stats.observers[0].histogramEdges = {0, 1};
  stats.observers[0].histogramCounts = {2};
  err = writeStatsFile(path.str(), stats);
  ASSERT_TRUE(bool(err));
  message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("histogram holds 2 values"), std::string::npos);
}

} // namespace
