//===- CommandStream.cpp - npu command stream: write, read, list -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The byte format (docs/npu-command-stream.md): little-endian, a header,
// then the segments, the boundaries, the layers and the commands, each a
// fixed sequence of fields. One field list per record serves the writer and
// the reader (the `Fields` visitors below), so the two cannot drift apart.
//
//===----------------------------------------------------------------------===//

#include "qlip/Npu/CommandStream.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir::npu::stream;

bool mlir::npu::stream::isMacLayer(LayerKind kind) {
  return kind == LayerKind::Conv2D || kind == LayerKind::DepthwiseConv2D ||
         kind == LayerKind::Matmul;
}

llvm::StringRef mlir::npu::stream::getLayerKindName(LayerKind kind) {
  switch (kind) {
  case LayerKind::Conv2D:
    return "conv2d";
  case LayerKind::DepthwiseConv2D:
    return "depthwise_conv2d";
  case LayerKind::Matmul:
    return "matmul";
  case LayerKind::MaxPool2D:
    return "max_pool2d";
  case LayerKind::Add:
    return "add";
  case LayerKind::Rescale:
    return "rescale";
  }
  return "unknown";
}

std::optional<LayerKind>
mlir::npu::stream::parseLayerKind(llvm::StringRef name) {
  for (uint32_t k = 1; k <= static_cast<uint32_t>(LayerKind::Rescale); ++k)
    if (getLayerKindName(static_cast<LayerKind>(k)) == name)
      return static_cast<LayerKind>(k);
  return std::nullopt;
}

llvm::StringRef mlir::npu::stream::getOpcodeName(Opcode opcode) {
  switch (opcode) {
  case Opcode::Configure:
    return "configure";
  case Opcode::DmaLoad:
    return "dma_load";
  case Opcode::DmaStore:
    return "dma_store";
  case Opcode::Wait:
    return "wait";
  case Opcode::MacTile:
    return "mac_tile";
  case Opcode::Requantize:
    return "requantize";
  case Opcode::VectorTile:
    return "vector_tile";
  }
  return "unknown";
}

int64_t mlir::npu::stream::getWeightRowLength(const Layer &layer) {
  switch (layer.kind) {
  case LayerKind::Conv2D:
    return layer.kernel[0] * layer.kernel[1] * layer.input[3];
  case LayerKind::DepthwiseConv2D:
    return layer.kernel[0] * layer.kernel[1];
  case LayerKind::Matmul:
    return layer.input[0] * layer.input[3];
  default:
    return 0;
  }
}

int64_t mlir::npu::stream::getReduction(const Layer &layer) {
  // A matmul's weight row spans its N batches; one output sums over K.
  return layer.kind == LayerKind::Matmul ? layer.input[3]
                                         : getWeightRowLength(layer);
}

int64_t mlir::npu::stream::getWeightRowBytes(const Layer &layer) {
  return (getWeightRowLength(layer) * layer.weightBits + 7) / 8;
}

RowRange mlir::npu::stream::getInputRows(const Layer &layer, int64_t row,
                                         int64_t rows) {
  int64_t first = row * layer.stride[0] - layer.pad[0];
  int64_t last = (row + rows - 1) * layer.stride[0] - layer.pad[0] +
                 (layer.kernel[0] - 1) * layer.dilation[0] + 1;
  first = std::max<int64_t>(first, 0);
  last = std::min(last, layer.input[1]);
  return {first, std::max<int64_t>(last - first, 0)};
}

int64_t mlir::npu::stream::getInputTileBytes(const Layer &layer,
                                             int64_t inputRows,
                                             int64_t channels) {
  int64_t tileChannels = channels;
  if (layer.kind == LayerKind::Conv2D || layer.kind == LayerKind::Matmul)
    tileChannels = layer.input[3];
  else if (layer.kind == LayerKind::DepthwiseConv2D)
    tileChannels = channels / layer.multiplier;
  return layer.input[0] * inputRows * layer.input[2] * tileChannels;
}

