//===- Images.h - a folder of images as model inputs ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Turns a folder of images into one f32 array of model inputs, the way
// torchvision's classic evaluation transform does:
//
//  1. every file ending in .png, .jpg, .jpeg, .ppm or .pgm (any case),
//     sorted by name, decoded to 8-bit RGB or gray (PNG's alpha dropped,
//     16-bit samples scaled down); other files are ignored;
//  2. channels: a 1-channel model takes the luminance
//     (0.299 R + 0.587 G + 0.114 B), a 3-channel model RGB (a gray image
//     repeated);
//  3. size: with `resizeShorter` S, the shorter side is resized to S
//     (aspect kept) and the centre H x W cropped; without, the image is
//     resized to H x W. Resizing is bilinear with half-pixel centres (as
//     PIL and torchvision without antialiasing);
//  4. values: x * scale (1/255: [0, 1]), then (x - mean[c]) / std[c];
//  5. layout: NCHW or NHWC, as the model's input is.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_RUNTIME_IMAGES_H
#define QLIP_RUNTIME_IMAGES_H

#include "qlip/Runtime/Npy.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::qlip {

/// An 8-bit image, rows top to bottom, channels interleaved.
struct Image {
  int64_t width = 0, height = 0;
  /// 1 (gray) or 3 (RGB).
  int64_t channels = 0;
  std::vector<uint8_t> pixels;
};

/// Decodes a PNG, JPEG, PPM (P6) or PGM (P5) file, told apart by content.
/// Errors name the file and what is wrong with it.
llvm::Expected<Image> readImage(llvm::StringRef path);

enum class ImageLayout { Auto, NCHW, NHWC };

/// How images become model inputs (steps 2-5 above).
struct ImagePreprocessing {
  /// 0: resize straight to the model's size.
  int64_t resizeShorter = 0;
  double scale = 1.0 / 255.0;
  /// One value for every channel, or one per channel.
  llvm::SmallVector<double> mean{0.0};
  llvm::SmallVector<double> std{1.0};
  /// Auto: NCHW when dim 1 is 1 or 3 and the last dim is not, else NHWC.
  ImageLayout layout = ImageLayout::Auto;
};

/// The layout of a model input of `shape` ([N, C, H, W] or [N, H, W, C])
/// under `layout`, or an error when the input is not an image (rank 4 with
/// 1 or 3 channels).
llvm::Expected<ImageLayout> resolveImageLayout(llvm::ArrayRef<int64_t> shape,
                                               ImageLayout layout);

/// One image preprocessed into `out`, which has the model input's shape
/// without the batch dimension in `layout` (NCHW or NHWC).
llvm::Error preprocessImage(const Image &image,
                            const ImagePreprocessing &options,
                            llvm::ArrayRef<int64_t> sampleShape,
                            ImageLayout layout, llvm::MutableArrayRef<float> out);

/// Every image of `dir` (sorted by name), preprocessed for a model input of
/// `inputShape` (its dim 0, the batch, is ignored): an f32 array
/// [images, ...]. Fails naming the folder when it holds no image, and
/// naming the file when one cannot be read.
llvm::Expected<NpyArray> readImageFolder(llvm::StringRef dir,
                                         llvm::ArrayRef<int64_t> inputShape,
                                         const ImagePreprocessing &options);

} // namespace mlir::qlip

#endif // QLIP_RUNTIME_IMAGES_H
