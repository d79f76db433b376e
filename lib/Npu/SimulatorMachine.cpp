//===- SimulatorMachine.cpp - the npu's memories and commands ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Each command is checked before it changes anything: its addresses
// against their memories, its tile against the configured layer, its bytes
// against the DMAs in flight. A DMA moves its bytes when it issues, so a
// program that uses them before the `wait` would read the right values
// here and the wrong ones on the chip; the in-flight check is what makes
// that an error. Timing follows docs/npu-command-stream.md: one control
// clock for in-order issue, one DMA engine that works behind it.
//
//===----------------------------------------------------------------------===//

#include "SimulatorMachine.h"

#include "qlip/Npu/CostModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstring>

using namespace mlir::npu::stream;

//===----------------------------------------------------------------------===//
// Regions
//===----------------------------------------------------------------------===//

bool Region::meets(int64_t begin, int64_t end) const {
  if (bytes <= 0 || begin >= end)
    return false;
  // Chunk i meets [begin, end) iff base + i * stride < end and
  // base + i * stride + bytes > begin.
  int64_t first = llvm::divideFloorSigned(begin - base - bytes, stride) + 1;
  int64_t last = llvm::divideCeilSigned(end - base, stride) - 1;
  return std::max<int64_t>(first, 0) <= std::min(last, count - 1);
}

bool Region::overlaps(const Region &other) const {
  if (memory != other.memory)
    return false;
  // Walk the region with fewer chunks; each test is O(1).
  const Region &walked = count <= other.count ? *this : other;
  const Region &tested = count <= other.count ? other : *this;
  for (int64_t i = 0; i < walked.count; ++i) {
    int64_t begin = walked.base + i * walked.stride;
    if (tested.meets(begin, begin + walked.bytes))
      return true;
  }
  return false;
}

static llvm::StringRef getMemoryName(Memory memory) {
  switch (memory) {
  case Memory::Dram:
    return "DRAM";
  case Memory::Scratchpad:
    return "scratchpad";
  case Memory::WeightBuffer:
    return "weight buffer";
  }
  return "memory";
}

//===----------------------------------------------------------------------===//
// The machine
//===----------------------------------------------------------------------===//

Machine::Machine(const Program &program)
    : program(program), dram(program.dramSize),
      scratchpad(program.target.scratchpad),
      weightBuffer(program.target.weightBuffer) {
  for (const Segment &segment : program.segments)
    llvm::copy(segment.bytes, dram.begin() + segment.offset);
  for (const Layer &l : program.layers) {
    LayerStats &s = stats.layers.emplace_back();
    s.name = l.name;
    s.kind = l.kind;
    s.weightBits = isMacLayer(l.kind) ? l.weightBits : 8;
  }
}

llvm::Error Machine::error(const llvm::Twine &message) const {
  const Command &command = program.commands[index];
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "command " + llvm::Twine(index) + " (" +
                                     getOpcodeName(command.opcode) +
                                     "): " + message);
}

llvm::Error Machine::execute(size_t commandIndex) {
  index = commandIndex;
  const Command &c = program.commands[index];
  switch (c.opcode) {
  case Opcode::Configure:
    return configure(c.args[0]);
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    return dma(c);
  case Opcode::Wait:
    return wait(c.args[0]);
  case Opcode::MacTile:
    return macTile(c);
  case Opcode::Requantize:
    return requantize(c.args[0]);
  case Opcode::VectorTile:
    return vectorTile(c);
  }
  return error("unknown opcode " +
               llvm::Twine(static_cast<uint32_t>(c.opcode)));
}

llvm::Error Machine::checkRegion(llvm::StringRef what, const Region &region,
                                 bool dma) {
  int64_t size = static_cast<int64_t>(getMemory(region.memory).size());
  int64_t extent = 0;
  bool overflow = llvm::MulOverflow(region.count - 1, region.stride, extent) ||
                  llvm::AddOverflow(extent, region.bytes, extent);
  // Only the errors print it.
  auto range = [&] {
    return "[" + std::to_string(region.base) + ", +" +
           (overflow ? std::string("...") : std::to_string(extent)) + ")";
  };
  if (overflow || region.base < 0 || extent > size - region.base)
    return error(what + " " + range() + " lies outside the " +
                 llvm::Twine(size) + "-byte " + getMemoryName(region.memory));
  for (const InFlightDma &d : inFlight)
    for (const Region *other : {&d.dram, &d.local})
      if (region.overlaps(*other) && (!dma || region.write || other->write))
        return error(what + " " + range() + " uses " +
                     getMemoryName(region.memory) + " bytes in flight (tag " +
                     llvm::Twine(d.tag) + ", issued by command " +
                     llvm::Twine(d.command) + ")");
  if (region.memory == Memory::Scratchpad && region.bytes > 0)
    stats.peakScratchpad = std::max(stats.peakScratchpad, region.base + extent);
  return llvm::Error::success();
}