int64_t mlir::npu::stream::getOutputTileBytes(const Layer &layer, int64_t rows,
                                              int64_t channels) {
  return layer.output[0] * rows * layer.output[2] * channels;
}

int64_t mlir::npu::stream::getWeightTileBytes(const Layer &layer,
                                              int64_t channels) {
  return isMacLayer(layer.kind) ? channels * getWeightRowBytes(layer) : 0;
}

namespace {

/// Appends fields to a byte vector.
struct Writer {
  std::string bytes;
  template <typename T> void field(const T &value) {
    char buffer[sizeof(T)];
    llvm::support::endian::write<T, llvm::endianness::little>(buffer, value);
    bytes.append(buffer, sizeof(T));
  }
  void field(const double &value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    field(bits);
  }
  template <size_t N> void field(const std::array<int64_t, N> &values) {
    for (int64_t v : values)
      field(v);
  }
  void raw(const void *data, size_t size) {
    bytes.append(static_cast<const char *>(data), size);
  }
};

/// Reads fields from a buffer; the first short read sets `failed` (and
/// every later read yields zero), so a record is read in full and checked
/// once.
struct Reader {
  llvm::StringRef buffer;
  size_t position = 0;
  bool failed = false;

  bool take(size_t size, const char *&data) {
    if (failed || buffer.size() - position < size) {
      failed = true;
      return false;
    }
    data = buffer.data() + position;
    position += size;
    return true;
  }
  template <typename T> void field(T &value) {
    const char *data;
    value = take(sizeof(T), data)
                ? llvm::support::endian::read<T, llvm::endianness::little>(data)
                : T{};
  }
  void field(double &value) {
    uint64_t bits = 0;
    field(bits);
    std::memcpy(&value, &bits, sizeof bits);
  }
  template <size_t N> void field(std::array<int64_t, N> &values) {
    for (int64_t &v : values)
      field(v);
  }
};

// The records' field lists, shared by the writer and the reader.

template <typename IO, typename T> void targetFields(IO &io, T &t) {
  io.field(t.rows);
  io.field(t.cols);
  io.field(t.scratchpad);
  io.field(t.weightBuffer);
  io.field(t.dramBytesPerCycle);
  io.field(t.clockMhz);
}

template <typename IO, typename T> void boundaryFields(IO &io, T &b) {
  io.field(b.scale);
  io.field(b.zeroPoint);
  io.field(b.qmin);
  io.field(b.qmax);
}

template <typename IO, typename T> void layerFields(IO &io, T &l) {
  io.field(l.input);
  io.field(l.output);
  io.field(l.kernel);
  io.field(l.stride);
  io.field(l.dilation);
  io.field(l.pad);
  io.field(l.multiplier);
  io.field(l.weightBits);
  io.field(l.inputZp);
  io.field(l.outputZp);
  io.field(l.clampMin);
  io.field(l.clampMax);
  io.field(l.params);
  io.field(l.rescale);
}

/// Upper bounds that keep a corrupt count from allocating without limit.
constexpr uint64_t kMaxRank = 8;
constexpr uint64_t kMaxWidths = 3;

} // namespace

uint32_t mlir::npu::stream::computeChecksum(llvm::StringRef payload) {
  return llvm::crc32(llvm::arrayRefFromStringRef(payload));
}

void mlir::npu::stream::updateChecksum(std::string &bytes) {
  if (bytes.size() < kPreambleBytes)
    return;
  llvm::support::endian::write32le(
      bytes.data() + 8,
      computeChecksum(llvm::StringRef(bytes).drop_front(kPreambleBytes)));
}

