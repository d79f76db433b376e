//===- LayerNames.h - names users know layers by ----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_LAYERNAMES_H
#define QLIP_TRANSFORMS_LAYERNAMES_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>

namespace mlir::qlip {

/// The first NameLoc name inside `loc` (importers name layers that way).
std::optional<std::string> getLocationName(Location loc);

/// The first `file:line:col` inside `loc`, unquoted.
std::optional<std::string> getLocationPosition(Location loc);

/// Every `file:line:col` inside `loc`, unquoted and space-separated, so a
/// user can name a layer by its source position in an option string.
std::string describePositions(Location loc);

/// Where a layer keeps its weight and which axis holds its output channels.
struct WeightOperand {
  unsigned index;
  int64_t channelAxis;
};

/// The weight operand of the ops qlip calls layers (conv2d,
/// transpose_conv2d, depthwise_conv2d, matmul), or none for other ops.
std::optional<WeightOperand> getWeightOperand(Operation *op);

/// The layers whose weights qlip-quantize-weights quantizes, in program
/// order: ops with a weight operand that is a constant not yet behind a
/// `qlip.fake_quant` (integer weights among them: they keep their place). A layer's index here is its position for
/// getLayerName.
llvm::SmallVector<std::pair<Operation *, WeightOperand>>
collectUnquantizedLayers(Operation *root);

/// Whether `op` is a layer with a constant (possibly fake-quantized)
/// weight: what first and last layer mean, and what reports list.
bool isWeightLayer(Operation *op);

/// The name a user knows a layer by: the NameLoc importers attach, else the
/// op name and its position among the weight layers ("conv2d_0").
std::string getLayerName(Operation *op, size_t position);

/// Whether `entry`, a name in a per-layer option, names `op` (known to
/// users as `name`): the name itself, or part of the op's source positions.
bool isLayerNamed(Operation *op, llvm::StringRef name, llvm::StringRef entry);

/// Whether qlip quantizes to `bits`: 2 to 8, or 16.
bool isSupportedBitWidth(unsigned bits);

/// Parses per-layer bit overrides `NAME=BITS` into `overrides`; reports the
/// first bad entry through `emitError`.
LogicalResult
parseLayerBits(llvm::ArrayRef<std::string> entries,
               llvm::StringMap<unsigned> &overrides,
               llvm::function_ref<InFlightDiagnostic()> emitError);

/// Fails, with an error at `loc` that names the `layer-bits` entries of
/// `overrides` missing from `used` and lists `known` (the names the pass
/// matches: layer names, or observer ids), when an entry took no layer: a
/// misspelt name must not pass silently.
LogicalResult checkLayerBitsUsed(const llvm::StringMap<unsigned> &overrides,
                                 const llvm::StringMap<bool> &used,
                                 llvm::ArrayRef<std::string> known,
                                 Location loc, llvm::StringRef passName);

/// checkLayerBitsUsed for the names `requested` of any per-layer option
/// (`optionName` in the message).
LogicalResult checkOverridesUsed(llvm::ArrayRef<llvm::StringRef> requested,
                                 const llvm::StringMap<bool> &used,
                                 llvm::ArrayRef<std::string> known,
                                 Location loc, llvm::StringRef passName,
                                 llvm::StringRef optionName);

} // namespace mlir::qlip

#endif // QLIP_TRANSFORMS_LAYERNAMES_H
