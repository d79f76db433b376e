//===- CommandStream.h - the npu's binary command stream --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What `qlip-translate --npu-to-binary` writes and `qlip-npu-sim` runs: one
// compiled model for the npu, as a program of commands over the DRAM image,
// the scratchpad and the weight buffer. The byte format is documented in
// docs/npu-command-stream.md; these are its in-memory form, its writer and
// reader, and its readable listing. Nothing here depends on MLIR, so a
// simulator or a driver links only LLVM's Support library.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_NPU_COMMANDSTREAM_H
#define QLIP_NPU_COMMANDSTREAM_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::npu::stream {

/// "QNPU", the format version, then the CRC-32 of every byte after it.
inline constexpr char kMagic[4] = {'Q', 'N', 'P', 'U'};
/// Version 2 added the checksum; version 1 streams are refused.
inline constexpr uint32_t kVersion = 2;
/// Magic, version and checksum.
inline constexpr size_t kPreambleBytes = 12;

/// The accelerator the program was compiled for (#npu.target).
struct Target {
  int64_t rows = 0, cols = 0;
  /// Supported operand widths, a subset of {2, 4, 8}, increasing.
  std::vector<int64_t> widths;
  int64_t scratchpad = 0, weightBuffer = 0;
  int64_t dramBytesPerCycle = 0, clockMhz = 0;
};

/// Initialized DRAM: the packed weights and the epilogue parameters.
struct Segment {
  int64_t offset = 0;
  std::vector<uint8_t> bytes;
};

/// A tensor crossing the host boundary: the host quantizes model input i
/// into DRAM at `offset` before the first command, and dequantizes model
/// output i from there after the last (per-tensor, i8 levels in NHWC
/// order): q = clamp(roundeven(x / scale) + zeroPoint, qmin, qmax) and
/// x = (q - zeroPoint) * scale, both in f64, the value stored as f32.
struct Boundary {
  int64_t offset = 0;
  std::vector<int64_t> shape;
  double scale = 1;
  int64_t zeroPoint = 0, qmin = -128, qmax = 127;
};

enum class LayerKind : uint32_t {
  Conv2D = 1,
  DepthwiseConv2D = 2,
  Matmul = 3,
  MaxPool2D = 4,
  Add = 5,
  Rescale = 6,
};

/// The MAC-array layers, whose tiles are MacTile + Requantize; the others
/// run on the requantize unit's vector path (VectorTile).
bool isMacLayer(LayerKind kind);
llvm::StringRef getLayerKindName(LayerKind kind);
/// The kind named `name` (getLayerKindName's inverse).
std::optional<LayerKind> parseLayerKind(llvm::StringRef name);

/// One layer's configuration registers (what `Configure` loads).
///
/// Shapes are [N, H, W, C]; a matmul [N, H, K] x [N, K, W'] is input
/// [N, H, 1, K] and output [N, H, 1, W'], an add or rescale of another
/// rank is [1, 1, elements / C, C]. Weights (MAC layers) are stored one
/// output channel per byte-aligned row of `weightBits`-bit two's-complement
/// values, value k of a row in bits [k * b % 8, ...) of byte k * b / 8:
/// conv2d (KH, KW, C), depthwise (KH, KW), matmul (N, K).
struct Layer {
  LayerKind kind = LayerKind::Conv2D;
  std::string name;
  std::array<int64_t, 4> input{}, output{};
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, dilation{1, 1};
  /// top, bottom, left, right.
  std::array<int64_t, 4> pad{};
  /// Depthwise channel multiplier; 1 otherwise.
  int64_t multiplier = 1;
  /// MAC layers: the weights' width. Others: 8.
  int64_t weightBits = 8;
  /// Input zero point (an add's first input's).
  int64_t inputZp = 0;
  int64_t outputZp = 0, clampMin = -128, clampMax = 127;
  /// MAC layers: DRAM offset of the epilogue table, bias (i32 x C_out),
  /// multiplier (i32 x C_out), shift (i8 x C_out), little-endian.
  int64_t params = 0;
  /// Add: b_zp, a_multiplier, a_shift, b_multiplier, b_shift, multiplier,
  /// shift. Rescale: multiplier, shift in [0], [1].
  std::array<int64_t, 7> rescale{};
};

