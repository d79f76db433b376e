//===- ActivationStats.h - streaming activation statistics ------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What calibration gathers per observer, batch by batch, in memory that does
// not grow with the data: moments and range (one pass), the exact mean
// absolute deviation around the mean (a second pass, once the mean is known),
// and a histogram whose range grows as batches arrive.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_ACTIVATIONSTATS_H
#define QLIP_CALIBRATION_ACTIVATIONSTATS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace mlir::qlip {

/// Count, range and the first four central moments of a stream of values,
/// updated per batch and mergeable (Pébay's parallel formulas), accumulated
/// in double. NaN and infinities must be rejected by the caller first.
class MomentAccumulator {
public:
  /// Adds a batch of values.
  void add(llvm::ArrayRef<float> values);
  /// Adds what another accumulator saw, as if its values had been added.
  void merge(const MomentAccumulator &other);

  int64_t count() const { return n; }
  double min() const { return lo; }
  double max() const { return hi; }
  double mean() const { return m1; }
  /// Unbiased standard deviation (n - 1), 0 for fewer than two values.
  double stddev() const;
  /// Fourth standardized moment (not excess): 3 for a Gaussian, 6 for a
  /// Laplace; 0 when the values are constant.
  double kurtosis() const;

private:
  int64_t n = 0;
  double lo = 0, hi = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0;
};

/// E|x - mean| for a known mean: the second calibration pass, exact (ACIQ's
/// Laplace b), mergeable.
class AbsDeviationAccumulator {
public:
  explicit AbsDeviationAccumulator(double mean) : center(mean) {}
  void add(llvm::ArrayRef<float> values);
  /// `other` must be centred on the same mean (asserted).
  void merge(const AbsDeviationAccumulator &other);
  int64_t count() const { return n; }
  double mean() const { return center; }
  /// 0 before any value.
  double meanAbsDeviation() const;

private:
  double center;
  int64_t n = 0;
  double sum = 0;
};

/// A histogram of `numBins` equal bins over [lo, hi) whose range grows as
/// batches arrive, in memory proportional to the bins (no value is kept).
///
/// Bins are aligned: the width is a power of two, 2^e, and every edge is an
/// integer multiple of it, so the bin of a value is floor(x / 2^e) - base,
/// computed exactly. Growing never interpolates: when values fall outside,
/// the width is multiplied by the smallest power of two 2^k that lets one
/// range of `numBins` bins hold the occupied bins and the new values, and
/// aligned groups of 2^k bins merge (k = 1: adjacent pairs), so every count
/// stays exact at a coarser width; the spare bins go to the side the new
/// values fell on (k may be 0: the range only shifts). Hence the counts
/// always equal a histogram of all the values added at the final edges, and
/// the total always equals the number of (finite) values added. Values added
/// by add() lie in [lo, hi): a value equal to hi grows the range.
///
/// The first batch sets the range: the smallest aligned width whose
/// `numBins` bins cover [min, max], the data centred. A constant first batch
/// c gets bins one float ulp of c wide (2^-149 for c = 0) around c, the
/// finest resolution float data can use; later batches grow from there in
/// O(numBins) per growth.
///
/// Each bin also holds the sum of its values (in double, exact bin
/// membership as for the counts), so the mean absolute deviation around any
/// center is known exactly up to the one bin holding the center:
/// meanAbsDeviation(). Histograms read back with fromBins() have no sums;
/// their bins stand at their centers.
class Histogram {
public:
  /// `numBins` >= 2 (growing halves the resolution by merging bin pairs);
  /// calibration uses the default 2048 or more.
  explicit Histogram(unsigned numBins = 2048);
  /// A histogram from stored bins (e.g. a stats file); `edges` has one more
  /// entry than `counts`, is increasing and equally spaced. Edges written
  /// from an aligned histogram come back aligned (exact further add() and
  /// merge()); other edges are kept as given, and the first add() or merge()
  /// re-bins their counts by bin center onto an aligned grid.
  static Histogram fromBins(llvm::ArrayRef<double> edges,
                            llvm::ArrayRef<int64_t> counts);

  /// Adds a batch of values. NaN and infinities are skipped (the caller is
  /// expected to have rejected them). One pass over the batch, no
  /// allocation, unless a value falls outside the range (then the range
  /// grows, a second pass bins those values, and the first growth ever
  /// sizes a re-binning buffer).
  void add(llvm::ArrayRef<float> values);
  /// Adds another histogram's counts (re-binned exactly when the bins
  /// nest, as they always do between histograms built by add(); else by bin
  /// center).
  void merge(const Histogram &other);

  unsigned numBins() const { return counts_.size(); }
  int64_t total() const { return total_; }
  bool empty() const { return total_ == 0; }
  /// Both 0 before the first value.
  double lo() const { return lo_; }
  double hi() const { return hi_; }
  /// 0 before the first value.
  double binWidth() const { return width_; }
  /// numBins() + 1 edges; empty before the first value.
  llvm::SmallVector<double> edges() const;
  llvm::ArrayRef<int64_t> counts() const { return counts_; }
  /// The sum of the values in each bin (numBins() entries).
  llvm::ArrayRef<double> sums() const { return sums_; }

  /// E|x - center| over the values added, from the per-bin counts and sums:
  /// exact for every bin that lies on one side of `center`; the bin holding
  /// `center` contributes the midpoint of what its count and sum allow.
  /// `errorBound`, if given, receives the largest possible error (at most
  /// half that bin's count times its width, over the total). 0 before any
  /// value.
  double meanAbsDeviation(double center, double *errorBound = nullptr) const;

private:
  bool hasRange() const { return width_ > 0; }
  double lowerEdge(int64_t bin) const;
  int64_t alignedBin(double x) const;
  void initRange(double min, double max);
  void setAligned(int exponent, int64_t base);
  void growToInclude(double min, double max, int minExponent);
  void regrid(int exponent, int64_t base);
  void realign();
  void addCount(double x, int64_t count, double sum);

  double lo_ = 0, hi_ = 0, width_ = 0;
  int64_t total_ = 0;
  std::vector<int64_t> counts_;
  std::vector<double> sums_;
  /// Aligned grids: edges are (base_ + i) * 2^exponent_ and invWidth_ is
  /// 2^-exponent_, so both the edges and the bin of a value are exact.
  bool aligned_ = false;
  int exponent_ = 0;
  int64_t base_ = 0;
  double invWidth_ = 0;
  /// Re-binning buffers, sized on the first growth.
  std::vector<int64_t> scratch_;
  std::vector<double> scratchSums_;
};

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_ACTIVATIONSTATS_H
