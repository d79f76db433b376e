//===- OnnxLayerOps.cpp - convolutions, pools, matmuls, batch norm -*- C++ -*-//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The ONNX ops with weights or windows: Conv (group 1, depthwise, other
// groups as one convolution per group), ConvTranspose, MaxPool,
// AveragePool, GlobalAveragePool, GlobalMaxPool, ReduceMean, Gemm, MatMul
// and BatchNormalization (inference form).
//
// TOSA wants an output size that the window fills exactly: where ONNX's
// floor (or ceil_mode's ceil) leaves rows unread or pads past the input,
// the end padding is recomputed from the output size and, when it would
// be negative, the unread rows are sliced off the input.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::onnx_import;

namespace {

/// A 2-D window as TOSA takes it, with the input rows and columns it reads.
struct Window {
  int64_t kernel[2] = {1, 1};
  int64_t stride[2] = {1, 1};
  int64_t dilation[2] = {1, 1};
  int64_t padBegin[2] = {0, 0};
  int64_t padEnd[2] = {0, 0};
  int64_t output[2] = {0, 0};
  /// Rows and columns of the input the window reads (a slice when smaller
  /// than the input).
  int64_t used[2] = {0, 0};

  SmallVector<int64_t> tosaPad() const {
    return {padBegin[0], padEnd[0], padBegin[1], padEnd[1]};
  }
};

/// The spatial dimensions of NCHW, as messages name them.
constexpr const char *kSpatialDims[] = {"dimension 2 (H)", "dimension 3 (W)"};

/// Reads kernel_shape (or `kernel`), strides, dilations, pads and auto_pad
/// for an input of spatial size `in`, and fits the end pads to TOSA.
FailureOr<Window> readWindow(Importer &im, ArrayRef<int64_t> in,
                             ArrayRef<int64_t> kernel, bool ceilMode) {
  Window window;
  SmallVector<int64_t> strides = im.getIntsAttr("strides");
  SmallVector<int64_t> dilations = im.getIntsAttr("dilations");
  SmallVector<int64_t> pads = im.getIntsAttr("pads");
  std::string autoPad = im.getStringAttr("auto_pad", "NOTSET");
  // Every caller's window is 2-D (a 4-D weight, a kernel_shape of 2): other
  // lengths are malformed, not a feature qlip lacks.
  for (auto [name, list, size] :
       {std::tuple("strides", &strides, 2),
        std::tuple("dilations", &dilations, 2), std::tuple("pads", &pads, 4)}) {
    if (!list->empty() && list->size() != size_t(size)) {
      im.error() << name << " has " << list->size() << " values for a 2-D "
                 << "window (" << size << ")";
      return failure();
    }
  }
  for (int d = 0; d < 2; ++d) {
    window.kernel[d] = kernel[d];
    window.stride[d] = strides.empty() ? 1 : strides[d];
    window.dilation[d] = dilations.empty() ? 1 : dilations[d];
    // TOSA keeps them as int32; larger values are no model's window, and
    // (kernel - 1) * dilation below overflowed with them.
    for (auto [name, value] : {std::pair("kernel size", kernel[d]),
                               std::pair("stride", window.stride[d]),
                               std::pair("dilation", window.dilation[d])}) {
      if (value < 1 || value > kMaxWindowValue) {
        im.error() << name << " " << value << " along " << kSpatialDims[d]
                   << ": kernel sizes, strides and dilations must be "
                      "positive and fit in int32";
        return failure();
      }
    }
    int64_t effective = (kernel[d] - 1) * window.dilation[d] + 1;
    int64_t begin = 0, end = 0;
    if (autoPad == "NOTSET") {
      begin = pads.empty() ? 0 : pads[d];
      end = pads.empty() ? 0 : pads[d + 2];
      if (begin > kMaxWindowValue || end > kMaxWindowValue) {
        im.error() << "pads of " << begin << " and " << end << " along "
                   << kSpatialDims[d] << " do not fit in int32";
        return failure();
      }
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (in[d] + window.stride[d] - 1) / window.stride[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * window.stride[d] +
                                               effective - in[d]);
      begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    } else if (autoPad != "VALID") {
      im.error() << "unknown auto_pad '" << autoPad << "'";
      return failure();
    }
    if (begin < 0 || end < 0) {
      im.unsupported() << "negative pads";
      return failure();
    }
    int64_t span = in[d] + begin + end - effective;
    if (span < 0) {
      im.error() << "the window (" << effective << ") is larger than the "
                 << "padded input (" << in[d] + begin + end << ") along "
                 << kSpatialDims[d];
      return failure();
    }
    int64_t out = span / window.stride[d] + 1;
    if (ceilMode) {
      out = (span + window.stride[d] - 1) / window.stride[d] + 1;
      // The last window must start inside the input or its begin padding.
      if ((out - 1) * window.stride[d] >= in[d] + begin)
        --out;
    }
    window.output[d] = out;
    window.padBegin[d] = begin;
    // The end padding that makes the windows cover exactly what they read.
    int64_t fitted = (out - 1) * window.stride[d] + effective - in[d] - begin;
    window.used[d] = in[d] + std::min<int64_t>(fitted, 0);
    window.padEnd[d] = std::max<int64_t>(fitted, 0);
  }
  return window;
}

/// `input` (NHWC) without the rows and columns the window does not read.
Value sliceToWindow(Importer &im, Value input, const Window &window) {
  ArrayRef<int64_t> shape = shapeOf(input);
  if (shape[1] == window.used[0] && shape[2] == window.used[1])
    return input;
  SmallVector<int64_t> size = {shape[0], window.used[0], window.used[1],
                               shape[3]};
  ImplicitLocOpBuilder &b = im.builder();
  return tosa::SliceOp::create(
      b, cast<RankedTensorType>(input.getType()).clone(size), input,
      tosa::getTosaConstShape(b, {0, 0, 0, 0}),
      tosa::getTosaConstShape(b, size));
}

/// The bias of a convolution with `channels` outputs (input 2, or zeros).
FailureOr<ConstData> readBias(Importer &im, int64_t channels) {
  ConstData bias;
  bias.shape = {channels};
  if (!im.hasInput(2)) {
    bias.values.assign(channels, 0.0);
    return bias;
  }
  FailureOr<const ConstData *> given = im.requireConstInput(2, "bias");
  if (failed(given))
    return failure();
  if ((*given)->numElements() != channels) {
    im.error() << "the bias has " << (*given)->numElements() << " values for "
               << channels << " output channels";
    return failure();
  }
  if (failed(im.checkFinite(**given, "the bias")))
    return failure();
  bias.values = (*given)->values;
  return bias;
}

/// One TOSA convolution (conv2d or depthwise_conv2d) of NHWC `input`.
template <typename ConvOp>
Value emitConv(Importer &im, Value input, Value weight, Value bias,
               const Window &window, int64_t outChannels) {
  ImplicitLocOpBuilder &b = im.builder();
  int64_t batch = shapeOf(input)[0];
  RankedTensorType type =
      im.f32Type({batch, window.output[0], window.output[1], outChannels});
  return ConvOp::create(
      b, type, input, weight, bias, im.zeroPoint(), im.zeroPoint(),
      b.getDenseI64ArrayAttr(window.tosaPad()),
      b.getDenseI64ArrayAttr({window.stride[0], window.stride[1]}),
      b.getDenseI64ArrayAttr({window.dilation[0], window.dilation[1]}),
      TypeAttr::get(b.getF32Type()));
}

/// The NHWC input and the finite 4-D constant weight of a convolution.
LogicalResult readConvOperands(Importer &im, Value &x,
                               const ConstData *&weight) {
  FailureOr<Value> input = im.getNhwcInput(0);
  FailureOr<const ConstData *> w = im.requireConstInput(1, "weight");
  if (failed(input) || failed(w))
    return failure();
  if ((*w)->shape.size() != 4)
    return im.unsupported() << "a weight of rank " << (*w)->shape.size()
                            << "; only 2-D convolutions are imported";
  if (failed(im.checkFinite(**w, "the weight")))
    return failure();
  x = *input;
  weight = *w;
  return success();
}

LogicalResult convertConv(Importer &im) {
  Value x;
  const ConstData *w;
  if (failed(readConvOperands(im, x, w)))
    return failure();
  const ConstData &weight = *w;
  ArrayRef<int64_t> in = shapeOf(x); // NHWC
  int64_t group = im.getIntAttr("group", 1);
  int64_t outChannels = weight.shape[0], groupInChannels = weight.shape[1];
  // Each group convolves in[3] / group channels to outChannels / group
  // (checked by division: groupInChannels * group could overflow).
  if (group < 1)
    return im.error() << "group " << group << " is not positive";
  if (in[3] % group != 0)
    return im.error() << "group " << group << " does not divide the " << in[3]
                      << " input channels";
  if (outChannels % group != 0)
    return im.error() << "group " << group << " does not divide the "
                      << outChannels << " output channels of the weight";
  if (groupInChannels != in[3] / group)
    return im.error() << "a weight of shape [" << outChannels << ", "
                      << groupInChannels << ", ...] does not fit " << in[3]
                      << " input channels in " << group << " groups";
  SmallVector<int64_t> kernelAttr = im.getIntsAttr("kernel_shape");
  if (!kernelAttr.empty() &&
      (kernelAttr.size() != 2 || kernelAttr[0] != weight.shape[2] ||
       kernelAttr[1] != weight.shape[3]))
    return im.error() << "kernel_shape does not match the weight";
  FailureOr<Window> window =
      readWindow(im, {in[1], in[2]}, {weight.shape[2], weight.shape[3]},
                 /*ceilMode=*/false);
  FailureOr<ConstData> bias = readBias(im, outChannels);
  if (failed(window) || failed(bias))
    return failure();
  Value input = sliceToWindow(im, x, *window);
  Value biasValue = im.constant(*bias);

  if (group == 1) {
    FailureOr<Value> ohwi = im.constantOnGrid(weight.permuted({0, 2, 3, 1}));
    if (failed(ohwi))
      return failure();
    im.setOutput(0,
                 emitConv<tosa::Conv2DOp>(im, input, *ohwi, biasValue, *window,
                                          outChannels),
                 Layout::Nhwc);
    return success();
  }
  if (groupInChannels == 1) {
    // Depthwise: output channel c * M + m reads input channel c, as TOSA's
    // HWCM weight [KH, KW, C, M] orders them.
    int64_t multiplier = outChannels / group;
    if (weight.quant && weight.quant->axis && multiplier != 1)
      return im.unsupported() << "per-channel quantized depthwise weights "
                                 "with a channel multiplier";
    ConstData hwcm =
        weight.reshaped({group, multiplier, weight.shape[2], weight.shape[3]})
            .permuted({2, 3, 0, 1});
    FailureOr<Value> weightValue = im.constantOnGrid(hwcm);
    if (failed(weightValue))
      return failure();
    im.setOutput(0,
                 emitConv<tosa::DepthwiseConv2DOp>(
                     im, input, *weightValue, biasValue, *window, outChannels),
                 Layout::Nhwc);
    return success();
  }

  // Other groups: one convolution per group on its slice of the channels.
  ImplicitLocOpBuilder &b = im.builder();
  int64_t groupOutChannels = outChannels / group;
  ArrayRef<int64_t> used = shapeOf(input);
  SmallVector<Value> outputs;
  for (int64_t g = 0; g < group; ++g) {
    SmallVector<int64_t> size = {used[0], used[1], used[2], groupInChannels};
    Value slice = tosa::SliceOp::create(
        b, im.f32Type(size), input,
        tosa::getTosaConstShape(b, {0, 0, 0, g * groupInChannels}),
        tosa::getTosaConstShape(b, size));
    ConstData part;
    part.shape = {groupOutChannels, groupInChannels, weight.shape[2],
                  weight.shape[3]};
    int64_t rowSize = ShapedType::getNumElements(part.shape) / groupOutChannels;
    part.values.assign(weight.values.begin() + g * groupOutChannels * rowSize,
                       weight.values.begin() +
                           (g + 1) * groupOutChannels * rowSize);
    if (weight.quant) {
      part.quant = weight.quant;
      if (weight.quant->axis) {
        auto slice = [&](auto &values) {
          if (values.size() > 1)
            values.assign(values.begin() + g * groupOutChannels,
                          values.begin() + (g + 1) * groupOutChannels);
        };
        slice(part.quant->scales);
        slice(part.quant->zeroPoints);
      }
    }
    ConstData partBias;
    partBias.shape = {groupOutChannels};
    partBias.values.assign(bias->values.begin() + g * groupOutChannels,
                           bias->values.begin() + (g + 1) * groupOutChannels);
    FailureOr<Value> ohwi = im.constantOnGrid(part.permuted({0, 2, 3, 1}));
    if (failed(ohwi))
      return failure();
    outputs.push_back(emitConv<tosa::Conv2DOp>(
        im, slice, *ohwi, im.constant(partBias), *window, groupOutChannels));
  }
  SmallVector<int64_t> outShape(shapeOf(outputs.front()));
  outShape[3] = outChannels;
  im.setOutput(0,
               tosa::ConcatOp::create(b, im.f32Type(outShape), outputs,
                                      b.getI32IntegerAttr(3)),
               Layout::Nhwc);
  return success();
}

LogicalResult convertConvTranspose(Importer &im) {
  Value x;
  const ConstData *w;
  if (failed(readConvOperands(im, x, w)))
    return failure();
  const ConstData &weight = *w;
  if (im.getIntAttr("group", 1) != 1)
    return im.unsupported() << "grouped transposed convolutions";
  for (int64_t dilation : im.getIntsAttr("dilations"))
    if (dilation != 1)
      return im.unsupported() << "dilated transposed convolutions";
  std::string autoPad = im.getStringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID")
    return im.unsupported()
           << "auto_pad " << autoPad << " on a transposed convolution";
  ArrayRef<int64_t> in = shapeOf(x);
  if (weight.shape[0] != in[3])
    return im.error() << "the weight has " << weight.shape[0]
                      << " input channels, the input " << in[3];
  int64_t outChannels = weight.shape[1];
  FailureOr<ConstData> bias = readBias(im, outChannels);
  if (failed(bias))
    return failure();
  SmallVector<int64_t> strides = im.getIntsAttr("strides");
  SmallVector<int64_t> pads = im.getIntsAttr("pads");
  SmallVector<int64_t> outputPadding = im.getIntsAttr("output_padding");
  if (strides.empty())
    strides = {1, 1};
  if (pads.empty() || autoPad == "VALID")
    pads = {0, 0, 0, 0};
  if (outputPadding.empty())
    outputPadding = {0, 0};
  // The weight is 4-D: a 2-D convolution.
  if (strides.size() != 2 || pads.size() != 4 || outputPadding.size() != 2)
    return im.error() << "strides, pads and output_padding have "
                      << strides.size() << ", " << pads.size() << " and "
                      << outputPadding.size()
                      << " values for a 2-D convolution (2, 4 and 2)";
  for (int d = 0; d < 2; ++d) {
    int64_t kernel = weight.shape[2 + d];
    // As for a convolution's window (and (in - 1) * stride must not
    // overflow).
    if (kernel < 1 || kernel > kMaxWindowValue || strides[d] < 1 ||
        strides[d] > kMaxWindowValue)
      return im.error() << "kernel size " << kernel << " and stride "
                        << strides[d] << " along " << kSpatialDims[d]
                        << ": kernel sizes and strides must be positive "
                           "and fit in int32";
    if (llvm::any_of(ArrayRef<int64_t>{pads[d], pads[d + 2]}, [](int64_t pad) {
          return pad < -kMaxWindowValue || pad > kMaxWindowValue;
        }))
      return im.error() << "pads of " << pads[d] << " and " << pads[d + 2]
                        << " along " << kSpatialDims[d]
                        << " do not fit in int32";
    // ONNX: "each padding value in output_padding must be less than the
    // corresponding stride".
    if (outputPadding[d] < 0 || outputPadding[d] >= strides[d])
      return im.error() << "output_padding " << outputPadding[d] << " along "
                        << kSpatialDims[d] << " is not in [0, stride "
                        << strides[d] << ")";
    int64_t stretched;
    if (llvm::MulOverflow(in[1 + d] - 1, strides[d], stretched) ||
        stretched > kMaxElements)
      return im.error() << "the output along " << kSpatialDims[d]
                        << " is too large (input " << in[1 + d] << ", stride "
                        << strides[d] << ")";
  }
  // out = (in - 1) * stride + kernel + out_pad_begin + out_pad_end in TOSA;
  // ONNX's pads crop the output and output_padding extends its end.
  SmallVector<int64_t> outPad = {-pads[0], -pads[2] + outputPadding[0],
                                 -pads[1], -pads[3] + outputPadding[1]};
  SmallVector<int64_t> outShape = {in[0], 0, 0, outChannels};
  for (int d = 0; d < 2; ++d) {
    outShape[1 + d] = (in[1 + d] - 1) * strides[d] + weight.shape[2 + d] +
                      outPad[2 * d] + outPad[2 * d + 1];
    if (outShape[1 + d] < 1 || outPad[2 * d] <= -weight.shape[2 + d] ||
        outPad[2 * d + 1] <= -weight.shape[2 + d])
      return im.unsupported() << "pads as large as the kernel";
  }
  SmallVector<int64_t> outputShape = im.getIntsAttr("output_shape");
  if (!outputShape.empty() &&
      (outputShape.size() != 2 || outputShape[0] != outShape[1] ||
       outputShape[1] != outShape[2]))
    return im.unsupported() << "an output_shape other than the one its "
                               "pads give";
  FailureOr<Value> ohwi = im.constantOnGrid(weight.permuted({1, 2, 3, 0}));
  if (failed(ohwi))
    return failure();
  ImplicitLocOpBuilder &b = im.builder();
  im.setOutput(
      0,
      tosa::TransposeConv2DOp::create(
          b, im.f32Type(outShape), x, *ohwi, im.constant(*bias), im.zeroPoint(),
          im.zeroPoint(), b.getDenseI64ArrayAttr(outPad),
          b.getDenseI64ArrayAttr(strides), TypeAttr::get(b.getF32Type())),
      Layout::Nhwc);
  return success();
}

/// TOSA's f32 average pool of the NHWC `input` (padding never counted),
/// for AveragePool, GlobalAveragePool and a spatial ReduceMean alike.
Value createAvgPool(Importer &im, RankedTensorType type, Value input,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                    ArrayRef<int64_t> pad) {
  ImplicitLocOpBuilder &b = im.builder();
  return tosa::AvgPool2dOp::create(b, type, input, im.zeroPoint(),
                                   im.zeroPoint(),
                                   b.getDenseI64ArrayAttr(kernel),
                                   b.getDenseI64ArrayAttr(stride),
                                   b.getDenseI64ArrayAttr(pad),
                                   TypeAttr::get(b.getF32Type()));
}

/// MaxPool, AveragePool and their global forms.
LogicalResult convertPool(Importer &im, bool isMax, bool isGlobal) {
  FailureOr<Value> x = im.getNhwcInput(0);
  if (failed(x))
    return failure();
  if (im.node().output_size() > 1 && !im.node().output(1).empty())
    return im.unsupported() << "MaxPool's Indices output";
  ArrayRef<int64_t> in = shapeOf(*x);
  ImplicitLocOpBuilder &b = im.builder();
  Window window;
  if (isGlobal) {
    for (int d = 0; d < 2; ++d) {
      window.kernel[d] = in[1 + d];
      window.output[d] = 1;
      window.used[d] = in[1 + d];
    }
  } else {
    SmallVector<int64_t> kernel = im.getIntsAttr("kernel_shape");
    if (kernel.size() != 2)
      return im.unsupported() << "only 2-D pools (kernel_shape of size 2)";
    for (int64_t dilation : im.getIntsAttr("dilations"))
      if (dilation != 1)
        return im.unsupported() << "dilated pools";
    FailureOr<Window> read =
        readWindow(im, {in[1], in[2]}, kernel, im.getIntAttr("ceil_mode", 0));
    if (failed(read))
      return failure();
    window = *read;
  }
  Value input = sliceToWindow(im, *x, window);
  if (!isMax && im.getIntAttr("count_include_pad", 0) &&
      (window.padBegin[0] || window.padBegin[1] || window.padEnd[0] ||
       window.padEnd[1])) {
    // TOSA's average never counts padding: pad with zeros first, so they
    // count. (Only the pads ONNX names; ceil_mode's extra end padding is
    // not counted by ONNX either.)
    SmallVector<int64_t> pads = im.getIntsAttr("pads");
    if (pads.size() != 4)
      return im.unsupported() << "count_include_pad with auto_pad";
    int64_t endPad[2];
    for (int d = 0; d < 2; ++d)
      endPad[d] = std::min(pads[2 + d], window.padEnd[d]);
    ArrayRef<int64_t> shape = shapeOf(input);
    SmallVector<int64_t> padded = {
        shape[0], shape[1] + window.padBegin[0] + endPad[0],
        shape[2] + window.padBegin[1] + endPad[1], shape[3]};
    input = tosa::PadOp::create(
        b, im.f32Type(padded), input,
        tosa::getTosaConstShape(b, {0, 0, window.padBegin[0], endPad[0],
                                    window.padBegin[1], endPad[1], 0, 0}),
        im.zeroPoint());
    for (int d = 0; d < 2; ++d) {
      window.padBegin[d] = 0;
      window.padEnd[d] -= endPad[d];
    }
  }
  // TOSA's pools take no window that reads only padding (ONNX's explicit
  // pads may ask for one; padding that count_include_pad counts is
  // already applied).
  for (int d = 0; d < 2; ++d)
    if (window.padBegin[d] >= window.kernel[d] ||
        window.padEnd[d] >= window.kernel[d])
      return im.unsupported()
             << "pads of " << window.padBegin[d] << " and " << window.padEnd[d]
             << " along " << kSpatialDims[d] << " not smaller than the kernel ("
             << window.kernel[d] << ")";
  RankedTensorType type =
      im.f32Type({in[0], window.output[0], window.output[1], in[3]});
  int64_t kernel[] = {window.kernel[0], window.kernel[1]};
  int64_t stride[] = {window.stride[0], window.stride[1]};
  Value result =
      isMax ? tosa::MaxPool2dOp::create(b, type, input,
                                        b.getDenseI64ArrayAttr(kernel),
                                        b.getDenseI64ArrayAttr(stride),
                                        b.getDenseI64ArrayAttr(window.tosaPad()))
                  .getResult()
            : createAvgPool(im, type, input, kernel, stride, window.tosaPad());
  im.setOutput(0, result, Layout::Nhwc);
  return success();
}

/// ReduceMean. Over the spatial axes of a 4-D tensor (what exporters write
/// for a global average pool, x.mean(dim=(2, 3))) it is TOSA's average
/// pool over the whole map, which qlip quantizes as a pool; over other
/// axes a sum times 1/n.
/// The reductions: Mean, Sum, Max, Min, and Sum of squares, L1 and L2 (a
/// sum of |x| or x^2, then the square root for L2).
enum class ReduceKind { Mean, Sum, Max, Min, SumSquare, L1, L2 };

LogicalResult convertReduce(Importer &im, ReduceKind kind) {
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->value.getType());
  int64_t rank = type.getRank();
  if (im.opset() >= 18)
    return im.unsupported() << im.node().op_type() << " of opset 18";
  // ReduceSum takes its axes as an input from opset 13 on, the others as
  // an attribute until opset 18.
  SmallVector<int64_t> axes = im.getIntsAttr("axes");
  bool axesAsInput = kind == ReduceKind::Sum && im.opset() >= 13;
  if (axesAsInput && im.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = im.requireConstInts(1, "axes");
    if (failed(given))
      return failure();
    axes.append(given->begin(), given->end());
  }
  if (axes.empty()) {
    if (axesAsInput && im.getIntAttr("noop_with_empty_axes", 0)) {
      im.setOutput(0, x->value, x->layout);
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &axis : axes) {
    if (axis < -rank || axis >= rank)
      return im.error() << "axis " << axis << " is out of range";
    if (axis < 0)
      axis += rank;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  bool keepDims = im.getIntAttr("keepdims", 1);
  ImplicitLocOpBuilder &b = im.builder();
  // The ONNX-layout result shape without the reduced dims (keepdims = 0).
  SmallVector<int64_t> onnxShape;
  SmallVector<int64_t> shape = onnxShapeOf(*x);
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      onnxShape.push_back(shape[d]);
  if (kind == ReduceKind::Mean && rank == 4 &&
      axes == SmallVector<int64_t>{2, 3}) {
    // A global average pool.
    Value input = im.toNhwc(*x);
    ArrayRef<int64_t> in = shapeOf(input);
    Value pooled =
        createAvgPool(im, im.f32Type({in[0], 1, 1, in[3]}), input,
                      {in[1], in[2]}, {1, 1}, {0, 0, 0, 0});
    if (keepDims)
      im.setOutput(0, pooled, Layout::Nhwc);
    else
      im.setOutput(0, im.reshape(pooled, onnxShape));
    return success();
  }
  Value value = im.toOnnx(*x);
  if (kind == ReduceKind::SumSquare || kind == ReduceKind::L2)
    value = tosa::MulOp::create(b, value.getType(), value, value,
                                im.mulShift());
  else if (kind == ReduceKind::L1)
    value = tosa::AbsOp::create(b, value.getType(), value);
  int64_t count = 1;
  for (int64_t axis : axes) {
    SmallVector<int64_t> reduced(shapeOf(value));
    count *= reduced[axis];
    reduced[axis] = 1;
    RankedTensorType reducedType = im.f32Type(reduced);
    IntegerAttr axisAttr = b.getI32IntegerAttr(axis);
    if (kind == ReduceKind::Max)
      value = tosa::ReduceMaxOp::create(b, reducedType, value, axisAttr);
    else if (kind == ReduceKind::Min)
      value = tosa::ReduceMinOp::create(b, reducedType, value, axisAttr);
    else
      value = tosa::ReduceSumOp::create(b, reducedType, value, axisAttr);
  }
  SmallVector<int64_t> ones(rank, 1);
  if (kind == ReduceKind::Mean)
    value = tosa::MulOp::create(
        b, value.getType(), value,
        im.floatConstant(ones, {static_cast<float>(1.0 / count)}),
        im.mulShift());
  else if (kind == ReduceKind::L2)
    value = tosa::PowOp::create(b, value.getType(), value,
                                im.floatConstant(ones, {0.5f}));
  im.setOutput(0, keepDims ? value : im.reshape(value, onnxShape));
  return success();
}

template <ReduceKind Kind> LogicalResult convertReduceOp(Importer &im) {
  return convertReduce(im, Kind);
}

/// A [1, K, N] matmul operand from a constant or a tensor.
FailureOr<Value> matmulOperand(Importer &im, const ConstData *data, int input,
                               ArrayRef<int64_t> shape3) {
  if (data) {
    if (failed(im.checkFinite(*data, "the weight")))
      return failure();
    return im.constantOnGrid(data->reshaped(shape3));
  }
  FailureOr<Value> value = im.getOnnxInput(input);
  if (failed(value))
    return failure();
  return im.reshape(*value, shape3);
}

Value emitMatMul(Importer &im, Value a, Value b3) {
  ArrayRef<int64_t> aShape = shapeOf(a), bShape = shapeOf(b3);
  return tosa::MatMulOp::create(im.builder(),
                                im.f32Type({aShape[0], aShape[1], bShape[2]}),
                                a, b3, im.zeroPoint(), im.zeroPoint());
}

LogicalResult convertGemm(Importer &im) {
  FailureOr<Value> a = im.getOnnxInput(0);
  if (failed(a))
    return failure();
  // ONNX's Gemm multiplies 2-D A and B (only C broadcasts): check both
  // before transA and transB permute their dimensions.
  const ConstData *bData = im.getConstInput(1);
  FailureOr<Value> bValue = failure();
  if (!bData && failed(bValue = im.getOnnxInput(1)))
    return failure();
  size_t aRank = shapeOf(*a).size();
  size_t bRank = bData ? bData->shape.size() : shapeOf(*bValue).size();
  if (aRank != 2 || bRank != 2)
    return im.error() << (aRank != 2 ? "A" : "B") << " has rank "
                      << (aRank != 2 ? aRank : bRank)
                      << "; Gemm's A and B must be 2-D";
  Value aValue = *a;
  if (im.getIntAttr("transA", 0))
    aValue = im.permute(aValue, {1, 0});
  int64_t m = shapeOf(aValue)[0], k = shapeOf(aValue)[1];
  float alpha = im.getFloatAttr("alpha", 1.0f);
  float beta = im.getFloatAttr("beta", 1.0f);
  bool transB = im.getIntAttr("transB", 0);

  Value b3;
  int64_t n;
  if (bData) {
    ConstData kn = transB ? bData->permuted({1, 0}) : *bData;
    if (alpha != 1.0f) {
      if (kn.quant)
        return im.unsupported() << "alpha on a quantized B";
      for (double &value : kn.values)
        value *= alpha;
    }
    n = kn.shape[1];
    if (kn.shape[0] != k)
      return im.error() << "A has " << k << " columns, B " << kn.shape[0]
                        << " rows";
    FailureOr<Value> value = matmulOperand(im, &kn, 1, {1, k, n});
    if (failed(value))
      return failure();
    b3 = *value;
  } else {
    Value kn = transB ? im.permute(*bValue, {1, 0}) : *bValue;
    if (shapeOf(kn)[0] != k)
      return im.error() << "A has " << k << " columns, B " << shapeOf(kn)[0]
                        << " rows";
    n = shapeOf(kn)[1];
    b3 = im.reshape(kn, {1, k, n});
    if (alpha != 1.0f)
      b3 = tosa::MulOp::create(im.builder(), b3.getType(), b3,
                               im.floatConstant({1, 1, 1}, {alpha}),
                               im.mulShift());
  }
  Value result =
      im.reshape(emitMatMul(im, im.reshape(aValue, {1, m, k}), b3), {m, n});
  if (im.hasInput(2) && beta != 0.0f) {
    Value c;
    if (const ConstData *cData = im.getConstInput(2)) {
      ConstData scaled = *cData;
      for (double &value : scaled.values)
        value *= beta;
      if (scaled.shape.size() > 2)
        return im.error() << "C must have rank 2 or less";
      while (scaled.shape.size() < 2)
        scaled.shape.insert(scaled.shape.begin(), 1);
      c = im.constant(scaled);
    } else {
      FailureOr<Value> cValue = im.getOnnxInput(2);
      if (failed(cValue))
        return failure();
      SmallVector<int64_t> shape(shapeOf(*cValue));
      if (shape.size() > 2)
        return im.error() << "C must have rank 2 or less";
      while (shape.size() < 2)
        shape.insert(shape.begin(), 1);
      c = im.reshape(*cValue, shape);
      if (beta != 1.0f)
        c = tosa::MulOp::create(im.builder(), c.getType(), c,
                                im.floatConstant({1, 1}, {beta}),
                                im.mulShift());
    }
    ArrayRef<int64_t> cShape = shapeOf(c);
    if ((cShape[0] != 1 && cShape[0] != m) ||
        (cShape[1] != 1 && cShape[1] != n))
      return im.error() << "C does not broadcast to [" << m << ", " << n << "]";
    OpBuilder::InsertionGuard guard(im.builder());
    Location loc = im.builder().getLoc();
    im.builder().setLoc(im.subLoc("bias"));
    result = tosa::AddOp::create(im.builder(), result.getType(), result, c);
    im.builder().setLoc(loc);
  }
  im.setOutput(0, result);
  return success();
}

LogicalResult convertMatMul(Importer &im) {
  FailureOr<Value> a = im.getOnnxInput(0);
  if (failed(a))
    return failure();
  const ConstData *bData = im.getConstInput(1);
  SmallVector<int64_t> bShape;
  if (bData) {
    bShape = bData->shape;
  } else {
    FailureOr<Value> b = im.getOnnxInput(1);
    if (failed(b))
      return failure();
    bShape.assign(shapeOf(*b).begin(), shapeOf(*b).end());
  }
  SmallVector<int64_t> aShape(shapeOf(*a));
  if (aShape.size() < 2 || bShape.size() < 2)
    return im.unsupported() << "1-D MatMul operands";
  int64_t m = aShape[aShape.size() - 2], k = aShape.back();
  int64_t n = bShape.back();
  if (bShape[bShape.size() - 2] != k)
    return im.error() << "A has " << k << " columns, B "
                      << bShape[bShape.size() - 2] << " rows";
  SmallVector<int64_t> outShape(aShape.begin(), aShape.end() - 1);
  outShape.push_back(n);
  Value result;
  if (bShape.size() == 2) {
    // [..., M, K] x [K, N]: all rows of A against one B.
    int64_t rows = ShapedType::getNumElements(aShape) / k;
    FailureOr<Value> b3 = matmulOperand(im, bData, 1, {1, k, n});
    if (failed(b3))
      return failure();
    result = emitMatMul(im, im.reshape(*a, {1, rows, k}), *b3);
  } else {
    ArrayRef<int64_t> aBatch = ArrayRef<int64_t>(aShape).drop_back(2);
    ArrayRef<int64_t> bBatch = ArrayRef<int64_t>(bShape).drop_back(2);
    if (aBatch != bBatch)
      return im.unsupported() << "MatMul with broadcast batch dimensions";
    int64_t batch = ShapedType::getNumElements(aBatch);
    FailureOr<Value> b3 = matmulOperand(im, bData, 1, {batch, k, n});
    if (failed(b3))
      return failure();
    result = emitMatMul(im, im.reshape(*a, {batch, m, k}), *b3);
  }
  im.setOutput(0, im.reshape(result, outShape));
  return success();
}

LogicalResult convertBatchNorm(Importer &im) {
  FailureOr<TensorValue> x = im.getInput(0);
  if (failed(x))
    return failure();
  if (im.getIntAttr("training_mode", 0) ||
      (im.node().output_size() > 1 && !im.node().output(1).empty()))
    return im.unsupported() << "batch norm in training mode";
  const ConstData *params[4];
  const char *names[4] = {"scale", "bias", "mean", "var"};
  ArrayRef<int64_t> shape = shapeOf(x->value);
  // The channels are dimension 1 of [N, C, ...].
  if (shape.size() < 2)
    return im.error() << "input '" << im.node().input(0) << "' has rank "
                      << shape.size() << "; batch norm needs [N, C, ...]";
  int64_t channels = x->layout == Layout::Nhwc ? shape[3] : shape[1];
  for (int i = 0; i < 4; ++i) {
    FailureOr<const ConstData *> param = im.requireConstInput(i + 1, names[i]);
    if (failed(param))
      return failure();
    if ((*param)->numElements() != channels)
      return im.error() << names[i] << " has " << (*param)->numElements()
                        << " values for " << channels << " channels";
    if (failed(im.checkFinite(**param, names[i])))
      return failure();
    params[i] = *param;
  }
  double epsilon = im.getFloatAttr("epsilon", 1e-5f);
  std::vector<float> scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; ++c) {
    double variance = params[3]->values[c] + epsilon;
    if (!(variance > 0))
      return im.error() << "var + epsilon is not positive at channel " << c;
    double s = params[0]->values[c] / std::sqrt(variance);
    scale[c] = static_cast<float>(s);
    shift[c] =
        static_cast<float>(params[1]->values[c] - params[2]->values[c] * s);
  }
  SmallVector<int64_t> constShape(shape.size(), 1);
  constShape[x->layout == Layout::Nhwc ? 3 : 1] = channels;
  ImplicitLocOpBuilder &b = im.builder();
  Location loc = b.getLoc();
  Value scaleValue = im.floatConstant(constShape, scale);
  Value shiftValue = im.floatConstant(constShape, shift);
  b.setLoc(im.subLoc("scale"));
  Value scaled = tosa::MulOp::create(b, x->value.getType(), x->value,
                                     scaleValue, im.mulShift());
  b.setLoc(im.subLoc("shift"));
  Value shifted =
      tosa::AddOp::create(b, x->value.getType(), scaled, shiftValue);
  b.setLoc(loc);
  im.setOutput(0, shifted, x->layout);
  return success();
}

} // namespace

