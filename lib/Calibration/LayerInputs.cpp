//===- LayerInputs.cpp - second moments of a layer's input ------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Calibration/LayerInputs.h"

#include "MultiplyAdd.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cassert>

using namespace mlir::qlip;

int64_t PatchGeometry::outHeight() const {
  int64_t span = (kernelH - 1) * dilationH + 1;
  int64_t padded = height + padTop + padBottom;
  return padded < span || strideH <= 0 ? 0 : (padded - span) / strideH + 1;
}

int64_t PatchGeometry::outWidth() const {
  int64_t span = (kernelW - 1) * dilationW + 1;
  int64_t padded = width + padLeft + padRight;
  return padded < span || strideW <= 0 ? 0 : (padded - span) / strideW + 1;
}

bool PatchGeometry::isValid() const {
  for (int64_t v : {height, width, channels, kernelH, kernelW, strideH,
                    strideW, dilationH, dilationW})
    if (v <= 0)
      return false;
  for (int64_t v : {padTop, padBottom, padLeft, padRight})
    if (v < 0)
      return false;
  return outHeight() > 0 && outWidth() > 0;
}

/// Patches are multiplied into the sums this many at a time: the block
/// (rows x K floats) stays in cache while each row of the sums is updated.
static constexpr int64_t kBlockRows = 64;

LayerInputMoments::LayerInputMoments(const PatchGeometry &geometry,
                                     int64_t expectedSamples, int64_t maxRows)
    : geometry(geometry), patchSize(geometry.patchSize()),
      groups(geometry.groups()) {
  int64_t expected = std::max<int64_t>(expectedSamples, 1) *
                     geometry.patchesPerSample();
  if (maxRows > 0)
    stride = std::max<int64_t>(1, (expected + maxRows - 1) / maxRows);
  block.assign(kBlockRows * groups * patchSize, 0.0f);
  sums.assign(groups * patchSize * patchSize, 0.0);
  patchSums.assign(groups * patchSize, 0.0);
}

void LayerInputMoments::addSamples(llvm::ArrayRef<float> values) {
  const PatchGeometry &g = geometry;
  int64_t sampleSize = g.sampleSize();
  assert(sampleSize > 0 && values.size() % sampleSize == 0 &&
         "whole samples expected");
  int64_t outH = g.outHeight(), outW = g.outWidth();
  int64_t channels = g.channels;
  for (size_t base = 0; base + sampleSize <= values.size();
       base += sampleSize) {
    const float *sample = values.data() + base;
    for (int64_t oy = 0; oy < outH; ++oy)
      for (int64_t ox = 0; ox < outW; ++ox) {
        if (seen++ % stride != 0)
          continue;
        float *row = block.data() + blockRows * groups * patchSize;
        // Patch element (ky, kx, c): for a depthwise layer group c's
        // element ky * kW + kx; otherwise element (ky * kW + kx) * C + c.
        for (int64_t ky = 0; ky < g.kernelH; ++ky) {
          int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
          for (int64_t kx = 0; kx < g.kernelW; ++kx) {
            int64_t ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
            int64_t tap = ky * g.kernelW + kx;
            bool inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width;
            const float *pixel =
                inside ? sample + (iy * g.width + ix) * channels : nullptr;
            for (int64_t c = 0; c < channels; ++c) {
              float v = inside ? pixel[c] : 0.0f;
              if (g.depthwise)
                row[c * patchSize + tap] = v;
              else
                row[tap * channels + c] = v;
            }
          }
        }
        ++rows;
        if (++blockRows == kBlockRows)
          flush();
      }
  }
}

void LayerInputMoments::flush() {
  int64_t k = patchSize;
  std::vector<double> widened(blockRows * k);
  for (int64_t group = 0; group < groups; ++group) {
    double *sum = sums.data() + group * k * k;
    double *patchSum = patchSums.data() + group * k;
    for (int64_t r = 0; r < blockRows; ++r) {
      const float *x = block.data() + (r * groups + group) * k;
      std::copy(x, x + k, widened.begin() + r * k);
      for (int64_t i = 0; i < k; ++i)
        patchSum[i] += x[i];
    }
    // Rows i to i + 3 of the lower triangle at once (up to the last one's
    // diagonal: the upper triangle is scratch), eight patches a pass:
    // out_i += x_i * x, each patch added in patch order, so no sum is
    // reassociated.
    for (int64_t i = 0; i < k; i += kGroup) {
      int64_t rows = std::min(kGroup, k - i);
      double *out[kGroup];
      for (int64_t r = 0; r < rows; ++r)
        out[r] = sum + (i + r) * k;
      for (int64_t p = 0; p < blockRows; p += kTerms) {
        int64_t terms = std::min<int64_t>(kTerms, blockRows - p);
        double c[kGroup][kTerms];
        const double *x[kTerms];
        for (int64_t t = 0; t < terms; ++t) {
          x[t] = widened.data() + (p + t) * k;
          for (int64_t r = 0; r < rows; ++r)
            c[r][t] = x[t][i + r];
        }
        addProducts(out, rows, c, x, terms, i + rows);
      }
    }
  }
  blockRows = 0;
}

std::vector<double> LayerInputMoments::secondMoment() {
  flush();
  int64_t k = patchSize;
  std::vector<double> result(sums.size(), 0.0);
  if (rows == 0)
    return result;
  double inv = 1.0 / static_cast<double>(rows);
  for (int64_t group = 0; group < groups; ++group) {
    const double *sum = sums.data() + group * k * k;
    double *out = result.data() + group * k * k;
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j <= i; ++j)
        out[i * k + j] = out[j * k + i] = sum[i * k + j] * inv;
  }
  return result;
}

std::vector<double> LayerInputMoments::firstMoment() {
  flush();
  std::vector<double> result(patchSums.size(), 0.0);
  if (rows == 0)
    return result;
  double inv = 1.0 / static_cast<double>(rows);
  for (auto [out, sum] : llvm::zip_equal(result, patchSums))
    out = sum * inv;
  return result;
}
