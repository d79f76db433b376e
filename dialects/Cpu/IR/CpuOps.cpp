//===- CpuOps.cpp - the cpu dialect's ops ---------------------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Cpu/IR/CpuOps.h"

#include "qlip/Kernels/Kernels.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::cpu;
using qlip::kernels::kChannelTile;
using qlip::kernels::roundUp;

int mlir::cpu::getIsaCode(StringRef isa) {
  // The kernels' own names (qlip_isa_name), so the two cannot drift.
  for (int code = QLIP_ISA_AUTO; code < qlip::kernels::kNumIsas; ++code)
    if (isa == qlip_isa_name(qlip_isa(code)))
      return code;
  return -1;
}

/// Reads every shaped operand but the init, writes the init: on buffers
/// only (on tensors the ops have no side effect).
template <typename OpTy>
static void getConvEffects(
    OpTy op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (&operand == &op.getInitMutable()) {
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    } else {
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
    }
  }
}

/// The checks both ops share: shapes, geometry and the packed sizes.
/// `packedWeights` is the weight count the packed layout has for the op's
/// shapes.
template <typename OpTy>
static LogicalResult
verifyConv(OpTy op, llvm::function_ref<int64_t(int64_t o, int64_t kh,
                                               int64_t kw, int64_t i)>
                        packedWeights) {
  auto input = cast<ShapedType>(op.getInput().getType());
  auto init = cast<ShapedType>(op.getInit().getType());
  const bool onTensors = isa<RankedTensorType>(init);
  for (Value operand : op->getOperands())
    if (isa<RankedTensorType>(operand.getType()) != onTensors)
      return op.emitOpError("takes only tensors or only memrefs");
  if (onTensors && (op->getNumResults() != 1 ||
                    op->getResult(0).getType() != init))
    return op.emitOpError("on tensors has one result, of the init's type");
  if (!onTensors && op->getNumResults() != 0)
    return op.emitOpError("on memrefs has no result");
  if (input.getRank() != 4 || init.getRank() != 4 ||
      !input.hasStaticShape() || !init.hasStaticShape())
    return op.emitOpError("takes static NHWC input and output, got ")
           << input << " and " << init;

  ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                    dilation = op.getDilation(), pad = op.getPad();
  if (kernel.size() != 2 || stride.size() != 2 || dilation.size() != 2 ||
      pad.size() != 4)
    return op.emitOpError("needs a kernel, stride and dilation of 2 values "
                          "and a pad of 4");
  for (int64_t v : llvm::concat<const int64_t>(kernel, stride, dilation))
    if (v < 1)
      return op.emitOpError("kernel, stride and dilation must be positive");
  for (int64_t v : pad)
    if (v < 0)
      return op.emitOpError("padding must not be negative");
  if (getIsaCode(op.getIsa()) < 0)
    return op.emitOpError("unknown code path '")
           << op.getIsa()
           << "' (expected auto, generic, avx2, avx-vnni or avx512-vnni)";
  if (op.getThreadsAttr().getInt() < 0)
    return op.emitOpError("thread count must not be negative");

  ArrayRef<int64_t> in = input.getShape(), out = init.getShape();
  for (int d = 0; d < 2; ++d) {
    int64_t span = in[1 + d] + pad[2 * d] + pad[2 * d + 1] -
                   (kernel[d] - 1) * dilation[d];
    // At most what TOSA's formula gives: an input cropped by a slice that
    // the kernel absorbed is larger (qlip-tosa-to-cpu).
    int64_t most = span <= 0 ? 0 : (span - 1) / stride[d] + 1;
    if (out[1 + d] < 1 || out[1 + d] > most)
      return op.emitOpError("output ")
             << (d ? "width " : "height ") << out[1 + d]
             << " needs more than the input, kernel, stride, dilation and "
                "padding give (at most "
             << most << ")";
  }
  if (out[0] != in[0])
    return op.emitOpError("output batch differs from the input's");
  const int64_t oc = out[3];
  if (op.getDepthwise() && oc != in[3])
    return op.emitOpError("depthwise output channels (")
           << oc << ") differ from the input's (" << in[3] << ")";

  auto weights = cast<ShapedType>(op.getWeights().getType());
  int64_t expectedWeights = packedWeights(oc, kernel[0], kernel[1], in[3]);
  if (weights.getRank() != 1 || weights.getShape()[0] != expectedWeights)
    return op.emitOpError("packed weights must have ")
           << expectedWeights << " elements, got " << weights;
  for (Value param : op->getOperands().slice(2, op->getNumOperands() - 3)) {
    auto type = cast<ShapedType>(param.getType());
    if (type.getRank() != 1 || type.getShape()[0] != roundUp(oc, kChannelTile))
      return op.emitOpError("per-channel operands must have the output "
                            "channels padded to ")
             << kChannelTile << " (" << roundUp(oc, kChannelTile)
             << "), got " << type;
  }
  return success();
}

