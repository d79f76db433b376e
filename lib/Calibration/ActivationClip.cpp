//===- ActivationClip.cpp - activation range rules ------------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// See docs/algorithms.md, "Activation ranges".
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/ActivationClip.h"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

using namespace mlir::qlip;

static constexpr double kInf = std::numeric_limits<double>::infinity();
/// Where TensorRT's entropy search starts (pytorch-quantization's
/// `start_bin`), in bins of the magnitude histogram.
static constexpr size_t kKlStartBin = 128;

//===----------------------------------------------------------------------===//
// Histogram helpers
//===----------------------------------------------------------------------===//

namespace {
/// A histogram's edges and counts, with the span of its non-empty bins.
struct Bins {
  llvm::SmallVector<double> edges;
  llvm::ArrayRef<int64_t> counts;
  size_t first = 0, last = 0;
  int64_t total = 0;

  explicit Bins(const Histogram &h)
      : edges(h.edges()), counts(h.counts()), total(h.total()) {
    assert(total > 0 && "needs a non-empty histogram");
    while (!counts[first])
      ++first;
    last = counts.size() - 1;
    while (!counts[last])
      --last;
  }
  /// The smallest and largest values the histogram can hold.
  double dataLo() const { return edges[first]; }
  double dataHi() const { return edges[last + 1]; }
};
} // namespace

/// The q-quantile (q in [0, 1]): the value below which q * total counts
/// lie, interpolating linearly inside the bin where the cumulative count
/// crosses (values assumed uniform in a bin).
static double quantile(const Bins &b, double q) {
  double target = q * double(b.total);
  double cum = 0;
  for (size_t j = b.first; j <= b.last; ++j) {
    double c = double(b.counts[j]);
    if (c == 0)
      continue;
    if (cum + c >= target) {
      double frac = std::clamp((target - cum) / c, 0.0, 1.0);
      return b.edges[j] + frac * (b.edges[j + 1] - b.edges[j]);
    }
    cum += c;
  }
  return b.dataHi();
}

//===----------------------------------------------------------------------===//
// max and percentile
//===----------------------------------------------------------------------===//

ActivationRange mlir::qlip::maxRange(const ActivationMoments &stats,
                                     bool nonNegative) {
  if (stats.count == 0)
    return {};
  if (nonNegative)
    return {0.0, std::max(stats.max, 0.0)};
  return {stats.min, stats.max};
}

ActivationRange mlir::qlip::percentileRange(const Histogram &histogram,
                                            double percentile,
                                            bool nonNegative) {
  assert(percentile >= 0 && percentile <= 100 && "percentile out of range");
  if (histogram.empty())
    return {};
  Bins b(histogram);
  double p = std::clamp(percentile, 0.0, 100.0) / 100.0;
  if (nonNegative)
    return {0.0, std::max(quantile(b, p), 0.0)};
  return {quantile(b, (1.0 - p) / 2.0), quantile(b, (1.0 + p) / 2.0)};
}

//===----------------------------------------------------------------------===//
// KL (TensorRT entropy calibration)
//===----------------------------------------------------------------------===//

namespace {
/// The histogram KL works on: one side of the data, max(x, 0) (`sign` +1)
/// or max(-x, 0) (`sign` -1), in bins [j * width, (j + 1) * width) from 0,
/// at most as many as the source has, trimmed after the last non-empty
/// one.
struct MagnitudeHistogram {
  double width = 0;
  std::vector<double> counts;
};
} // namespace

static MagnitudeHistogram magnitudeHistogram(const Bins &b, double width,
                                             int sign) {
  size_t maxBins = b.counts.size();
  double top = std::max(sign > 0 ? b.dataHi() : -b.dataLo(), 0.0);
  // Coarsen by powers of two (exact on aligned sources) until it fits.
  while (std::ceil(top / width) > double(maxBins))
    width *= 2;
  size_t numBins = std::max<size_t>(1, size_t(std::ceil(top / width)));
  MagnitudeHistogram m;
  m.width = width;
  m.counts.assign(numBins, 0.0);
  // A bin's center stands for it. On an aligned source the center of
  // [g w, (g+1) w) is (g + 1/2) w, so |center| / width' lands in exactly the
  // magnitude bin the whole source bin folds into.
  for (size_t j = b.first; j <= b.last; ++j) {
    if (!b.counts[j])
      continue;
    double center = 0.5 * (b.edges[j] + b.edges[j + 1]);
    if (sign * center < 0)
      continue; // the other side's
    double mag = std::fabs(center);
    size_t bin = std::min(size_t(mag / width), numBins - 1);
    m.counts[bin] += double(b.counts[j]);
  }
  while (m.counts.size() > 1 && m.counts.back() == 0)
    m.counts.pop_back();
  return m;
}