std::vector<uint8_t> &Machine::getMemory(Memory memory) {
  switch (memory) {
  case Memory::Dram:
    return dram;
  case Memory::Scratchpad:
    return scratchpad;
  case Memory::WeightBuffer:
    return weightBuffer;
  }
  llvm_unreachable("a memory of the machine");
}

uint8_t *Machine::getBytes(const Region &region) {
  return getMemory(region.memory).data() + region.base;
}

llvm::Error Machine::checkLayer(bool mac) const {
  if (!layer)
    return error("no layer is configured");
  const Layer &l = program.layers[*layer];
  if (isMacLayer(l.kind) != mac)
    return error(llvm::Twine("needs ") +
                 (mac ? "a conv2d, depthwise_conv2d or matmul"
                      : "a max_pool2d, add or rescale") +
                 " layer, but layer '" + l.name + "' is a " +
                 getLayerKindName(l.kind));
  return llvm::Error::success();
}

llvm::Expected<Tile> Machine::getTile(const Command &c, bool mac) const {
  if (llvm::Error e = checkLayer(mac))
    return std::move(e);
  const Layer &l = program.layers[*layer];
  const auto &a = c.args;
  Tile t{a[1], a[2], a[4], a[5], a[6], a[7]};
  // Written so that no sum can overflow on arbitrary arguments.
  if (t.row < 0 || t.rows < 1 || t.rows > l.output[1] - t.row ||
      t.channel < 0 || t.channels < 1 || t.channels > l.output[3] - t.channel)
    return error("tile rows [" + llvm::Twine(t.row) + ", +" +
                 llvm::Twine(t.rows) + ") x channels [" +
                 llvm::Twine(t.channel) + ", +" + llvm::Twine(t.channels) +
                 ") is not inside layer '" + l.name + "''s " +
                 llvm::Twine(l.output[1]) + " x " + llvm::Twine(l.output[3]) +
                 " output");
  if (l.kind == LayerKind::DepthwiseConv2D &&
      (t.channel % l.multiplier || t.channels % l.multiplier))
    return error("a depthwise tile's channels must be whole multiples of the "
                 "channel multiplier " +
                 llvm::Twine(l.multiplier));
  RowRange need = getInputRows(l, t.row, t.rows);
  if (t.inputRow != need.first || t.inputRows != need.count)
    return error("the tile's window reads input rows [" +
                 llvm::Twine(need.first) + ", +" + llvm::Twine(need.count) +
                 "), but the tile holds [" + llvm::Twine(t.inputRow) + ", +" +
                 llvm::Twine(t.inputRows) + ")");
  return t;
}

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

llvm::Error Machine::configure(int64_t layerIndex) {
  if (layerIndex < 0 ||
      layerIndex >= static_cast<int64_t>(program.layers.size()))
    return error("no layer " + llvm::Twine(layerIndex) + " (the program has " +
                 llvm::Twine(program.layers.size()) + ")");
  const Layer &l = program.layers[layerIndex];
  closeStretch();
  layer = layerIndex;
  accTile.reset();
  if (!isMacLayer(l.kind))
    return llvm::Error::success();
  if (!llvm::is_contained(program.target.widths, l.weightBits))
    return error("the target's MAC array takes no " +
                 llvm::Twine(l.weightBits) + "-bit operands");
  int64_t channels = l.output[3];
  Region table = Region::dense(Memory::Dram, l.params, 9 * channels, false);
  if (llvm::Error e = checkRegion("the epilogue table", table, /*dma=*/true))
    return e;
  epilogue = readEpilogue(getBytes(table), channels);
  for (auto [c, shift] : llvm::enumerate(epilogue.shift))
    if (shift < 1 || shift > 62)
      return error("channel " + llvm::Twine(c) + " of layer '" + l.name +
                   "' has shift " + llvm::Twine(static_cast<int>(shift)) +
                   " (1 to 62)");
  // The table comes through the DMA engine, and configure waits for it.
  now = transfer(table.bytes);
  return llvm::Error::success();
}

