//===- LayerInputs.h - second moments of a layer's input --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What a layer's weights multiply: the patches of its input (a convolution)
// or its input's rows (a matmul). GPTQ and the choice of a weight's clip by
// the error it causes at the layer's output need the patches' second
// moment H = E[x x^T]: the output error of a weight row w quantized to q is
// (w - q)^T H (w - q) per output value.
//
// LayerInputMoments gathers H from calibration activations as they stream
// past (one call per batch, samples NHWC), without keeping them. Rows are
// subsampled evenly (every s-th patch in stream order) to at most
// `maxRows`, so the cost is bounded on large images; the choice of rows is
// deterministic.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CALIBRATION_LAYERINPUTS_H
#define QLIP_CALIBRATION_LAYERINPUTS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mlir::qlip {

/// How a layer takes patches from one sample of its input, NHWC without
/// the N. A matmul's input is `height` rows of `channels`, with a 1x1
/// kernel. A depthwise layer has one patch per channel (`kernelH *
/// kernelW` values) and one H per channel.
struct PatchGeometry {
  int64_t height = 1, width = 1, channels = 1;
  int64_t kernelH = 1, kernelW = 1;
  int64_t strideH = 1, strideW = 1;
  int64_t dilationH = 1, dilationW = 1;
  int64_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  bool depthwise = false;

  int64_t outHeight() const;
  int64_t outWidth() const;
  /// Values of one sample.
  int64_t sampleSize() const { return height * width * channels; }
  /// Patches per sample.
  int64_t patchesPerSample() const { return outHeight() * outWidth(); }
  /// Values per patch (in weight order: kernel row, column, channel).
  int64_t patchSize() const {
    return kernelH * kernelW * (depthwise ? 1 : channels);
  }
  /// Independent H: the channels of a depthwise layer, else 1.
  int64_t groups() const { return depthwise ? channels : 1; }
  /// Whether the sizes are positive and the output is not empty.
  bool isValid() const;
};

class LayerInputMoments {
public:
  /// `expectedSamples` is how many samples will be added in all (it sets
  /// the subsampling stride so that about `maxRows` patches are taken).
  LayerInputMoments(const PatchGeometry &geometry, int64_t expectedSamples,
                    int64_t maxRows);

  /// Adds whole samples: `values.size()` a multiple of the sample size.
  void addSamples(llvm::ArrayRef<float> values);

  const PatchGeometry &getGeometry() const { return geometry; }
  /// Patches taken so far (per group).
  int64_t getRows() const { return rows; }
  /// E[x x^T] per group, groups() x K x K row-major, symmetric; zero when
  /// no row was taken.
  std::vector<double> secondMoment();

  /// E[x] per group over the same patches, groups() x K; zero when no row
  /// was taken. With it, the error a rounding leaves at the layer's output
  /// splits into a mean, which the bias can absorb, and the rest.
  std::vector<double> firstMoment();

private:
  void flush();

  PatchGeometry geometry;
  int64_t patchSize, groups;
  int64_t stride = 1;
  int64_t seen = 0, rows = 0;
  /// Pending patches, [block row][group][k].
  std::vector<float> block;
  int64_t blockRows = 0;
  /// Lower triangles, accumulated in double.
  std::vector<double> sums;
  /// Each group's sum of patches, in double.
  std::vector<double> patchSums;
};

} // namespace mlir::qlip

#endif // QLIP_CALIBRATION_LAYERINPUTS_H