/// KL(P || Q) for keeping the first `i` bins (see klThresholdBins()).
/// `logBins[j]` is log(bins[j]) (0 for empty bins), `prefix` and `nonZero`
/// are prefix sums of the bins and of their non-emptiness.
static double klDivergence(llvm::ArrayRef<double> bins,
                           llvm::ArrayRef<double> logBins,
                           llvm::ArrayRef<double> prefix,
                           llvm::ArrayRef<int64_t> nonZero, size_t i,
                           size_t levels) {
  double total = prefix.back();
  double kept = prefix[i];
  double outliers = total - kept;
  double lastP = bins[i - 1] + outliers;
  // Sum over bins of P_j * log(P_j / q_j), with q_j the (unnormalized)
  // expanded Q; the normalizations enter once, below.
  double sum = 0;
  for (size_t l = 0; l < levels; ++l) {
    // Bin j belongs to level floor(j * levels / i).
    size_t start = (l * i + levels - 1) / levels;
    size_t stop = ((l + 1) * i + levels - 1) / levels;
    bool holdsLast = stop == i;
    int64_t nnz = nonZero[stop] - nonZero[start];
    if (nnz == 0) {
      if (holdsLast && outliers > 0)
        return kInf; // P > 0 where Q = 0
      continue;
    }
    double logQ = std::log((prefix[stop] - prefix[start]) / double(nnz));
    size_t end = holdsLast ? stop - 1 : stop;
    for (size_t j = start; j < end; ++j)
      if (bins[j] > 0)
        sum += bins[j] * (logBins[j] - logQ);
    if (holdsLast) {
      if (bins[i - 1] > 0)
        sum += lastP * (std::log(lastP) - logQ);
      else if (outliers > 0)
        return kInf;
    }
  }
  // P_j / T over q_j / kept: sum / T + log(kept / T), as sum(P) = T.
  return sum / total + std::log(kept / total);
}

