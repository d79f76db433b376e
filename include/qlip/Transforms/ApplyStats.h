//===- ApplyStats.h - attach calibration statistics -------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_APPLYSTATS_H
#define QLIP_TRANSFORMS_APPLYSTATS_H

#include "qlip/Calibration/StatsFile.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::qlip {

/// Attaches each observer's statistics of `stats` as `#qlip.stats` to the
/// `qlip.observe` ops of `module` with its id (what qlip-apply-stats does
/// with a file). Fails, with an error that starts with `prefix` and names
/// `source` (where the statistics came from), when the fingerprints differ,
/// an observer has no statistics or saw no values, or `stats` has an
/// observer the module does not.
LogicalResult applyStats(ModuleOp module, const StatsFile &stats,
                         llvm::StringRef source, llvm::StringRef prefix);

/// applyStats' inverse: the statistics attached to the observers of
/// `module` (calibrated in a pipeline, by qlip-calibrate-model), as the
/// statistics file qlip-calibrate would have written for `samples` samples
/// (0 when the caller does not know it).
/// Fails naming the first observer without statistics.
llvm::Expected<StatsFile> readAttachedStats(ModuleOp module, int64_t samples);

} // namespace mlir::qlip

#endif // QLIP_TRANSFORMS_APPLYSTATS_H
