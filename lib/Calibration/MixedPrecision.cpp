//===- MixedPrecision.cpp - bit widths per layer under a budget -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/MixedPrecision.h"

#include <cmath>
#include <limits>

using namespace mlir::qlip;

/// The sum of `field` at each layer's chosen option, with layer
/// `change->first` at option `change->second` instead when given.
static double
sumOf(llvm::ArrayRef<LayerOptions> layers, llvm::ArrayRef<unsigned> choice,
      llvm::SmallVector<double> LayerOptions::*field,
      std::optional<std::pair<unsigned, unsigned>> change = std::nullopt) {
  double total = 0;
  for (auto [l, layer] : llvm::enumerate(layers)) {
    unsigned option = change && change->first == l ? change->second : choice[l];
    total += (layer.*field)[option];
  }
  return total;
}

double mlir::qlip::totalBytes(llvm::ArrayRef<LayerOptions> layers,
                              llvm::ArrayRef<unsigned> choice) {
  return sumOf(layers, choice, &LayerOptions::bytes);
}

double mlir::qlip::totalNoise(llvm::ArrayRef<LayerOptions> layers,
                              llvm::ArrayRef<unsigned> choice) {
  return sumOf(layers, choice, &LayerOptions::noise);
}

namespace {
/// The best step of one layer from its current option.
struct Step {
  unsigned layer = 0, to = 0;
  /// Noise per byte: added per byte saved (down), removed per byte added
  /// (up).
  double rate = std::numeric_limits<double>::infinity();
};
} // namespace

/// Repeats the best step over all free layers while `more` holds, among
/// the steps `allowed` accepts (given the layer and the option it would
/// take).
template <typename More, typename Allowed>
static void descend(llvm::ArrayRef<LayerOptions> layers,
                    llvm::SmallVector<unsigned> &choice, bool down, More more,
                    Allowed allowed) {
  while (more()) {
    std::optional<Step> best;
    for (unsigned l = 0; l < layers.size(); ++l) {
      if (layers[l].fixed)
        continue;
      // The layer's best step among the allowed ones.
      const LayerOptions &layer = layers[l];
      for (unsigned to = 0; to < layer.bytes.size(); ++to) {
        double bytes = layer.bytes[to] - layer.bytes[choice[l]];
        if ((down ? !(bytes < 0) : !(bytes > 0)) || !allowed(l, to))
          continue;
        double noise = layer.noise[to] - layer.noise[choice[l]];
        double rate = down ? noise / -bytes : noise / bytes;
        if (!best || rate < best->rate)
          best = Step{l, to, rate};
      }
    }
    if (!best)
      return;
    choice[best->layer] = best->to;
  }
}

std::optional<llvm::SmallVector<unsigned>>
mlir::qlip::chooseWithinSize(llvm::ArrayRef<LayerOptions> layers,
                             double budget) {
  llvm::SmallVector<unsigned> choice, smallest;
  for (const LayerOptions &layer : layers) {
    unsigned last = layer.bytes.size() - 1;
    choice.push_back(layer.fixed.value_or(last));
    smallest.push_back(layer.fixed.value_or(0));
  }
  if (totalBytes(layers, smallest) > budget)
    return std::nullopt;
  auto any = [](unsigned, unsigned) { return true; };
  descend(layers, choice, /*down=*/true,
          [&] { return totalBytes(layers, choice) > budget; }, any);
  // The last step down can land well inside the budget: spend what is
  // left on the steps up that fit, best rate first.
  descend(layers, choice, /*down=*/false, [] { return true; },
          [&](unsigned l, unsigned to) {
            return sumOf(layers, choice, &LayerOptions::bytes,
                         {{l, to}}) <= budget;
          });
  return choice;
}

llvm::SmallVector<unsigned>
mlir::qlip::chooseForNoise(llvm::ArrayRef<LayerOptions> layers,
                           double maxNoise) {
  llvm::SmallVector<unsigned> choice;
  for (const LayerOptions &layer : layers)
    choice.push_back(layer.fixed.value_or(0));
  auto any = [](unsigned, unsigned) { return true; };
  descend(layers, choice, /*down=*/false,
          [&] { return totalNoise(layers, choice) > maxNoise; }, any);
  // The last step up can overshoot the target: give back the bytes whose
  // steps down keep the noise within it, best rate first.
  if (totalNoise(layers, choice) <= maxNoise)
    descend(layers, choice, /*down=*/true, [] { return true; },
            [&](unsigned l, unsigned to) {
              return sumOf(layers, choice, &LayerOptions::noise,
                           {{l, to}}) <= maxNoise;
            });
  return choice;
}