/// TensorRT's threshold search on a magnitude histogram: the number of bins
/// i in [max(levels, min(kKlStartBin, bins.size())), bins.size()]
/// minimizing KL(P || Q), where
///  * bins[0] is replaced by bins[1] (pytorch-quantization's
///    `bins[0] = bins[1]`: the spike of exact zeros, which the quantizer
///    represents exactly, would otherwise dominate the divergence);
///  * P = bins[0..i) with the outliers bins[i..) added to bins[i-1];
///  * Q = bins[0..i) (without the outliers) merged into `levels` levels,
///    bin j going to level floor(j * levels / i), each level's sum spread
///    evenly over its non-empty bins (empty bins stay 0);
///  * P and Q are normalized; a P > 0 where Q = 0 (only possible in the
///    last bin) makes the divergence infinite.
/// Ties go to the larger i (pytorch-quantization's last argmin). With fewer
/// bins than levels, every bin is kept.
static size_t klThresholdBins(std::vector<double> bins, size_t levels) {
  size_t n = bins.size();
  if (n <= levels)
    return n;
  // TensorRT's search starts at bin 128 of 2048 whatever the bit width:
  // from `levels` bins, a 3-bit grid could keep 4 bins of the histogram,
  // and did, clipping models to chance.
  const size_t start = std::max(levels, std::min(kKlStartBin, n));
  bins[0] = bins[1];
  std::vector<double> logBins(n), prefix(n + 1, 0.0);
  std::vector<int64_t> nonZero(n + 1, 0);
  for (size_t j = 0; j < n; ++j) {
    logBins[j] = bins[j] > 0 ? std::log(bins[j]) : 0.0;
    prefix[j + 1] = prefix[j] + bins[j];
    nonZero[j + 1] = nonZero[j] + (bins[j] > 0);
  }
  size_t best = n;
  double bestKl = kInf;
  for (size_t i = start; i <= n; ++i) {
    double kl = klDivergence(bins, logBins, prefix, nonZero, i, levels);
    if (kl <= bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

ActivationRange mlir::qlip::klRange(const Histogram &histogram, unsigned bits,
                                    bool nonNegative) {
  assert(bits >= 1 && bits <= 16 && "unsupported bit width");
  if (histogram.empty())
    return {};
  Bins b(histogram);
  size_t levels = size_t(1) << (nonNegative ? bits : bits - 1);
  auto threshold = [&](int sign) {
    MagnitudeHistogram m = magnitudeHistogram(b, histogram.binWidth(), sign);
    return double(klThresholdBins(m.counts, levels)) * m.width;
  };
  double hi = std::max(0.0, std::min(threshold(+1), b.dataHi()));
  if (nonNegative)
    return {0.0, hi};
  // Each side on its own, half the grid's levels each: TensorRT's |x|
  // would give both the threshold of the heavier one (a normalized image,
  // [-0.81, 2.02], its background a spike at -0.81, was clipped to
  // [-0.81, 0.81]).
  double lo = std::min(0.0, std::max(-threshold(-1), b.dataLo()));
  return {std::min(lo, hi), hi};
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

namespace {
/// The real quantizer of an AffineQuantization in units of the scale: u =
/// x / scale is reconstructed as clamp(round(u), kMin, kMax).
struct UnitQuantizer {
  double kMin, kMax;
};
/// The integral of (t - q(t))^2 from kMin - 1/2 to u, split into whole
/// cells (each contributing 1/12) and the rest, so that differences of
/// nearby points do not cancel against the cell count.
struct CellIntegral {
  double cells, rest;
};
} // namespace

static CellIntegral cellIntegral(double u, UnitQuantizer q) {
  if (u < q.kMin - 0.5) {
    double d = u - q.kMin;
    return {0.0, (d * d * d + 0.125) / 3.0};
  }
  if (u > q.kMax + 0.5) {
    double d = u - q.kMax;
    return {q.kMax - q.kMin + 1.0, (d * d * d - 0.125) / 3.0};
  }
  double m = std::floor(u + 0.5);
  double f = u - m;
  return {m - q.kMin, (f * f * f + 0.125) / 3.0};
}

/// The number of exact zeros in the histogram, estimated as the excess of
/// the bin starting at 0 over its larger neighbour: ReLU outputs put a
/// large fraction of their values there, at 0 exactly, where a smooth
/// density would put about as many as next door. (The same reasoning as
/// TensorRT's `bins[0] = bins[1]`.) Returns the bin too, or no bin.
static std::pair<size_t, int64_t> zeroSpike(const Bins &b) {
  auto it = std::lower_bound(b.edges.begin(), b.edges.end() - 1, 0.0);
  size_t j = it - b.edges.begin();
  if (it == b.edges.end() - 1 || *it != 0.0 || !b.counts[j])
    return {b.counts.size(), 0};
  int64_t left = j > 0 ? b.counts[j - 1] : 0;
  int64_t right = j + 1 < b.counts.size() ? b.counts[j + 1] : 0;
  return {j, std::max<int64_t>(0, b.counts[j] - std::max(left, right))};
}

/// Mean squared error of the real quantizer `aq` on the histogram, values
/// uniform within each bin (except the estimated exact zeros, which every
/// nudged grid represents without error): the exact integral per bin, so
/// that narrow bins against a coarse grid and wide bins against a fine one
/// (16 bits) are both right, with no aliasing between bin centers and
/// levels.
static double histogramMse(const Bins &b, const AffineQuantization &aq,
                           QuantGrid grid) {
  double s = aq.scale;
  UnitQuantizer q{double(grid.qmin() - aq.zeroPoint),
                  double(grid.qmax() - aq.zeroPoint)};
  auto [zeroBin, zeros] = zeroSpike(b);
  double sum = 0;
  for (size_t j = b.first; j <= b.last; ++j) {
    int64_t count = b.counts[j] - (j == zeroBin ? zeros : 0);
    if (!count)
      continue;
    double ua = b.edges[j] / s, ub = b.edges[j + 1] / s;
    double meanSq;
    if (ub > ua) {
      CellIntegral ia = cellIntegral(ua, q), ib = cellIntegral(ub, q);
      meanSq = ((ib.cells - ia.cells) / 12.0 + (ib.rest - ia.rest)) / (ub - ua);
    } else {
      double u = ua;
      double e = u - std::clamp(std::nearbyint(u), q.kMin, q.kMax);
      meanSq = e * e;
    }
    sum += double(count) * meanSq * s * s;
  }
  return sum / double(b.total);
}

double mlir::qlip::histogramRangeMse(const Histogram &histogram,
                                     ActivationRange range, unsigned bits,
                                     bool nonNegative) {
  assert(bits >= 1 && bits <= 16 && "unsupported bit width");
  if (histogram.empty())
    return 0.0;
  QuantGrid grid =
      nonNegative ? QuantGrid::unsignedFull(bits) : QuantGrid::signedFull(bits);
  return histogramMse(Bins(histogram), nudgeRange(range, grid), grid);
}

ActivationRange mlir::qlip::mseRange(const Histogram &histogram, unsigned bits,
                                     bool nonNegative) {
  assert(bits >= 1 && bits <= 16 && "unsupported bit width");
  if (histogram.empty())
    return {};
  Bins b(histogram);
  QuantGrid grid =
      nonNegative ? QuantGrid::unsignedFull(bits) : QuantGrid::signedFull(bits);
  double lo = b.dataLo(), hi = b.dataHi();
  double top = nonNegative ? std::max(hi, 0.0) : std::max(-lo, hi);
  if (!(top > 0))
    return {};
  // The candidates: [0, a] for non-negative tensors, [-a, a] intersected
  // with the data otherwise, each evaluated after nudging, i.e. with the
  // quantizer that will really run.
  auto rangeFor = [&](double a) -> ActivationRange {
    if (nonNegative)
      return {0.0, a};
    return {std::max(-a, lo), std::min(a, hi)};
  };
  auto mse = [&](double a) {
    return histogramMse(b, nudgeRange(rangeFor(a), grid), grid);
  };

  // Coarse scan, then golden-section refinement around the best candidate
  // (the error is not unimodal in a: level crossings make kinks).
  constexpr unsigned kCandidates = 200;
  constexpr unsigned kRefineSteps = 32;
  unsigned bestK = kCandidates;
  double bestErr = kInf;
  for (unsigned k = kCandidates; k >= 1; --k) {
    double err = mse(top * k / kCandidates);
    if (err < bestErr) {
      bestErr = err;
      bestK = k;
    }
  }
  double best = top * bestK / kCandidates;
  double left = top * (bestK - 1) / kCandidates;
  double right = top * std::min(bestK + 1, kCandidates) / kCandidates;
  double refinedErr;
  double refined = minimizeGoldenSection(mse, std::max(left, top * 1e-9), right,
                                         kRefineSteps, &refinedErr);
  if (refinedErr < bestErr)
    best = refined;
  return rangeFor(best);
}

//===----------------------------------------------------------------------===//
// ACIQ
//===----------------------------------------------------------------------===//

ActivationRange mlir::qlip::aciqRange(const ActivationMoments &stats,
                                      AciqPrior prior, unsigned bits,
                                      bool nonNegative) {
  if (stats.count == 0)
    return {};
  double spread =
      prior == AciqPrior::Laplace ? stats.meanAbsDeviation : stats.stddev;
  if (nonNegative) {
    // The authors' fused-ReLU mode: the clip starts at the (positive) mean.
    double k = aciqMultiplier(prior, QuantGrid::unsignedFull(bits));
    double alpha = std::max(stats.mean, 0.0) + k * spread;
    return {0.0, std::max(0.0, std::min(alpha, stats.max))};
  }
  assert(bits >= 2 && "a signed grid needs at least 2 bits");
  double alpha = aciqMultiplier(prior, QuantGrid::signedFull(bits)) * spread;
  return {std::max(stats.mean - alpha, stats.min),
          std::min(stats.mean + alpha, stats.max)};
}

//===----------------------------------------------------------------------===//
// Nudging
//===----------------------------------------------------------------------===//

AffineQuantization mlir::qlip::nudgeRange(ActivationRange range,
                                          QuantGrid grid) {
  assert(grid.bits >= 1 && grid.bits <= 16 && !grid.midRise &&
         "nudging needs a zero-level grid");
  assert(std::isfinite(range.min) && std::isfinite(range.max) &&
         "non-finite range");
  double lo = std::min(range.min, 0.0), hi = std::max(range.max, 0.0);
  int64_t qmin = grid.qmin(), qmax = grid.qmax();
  double steps = double(qmax - qmin);
  AffineQuantization aq;
  if (hi == lo) {
    // Nothing to represent but 0: unit scale, 0 at its own level.
    aq.scale = 1.0;
    aq.zeroPoint = std::clamp<int64_t>(0, qmin, qmax);
  } else {
    double scale = (hi - lo) / steps;
    if (!std::isfinite(scale)) // hi - lo overflowed
      scale = hi / steps - lo / steps;
    // The floor keeps the scale a normal float, as every qlip scale
    // (ClipMath.h).
    aq.scale = std::max(scale, double(FLT_MIN));
    double zeroFromMin = double(qmin) - lo / aq.scale;
    aq.zeroPoint = int64_t(
        std::clamp(roundHalfToEven(zeroFromMin), double(qmin), double(qmax)));
  }
  aq.min = double(qmin - aq.zeroPoint) * aq.scale;
  aq.max = double(qmax - aq.zeroPoint) * aq.scale;
  return aq;
}
