//===- RowsAvxVnni.cpp - the kernels with 256-bit VNNI --------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// The avx-vnni path: integer convolutions with vpdpbusd on ymm registers
// (RowsVnni256.inc), VEX-encoded on CPUs with AVX-VNNI, EVEX-encoded on
// CPUs with AVX-512 VL and VNNI (where the path is forced: the avx512-vnni
// path is faster there). Depthwise and float layers run the AVX2 path's.
//
//===----------------------------------------------------------------------===//

#include "KernelRows.h"

#include "qlip/Kernels/Kernels.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "Avx2Epilogue.h"
#include <string.h>

#include <utility>

using namespace qlip::kernels;

// Each inclusion names the target, the intrinsic, and for GCC (see
// RowsVnni256.inc's dot) the encoding pseudo-prefix and the register class
// that encoding can address.
namespace vex {
#define QLIP_VNNI256_TARGET "avx2,fma,avxvnni"
#define QLIP_VNNI256_INTRINSIC _mm256_dpbusd_avx_epi32
#define QLIP_VNNI256_ASM "%{vex%} vpdpbusd %2, %1, %0"
#define QLIP_VNNI256_REG "x"
#include "RowsVnni256.inc"
} // namespace vex

namespace evex {
#define QLIP_VNNI256_TARGET "avx2,fma,avx512vl,avx512vnni"
#define QLIP_VNNI256_INTRINSIC _mm256_dpbusd_epi32
#define QLIP_VNNI256_ASM "%{evex%} vpdpbusd %2, %1, %0"
#define QLIP_VNNI256_REG "v"
#include "RowsVnni256.inc"
} // namespace evex

void qlip::kernels::qconvRowAvxVnni(const QRow &row) {
#if defined(__x86_64__) || defined(__i386__)
  static const bool hasVex = __builtin_cpu_supports("avxvnni");
#else
  static const bool hasVex = false;
#endif
  if (hasVex)
    vex::qconvRowAny(row);
  else
    evex::qconvRowAny(row);
}

#pragma GCC diagnostic pop
