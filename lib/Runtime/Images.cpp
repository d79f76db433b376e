//===- Images.cpp - a folder of images as model inputs ----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Images.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <png.h>
// jpeglib.h needs FILE and size_t declared first.
#include <cstdio>
#include <csetjmp>
#include <jpeglib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

using namespace mlir;
using namespace mlir::qlip;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Images larger than this are refused before decoding: 2^28 pixels (a
/// 16384 x 16384 photograph) is far beyond what a model resizes from, and
/// a corrupt header must not allocate gigabytes.
static constexpr uint64_t kMaxPixels = uint64_t(1) << 28;

static llvm::Error checkSize(llvm::StringRef path, uint64_t width,
                             uint64_t height) {
  if (width == 0 || height == 0)
    return makeError(path + ": the image is empty (" + llvm::Twine(width) +
                     " x " + llvm::Twine(height) + ")");
  if (width * height > kMaxPixels)
    return makeError(path + ": the image is too large (" + llvm::Twine(width) +
                     " x " + llvm::Twine(height) + " pixels)");
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Decoders
//===----------------------------------------------------------------------===//

static llvm::Expected<Image> decodePng(llvm::StringRef path,
                                       llvm::StringRef bytes) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    return makeError(path + ": not a readable PNG: " + png.message);
  if (llvm::Error error = checkSize(path, png.width, png.height)) {
    png_image_free(&png);
    return std::move(error);
  }
  bool gray = (png.format & PNG_FORMAT_FLAG_COLOR) == 0;
  png.format = gray ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  Image image;
  image.width = png.width;
  image.height = png.height;
  image.channels = gray ? 1 : 3;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  // A transparent image is composed over black, which is what dropping
  // alpha means for premultiplied pixels.
  if (!png_image_finish_read(&png, /*background=*/nullptr,
                             image.pixels.data(), /*row_stride=*/0,
                             /*colormap=*/nullptr))
    return makeError(path + ": corrupt PNG: " + png.message);
  return image;
}

namespace {
/// libjpeg reports errors through a callback that must not return: it
/// jumps back to the decoder with the message.
struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};
} // namespace

static void jpegErrorExit(j_common_ptr info) {
  auto *error = reinterpret_cast<JpegError *>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

static llvm::Expected<Image> decodeJpeg(llvm::StringRef path,
                                        llvm::StringRef bytes) {
  jpeg_decompress_struct info;
  JpegError error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = jpegErrorExit;
  // Warnings (a corrupt but decodable stream) are not errors.
  error.manager.output_message = [](j_common_ptr) {};
  // The image lives on the heap behind a pointer that does not change
  // after setjmp: locals changed between setjmp and longjmp are
  // indeterminate after the jump.
  auto image = std::make_unique<Image>();
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    return makeError(path + ": corrupt JPEG: " + error.message);
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char *>(bytes.data()),
               bytes.size());
  jpeg_read_header(&info, TRUE);
  bool gray = info.num_components == 1;
  info.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
  if (llvm::Error error =
          checkSize(path, info.image_width, info.image_height)) {
    jpeg_destroy_decompress(&info);
    return std::move(error);
  }
  jpeg_start_decompress(&info);
  image->channels = info.output_components;
  image->width = info.output_width;
  image->height = info.output_height;
  image->pixels.resize(size_t(image->width) * image->height * image->channels);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image->pixels.data() + size_t(info.output_scanline) *
                                              image->width * image->channels;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return std::move(*image);
}

