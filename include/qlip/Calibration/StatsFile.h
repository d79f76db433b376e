//===- StatsFile.h - the calibration statistics file ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Calibration writes what every observer saw to a versioned JSON file tied
// to the model by a fingerprint; qlip-apply-stats reads it back.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_STATSFILE_H
#define QLIP_CALIBRATION_STATSFILE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::qlip {

/// The histogram bins an observer may have: a growing histogram needs two
/// to halve its resolution, and 2^20 bins (16 MiB per observer with their
/// sums) are far more than any rule uses.
inline constexpr unsigned kMinHistogramBins = 2;
inline constexpr unsigned kMaxHistogramBins = 1u << 20;


/// What one observer saw: the fields of #qlip.stats.
struct ObserverStats {
  std::string id;
  int64_t count = 0;
  double min = 0, max = 0, mean = 0, meanAbsDeviation = 0, stddev = 0,
         kurtosis = 0;
  /// Empty when no histogram was gathered; else edges.size() ==
  /// counts.size() + 1.
  llvm::SmallVector<double> histogramEdges;
  llvm::SmallVector<int64_t> histogramCounts;
};

struct StatsFile {
  /// The format version this build writes and reads.
  static constexpr int64_t kVersion = 1;
  int64_t version = kVersion;
  /// Identifies the observed model (see the pass that computes it); a file
  /// for another model is rejected.
  std::string fingerprint;
  /// Number of calibration samples.
  int64_t samples = 0;
  std::vector<ObserverStats> observers;
};

/// Writes the file as JSON (doubles round-trip exactly).
llvm::Error writeStatsFile(llvm::StringRef path, const StatsFile &stats);

/// Reads and validates a file: JSON syntax, the version, every required
/// field and its type, finite values, histogram shapes, unique ids. Errors
/// name the file and, where it applies, the observer.
llvm::Expected<StatsFile> readStatsFile(llvm::StringRef path);
/// The same from a buffer (`name` is used in messages).
llvm::Expected<StatsFile> parseStatsFile(llvm::StringRef buffer,
                                         llvm::StringRef name);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_STATSFILE_H
