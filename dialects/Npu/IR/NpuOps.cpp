//===- NpuOps.cpp - npu operations ------------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/IR/NpuOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::npu;

//===----------------------------------------------------------------------===//
// What every layer shares: the epilogue and the weights' width
//===----------------------------------------------------------------------===//

static bool fitsInt8(int64_t v) { return v >= -128 && v <= 127; }

static int64_t dimOf(Value value, int64_t dim) {
  return cast<RankedTensorType>(value.getType()).getDimSize(dim);
}

static int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

/// Checks the operands and attributes every layer has, for a layer with
/// `channels` output channels.
/// `reduction` is the number of products one output value sums (the
/// smallest tile holds that window of inputs and one channel's weights).
template <typename OpTy>
static LogicalResult verifyLayerCommon(OpTy op, int64_t channels,
                                       int64_t reduction) {
  if (rankOf(op.getBias()) != 1 || dimOf(op.getBias(), 0) != channels)
    return op.emitOpError("expected a bias of ")
           << channels << " values, one per output channel, got "
           << op.getBias().getType();
  int64_t m = rankOf(op.getMultiplier()) == 1 ? dimOf(op.getMultiplier(), 0)
                                              : -1;
  int64_t s = rankOf(op.getShift()) == 1 ? dimOf(op.getShift(), 0) : -1;
  if (m != s || (m != 1 && m != channels))
    return op.emitOpError("expected a multiplier and a shift of 1 or ")
           << channels << " values each, got " << op.getMultiplier().getType()
           << " and " << op.getShift().getType();
  // I64Attr's getters return the bits as uint64_t.
  auto inZp = static_cast<int64_t>(op.getInputZp());
  auto outZp = static_cast<int64_t>(op.getOutputZp());
  auto lo = static_cast<int64_t>(op.getClampMin());
  auto hi = static_cast<int64_t>(op.getClampMax());
  auto bits = static_cast<int64_t>(op.getWeightBits());
  if (!fitsInt8(inZp) || !fitsInt8(outZp))
    return op.emitOpError("zero points must be 8-bit values, got ")
           << inZp << " and " << outZp;
  if (!fitsInt8(lo) || !fitsInt8(hi) || lo > hi)
    return op.emitOpError("expected a clamp range within [-128, 127], got [")
           << lo << ", " << hi << "]";
  if (bits != 2 && bits != 4 && bits != 8)
    return op.emitOpError("weight_bits must be 2, 4 or 8, got ") << bits;
  TargetAttr target = TargetAttr::lookup(op);
  if (target) {
    // The smallest tile: one output value's input window (1 byte each) and
    // one output channel's weights.
    int64_t weightBytes = (reduction * bits + 7) / 8;
    if (reduction > target.getScratchpad() ||
        weightBytes > target.getWeightBuffer())
      return op.emitOpError("the target cannot hold even the smallest tile: ")
             << reduction << " input bytes and " << weightBytes
             << " weight bytes for one output, in a scratchpad of "
             << target.getScratchpad() << " and a weight buffer of "
             << target.getWeightBuffer() << " bytes";
  }
  if (target)
    if (!target.supportsWidth(bits))
      return op.emitOpError("the target's MAC array does not take ")
             << bits << "-bit weights (it takes ["
             << llvm::join(llvm::map_range(target.getWidths(),
                                           [](int64_t w) {
                                             return std::to_string(w);
                                           }),
                           ", ")
             << "])";

  // Constant operands are checked for the values the hardware can hold.
  DenseIntElementsAttr values;
  if (matchPattern(op.getWeight(), m_Constant(&values))) {
    int64_t limit = (int64_t{1} << (bits - 1)) - 1;
    for (const APInt &v : values.getValues<APInt>())
      if (std::abs(v.getSExtValue()) > limit)
        return op.emitOpError("weight level ")
               << v.getSExtValue() << " does not fit " << bits
               << " bits (|w| <= " << limit << ")";
  }
  if (matchPattern(op.getMultiplier(), m_Constant(&values)))
    for (const APInt &v : values.getValues<APInt>())
      if (v.isNegative())
        return op.emitOpError("multipliers must be non-negative, got ")
               << v.getSExtValue();
  if (matchPattern(op.getShift(), m_Constant(&values)))
    for (const APInt &v : values.getValues<APInt>())
      if (v.getSExtValue() < 2 || v.getSExtValue() > 62)
        return op.emitOpError("shifts must be in [2, 62], got ")
               << v.getSExtValue();
  return success();
}

