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

// vpdpbusd written out for GCC, which does not tie the accumulator of the
// intrinsics to one register across a loop and copies every accumulator
// twice per step (see RowsAvx512.cpp); the pseudo-prefix picks the encoding.
namespace vex {
#define QLIP_VNNI256_TARGET "avx2,fma,avxvnni"
__attribute__((target(QLIP_VNNI256_TARGET))) inline __m256i
dot(__m256i acc, __m256i x, __m256i w) {
#if defined(__GNUC__) && !defined(__clang__)
  asm("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(x), "x"(w));
  return acc;
#else
  return _mm256_dpbusd_avx_epi32(acc, x, w);
#endif
}
#define QLIP_VNNI256_DOT dot
#include "RowsVnni256.inc"
#undef QLIP_VNNI256_TARGET
#undef QLIP_VNNI256_DOT
} // namespace vex

namespace evex {
#define QLIP_VNNI256_TARGET "avx2,fma,avx512vl,avx512vnni"
__attribute__((target(QLIP_VNNI256_TARGET))) inline __m256i
dot(__m256i acc, __m256i x, __m256i w) {
#if defined(__GNUC__) && !defined(__clang__)
  asm("%{evex%} vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
  return acc;
#else
  return _mm256_dpbusd_epi32(acc, x, w);
#endif
}
#define QLIP_VNNI256_DOT dot
#include "RowsVnni256.inc"
#undef QLIP_VNNI256_TARGET
#undef QLIP_VNNI256_DOT
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