/// Values in one output channel's weight row (MAC layers): KH * KW * C_in,
/// KH * KW, or a matmul's N * K.
int64_t getWeightRowLength(const Layer &layer);
/// Products one output value sums (MAC layers): a matmul's K, else the row.
int64_t getReduction(const Layer &layer);
/// Weight-row bytes of one output channel.
int64_t getWeightRowBytes(const Layer &layer);

/// Input rows [first, first + count): the rows inside the input that a
/// tile of output rows [row, row + rows) reads.
struct RowRange {
  int64_t first = 0, count = 0;
};
RowRange getInputRows(const Layer &layer, int64_t row, int64_t rows);
/// Bytes of a tile's input buffer holding `inputRows` rows (one input of an
/// add), of its output buffer, and of its weight rows.
int64_t getInputTileBytes(const Layer &layer, int64_t inputRows,
                          int64_t channels);
int64_t getOutputTileBytes(const Layer &layer, int64_t rows, int64_t channels);
int64_t getWeightTileBytes(const Layer &layer, int64_t channels);

enum class Opcode : uint32_t {
  /// a0: layer index. Loads its epilogue table from DRAM (synchronous).
  Configure = 1,
  /// a0: memory (0 scratchpad, 1 weight buffer), a1: DRAM address,
  /// a2: local address, a3: chunk count, a4: chunk bytes, a5: DRAM stride,
  /// a6: local stride, a7: tag. Asynchronous until a Wait on its tag.
  DmaLoad = 2,
  /// As DmaLoad, scratchpad to DRAM (a0 is 0).
  DmaStore = 3,
  /// a0: tag. Blocks until that DMA is done.
  Wait = 4,
  /// a0: input tile address (scratchpad), a1: its first input row, a2: its
  /// rows, a3: weights address (weight buffer), a4: first output row,
  /// a5: output rows, a6: first output channel, a7: channels. Fills the
  /// accumulators, [N][rows][W_out][channels] i32.
  MacTile = 5,
  /// a0: output tile address. The requantize unit drains the accumulators
  /// of the last MacTile through the layer's epilogue.
  Requantize = 6,
  /// a0: input tile address, a1: its first input row, a2: its rows, a3:
  /// second input's address (an add), a4: first output row, a5: output
  /// rows, a6: first channel, a7: channels; a8: output address.
  VectorTile = 7,
};

llvm::StringRef getOpcodeName(Opcode opcode);

struct Command {
  Opcode opcode = Opcode::Wait;
  std::array<int64_t, 9> args{};
};

struct Program {
  Target target;
  int64_t dramSize = 0;
  std::vector<Segment> segments;
  std::vector<Boundary> inputs, outputs;
  std::vector<Layer> layers;
  std::vector<Command> commands;
};

/// Writes `program` in the binary format.
void writeProgram(llvm::raw_ostream &os, const Program &program);

/// Reads a binary program; `name` prefixes every error. Fails on a bad
/// magic or version, a checksum that does not match the bytes (a stream
/// corrupted in storage or transit is refused before any field is read),
/// a truncated or oversized file, and fields out of
/// range (a segment outside DRAM, an unknown opcode or layer kind, a
/// configure of a missing layer).
llvm::Expected<Program> readProgram(llvm::StringRef buffer,
                                    llvm::StringRef name = "<buffer>");

/// The CRC-32 (zlib's) a stream's header carries for `payload`, the bytes
/// after the checksum field.
uint32_t computeChecksum(llvm::StringRef payload);

/// Rewrites the checksum of a stream whose bytes were changed in place (so
/// that tests and fuzzers reach the field checks behind it). A buffer too
/// short to hold the field is left as it is.
void updateChecksum(std::string &bytes);

/// The readable listing: target, DRAM map, layers and one line a command.
void printListing(llvm::raw_ostream &os, const Program &program);

} // namespace mlir::npu::stream

#endif // QLIP_NPU_COMMANDSTREAM_H
