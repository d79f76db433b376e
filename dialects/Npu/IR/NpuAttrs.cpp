//===- NpuAttrs.cpp - npu attributes ----------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/IR/NpuAttrs.h"
#include "dialects/Npu/IR/NpuDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::npu;

FailureOr<SmallVector<int64_t>> mlir::npu::parseI64List(AsmParser &parser) {
  SmallVector<int64_t> values;
  if (failed(parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square, [&]() -> ParseResult {
            return parser.parseInteger(values.emplace_back());
          })))
    return failure();
  return values;
}

void mlir::npu::printI64List(AsmPrinter &printer, ArrayRef<int64_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}

#define GET_ATTRDEF_CLASSES
#include "dialects/Npu/IR/NpuAttrs.cpp.inc"

void NpuDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Npu/IR/NpuAttrs.cpp.inc"
      >();
}

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t rows, int64_t cols,
                                 ArrayRef<int64_t> widths, int64_t scratchpad,
                                 int64_t weightBuffer,
                                 int64_t dramBytesPerCycle, int64_t clockMhz) {
  // A MAC array beyond 1024 x 1024 is no design anyone builds; the bound
  // keeps the cycle model's products far from overflow.
  if (rows < 1 || rows > 1024 || cols < 1 || cols > 1024)
    return emitError() << "the MAC array must be 1 to 1024 rows and columns, "
                          "got "
                       << rows << " x " << cols;
  if (widths.empty())
    return emitError() << "the MAC array must support at least one operand "
                          "width";
  for (size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] != 2 && widths[i] != 4 && widths[i] != 8)
      return emitError() << "operand widths must be 2, 4 or 8 bits, got "
                         << widths[i];
    if (i > 0 && widths[i] <= widths[i - 1])
      return emitError() << "operand widths must increase, but " << widths[i]
                         << " follows " << widths[i - 1];
  }
  struct Size {
    const char *name;
    int64_t value;
  } sizes[] = {{"scratchpad", scratchpad},
               {"weight_buffer", weightBuffer},
               {"dram_bytes_per_cycle", dramBytesPerCycle},
               {"clock_mhz", clockMhz}};
  for (const Size &size : sizes)
    if (size.value < 1)
      return emitError() << size.name << " must be positive, got "
                         << size.value;
  return success();
}

LogicalResult TileAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t rows, int64_t channels,
                               ArrayRef<int64_t> buffers) {
  if (rows < 1 || channels < 1)
    return emitError() << "a tile has at least one row and one channel, got "
                       << rows << " x " << channels;
  if (buffers.size() != 8)
    return emitError() << "expected 4 buffers [offset, size] (input ping, "
                          "pong, output ping, pong), got "
                       << buffers.size() << " values";
  for (unsigned i = 0; i < 4; ++i) {
    int64_t offset = buffers[2 * i], size = buffers[2 * i + 1];
    if (offset < 0 || size < 1)
      return emitError() << "buffer " << i << " [" << offset << ", " << size
                         << "] is not a region";
    // All four are live for the whole layer: no two may share a byte.
    for (unsigned j = 0; j < i; ++j) {
      int64_t otherOffset = buffers[2 * j], otherSize = buffers[2 * j + 1];
      if (offset < otherOffset + otherSize && otherOffset < offset + size)
        return emitError() << "buffers " << j << " [" << otherOffset << ", "
                           << otherSize << "] and " << i << " [" << offset
                           << ", " << size << "] overlap while both are live";
    }
  }
  return success();
}

TargetAttr TargetAttr::lookup(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto target = op->getAttrOfType<TargetAttr>(getAttrName()))
      return target;
  return {};
}

LogicalResult LayerAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, StringRef kind,
    ArrayRef<int64_t> input, ArrayRef<int64_t> output, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation, ArrayRef<int64_t> pad,
    int64_t multiplier, int64_t weightBits, int64_t inputZp, int64_t outputZp,
    int64_t clampMin, int64_t clampMax, int64_t params,
    ArrayRef<int64_t> rescale) {
  if (!stream::parseLayerKind(kind))
    return emitError() << "unknown layer kind '" << kind << "'";
  struct List {
    const char *name;
    ArrayRef<int64_t> values;
    size_t size;
    int64_t min;
  } lists[] = {{"input", input, 4, 1},       {"output", output, 4, 1},
               {"kernel", kernel, 2, 1},     {"stride", stride, 2, 1},
               {"dilation", dilation, 2, 1}, {"pad", pad, 4, 0},
               {"rescale", rescale, 7, INT64_MIN}};
  for (const List &list : lists) {
    if (list.values.size() != list.size)
      return emitError() << "expected " << list.size << " values in "
                         << list.name << ", got " << list.values.size();
    for (int64_t v : list.values)
      if (v < list.min)
        return emitError() << list.name << " holds " << v << " (at least "
                           << list.min << ")";
  }
  if (weightBits != 2 && weightBits != 4 && weightBits != 8)
    return emitError() << "weight_bits must be 2, 4 or 8, got " << weightBits;
  if (multiplier < 1 || output[3] % multiplier)
    return emitError() << "multiplier " << multiplier << " does not divide "
                       << output[3] << " output channels";
  for (int64_t v : {inputZp, outputZp, clampMin, clampMax})
    if (v < -128 || v > 127)
      return emitError() << "zero points and clamps must be 8-bit values, got "
                         << v;
  if (clampMin > clampMax || params < 0)
    return emitError() << "expected clamp_min <= clamp_max and params >= 0";
  return success();
}

stream::Layer LayerAttr::toStream(StringRef name) const {
  stream::Layer layer;
  layer.kind = *stream::parseLayerKind(getKind());
  layer.name = name.str();
  llvm::copy(getInput(), layer.input.begin());
  llvm::copy(getOutput(), layer.output.begin());
  llvm::copy(getKernel(), layer.kernel.begin());
  llvm::copy(getStride(), layer.stride.begin());
  llvm::copy(getDilation(), layer.dilation.begin());
  llvm::copy(getPad(), layer.pad.begin());
  layer.multiplier = getMultiplier();
  layer.weightBits = getWeightBits();
  layer.inputZp = getInputZp();
  layer.outputZp = getOutputZp();
  layer.clampMin = getClampMin();
  layer.clampMax = getClampMax();
  layer.params = getParams();
  llvm::copy(getRescale(), layer.rescale.begin());
  return layer;
}

bool LayerAttr::isMacLayer() const {
  return stream::isMacLayer(*stream::parseLayerKind(getKind()));
}

int64_t LayerAttr::getWeightRowBytes() const {
  return stream::getWeightRowBytes(toStream(""));
}