void mlir::npu::stream::writeProgram(llvm::raw_ostream &os,
                                     const Program &program) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.field(kVersion);
  w.field(uint32_t{0}); // The checksum, filled in below.
  targetFields(w, program.target);
  w.field(static_cast<uint32_t>(program.target.widths.size()));
  for (int64_t width : program.target.widths)
    w.field(width);
  w.field(program.dramSize);
  for (size_t count :
       {program.segments.size(), program.inputs.size(), program.outputs.size(),
        program.layers.size(), program.commands.size()})
    w.field(static_cast<uint32_t>(count));
  for (const Segment &s : program.segments) {
    w.field(s.offset);
    w.field(static_cast<int64_t>(s.bytes.size()));
    w.raw(s.bytes.data(), s.bytes.size());
  }
  for (const auto *list : {&program.inputs, &program.outputs})
    for (const Boundary &b : *list) {
      w.field(b.offset);
      w.field(static_cast<uint32_t>(b.shape.size()));
      for (int64_t d : b.shape)
        w.field(d);
      boundaryFields(w, b);
    }
  for (const Layer &l : program.layers) {
    w.field(static_cast<uint32_t>(l.kind));
    w.field(static_cast<uint32_t>(l.name.size()));
    w.raw(l.name.data(), l.name.size());
    layerFields(w, l);
  }
  for (const Command &c : program.commands) {
    w.field(static_cast<uint32_t>(c.opcode));
    w.field(uint32_t{0});
    w.field(c.args);
  }
  updateChecksum(w.bytes);
  os << w.bytes;
}

