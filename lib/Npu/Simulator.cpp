//===- Simulator.cpp - a bit-exact simulator of the npu ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The program-wide checks and the host boundary; the machine that runs the
// commands is in SimulatorMachine.cpp, the tile arithmetic in
// SimulatorKernels.cpp.
//
// create() bounds every size a file can name (memories, shapes, windows)
// before anything is allocated or indexed: a corrupt program must fail
// with a message, never allocate without limit, overflow or read outside a
// buffer.
//
//===----------------------------------------------------------------------===//

#include "qlip/Npu/Simulator.h"

#include "SimulatorMachine.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir::npu::stream;
using mlir::qlip::NpyArray;
using mlir::qlip::NpyDType;

namespace {

/// The largest memory the simulator allocates.
constexpr int64_t kMaxMemory = int64_t(1) << 30;
/// The largest dimension, window size, stride or padding of a layer.
constexpr int64_t kMaxDim = int64_t(1) << 24;
/// The most elements of a layer's tensors, weights or MACs.
constexpr int64_t kMaxProduct = int64_t(1) << 40;
/// The most work (MACs, vector reads and DMA bytes) a program may ask for:
/// 64 times a ResNet-50 at 224x224, about a minute of simulation.
constexpr int64_t kMaxWork = int64_t(1) << 38;

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The product of `values`, or nullopt past kMaxProduct.
std::optional<int64_t> getProduct(llvm::ArrayRef<int64_t> values) {
  int64_t product = 1;
  for (int64_t v : values)
    if (llvm::MulOverflow(product, v, product) || product > kMaxProduct)
      return std::nullopt;
  return product;
}

bool isInt8(int64_t v) { return v >= -128 && v <= 127; }
bool isInt32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

llvm::Error checkTarget(const Program &p) {
  const Target &t = p.target;
  // Bounded too: CostModel.h's ceilDiv(a, b) computes a + b - 1.
  for (int64_t v : {t.rows, t.cols, t.dramBytesPerCycle, t.clockMhz})
    if (v < 1 || v > kMaxDim)
      return makeError("the target's array, DRAM bandwidth and clock must be "
                       "1 to 2^24, got " +
                       llvm::Twine(v));
  for (int64_t size : {t.scratchpad, t.weightBuffer, p.dramSize})
    if (size < 0 || size > kMaxMemory)
      return makeError("a memory of " + llvm::Twine(size) +
                       " bytes (the simulator takes 0 to 2^30)");
  for (int64_t w : t.widths)
    if (w != 2 && w != 4 && w != 8)
      return makeError("operand width " + llvm::Twine(w) + " is not 2, 4 or 8");
  for (const Segment &s : p.segments)
    if (s.offset < 0 ||
        static_cast<int64_t>(s.bytes.size()) > p.dramSize - s.offset)
      return makeError("a segment [" + llvm::Twine(s.offset) + ", +" +
                       llvm::Twine(s.bytes.size()) + ") lies outside the " +
                       llvm::Twine(p.dramSize) + "-byte DRAM");
  return llvm::Error::success();
}

llvm::Error checkBoundary(const Program &p, const Boundary &b,
                          const llvm::Twine &what) {
  for (int64_t d : b.shape)
    if (d < 1)
      return makeError(what + " has dimension " + llvm::Twine(d));
  std::optional<int64_t> elements = getProduct(b.shape);
  if (!elements || b.offset < 0 || *elements > p.dramSize - b.offset)
    return makeError(what + " lies outside DRAM");
  if (!(b.scale > 0) || !std::isfinite(b.scale) || b.qmin < -128 ||
      b.qmax > 127 || b.qmin > b.qmax || !isInt8(b.zeroPoint))
    return makeError(what + " needs a positive finite scale, a range within "
                            "[-128, 127] and an 8-bit zero point");
  return llvm::Error::success();
}

/// The layer's own consistency: what the kernels rely on to stay inside
/// the tiles' buffers, and sizes small enough that nothing overflows.
llvm::Error checkLayer(const Layer &l, size_t index) {
  auto bad = [&](const llvm::Twine &message) {
    return makeError("layer " + llvm::Twine(index) + " '" + l.name + "' (" +
                     getLayerKindName(l.kind) + "): " + message);
  };
  if (l.kind < LayerKind::Conv2D || l.kind > LayerKind::Rescale)
    return bad("unknown kind");
  using Values = llvm::ArrayRef<int64_t>;
  for (Values values : {Values(l.input), Values(l.output), Values(l.kernel),
                        Values(l.stride), Values(l.dilation)})
    for (int64_t v : values)
      if (v < 1 || v > kMaxDim)
        return bad("shapes, windows, strides and dilations must be 1 to "
                   "2^24, got " +
                   llvm::Twine(v));
  for (int64_t v : l.pad)
    if (v < 0 || v > kMaxDim)
      return bad("padding must be 0 to 2^24, got " + llvm::Twine(v));
  std::optional<int64_t> outputs = getProduct(l.output);
  if (!getProduct(l.input) || !outputs)
    return bad("more than 2^40 elements");
  for (int64_t v : {l.inputZp, l.outputZp, l.clampMin, l.clampMax})
    if (!isInt8(v))
      return bad("zero points and clamps must be 8-bit values, got " +
                 llvm::Twine(v));
  if (l.clampMin > l.clampMax)
    return bad("clamp_min is above clamp_max");
  if (l.output[0] != l.input[0])
    return bad("the input and output batch differ");

  bool window = l.kind == LayerKind::Conv2D ||
                l.kind == LayerKind::DepthwiseConv2D ||
                l.kind == LayerKind::MaxPool2D;
  // The others map output rows to input rows one to one.
  if (!window &&
      (l.kernel[0] != 1 || l.kernel[1] != 1 || l.stride[0] != 1 ||
       l.stride[1] != 1 || l.dilation[0] != 1 || l.dilation[1] != 1 ||
       llvm::any_of(l.pad, [](int64_t p) { return p != 0; })))
    return bad("expected a 1x1 window, stride 1, no padding");

  switch (l.kind) {
  case LayerKind::Conv2D:
    break;
  case LayerKind::DepthwiseConv2D:
    // (Dividing: a huge multiplier must not overflow the product.)
    if (l.multiplier < 1 || l.output[3] % l.multiplier ||
        l.output[3] / l.multiplier != l.input[3])
      return bad("expected input channels x multiplier " +
                 llvm::Twine(l.multiplier) + " output channels");
    break;
  case LayerKind::Matmul:
    if (l.input[2] != 1 || l.output[2] != 1 || l.input[1] != l.output[1])
      return bad("expected input [N, H, 1, K] and output [N, H, 1, C]");
    break;
  case LayerKind::MaxPool2D:
    if (l.input[3] != l.output[3])
      return bad("the input and output channels differ");
    // The vector path reads a window an output.
    if (!getProduct({*outputs, l.kernel[0], l.kernel[1]}))
      return bad("more than 2^40 reads");
    break;
  case LayerKind::Add:
  case LayerKind::Rescale: {
    if (l.input != l.output)
      return bad("the input and output shapes differ");
    bool add = l.kind == LayerKind::Add;
    if (add && !isInt8(l.rescale[0]))
      return bad("the second input's zero point must be an 8-bit value");
    // (multiplier, shift) pairs: [1], [2], [3], [4], [5], [6] of an add,
    // [0], [1] of a rescale.
    for (size_t i = add ? 1 : 0; i < (add ? 7u : 2u); i += 2)
      if (!isInt32(l.rescale[i]) || l.rescale[i + 1] < 1 ||
          l.rescale[i + 1] > 62)
        return bad("a multiplier outside int32 or a shift outside 1 to 62");
    break;
  }
  }
  if (!isMacLayer(l.kind))
    return llvm::Error::success();
  if (l.weightBits != 2 && l.weightBits != 4 && l.weightBits != 8)
    return bad("weight_bits must be 2, 4 or 8, got " +
               llvm::Twine(l.weightBits));
  std::optional<int64_t> reduction =
      getProduct({l.kernel[0], l.kernel[1], l.input[3], l.input[0]});
  if (!reduction || !getProduct({*reduction, l.output[3]}) ||
      !getProduct({*outputs, *reduction}))
    return bad("more than 2^40 weights or MACs");
  return llvm::Error::success();
}

/// The host's side of an input: q = clamp(roundeven(x / scale) + zp, qmin,
/// qmax) in f64, as qlip.quantize computes it (a NaN becomes the zero
/// point).
void quantize(const Boundary &b, llvm::ArrayRef<float> values, int8_t *out) {
  for (auto [i, x] : llvm::enumerate(values)) {
    if (std::isnan(x)) {
      out[i] = static_cast<int8_t>(b.zeroPoint);
      continue;
    }
    // nearbyint rounds half to even in the default rounding mode.
    double q = std::nearbyint(static_cast<double>(x) / b.scale) +
               static_cast<double>(b.zeroPoint);
    q = std::clamp(q, static_cast<double>(b.qmin), static_cast<double>(b.qmax));
    out[i] = static_cast<int8_t>(q);
  }
}

NpyArray dequantize(const Boundary &b, const int8_t *levels) {
  // checkBoundary bounded the product.
  auto count = static_cast<size_t>(*getProduct(b.shape));
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i)
    values[i] = static_cast<float>(
        (static_cast<double>(levels[i]) - static_cast<double>(b.zeroPoint)) *
        b.scale);
  return NpyArray::create<float>(b.shape, values);
}

