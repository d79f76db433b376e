//===- ActivationStats.cpp - streaming activation statistics --------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/ActivationStats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace mlir::qlip;

//===----------------------------------------------------------------------===//
// MomentAccumulator
//===----------------------------------------------------------------------===//

/// Values per chunk: a chunk is read twice (mean, then central moments), so
/// it should stay in L1/L2 between the passes; merging chunks costs a few
/// dozen flops, nothing next to 4096 values.
static constexpr size_t kChunk = 4096;

namespace {
/// Count, range and central moment sums of one chunk, computed with two
/// passes (exact mean first, so no cancellation).
struct ChunkMoments {
  int64_t n = 0;
  double lo = 0, hi = 0, mean = 0, m2 = 0, m3 = 0, m4 = 0;
};
} // namespace

/// Independent accumulators per pass: the loops are chains of dependent
/// additions (and min/max), so several lanes let them overlap; without
/// -ffast-math the compiler may not reassociate them itself.
static constexpr size_t kLanes = 4;

static ChunkMoments chunkMoments(const float *p, size_t n) {
  ChunkMoments c;
  c.n = int64_t(n);
  float lo[kLanes], hi[kLanes];
  double s[kLanes];
  for (size_t k = 0; k < kLanes; ++k) {
    lo[k] = hi[k] = p[0];
    s[k] = 0;
  }
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t k = 0; k < kLanes; ++k) {
      float v = p[i + k];
      lo[k] = v < lo[k] ? v : lo[k];
      hi[k] = v > hi[k] ? v : hi[k];
      s[k] += double(v);
    }
  }
  for (; i < n; ++i) {
    lo[0] = std::min(lo[0], p[i]);
    hi[0] = std::max(hi[0], p[i]);
    s[0] += double(p[i]);
  }
  c.lo = std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3]));
  c.hi = std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3]));
  c.mean = ((s[0] + s[1]) + (s[2] + s[3])) / double(n);

  double a2[kLanes] = {}, a3[kLanes] = {}, a4[kLanes] = {};
  i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t k = 0; k < kLanes; ++k) {
      double d = double(p[i + k]) - c.mean;
      double d2 = d * d;
      a2[k] += d2;
      a3[k] += d2 * d;
      a4[k] += d2 * d2;
    }
  }
  for (; i < n; ++i) {
    double d = double(p[i]) - c.mean;
    double d2 = d * d;
    a2[0] += d2;
    a3[0] += d2 * d;
    a4[0] += d2 * d2;
  }
  c.m2 = (a2[0] + a2[1]) + (a2[2] + a2[3]);
  c.m3 = (a3[0] + a3[1]) + (a3[2] + a3[3]);
  c.m4 = (a4[0] + a4[1]) + (a4[2] + a4[3]);
  return c;
}

/// Pébay's pairwise update (Pébay 2008, eq. 2.1-2.3; also Chan et al. for
/// M2): the central moment sums of the union of two sets from theirs.
static void mergeMoments(int64_t &n, double &m1, double &m2, double &m3,
                         double &m4, int64_t nb, double mb, double m2b,
                         double m3b, double m4b) {
  if (nb == 0)
    return;
  if (n == 0) {
    n = nb;
    m1 = mb;
    m2 = m2b;
    m3 = m3b;
    m4 = m4b;
    return;
  }
  double na = double(n), nbd = double(nb), nt = na + nbd;
  double delta = mb - m1;
  double dn = delta / nt;
  double dn2 = dn * dn;
  double t1 = delta * dn * na * nbd;
  double newM4 = m4 + m4b + t1 * dn2 * (na * na - na * nbd + nbd * nbd) +
                 6.0 * dn2 * (na * na * m2b + nbd * nbd * m2) +
                 4.0 * dn * (na * m3b - nbd * m3);
  double newM3 =
      m3 + m3b + t1 * dn * (na - nbd) + 3.0 * dn * (na * m2b - nbd * m2);
  m2 = m2 + m2b + t1;
  m3 = newM3;
  m4 = newM4;
  m1 += nbd * dn;
  n += nb;
}