/// Checks a convolution's window attributes and its output's spatial size:
/// (in - 1 + pads - (k - 1) * dilation) must divide by the stride, as in
/// TOSA.
template <typename OpTy>
static LogicalResult verifyWindow(OpTy op, int64_t kh, int64_t kw) {
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dilation = op.getDilation();
  if (pad.size() != 4 || stride.size() != 2 || dilation.size() != 2)
    return op.emitOpError("expected pad of 4 and stride and dilation of 2 "
                          "values");
  if (llvm::any_of(pad, [](int64_t p) { return p < 0; }) ||
      llvm::any_of(stride, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilation, [](int64_t d) { return d < 1; }))
    return op.emitOpError("padding must be non-negative and stride and "
                          "dilation positive");
  int64_t kernel[2] = {kh, kw};
  for (int i = 0; i < 2; ++i) {
    int64_t in = dimOf(op.getInput(), 1 + i);
    int64_t span = in - 1 + pad[2 * i] + pad[2 * i + 1] -
                   (kernel[i] - 1) * dilation[i];
    if (span < 0 || span % stride[i] != 0)
      return op.emitOpError("the window does not tile dimension ")
             << (1 + i) << " of the input exactly";
    if (dimOf(op.getOutput(), 1 + i) != span / stride[i] + 1)
      return op.emitOpError("expected output dimension ")
             << (1 + i) << " to be " << span / stride[i] + 1 << ", got "
             << dimOf(op.getOutput(), 1 + i);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

/// The checks a 2-D convolution of either kind shares: ranks, the input
/// channels the weight expects (`weightChannels`), `channels` outputs of
/// the input's batch, the window and the epilogue.
template <typename OpTy>
static LogicalResult verifyConv(OpTy op, StringRef weightLayout,
                                int64_t weightChannels, int64_t channels,
                                int64_t kh, int64_t kw) {
  if (dimOf(op.getInput(), 3) != weightChannels)
    return op.emitOpError("the weight has ")
           << weightChannels << " " << (weightLayout == "HWCM" ? "" : "input ")
           << "channels, the input " << dimOf(op.getInput(), 3);
  if (dimOf(op.getOutput(), 3) != channels ||
      dimOf(op.getOutput(), 0) != dimOf(op.getInput(), 0))
    return op.emitOpError("expected an output of ")
           << channels << " channels"
           << (weightLayout == "HWCM" ? " (C * M)" : "")
           << " and the input's batch";
  if (failed(verifyWindow(op, kh, kw)))
    return failure();
  int64_t reduction = weightLayout == "HWCM" ? kh * kw : kh * kw * weightChannels;
  return verifyLayerCommon(op, channels, reduction);
}

/// Whether the input, weight and output of `op` are 4-D.
template <typename OpTy>
static bool hasConvRanks(OpTy op) {
  return rankOf(op.getInput()) == 4 && rankOf(op.getWeight()) == 4 &&
         rankOf(op.getOutput()) == 4;
}

LogicalResult Conv2DOp::verify() {
  if (!hasConvRanks(*this))
    return emitOpError("expected 4-D input (NHWC), weight (OHWI) and output");
  Value w = getWeight();
  return verifyConv(*this, "OHWI", dimOf(w, 3), dimOf(w, 0), dimOf(w, 1),
                    dimOf(w, 2));
}

LogicalResult DepthwiseConv2DOp::verify() {
  if (!hasConvRanks(*this))
    return emitOpError("expected 4-D input (NHWC), weight (HWCM) and output");
  Value w = getWeight();
  return verifyConv(*this, "HWCM", dimOf(w, 2), dimOf(w, 2) * dimOf(w, 3),
                    dimOf(w, 0), dimOf(w, 1));
}

LogicalResult MatmulOp::verify() {
  if (rankOf(getInput()) != 3 || rankOf(getWeight()) != 3 ||
      rankOf(getOutput()) != 3)
    return emitOpError("expected 3-D input [N, H, K], weight [N, K, W] and "
                       "output [N, H, W]");
  int64_t channels = dimOf(getWeight(), 2);
  if (dimOf(getWeight(), 1) != dimOf(getInput(), 2) ||
      dimOf(getWeight(), 0) != dimOf(getInput(), 0))
    return emitOpError("the weight's [N, K] does not match the input's");
  if (dimOf(getOutput(), 0) != dimOf(getInput(), 0) ||
      dimOf(getOutput(), 1) != dimOf(getInput(), 1) ||
      dimOf(getOutput(), 2) != channels)
    return emitOpError("expected an output of shape [N, H, ")
           << channels << "]";
  return verifyLayerCommon(*this, channels, dimOf(getWeight(), 1));
}

LogicalResult MaxPool2DOp::verify() {
  if (rankOf(getInput()) != 4 || rankOf(getOutput()) != 4)
    return emitOpError("expected 4-D (NHWC) input and output");
  ArrayRef<int64_t> kernel = getKernel(), stride = getStride(), pad = getPad();
  if (kernel.size() != 2 || stride.size() != 2 || pad.size() != 4 ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }) ||
      llvm::any_of(stride, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(pad, [](int64_t p) { return p < 0; }))
    return emitOpError("expected a positive kernel and stride of 2 values "
                       "and a non-negative pad of 4");
  for (int i = 0; i < 2; ++i) {
    int64_t span = dimOf(getInput(), 1 + i) + pad[2 * i] + pad[2 * i + 1] -
                   kernel[i];
    if (span < 0 || span % stride[i] != 0 ||
        dimOf(getOutput(), 1 + i) != span / stride[i] + 1)
      return emitOpError("the pool does not give output dimension ")
             << (1 + i) << " of " << dimOf(getOutput(), 1 + i);
  }
  if (dimOf(getOutput(), 0) != dimOf(getInput(), 0) ||
      dimOf(getOutput(), 3) != dimOf(getInput(), 3))
    return emitOpError("expected the input's batch and channels");
  return success();
}

/// The checks of the requantize unit's elementwise path: 8-bit zero
/// points, apply_scale_32's multiplier and shift ranges, a clamp range.
static LogicalResult verifyElementwise(Operation *op, ArrayRef<int64_t> zps,
                                       ArrayRef<int64_t> multipliers,
                                       ArrayRef<int64_t> shifts, int64_t lo,
                                       int64_t hi) {
  for (int64_t zp : zps)
    if (!fitsInt8(zp))
      return op->emitOpError("zero points must be 8-bit values, got ") << zp;
  for (int64_t m : multipliers)
    if (m < 0 || m > INT32_MAX)
      return op->emitOpError("multipliers must be in [0, 2^31), got ") << m;
  for (int64_t s : shifts)
    if (s < 2 || s > 62)
      return op->emitOpError("shifts must be in [2, 62], got ") << s;
  if (!fitsInt8(lo) || !fitsInt8(hi) || lo > hi)
    return op->emitOpError("expected a clamp range within [-128, 127], got [")
           << lo << ", " << hi << "]";
  return success();
}

LogicalResult AddOp::verify() {
  auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
  return verifyElementwise(
      *this, {v(getAZp()), v(getBZp()), v(getOutputZp())},
      {v(getAMultiplier()), v(getBMultiplier()), v(getMultiplier())},
      {v(getAShift()), v(getBShift()), v(getShift())}, v(getClampMin()),
      v(getClampMax()));
}

LogicalResult RescaleOp::verify() {
  auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
  return verifyElementwise(*this, {v(getInputZp()), v(getOutputZp())},
                           {v(getMultiplier())}, {v(getShift())},
                           v(getClampMin()), v(getClampMax()));
}

#define GET_OP_CLASSES
#include "dialects/Npu/IR/NpuOps.cpp.inc"