/// The work the commands ask for, counted before any runs, so that a
/// program of valid commands that repeats huge tiles is refused at once
/// instead of running for hours. Arguments the machine would refuse count
/// as nothing; only their sizes matter here.
llvm::Error checkWork(const Program &p) {
  int64_t work = 0;
  std::optional<size_t> layer;
  auto add = [&](std::initializer_list<int64_t> factors) {
    int64_t product = 1;
    for (int64_t f : factors)
      if (llvm::MulOverflow(product, std::max<int64_t>(f, 0), product))
        product = kMaxWork + 1;
    if (llvm::AddOverflow(work, std::min(product, kMaxWork + 1), work))
      work = kMaxWork + 1;
  };
  for (const Command &c : p.commands) {
    const auto &a = c.args;
    switch (c.opcode) {
    case Opcode::Configure:
      // A layer that does not exist fails when the command runs.
      layer = std::nullopt;
      if (a[0] >= 0 && a[0] < static_cast<int64_t>(p.layers.size()))
        layer = static_cast<size_t>(a[0]);
      break;
    case Opcode::DmaLoad:
    case Opcode::DmaStore:
      add({a[3], a[4]});
      break;
    case Opcode::MacTile:
    case Opcode::VectorTile: {
      if (!layer)
        break;
      const Layer &l = p.layers[*layer];
      int64_t perOutput =
          isMacLayer(l.kind) ? getReduction(l)
          : l.kind == LayerKind::MaxPool2D ? l.kernel[0] * l.kernel[1]
                                           : 2;
      add({a[5], a[7], l.output[0], l.output[2], perOutput});
      break;
    }
    case Opcode::Wait:
    case Opcode::Requantize:
      break;
    }
    if (work > kMaxWork)
      return makeError("the commands ask for more than 2^38 MACs, reads and "
                       "DMA bytes (at command " +
                       llvm::Twine(&c - p.commands.data()) + ")");
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<Simulator> Simulator::create(const Program &program) {
  if (llvm::Error e = checkTarget(program))
    return std::move(e);
  for (auto [i, b] : llvm::enumerate(program.inputs))
    if (llvm::Error e =
            checkBoundary(program, b, "model input " + llvm::Twine(i)))
      return std::move(e);
  for (auto [i, b] : llvm::enumerate(program.outputs))
    if (llvm::Error e =
            checkBoundary(program, b, "model output " + llvm::Twine(i)))
      return std::move(e);
  for (auto [i, l] : llvm::enumerate(program.layers))
    if (llvm::Error e = checkLayer(l, i))
      return std::move(e);
  if (llvm::Error e = checkWork(program))
    return std::move(e);
  return Simulator(program);
}

llvm::Error Simulator::run(llvm::ArrayRef<NpyArray> inputs,
                           std::vector<NpyArray> &outputs) {
  if (inputs.size() != program.inputs.size())
    return makeError("the program takes " + llvm::Twine(program.inputs.size()) +
                     " input(s), got " + llvm::Twine(inputs.size()));
  for (auto [i, array] : llvm::enumerate(inputs)) {
    const Boundary &b = program.inputs[i];
    if (array.dtype != NpyDType::F32)
      return makeError("input " + llvm::Twine(i) + " takes f32 data, got " +
                       qlip::getNpyDTypeName(array.dtype));
    // (The data's size too: the host writes exactly the boundary's bytes.)
    if (!llvm::equal(array.shape, b.shape) ||
        array.data.size() != array.numElements() * sizeof(float))
      return makeError("input " + llvm::Twine(i) + " takes shape " +
                       qlip::formatArrayShape(b.shape) + ", got " +
                       qlip::formatArrayShape(array.shape));
  }

  Machine machine(program);
  auto *dram = reinterpret_cast<int8_t *>(machine.getDram().data());
  for (auto [b, array] : llvm::zip_equal(program.inputs, inputs))
    quantize(b, array.getValues<float>(), dram + b.offset);
  for (size_t i = 0; i < program.commands.size(); ++i)
    if (llvm::Error e = machine.execute(i))
      return e;
  if (llvm::Error e = machine.finish())
    return e;

  outputs.clear();
  for (const Boundary &b : program.outputs)
    outputs.push_back(dequantize(b, dram + b.offset));
  stats = machine.getStats();
  return llvm::Error::success();
}