/// Netpbm's binary gray (P5) and colour (P6) maps: a header of
/// whitespace-separated numbers with `#` comments, then the samples.
static llvm::Expected<Image> decodeNetpbm(llvm::StringRef path,
                                          llvm::StringRef bytes) {
  size_t pos = 2;
  auto readNumber = [&]() -> std::optional<uint64_t> {
    while (pos < bytes.size()) {
      if (bytes[pos] == '#') {
        while (pos < bytes.size() && bytes[pos] != '\n')
          ++pos;
      } else if (llvm::isSpace(bytes[pos])) {
        ++pos;
      } else {
        break;
      }
    }
    size_t start = pos;
    while (pos < bytes.size() && llvm::isDigit(bytes[pos]) && pos - start < 9)
      ++pos;
    uint64_t value;
    if (start == pos || bytes.slice(start, pos).getAsInteger(10, value))
      return std::nullopt;
    return value;
  };
  std::optional<uint64_t> width = readNumber(), height = readNumber(),
                          maxValue = readNumber();
  if (!width || !height || !maxValue || pos >= bytes.size() ||
      !llvm::isSpace(bytes[pos]) || *maxValue == 0 || *maxValue > 65535)
    return makeError(path + ": malformed PPM/PGM header");
  ++pos; // The one whitespace byte before the samples.
  if (llvm::Error error = checkSize(path, *width, *height))
    return std::move(error);
  Image image;
  image.width = *width;
  image.height = *height;
  image.channels = bytes[1] == '5' ? 1 : 3;
  size_t samples = size_t(*width) * *height * image.channels;
  size_t sampleBytes = *maxValue > 255 ? 2 : 1;
  if (bytes.size() - pos < samples * sampleBytes)
    return makeError(path + ": truncated: " + llvm::Twine(samples) +
                     " samples expected");
  image.pixels.resize(samples);
  const auto *data = reinterpret_cast<const uint8_t *>(bytes.data() + pos);
  for (size_t i = 0; i < samples; ++i) {
    // 16-bit samples are big-endian.
    uint64_t value = sampleBytes == 2 ? (uint64_t(data[2 * i]) << 8) |
                                            data[2 * i + 1]
                                      : data[i];
    image.pixels[i] = uint8_t(
        std::min<uint64_t>(255, (value * 255 + *maxValue / 2) / *maxValue));
  }
  return image;
}

llvm::Expected<Image> mlir::qlip::readImage(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.starts_with("\x89PNG\r\n\x1a\n"))
    return decodePng(path, bytes);
  if (bytes.starts_with("\xff\xd8\xff"))
    return decodeJpeg(path, bytes);
  if (bytes.starts_with("P5") || bytes.starts_with("P6"))
    return decodeNetpbm(path, bytes);
  return makeError(path +
                   ": not a PNG, JPEG or binary PPM/PGM image (by content)");
}

//===----------------------------------------------------------------------===//
// Preprocessing
//===----------------------------------------------------------------------===//

llvm::Expected<ImageLayout>
mlir::qlip::resolveImageLayout(llvm::ArrayRef<int64_t> shape,
                               ImageLayout layout) {
  if (shape.size() != 4)
    return makeError("the model's input " + formatArrayShape(shape) +
                     " is not an image batch (rank 4, [N, C, H, W] or "
                     "[N, H, W, C])");
  auto isChannels = [](int64_t dim) { return dim == 1 || dim == 3; };
  if (layout == ImageLayout::Auto)
    layout = isChannels(shape[1]) && !isChannels(shape[3]) ? ImageLayout::NCHW
                                                            : ImageLayout::NHWC;
  int64_t channels = layout == ImageLayout::NCHW ? shape[1] : shape[3];
  if (!isChannels(channels))
    return makeError("the model's input " + formatArrayShape(shape) + " has " +
                     llvm::Twine(channels) + " channels in " +
                     (layout == ImageLayout::NCHW ? "NCHW" : "NHWC") +
                     "; images give 1 (gray) or 3 (RGB)");
  return layout;
}

namespace {
/// Bilinear sampling with half-pixel centres: channel `c` at pixel (x, y)
/// of the window at (`left`, `top`) of the image scaled by 1 / `scaleX`,
/// 1 / `scaleY`.
struct Resampler {
  const Image &image;
  double scaleX, scaleY;
  int64_t left, top;

  float sample(int64_t x, int64_t y, int64_t c) const {
    double sx = (double(x + left) + 0.5) * scaleX - 0.5;
    double sy = (double(y + top) + 0.5) * scaleY - 0.5;
    sx = std::clamp(sx, 0.0, double(image.width - 1));
    sy = std::clamp(sy, 0.0, double(image.height - 1));
    int64_t x0 = int64_t(sx), y0 = int64_t(sy);
    int64_t x1 = std::min(x0 + 1, image.width - 1);
    int64_t y1 = std::min(y0 + 1, image.height - 1);
    double fx = sx - x0, fy = sy - y0;
    auto at = [&](int64_t px, int64_t py) {
      return double(image.pixels[(py * image.width + px) * image.channels + c]);
    };
    double upper = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
    double lower = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
    return float(upper * (1 - fy) + lower * fy);
  }
};
} // namespace