void onnx_import::addLayerOpConverters(llvm::StringMap<OpConverter> &table) {
  table["Conv"] = convertConv;
  table["ConvTranspose"] = convertConvTranspose;
  table["MaxPool"] = [](Importer &im) { return convertPool(im, true, false); };
  table["AveragePool"] = [](Importer &im) {
    return convertPool(im, false, false);
  };
  table["GlobalAveragePool"] = [](Importer &im) {
    return convertPool(im, false, true);
  };
  table["GlobalMaxPool"] = [](Importer &im) {
    return convertPool(im, true, true);
  };
  table["ReduceMean"] = convertReduceOp<ReduceKind::Mean>;
  table["ReduceSum"] = convertReduceOp<ReduceKind::Sum>;
  table["ReduceMax"] = convertReduceOp<ReduceKind::Max>;
  table["ReduceMin"] = convertReduceOp<ReduceKind::Min>;
  table["ReduceSumSquare"] = convertReduceOp<ReduceKind::SumSquare>;
  table["ReduceL1"] = convertReduceOp<ReduceKind::L1>;
  table["ReduceL2"] = convertReduceOp<ReduceKind::L2>;
  table["Gemm"] = convertGemm;
  table["MatMul"] = convertMatMul;
  table["BatchNormalization"] = convertBatchNorm;
}
