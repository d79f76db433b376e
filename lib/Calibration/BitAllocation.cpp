//===- BitAllocation.cpp - ACIQ per-channel bit allocation ----------------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/BitAllocation.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <string>
#include <utility>

using namespace mlir::qlip;

llvm::SmallVector<double>
mlir::qlip::idealChannelBits(llvm::ArrayRef<double> channelScales,
                             double averageBits) {
  size_t numChannels = channelScales.size();
  llvm::SmallVector<double> weights(numChannels), ideal(numChannels);
  double sum = 0.0;
  for (size_t i = 0; i < numChannels; ++i) {
    weights[i] = std::cbrt(channelScales[i] * channelScales[i]);
    sum += weights[i];
  }
  if (!(sum > 0.0)) {
    std::fill(ideal.begin(), ideal.end(), averageBits);
    return ideal;
  }
  // B_i = C 2^avg p_i / sum(p)  =>  log2 B_i = avg + log2(p_i / mean(p)).
  double meanWeight = sum / double(numChannels);
  for (size_t i = 0; i < numChannels; ++i)
    ideal[i] = weights[i] > 0.0
                   ? averageBits + std::log2(weights[i] / meanWeight)
                   : -std::numeric_limits<double>::infinity();
  return ideal;
}

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "bit allocation: " + message);
}

llvm::Expected<llvm::SmallVector<unsigned>>
mlir::qlip::allocateChannelBits(llvm::ArrayRef<double> channelScales,
                                double averageBits, unsigned minBits,
                                unsigned maxBits) {
  if (minBits > maxBits || maxBits > 16)
    return makeError("invalid bounds [" + llvm::Twine(minBits) + ", " +
                     llvm::Twine(maxBits) + "]");
  if (!std::isfinite(averageBits))
    return makeError("average bit width is not finite");
  for (auto [i, scale] : llvm::enumerate(channelScales))
    if (!std::isfinite(scale) || scale < 0.0)
      return makeError("channel " + llvm::Twine(i) + " has an invalid scale " +
                       std::to_string(scale));

  int64_t numChannels = int64_t(channelScales.size());
  double budget = std::nearbyint(averageBits * double(numChannels));
  if (budget < double(numChannels) * minBits ||
      budget > double(numChannels) * maxBits)
    return makeError("budget of " + std::to_string(averageBits) +
                     " bits per channel is infeasible within [" +
                     llvm::Twine(minBits) + ", " + llvm::Twine(maxBits) + "]");
  int64_t target = int64_t(budget);

  llvm::SmallVector<double> ideal =
      idealChannelBits(channelScales, averageBits);
  llvm::SmallVector<unsigned> bits(numChannels);
  int64_t total = 0;
  for (int64_t i = 0; i < numChannels; ++i) {
    // Clamp before rounding: ideal may be -infinity (zero scale).
    double clamped = std::clamp(ideal[i], double(minBits), double(maxBits));
    bits[i] = unsigned(std::nearbyint(clamped));
    total += bits[i];
  }

  // Greedy repair. Only one direction is ever needed. A max-heap on the
  // rounding residual; ties pop the lower index first. A channel's residual
  // only shrinks when it is moved, so re-pushing it keeps the heap exact.
  // Moving the largest residual first preserves the ordering of channels by
  // scale: among channels with equal bits, the one with the smaller ideal is
  // taken from first, and the one with the larger ideal is given to first.
  bool takeBits = total > target;
  auto residual = [&](int64_t i) {
    return takeBits ? double(bits[i]) - ideal[i] : ideal[i] - double(bits[i]);
  };
  auto canMove = [&](int64_t i) {
    return takeBits ? bits[i] > minBits : bits[i] < maxBits;
  };
  using Entry = std::pair<double, int64_t>; // (residual, -index)
  std::priority_queue<Entry> heap;
  for (int64_t i = 0; i < numChannels; ++i)
    if (canMove(i))
      heap.push({residual(i), -i});
  while (total != target) {
    // The feasibility check above guarantees a movable channel remains.
    int64_t i = -heap.top().second;
    heap.pop();
    bits[i] = takeBits ? bits[i] - 1 : bits[i] + 1;
    total += takeBits ? -1 : 1;
    if (canMove(i))
      heap.push({residual(i), -i});
  }
  return bits;
}
