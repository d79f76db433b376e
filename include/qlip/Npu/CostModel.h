//===- CostModel.h - the npu's cycle and energy formulas --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The formulas qlip-npu-cost (analytic, per layer) and qlip-npu-sim (per
// command, as it runs) share; the assumptions are written down in
// docs/npu-command-stream.md and qlip-npu-cost's pass description.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_NPU_COSTMODEL_H
#define QLIP_NPU_COSTMODEL_H

#include <cstdint>

namespace mlir::npu::stream {

/// An 8x8-bit MAC (Horowitz, ISSCC 2014: 0.2 pJ an 8-bit multiply).
inline constexpr double kMac8PicoJoules = 0.2;
/// A DRAM byte (640 pJ a 32-bit DRAM read).
inline constexpr double kDramBytePicoJoules = 160.0;

/// ceil(a / b) for a >= 0, b > 0, without a + b - 1's overflow.
inline int64_t ceilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0); }

/// Multiplies a row of the array does per cycle at `bits`-bit weights: an
/// 8x8 multiplier splits into (8 / bits)^2 narrower ones.
inline int64_t getMacLanes(int64_t cols, int64_t bits) {
  return cols * (8 / bits) * (8 / bits);
}

/// Cycles of `pixels` output pixels of `channels` channels, each a
/// `reduction`-long dot product, on a `rows` x `cols` array.
inline int64_t getMacCycles(int64_t rows, int64_t cols, int64_t bits,
                            int64_t channels, int64_t reduction,
                            int64_t pixels) {
  return ceilDiv(channels, rows) * ceilDiv(reduction, getMacLanes(cols, bits)) *
         pixels;
}

/// The vector path reads one value per row per cycle.
inline int64_t getVectorCycles(int64_t rows, int64_t reads) {
  return ceilDiv(reads, rows);
}

inline int64_t getDmaCycles(int64_t bytes, int64_t bytesPerCycle) {
  return ceilDiv(bytes, bytesPerCycle);
}

/// One `bits`-bit MAC: multiplier energy scales with its area.
inline double getMacPicoJoules(int64_t bits) {
  return kMac8PicoJoules * (bits / 8.0) * (bits / 8.0);
}

} // namespace mlir::npu::stream

#endif // QLIP_NPU_COSTMODEL_H
