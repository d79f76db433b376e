//===- FuzzStats.cpp - libFuzzer target: the stats-file reader -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Any bytes: parseStatsFile fails with a message, or returns statistics
// that the activation rules can take (each observer's histogram rebuilt and
// every clip rule applied to it, as qlip-quantize-activations does).
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/ActivationClip.h"
#include "qlip/Calibration/ActivationStats.h"
#include "qlip/Calibration/StatsFile.h"

#include <cstdint>

using namespace mlir::qlip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<StatsFile> stats = parseStatsFile(bytes, "fuzz.json");
  if (!stats) {
    llvm::consumeError(stats.takeError());
    return 0;
  }
  for (const ObserverStats &o : stats->observers) {
    if (o.count == 0 || o.histogramCounts.empty() || o.min == o.max)
      continue;
    Histogram histogram = Histogram::fromBins(o.histogramEdges,
                                              o.histogramCounts);
    for (bool nonNegative : {false, true}) {
      (void)percentileRange(histogram, 99.99, nonNegative);
      (void)mseRange(histogram, 4, nonNegative);
      (void)klRange(histogram, 8, nonNegative);
    }
  }
  return 0;
}