void MomentAccumulator::add(llvm::ArrayRef<float> values) {
  for (size_t start = 0; start < values.size(); start += kChunk) {
    size_t len = std::min(kChunk, values.size() - start);
    ChunkMoments c = chunkMoments(values.data() + start, len);
    lo = n == 0 ? c.lo : std::min(lo, c.lo);
    hi = n == 0 ? c.hi : std::max(hi, c.hi);
    mergeMoments(n, m1, m2, m3, m4, c.n, c.mean, c.m2, c.m3, c.m4);
  }
}

void MomentAccumulator::merge(const MomentAccumulator &other) {
  if (other.n == 0)
    return;
  lo = n == 0 ? other.lo : std::min(lo, other.lo);
  hi = n == 0 ? other.hi : std::max(hi, other.hi);
  mergeMoments(n, m1, m2, m3, m4, other.n, other.m1, other.m2, other.m3,
               other.m4);
}

double MomentAccumulator::stddev() const {
  return n < 2 ? 0.0 : std::sqrt(m2 / double(n - 1));
}

double MomentAccumulator::kurtosis() const {
  return m2 == 0.0 ? 0.0 : double(n) * m4 / (m2 * m2);
}

//===----------------------------------------------------------------------===//
// AbsDeviationAccumulator
//===----------------------------------------------------------------------===//

void AbsDeviationAccumulator::add(llvm::ArrayRef<float> values) {
  // Per-chunk partial sums keep the rounding error of long streams small.
  for (size_t start = 0; start < values.size(); start += kChunk) {
    const float *p = values.data() + start;
    size_t len = std::min(kChunk, values.size() - start);
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
      for (size_t k = 0; k < 4; ++k)
        s[k] += std::fabs(double(p[i + k]) - center);
    for (; i < len; ++i)
      s[0] += std::fabs(double(p[i]) - center);
    sum += (s[0] + s[1]) + (s[2] + s[3]);
  }
  n += int64_t(values.size());
}

void AbsDeviationAccumulator::merge(const AbsDeviationAccumulator &other) {
  assert((other.n == 0 || n == 0 || other.center == center) &&
         "merging absolute deviations around different means");
  if (n == 0)
    center = other.center;
  n += other.n;
  sum += other.sum;
}

