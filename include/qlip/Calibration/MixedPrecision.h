//===- MixedPrecision.h - bit widths per layer under a budget ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Each layer can be stored at a few widths (2, 3, 4, 8 bits, float), each
// with a size in bytes and a noise: the error its rounding adds at the
// layer's output relative to the output's power (what GPTQ measures on the
// calibration inputs). A layer's relative noise passes on to the model's
// output roughly unchanged, so the model's noise is taken as the sum over
// layers, and its SQNR as -10 log10 of that sum. Choosing a width per
// layer is then a multiple-choice knapsack; qlip solves it greedily by the
// marginal rate, as HAQ and HAWQ's heuristics do:
//
//  - within a size budget: every layer starts at its largest option, and
//    the step down that adds the least noise per byte saved is taken until
//    the model fits;
//  - to a noise target: every layer starts at its smallest option, and the
//    step up that removes the most noise per byte added is taken until the
//    noise is at or below the target.
//
// A step goes to the option whose rate is the best (not only the adjacent
// one), so a width that is never on the convex hull of a layer's (bytes,
// noise) curve is skipped over. Ties go to the earlier layer. The last step
// can overshoot (a big layer's step down can free more bytes than the
// budget needed); a second pass then takes the steps the other way that
// keep the budget (up, within the bytes; down, within the noise), best
// rate first.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_MIXEDPRECISION_H
#define QLIP_CALIBRATION_MIXEDPRECISION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::qlip {

/// A layer's options, in ascending order of bytes.
struct LayerOptions {
  llvm::SmallVector<double> bytes;
  llvm::SmallVector<double> noise;
  /// The one option the layer must take (a layer the user fixed), if any.
  std::optional<unsigned> fixed;
};

/// The choice (an option index per layer) with the least total noise the
/// greedy descent finds within `budget` bytes; none when even every
/// layer's smallest (or fixed) option exceeds it.
std::optional<llvm::SmallVector<unsigned>>
chooseWithinSize(llvm::ArrayRef<LayerOptions> layers, double budget);

/// The choice the greedy ascent reaches with total noise at or below
/// `maxNoise`, or every layer at its largest option when no choice gets
/// there.
llvm::SmallVector<unsigned> chooseForNoise(llvm::ArrayRef<LayerOptions> layers,
                                           double maxNoise);

/// Total bytes and total noise of a choice.
double totalBytes(llvm::ArrayRef<LayerOptions> layers,
                  llvm::ArrayRef<unsigned> choice);
double totalNoise(llvm::ArrayRef<LayerOptions> layers,
                  llvm::ArrayRef<unsigned> choice);

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_MIXEDPRECISION_H