llvm::Error Machine::dma(const Command &c) {
  const auto &a = c.args;
  bool load = c.opcode == Opcode::DmaLoad;
  int64_t count = a[3], bytes = a[4], tag = a[7];
  if (a[0] != 0 && (!load || a[0] != 1))
    return error(load ? "memory " + llvm::Twine(a[0]) +
                            " is neither 0 (scratchpad) nor 1 (weight buffer)"
                      : "stores only from the scratchpad (memory 0), not " +
                            llvm::Twine(a[0]));
  if (count < 1 || bytes < 1 || a[5] < bytes || a[6] < bytes)
    return error("expected at least one chunk of at least one byte, and "
                 "strides no shorter than a chunk");
  if (tag < 0)
    return error("tags are non-negative, got " + llvm::Twine(tag));
  Region dramSide{Memory::Dram, a[1], count, bytes, a[5], !load};
  Region local{a[0] ? Memory::WeightBuffer : Memory::Scratchpad,
               a[2],
               count,
               bytes,
               a[6],
               load};
  if (llvm::Error e = checkRegion("the DRAM range", dramSide, /*dma=*/true))
    return e;
  if (llvm::Error e = checkRegion("the local range", local, /*dma=*/true))
    return e;
  for (const InFlightDma &d : inFlight)
    if (d.tag == tag)
      return error("tag " + llvm::Twine(tag) +
                   " is still in flight (issued by command " +
                   llvm::Twine(d.command) + ")");

  const uint8_t *from = getBytes(load ? dramSide : local);
  uint8_t *to = getBytes(load ? local : dramSide);
  int64_t fromStride = load ? a[5] : a[6], toStride = load ? a[6] : a[5];
  for (int64_t i = 0; i < count; ++i)
    std::memcpy(to + i * toStride, from + i * fromStride, bytes);

  if (local.memory == Memory::WeightBuffer && layer)
    stats.weightsResident = false;
  inFlight.push_back({tag, index, dramSide, local, transfer(count * bytes)});
  return llvm::Error::success();
}

llvm::Error Machine::wait(int64_t tag) {
  auto it = llvm::find_if(inFlight,
                          [&](const InFlightDma &d) { return d.tag == tag; });
  if (it == inFlight.end())
    return error("tag " + llvm::Twine(tag) + " has no DMA in flight");
  now = std::max(now, it->end);
  inFlight.erase(it);
  return llvm::Error::success();
}

llvm::Error Machine::macTile(const Command &c) {
  llvm::Expected<Tile> t = getTile(c, /*mac=*/true);
  if (!t)
    return t.takeError();
  const Layer &l = program.layers[*layer];
  // The accumulators hold the tile until requantize writes it to the
  // scratchpad as bytes: a tile whose output cannot fit there could never
  // be stored (and must not allocate its accumulators).
  int64_t outBytes = getOutputTileBytes(l, t->rows, t->channels);
  if (outBytes > static_cast<int64_t>(scratchpad.size()))
    return error("the tile's " + llvm::Twine(outBytes) +
                 "-byte output is larger than the " +
                 llvm::Twine(scratchpad.size()) + "-byte scratchpad");
  Region input =
      Region::dense(Memory::Scratchpad, c.args[0],
                    getInputTileBytes(l, t->inputRows, t->channels), false);
  Region weights = Region::dense(Memory::WeightBuffer, c.args[3],
                                 getWeightTileBytes(l, t->channels), false);
  if (llvm::Error e = checkRegion("the input tile", input, /*dma=*/false))
    return e;
  if (llvm::Error e = checkRegion("the weights", weights, /*dma=*/false))
    return e;

  std::vector<int8_t> w = unpackWeights(l, getBytes(weights), t->channels);
  acc = computeMacTile(l, *t, reinterpret_cast<int8_t *>(getBytes(input)), w);
  accTile = *t;

  const Target &target = program.target;
  int64_t pixels = l.output[0] * t->rows * l.output[2];
  int64_t reduction = getReduction(l);
  int64_t cycles = getMacCycles(target.rows, target.cols, l.weightBits,
                                t->channels, reduction, pixels);
  LayerStats &s = getStretch();
  s.tiles += 1;
  s.macs += pixels * t->channels * reduction;
  s.computeCycles += cycles;
  now += cycles;
  return llvm::Error::success();
}