double AbsDeviationAccumulator::meanAbsDeviation() const {
  return n == 0 ? 0.0 : sum / double(n);
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

/// Bin indices of aligned grids stay below this magnitude, so that every
/// edge (an integer times a power of two) is an exact double and int64
/// arithmetic on indices cannot overflow.
static constexpr double kMaxIndex = 4503599627370496.0; // 2^52

/// The finest useful width for a constant c: one float ulp (2^-149 for 0 and
/// denormals).
static int constantExponent(double c) {
  if (c == 0.0)
    return -149;
  return std::max(std::ilogb(c) - 23, -149);
}

/// floor(g / 2^k) for any int64 g with |g| < 2^62 (portable: no right shift
/// of negative numbers).
static int64_t floorDivPow2(int64_t g, int k) {
  if (k <= 0)
    return g;
  if (k >= 62)
    return g < 0 ? -1 : 0;
  int64_t d = int64_t(1) << k;
  return g >= 0 ? g / d : -((-g + d - 1) / d);
}

namespace {
/// An aligned placement: bins of width 2^exponent; the values of interest
/// lie in global bins [first, last].
struct Fit {
  int exponent;
  int64_t first, last;
};
} // namespace

/// The smallest exponent >= minExponent such that [min, max] lies in at most
/// `numBins` aligned bins of width 2^exponent. Terminates: the span in bins
/// halves per step, and finite doubles bound the exponent.
static Fit fitRange(double min, double max, int minExponent, unsigned numBins) {
  assert(min <= max && std::isfinite(min) && std::isfinite(max));
  int e = minExponent;
  // Jump close to the answer so huge dynamic ranges take O(1) steps.
  double span = max - min;
  if (span > 0) {
    int guess = std::ilogb(span / double(numBins));
    e = std::max(e, guess);
  }
  for (;; ++e) {
    double first = std::floor(std::ldexp(min, -e));
    double last = std::floor(std::ldexp(max, -e));
    if (std::fabs(first) + numBins > kMaxIndex ||
        std::fabs(last) + numBins > kMaxIndex)
      continue;
    if (last - first + 1 <= double(numBins))
      return {e, int64_t(first), int64_t(last)};
  }
}

Histogram::Histogram(unsigned numBins)
    : counts_(numBins, 0), sums_(numBins, 0.0) {
  assert(numBins >= 2 && "a growing histogram needs at least two bins");
}

Histogram Histogram::fromBins(llvm::ArrayRef<double> edges,
                              llvm::ArrayRef<int64_t> counts) {
  assert(!counts.empty() && edges.size() == counts.size() + 1 &&
         "edges must have one more entry than counts");
  Histogram h(counts.size());
  double lo = edges.front(), hi = edges.back();
  assert(std::isfinite(lo) && std::isfinite(hi) && lo < hi &&
         "histogram edges must be finite and increasing");
  for (size_t i = 0; i < counts.size(); ++i) {
    assert(counts[i] >= 0 && "negative histogram count");
    h.counts_[i] = counts[i];
    h.total_ += counts[i];
  }
  // No sums were stored: each bin's values stand at its center.
  for (size_t i = 0; i < counts.size(); ++i)
    h.sums_[i] = double(counts[i]) * 0.5 * (edges[i] + edges[i + 1]);
  size_t n = counts.size();
  // Aligned if the width is a power of two and the edges integer multiples
  // of it, as in every histogram built by add().
  double width = (hi - lo) / double(n);
  int exponent = std::ilogb(width);
  double base = std::ldexp(lo, -exponent);
  if (std::ldexp(1.0, exponent) == width && base == std::floor(base) &&
      std::fabs(base) + double(n) <= kMaxIndex &&
      std::ldexp(base + double(n), exponent) == hi) {
    h.setAligned(exponent, int64_t(base));
    return h;
  }
  h.lo_ = lo;
  h.hi_ = hi;
  h.width_ = width;
  return h;
}

void Histogram::setAligned(int exponent, int64_t base) {
  aligned_ = true;
  exponent_ = exponent;
  base_ = base;
  width_ = std::ldexp(1.0, exponent);
  invWidth_ = std::ldexp(1.0, -exponent);
  lo_ = std::ldexp(double(base), exponent);
  hi_ = std::ldexp(double(base + int64_t(counts_.size())), exponent);
}

double Histogram::lowerEdge(int64_t bin) const {
  if (aligned_)
    return std::ldexp(double(base_ + bin), exponent_);
  return lo_ + double(bin) * width_;
}

llvm::SmallVector<double> Histogram::edges() const {
  llvm::SmallVector<double> e;
  if (!hasRange())
    return e;
  size_t n = counts_.size();
  e.reserve(n + 1);
  for (size_t i = 0; i < n; ++i)
    e.push_back(lowerEdge(i));
  e.push_back(hi_);
  return e;
}

/// The bin of x in [lo, hi) on the aligned grid (2^-e, base): x * 2^-e is
/// exact, and so is its floor, taken with an int64 conversion instead of a
/// libm call. Subtracting lo first would round values just below an edge up
/// onto it (e.g. -1e-30 - (-1024) == 1024).
static inline int64_t binOf(double x, double invWidth, int64_t base) {
  double t = x * invWidth;
  int64_t i = int64_t(t);
  i -= double(i) > t;
  return i - base;
}

int64_t Histogram::alignedBin(double x) const {
  return binOf(x, invWidth_, base_);
}

void Histogram::initRange(double min, double max) {
  unsigned n = counts_.size();
  int start =
      min == max ? constantExponent(min) : std::ilogb((max - min) / double(n));
  Fit fit = fitRange(min, max, start, n);
  int64_t spare = int64_t(n) - (fit.last - fit.first + 1);
  std::fill(counts_.begin(), counts_.end(), 0);
  std::fill(sums_.begin(), sums_.end(), 0.0);
  setAligned(fit.exponent, fit.first - spare / 2);
}

/// Moves the counts onto the aligned grid (exponent, base), which must be at
/// least as coarse and hold every non-empty bin: each old bin falls in
/// exactly one new bin.
void Histogram::regrid(int exponent, int64_t base) {
  assert(aligned_ && exponent >= exponent_);
  int k = exponent - exponent_;
  scratch_.assign(counts_.size(), 0);
  scratchSums_.assign(counts_.size(), 0.0);
  for (size_t j = 0; j < counts_.size(); ++j) {
    if (!counts_[j])
      continue;
    int64_t bin = floorDivPow2(base_ + int64_t(j), k) - base;
    assert(bin >= 0 && bin < int64_t(counts_.size()));
    scratch_[bin] += counts_[j];
    scratchSums_[bin] += sums_[j];
  }
  counts_.swap(scratch_);
  sums_.swap(scratchSums_);
  setAligned(exponent, base);
}

/// Grows (or shifts) the aligned range so it holds [min, max] as well as
/// every non-empty bin, at a width of at least 2^minExponent.
void Histogram::growToInclude(double min, double max, int minExponent) {
  assert(aligned_ && minExponent >= exponent_);
  bool grewLeft = min < lo_, grewRight = max >= hi_;
  auto first = std::find_if(counts_.begin(), counts_.end(),
                            [](int64_t c) { return c != 0; });
  if (first != counts_.end()) {
    auto last = std::find_if(counts_.rbegin(), counts_.rend(),
                             [](int64_t c) { return c != 0; });
    min = std::min(min, lowerEdge(first - counts_.begin()));
    max = std::max(max, lowerEdge(counts_.rend() - last - 1));
  }
  unsigned n = counts_.size();
  Fit fit = fitRange(min, max, minExponent, n);
  int64_t spare = int64_t(n) - (fit.last - fit.first + 1);
  // Leave the spare bins where the data grew: more is likely to come there.
  int64_t left = grewLeft == grewRight ? spare / 2 : grewLeft ? spare : 0;
  regrid(fit.exponent, fit.first - left);
}

/// Re-bins a non-aligned histogram (from fromBins()) by bin center onto an
/// aligned grid of about the same width.
void Histogram::realign() {
  assert(!aligned_ && hasRange());
  std::vector<int64_t> old;
  std::vector<double> oldSums;
  old.swap(counts_);
  oldSums.swap(sums_);
  counts_.assign(old.size(), 0);
  sums_.assign(old.size(), 0.0);
  double oldLo = lo_, oldWidth = width_;
  auto center = [&](size_t j) { return oldLo + (double(j) + 0.5) * oldWidth; };
  double min = std::numeric_limits<double>::infinity(), max = -min;
  for (size_t j = 0; j < old.size(); ++j) {
    if (old[j]) {
      min = std::min(min, center(j));
      max = std::max(max, center(j));
    }
  }
  if (!(min <= max)) { // no counts: forget the range
    aligned_ = false;
    lo_ = hi_ = width_ = 0;
    return;
  }
  unsigned n = counts_.size();
  Fit fit = fitRange(min, max, std::ilogb(oldWidth), n);
  int64_t spare = int64_t(n) - (fit.last - fit.first + 1);
  setAligned(fit.exponent, fit.first - spare / 2);
  for (size_t j = 0; j < old.size(); ++j)
    if (old[j])
      addCount(center(j), old[j], oldSums[j]);
}

void Histogram::addCount(double x, int64_t count, double sum) {
  int64_t bin = alignedBin(x);
  counts_[bin] += count;
  sums_[bin] += sum;
}

void Histogram::add(llvm::ArrayRef<float> values) {
  if (values.empty())
    return;
  if (hasRange() && !aligned_)
    realign();
  if (total_ == 0) {
    // The first batch with a finite value sets the range.
    float min = std::numeric_limits<float>::infinity(), max = -min;
    for (float f : values) {
      if (std::isfinite(f)) {
        min = std::min(min, f);
        max = std::max(max, f);
      }
    }
    if (!(min <= max))
      return;
    initRange(min, max);
  }

  // Hot loop: one compare pair, an exact multiply, an increment and an
  // addition per value. Values outside only update a range; they are binned in a second
  // pass once the range has grown.
  double lo = lo_, hi = hi_;
  double outMin = std::numeric_limits<double>::infinity(), outMax = -outMin;
  int64_t skipped = 0;
  // Locals: the increments through `counts` could otherwise alias them.
  int64_t *counts = counts_.data();
  double *sums = sums_.data();
  double invWidth = invWidth_;
  int64_t base = base_;
  for (float f : values) {
    double x = f;
    if (x >= lo && x < hi) {
      int64_t bin = binOf(x, invWidth, base);
      ++counts[bin];
      sums[bin] += x;
    } else if (std::isfinite(x)) {
      outMin = std::min(outMin, x);
      outMax = std::max(outMax, x);
    } else {
      ++skipped;
    }
  }
  total_ += int64_t(values.size()) - skipped;
  if (!(outMin <= outMax))
    return;

  growToInclude(outMin, outMax, exponent_);
  counts = counts_.data();
  sums = sums_.data();
  invWidth = invWidth_;
  base = base_;
  for (float f : values) {
    double x = f;
    if (!(x >= lo && x < hi) && std::isfinite(x)) {
      int64_t bin = binOf(x, invWidth, base);
      ++counts[bin];
      sums[bin] += x;
    }
  }
}

void Histogram::merge(const Histogram &other) {
  if (other.total_ == 0)
    return;
  if (hasRange() && !aligned_)
    realign();
  unsigned n = counts_.size();

  // The span of the other's counts, and the exponent they can be merged at.
  size_t first = 0, last = other.counts_.size() - 1;
  while (!other.counts_[first])
    ++first;
  while (!other.counts_[last])
    --last;
  bool nested = other.aligned_;
  double otherWidth = other.width_;
  auto point = [&](size_t j) {
    // Aligned: the lower edge identifies the bin exactly. Otherwise the bin
    // center stands for the bin.
    return nested ? other.lowerEdge(j)
                  : other.lo_ + (double(j) + 0.5) * otherWidth;
  };
  double min = point(first), max = point(last);

  if (total_ == 0) {
    int start = nested ? other.exponent_ : std::ilogb(otherWidth);
    Fit fit = fitRange(min, max, start, n);
    int64_t spare = int64_t(n) - (fit.last - fit.first + 1);
    std::fill(counts_.begin(), counts_.end(), 0);
    setAligned(fit.exponent, fit.first - spare / 2);
  }
  // The other's bins nest in ours once ours are at least as wide.
  int minExponent = nested ? std::max(exponent_, other.exponent_) : exponent_;
  if (minExponent > exponent_ || min < lo_ || max >= hi_)
    growToInclude(min, max, minExponent);
  for (size_t j = first; j <= last; ++j)
    if (other.counts_[j])
      addCount(point(j), other.counts_[j], other.sums_[j]);
  total_ += other.total_;
}

double Histogram::meanAbsDeviation(double center, double *errorBound) const {
  if (errorBound)
    *errorBound = 0;
  if (total_ == 0)
    return 0;
  // Bins entirely above the center contribute sum - count * center, bins
  // entirely below count * center - sum: exact. In the bin [a, b) holding
  // the center the values' deviations are unknown but bounded: their sum
  // is at least |sum - count * center| (all on one side) and at most what
  // the values could deviate with this count and sum inside [a, b).
  double total = 0, slack = 0;
  size_t n = counts_.size();
  for (size_t j = 0; j < n; ++j) {
    if (!counts_[j])
      continue;
    double a = lowerEdge(j), b = j + 1 < n ? lowerEdge(j + 1) : hi_;
    double count = double(counts_[j]), sum = sums_[j];
    if (a >= center) {
      total += sum - count * center;
    } else if (b <= center) {
      total += count * center - sum;
    } else {
      double least = std::fabs(sum - count * center);
      // The most: every value at a or b with the given sum, i.e. k at b
      // and count - k at a with k = (sum - count * a) / (b - a).
      double k = std::clamp((sum - count * a) / (b - a), 0.0, count);
      double most = k * (b - center) + (count - k) * (center - a);
      most = std::max(most, least);
      total += 0.5 * (least + most);
      slack += 0.5 * (most - least);
    }
  }
  if (errorBound)
    *errorBound = slack / double(total_);
  return std::max(total, 0.0) / double(total_);
}