llvm::Error mlir::qlip::preprocessImage(const Image &image,
                                        const ImagePreprocessing &options,
                                        llvm::ArrayRef<int64_t> sampleShape,
                                        ImageLayout layout,
                                        llvm::MutableArrayRef<float> out) {
  bool nchw = layout == ImageLayout::NCHW;
  int64_t channels = nchw ? sampleShape[0] : sampleShape[2];
  int64_t height = nchw ? sampleShape[1] : sampleShape[0];
  int64_t width = nchw ? sampleShape[2] : sampleShape[1];
  auto perChannel = [&](llvm::ArrayRef<double> values, llvm::StringRef name)
      -> llvm::Expected<llvm::SmallVector<double>> {
    if (values.size() == 1)
      return llvm::SmallVector<double>(channels, values[0]);
    if (int64_t(values.size()) != channels)
      return makeError("--" + name + " has " + llvm::Twine(values.size()) +
                       " values; the model's input has " +
                       llvm::Twine(channels) + " channels");
    return llvm::SmallVector<double>(values.begin(), values.end());
  };
  auto mean = perChannel(options.mean, "mean");
  if (!mean)
    return mean.takeError();
  auto std = perChannel(options.std, "std");
  if (!std)
    return std.takeError();
  for (double s : *std)
    if (!(s > 0) || !std::isfinite(s))
      return makeError("--std values must be positive and finite");

  // The resized image's size, then the centred crop of the model's size.
  int64_t scaledWidth = width, scaledHeight = height;
  if (options.resizeShorter > 0) {
    double ratio = double(options.resizeShorter) /
                   double(std::min(image.width, image.height));
    scaledWidth = std::max<int64_t>(1, std::llround(image.width * ratio));
    scaledHeight = std::max<int64_t>(1, std::llround(image.height * ratio));
    if (image.width <= image.height)
      scaledWidth = options.resizeShorter;
    else
      scaledHeight = options.resizeShorter;
    if (scaledWidth < width || scaledHeight < height)
      return makeError("--resize " + llvm::Twine(options.resizeShorter) +
                       " is smaller than the model's " + llvm::Twine(height) +
                       " x " + llvm::Twine(width) + " input");
  }
  Resampler resampler{image, double(image.width) / double(scaledWidth),
                      double(image.height) / double(scaledHeight),
                      (scaledWidth - width) / 2, (scaledHeight - height) / 2};

  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x) {
      float rgb[3] = {0, 0, 0};
      for (int64_t c = 0; c < image.channels; ++c)
        rgb[c] = resampler.sample(x, y, c);
      for (int64_t c = 0; c < channels; ++c) {
        double value;
        if (channels == image.channels)
          value = rgb[c];
        else if (channels == 1) // An RGB image for a gray model.
          value = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
        else // A gray image for an RGB model.
          value = rgb[0];
        value = (value * options.scale - (*mean)[c]) / (*std)[c];
        size_t index = nchw ? (c * height + y) * width + x
                            : (y * width + x) * channels + c;
        out[index] = float(value);
      }
    }
  return llvm::Error::success();
}

llvm::Expected<NpyArray>
mlir::qlip::readImageFolder(llvm::StringRef dir,
                            llvm::ArrayRef<int64_t> inputShape,
                            const ImagePreprocessing &options) {
  llvm::Expected<ImageLayout> layout =
      resolveImageLayout(inputShape, options.layout);
  if (!layout)
    return layout.takeError();
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    std::string extension =
        llvm::sys::path::extension(it->path()).lower();
    if (llvm::is_contained(llvm::ArrayRef<llvm::StringRef>{".png", ".jpg",
                                                            ".jpeg", ".ppm",
                                                            ".pgm"},
                           extension))
      files.push_back(it->path());
  }
  if (ec)
    return makeError(dir + ": cannot list the folder: " + ec.message());
  if (files.empty())
    return makeError(dir + ": no images (.png, .jpg, .jpeg, .ppm, .pgm) in "
                           "the folder");
  llvm::sort(files);

  NpyArray array;
  array.dtype = NpyDType::F32;
  array.shape.assign(inputShape.begin(), inputShape.end());
  array.shape[0] = files.size();
  array.data.resize(array.numElements() * sizeof(float));
  llvm::MutableArrayRef<float> values = array.getMutableValues<float>();
  size_t sampleSize = values.size() / files.size();
  for (auto [index, file] : llvm::enumerate(files)) {
    llvm::Expected<Image> image = readImage(file);
    if (!image)
      return image.takeError();
    if (llvm::Error error = preprocessImage(
            *image, options, inputShape.drop_front(), *layout,
            values.slice(index * sampleSize, sampleSize)))
      return std::move(error);
  }
  return array;
}