llvm::Error Machine::requantize(int64_t output) {
  if (llvm::Error e = checkLayer(/*mac=*/true))
    return e;
  const Layer &l = program.layers[*layer];
  if (!accTile)
    return error("no mac_tile of layer '" + l.name + "' before it");
  Region out = Region::dense(
      Memory::Scratchpad, output,
      getOutputTileBytes(l, accTile->rows, accTile->channels), true);
  if (llvm::Error e = checkRegion("the output tile", out, /*dma=*/false))
    return e;
  // In the MAC array's shadow: no cycles of its own.
  requantizeTile(l, epilogue, *accTile, acc,
                 reinterpret_cast<int8_t *>(getBytes(out)));
  return llvm::Error::success();
}

llvm::Error Machine::vectorTile(const Command &c) {
  llvm::Expected<Tile> t = getTile(c, /*mac=*/false);
  if (!t)
    return t.takeError();
  const Layer &l = program.layers[*layer];
  int64_t inBytes = getInputTileBytes(l, t->inputRows, t->channels);
  int64_t outBytes = getOutputTileBytes(l, t->rows, t->channels);
  bool add = l.kind == LayerKind::Add;
  Region input = Region::dense(Memory::Scratchpad, c.args[0], inBytes, false);
  Region out = Region::dense(Memory::Scratchpad, c.args[8], outBytes, true);
  if (llvm::Error e = checkRegion("the input tile", input, /*dma=*/false))
    return e;
  const int8_t *second = nullptr;
  if (add) {
    Region input2 =
        Region::dense(Memory::Scratchpad, c.args[3], inBytes, false);
    if (llvm::Error e =
            checkRegion("the second input tile", input2, /*dma=*/false))
      return e;
    second = reinterpret_cast<int8_t *>(getBytes(input2));
  }
  if (llvm::Error e = checkRegion("the output tile", out, /*dma=*/false))
    return e;
  computeVectorTile(l, *t, reinterpret_cast<int8_t *>(getBytes(input)),
                    second, reinterpret_cast<int8_t *>(getBytes(out)));

  // The vector path reads a pool's window, both of an add's inputs, a
  // rescale's one, for every output value.
  int64_t reads = l.kind == LayerKind::MaxPool2D
                      ? outBytes * l.kernel[0] * l.kernel[1]
                  : add ? 2 * outBytes
                        : outBytes;
  int64_t cycles = getVectorCycles(program.target.rows, reads);
  LayerStats &s = getStretch();
  s.tiles += 1;
  s.computeCycles += cycles;
  now += cycles;
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Timing
//===----------------------------------------------------------------------===//

int64_t Machine::transfer(int64_t bytes) {
  int64_t cycles = getDmaCycles(bytes, program.target.dramBytesPerCycle);
  int64_t start = std::max(now, dmaFree);
  dmaFree = start + cycles;
  LayerStats &s = getStretch();
  s.dmaCycles += cycles;
  s.dramBytes += bytes;
  return dmaFree;
}

LayerStats &Machine::getStretch() {
  if (layer)
    return stats.layers[*layer];
  if (!stats.preload) {
    stats.preload.emplace();
    stats.preload->name = "preload";
  }
  return *stats.preload;
}

void Machine::closeStretch() {
  if (layer || stats.preload)
    getStretch().cycles += now - stretchStart;
  stretchStart = now;
}

llvm::Error Machine::finish() {
  if (!inFlight.empty()) {
    const InFlightDma &d = inFlight.front();
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the program ends with DMA tag " +
                                       llvm::Twine(d.tag) + " (command " +
                                       llvm::Twine(d.command) + ") in flight");
  }
  closeStretch();
  const Target &target = program.target;
  auto complete = [&](LayerStats &s) {
    s.energyNj = (s.macs * getMacPicoJoules(s.weightBits) +
                  s.dramBytes * kDramBytePicoJoules) /
                 1e3;
    if (s.macs)
      s.utilization = static_cast<double>(s.macs) /
                      (static_cast<double>(s.computeCycles) * target.rows *
                       getMacLanes(target.cols, s.weightBits));
    stats.macs += s.macs;
    stats.dramBytes += s.dramBytes;
    stats.energyNj += s.energyNj;
  };
  if (stats.preload)
    complete(*stats.preload);
  for (LayerStats &s : stats.layers)
    complete(s);
  stats.cycles = now;
  stats.microseconds = static_cast<double>(now) / target.clockMhz;
  return llvm::Error::success();
}
