//===- BitAllocation.h - ACIQ per-channel bit allocation --------*- C++ -*-===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// ACIQ (Banner et al., NeurIPS'19, eq. 10/11): with a total quota of
// B = C * 2^avg bins over C channels, the quantization-noise-optimal split
// gives channel i a number of bins proportional to alpha_i^(2/3). qlip rounds
// log2 of that to whole bits, clamps it to [minBits, maxBits] and then moves
// single bits greedily until the budget is met exactly. See
// docs/algorithms.md.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_BITALLOCATION_H
#define QLIP_CALIBRATION_BITALLOCATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

namespace mlir::qlip {

/// The unrounded optimum of eq. 10/11: bits_i = avg + log2(p_i / mean(p)),
/// p_i = channelScales[i]^(2/3). Channels with scale 0 get -infinity; if all
/// scales are 0, every channel gets avg. Scales must be finite and >= 0.
llvm::SmallVector<double> idealChannelBits(llvm::ArrayRef<double> channelScales,
                                           double averageBits);

/// Per-channel bit widths for channels with the given clip values (or the
/// prior scales b / sigma: only ratios matter). Each width is
/// round-half-to-even(idealChannelBits) clamped to [minBits, maxBits]; then,
/// while the total differs from round(averageBits * C), one bit is taken from
/// the channel rounded up the most (largest bits - ideal) or given to the
/// channel rounded down the most (largest ideal - bits), respecting the
/// bounds; ties go to the lower channel index. The result has
/// sum == round(averageBits * C) exactly, and a channel with a larger scale
/// never gets fewer bits than one with a smaller scale.
///
/// Errors: a non-finite or negative scale, a non-finite averageBits,
/// minBits > maxBits, maxBits > 16, or a budget outside
/// [C * minBits, C * maxBits].
llvm::Expected<llvm::SmallVector<unsigned>>
allocateChannelBits(llvm::ArrayRef<double> channelScales, double averageBits,
                    unsigned minBits = 1, unsigned maxBits = 8);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_BITALLOCATION_H
