//===- ModelFingerprint.h - which model a stats file belongs to -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_MODELFINGERPRINT_H
#define QLIP_TRANSFORMS_MODELFINGERPRINT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::qlip {

/// A hash of what calibration statistics depend on: every function's name
/// and type, the ops that compute (name and result types, in order) and
/// every observer's id and type. qlip's own ops and constants are left out,
/// so weight quantization, bias correction and attaching statistics do not
/// change it, while a different model, a different observer set or a
/// reordered graph does. Locations and SSA names never count.
std::string computeModelFingerprint(ModuleOp module);

/// Whether the fingerprint counts `op` as an op that computes: not a
/// function or module, not one of qlip's ops, not a constant, not marked
/// `qlip.added` (QlipDialect::kAddedAttrName). Models with
/// equal fingerprints have these ops in the same order.
bool isFingerprintedComputeOp(Operation *op);

} // namespace mlir::qlip

#endif // QLIP_TRANSFORMS_MODELFINGERPRINT_H