llvm::Expected<Program> mlir::npu::stream::readProgram(llvm::StringRef buffer,
                                                       llvm::StringRef name) {
  auto error = [&](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   name + ": " + message);
  };
  auto truncated = [&](llvm::StringRef what) {
    return error("truncated command stream (in the " + what + ")");
  };
  if (buffer.size() < sizeof kMagic ||
      std::memcmp(buffer.data(), kMagic, sizeof kMagic) != 0)
    return error("not an npu command stream (no QNPU magic)");
  Reader r{buffer, sizeof kMagic};
  uint32_t version = 0;
  r.field(version);
  if (!r.failed && version != kVersion)
    return error("command stream version " + llvm::Twine(version) +
                 ", this reader takes " + llvm::Twine(kVersion) +
                 (version < kVersion ? " (recompile the model)" : ""));
  // Checked before any field: a flipped bit in a size or an address could
  // otherwise pass every range check and compute something else.
  uint32_t stored = 0;
  r.field(stored);
  if (r.failed)
    return truncated("header");
  uint32_t computed = computeChecksum(buffer.drop_front(kPreambleBytes));
  if (stored != computed)
    return error(llvm::formatv("checksum mismatch (the header says {0:x8}, "
                               "the {1} bytes after it give {2:x8}): the "
                               "stream is corrupt or truncated",
                               stored, buffer.size() - kPreambleBytes,
                               computed)
                     .str());

  Program p;
  targetFields(r, p.target);
  uint32_t widthCount = 0;
  r.field(widthCount);
  if (r.failed)
    return truncated("header");
  if (widthCount > kMaxWidths)
    return error("the target lists " + llvm::Twine(widthCount) +
                 " operand widths (at most 3)");
  p.target.widths.resize(widthCount);
  for (int64_t &width : p.target.widths)
    r.field(width);
  r.field(p.dramSize);
  uint32_t counts[5] = {};
  for (uint32_t &count : counts)
    r.field(count);
  if (r.failed)
    return truncated("header");
  if (p.target.rows <= 0 || p.target.cols <= 0 || p.target.scratchpad <= 0 ||
      p.target.weightBuffer < 0 || p.target.dramBytesPerCycle <= 0 ||
      p.target.clockMhz <= 0 || p.dramSize < 0)
    return error("the header's target or DRAM size is out of range");
  for (int64_t width : p.target.widths)
    if (width != 2 && width != 4 && width != 8)
      return error("operand width " + llvm::Twine(width) +
                   " is not 2, 4 or 8");
  // Every record takes at least 8 bytes; a count the rest of the file
  // cannot hold is corrupt (and must not allocate).
  uint64_t records = 0;
  for (uint32_t count : counts)
    records += count;
  if (records * 8 > buffer.size() - r.position)
    return truncated("record counts");

  p.segments.resize(counts[0]);
  for (Segment &s : p.segments) {
    int64_t size = 0;
    r.field(s.offset);
    r.field(size);
    const char *data;
    if (r.failed || size < 0 || !r.take(static_cast<size_t>(size), data))
      return truncated("segments");
    if (s.offset < 0 || size > p.dramSize - s.offset)
      return error("a segment [" + llvm::Twine(s.offset) + ", +" +
                   llvm::Twine(size) + ") lies outside the " +
                   llvm::Twine(p.dramSize) + "-byte DRAM");
    s.bytes.assign(data, data + size);
  }
  p.inputs.resize(counts[1]);
  p.outputs.resize(counts[2]);
  for (auto *list : {&p.inputs, &p.outputs})
    for (Boundary &b : *list) {
      uint32_t rank = 0;
      r.field(b.offset);
      r.field(rank);
      if (r.failed)
        return truncated("boundaries");
      if (rank > kMaxRank)
        return error("a boundary tensor of rank " + llvm::Twine(rank));
      b.shape.resize(rank);
      int64_t elements = 1;
      for (int64_t &d : b.shape) {
        r.field(d);
        if (r.failed)
          return truncated("boundaries");
        // Checked before the product, which must not overflow.
        if (d <= 0 || d > p.dramSize / elements)
          return error("a boundary tensor has dimension " + llvm::Twine(d) +
                       ", more than DRAM holds");
        elements *= d;
      }
      boundaryFields(r, b);
      if (r.failed)
        return truncated("boundaries");
      if (b.offset < 0 || elements > p.dramSize - b.offset)
        return error("a boundary tensor lies outside DRAM");
      if (!(b.scale > 0) || !std::isfinite(b.scale) || b.qmin < -128 ||
          b.qmax > 127 || b.qmin > b.qmax)
        return error("a boundary tensor has scale " + std::to_string(b.scale) +
                     " and range [" + llvm::Twine(b.qmin) + ", " +
                     llvm::Twine(b.qmax) + "]");
    }
  p.layers.resize(counts[3]);
  for (Layer &l : p.layers) {
    uint32_t kind = 0, nameSize = 0;
    r.field(kind);
    r.field(nameSize);
    const char *data;
    if (r.failed || !r.take(nameSize, data))
      return truncated("layers");
    l.name.assign(data, nameSize);
    layerFields(r, l);
    if (r.failed)
      return truncated("layers");
    if (kind < 1 || kind > static_cast<uint32_t>(LayerKind::Rescale))
      return error("layer '" + l.name + "' has unknown kind " +
                   llvm::Twine(kind));
    l.kind = static_cast<LayerKind>(kind);
  }
  p.commands.resize(counts[4]);
  for (auto [i, c] : llvm::enumerate(p.commands)) {
    uint32_t opcode = 0, reserved = 0;
    r.field(opcode);
    r.field(reserved);
    r.field(c.args);
    if (r.failed)
      return truncated("commands");
    if (opcode < 1 || opcode > static_cast<uint32_t>(Opcode::VectorTile))
      return error("command " + llvm::Twine(i) + " has unknown opcode " +
                   llvm::Twine(opcode));
    c.opcode = static_cast<Opcode>(opcode);
    if (c.opcode == Opcode::Configure &&
        (c.args[0] < 0 || c.args[0] >= static_cast<int64_t>(p.layers.size())))
      return error("command " + llvm::Twine(i) + " configures layer " +
                   llvm::Twine(c.args[0]) + " of " +
                   llvm::Twine(p.layers.size()));
  }
  if (r.position != buffer.size())
    return error(llvm::Twine(buffer.size() - r.position) +
                 " trailing byte(s) after the last command");
  return p;
}