LogicalResult QConv2DOp::verify() {
  const int64_t bits = getWeightBitsAttr().getInt();
  const int64_t inputZp = getInputZpAttr().getInt();
  const int64_t outputZp = getOutputZpAttr().getInt();
  const int64_t outputMin = getOutputMinAttr().getInt();
  const int64_t outputMax = getOutputMaxAttr().getInt();
  if (bits != 4 && bits != 8)
    return emitOpError("weight_bits must be 4 or 8, got ") << bits;
  if (inputZp < -128 || inputZp > 127)
    return emitOpError("input_zp must be an int8, got ") << inputZp;
  if (outputMin > outputMax || outputMin < -128 || outputMax > 255)
    return emitOpError("output range [")
           << outputMin << ", " << outputMax
           << "] must be non-empty within [-128, 255]";
  if (outputZp < -128 || outputZp > 255)
    return emitOpError("output_zp out of range: ") << outputZp;
  const bool depthwise = getDepthwise();
  const bool unfold = getUnfoldWidth();
  if (depthwise && unfold)
    return emitOpError("a depthwise convolution has no width to unfold");
  // The vector paths' exact 4-bit sums (canPackNibbles).
  auto input = cast<ShapedType>(getInput().getType());
  auto init = cast<ShapedType>(getInit().getType());
  ArrayRef<int64_t> kernel = getKernel();
  const bool shaped = input.getRank() == 4 && init.getRank() == 4 &&
                      kernel.size() == 2;
  auto packing = [&](int64_t o, int64_t kh, int64_t kw, int64_t i) {
    return qlip::kernels::QConvPacking{o, kh, kw, i, int(bits), depthwise,
                                       unfold};
  };
  if (bits == 4 && shaped &&
      !qlip::kernels::canPackNibbles(
          packing(init.getShape()[3], kernel[0], kernel[1], input.getShape()[3])
              .getReduction()))
    return emitOpError("4-bit weights over a reduction of more than 65,792 "
                       "elements (store them at 8 bits)");
  // apply_scale_32's shifts, where they are known.
  DenseIntElementsAttr shifts;
  if (matchPattern(getShift(), m_Constant(&shifts)))
    for (const APInt &shift : shifts.getValues<APInt>())
      if (shift.getSExtValue() < 2 || shift.getSExtValue() > 62)
        return emitOpError("shifts must be 2 to 62, got ")
               << shift.getSExtValue();
  return verifyConv(*this, [&](int64_t o, int64_t kh, int64_t kw, int64_t i) {
    return packing(o, kh, kw, i).getPackedBytes();
  });
}

void QConv2DOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getConvEffects(*this, effects);
}

LogicalResult Conv2DOp::verify() {
  if (getMin().convertToFloat() > getMax().convertToFloat())
    return emitOpError("min must not exceed max");
  const bool depthwise = getDepthwise();
  return verifyConv(*this, [&](int64_t o, int64_t kh, int64_t kw, int64_t i) {
    return depthwise ? kh * kw * roundUp(i, kChannelTile)
                     : roundUp(o, kChannelTile) * kh * kw * i;
  });
}

void Conv2DOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getConvEffects(*this, effects);
}

#define GET_OP_CLASSES
#include "dialects/Cpu/IR/CpuOps.cpp.inc"