void mlir::npu::stream::printListing(llvm::raw_ostream &os,
                                     const Program &p) {
  const Target &t = p.target;
  os << llvm::format("npu program: %lldx%lld array, widths", t.rows, t.cols);
  for (int64_t w : t.widths)
    os << " " << w;
  os << llvm::format(", scratchpad %lld B, weight buffer %lld B, %lld B/cycle, "
                     "%lld MHz\n",
                     t.scratchpad, t.weightBuffer, t.dramBytesPerCycle,
                     t.clockMhz);
  os << "dram " << p.dramSize << " B\n";
  for (const Segment &s : p.segments)
    os << llvm::format("  segment  [%8lld, +%lld)\n", s.offset,
                       static_cast<int64_t>(s.bytes.size()));
  auto printBoundary = [&](llvm::StringRef what, size_t i, const Boundary &b) {
    os << llvm::format("  %s %zu [%8lld] shape", what.data(), i, b.offset);
    for (int64_t d : b.shape)
      os << " " << d;
    os << llvm::format(", scale %.9g, zero point %lld, [%lld, %lld]\n",
                       b.scale, b.zeroPoint, b.qmin, b.qmax);
  };
  for (auto [i, b] : llvm::enumerate(p.inputs))
    printBoundary("input ", i, b);
  for (auto [i, b] : llvm::enumerate(p.outputs))
    printBoundary("output", i, b);
  auto list = [&](llvm::ArrayRef<int64_t> values) {
    std::string text;
    for (auto [i, v] : llvm::enumerate(values))
      text += (i ? "x" : "") + std::to_string(v);
    return text;
  };
  for (auto [i, l] : llvm::enumerate(p.layers)) {
    os << llvm::format("layer %zu %s '%s': %s -> %s", i,
                       getLayerKindName(l.kind).data(), l.name.c_str(),
                       list(l.input).c_str(), list(l.output).c_str());
    if (l.kind != LayerKind::Add && l.kind != LayerKind::Rescale)
      os << llvm::format(", kernel %s stride %s dilation %s pad %s",
                         list(l.kernel).c_str(), list(l.stride).c_str(),
                         list(l.dilation).c_str(), list(l.pad).c_str());
    if (isMacLayer(l.kind))
      os << llvm::format(", w%lld, params @%lld", l.weightBits, l.params);
    os << llvm::format(", zp %lld -> %lld, clamp [%lld, %lld]\n", l.inputZp,
                       l.outputZp, l.clampMin, l.clampMax);
  }
  for (auto [i, c] : llvm::enumerate(p.commands)) {
    const auto &a = c.args;
    os << llvm::format("%6zu  %-11s ", i, getOpcodeName(c.opcode).data());
    switch (c.opcode) {
    case Opcode::Configure:
      os << "layer " << a[0] << " '" << p.layers[a[0]].name << "'";
      break;
    case Opcode::DmaLoad:
    case Opcode::DmaStore: {
      const char *local = a[0] ? "wbuf" : "spad";
      std::string dram = llvm::formatv("dram@{0}", a[1]).str();
      std::string mem = llvm::formatv("{0}@{1}", local, a[2]).str();
      bool load = c.opcode == Opcode::DmaLoad;
      os << llvm::format("%-16s <- %-16s %lld x %lld B (strides %lld, %lld) "
                         "tag %lld",
                         (load ? mem : dram).c_str(),
                         (load ? dram : mem).c_str(), a[3], a[4],
                         load ? a[6] : a[5], load ? a[5] : a[6], a[7]);
      break;
    }
    case Opcode::Wait:
      os << "tag " << a[0];
      break;
    case Opcode::MacTile:
      os << llvm::format("in spad@%lld (rows %lld+%lld), w wbuf@%lld, out "
                         "rows %lld+%lld, channels %lld+%lld",
                         a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      break;
    case Opcode::Requantize:
      os << "out spad@" << a[0];
      break;
    case Opcode::VectorTile:
      os << llvm::format("in spad@%lld (rows %lld+%lld), in2 spad@%lld, out "
                         "rows %lld+%lld, channels %lld+%lld -> spad@%lld",
                         a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
      break;
    }
    os << "\n";
  }
}
