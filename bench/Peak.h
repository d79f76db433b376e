//===- Peak.h - one core's measured peak ------------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The benches report GOP/s against a peak the same run measures, not one
// assumed from a data sheet: independent chains of the best instruction
// for the arithmetic (FMA for f32; vpdpbusd, else pmaddwd, for int8).
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_BENCH_PEAK_H
#define QLIP_BENCH_PEAK_H

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace qlip_bench {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

//===----------------------------------------------------------------------===//
// Peak
//===----------------------------------------------------------------------===//

/// One core's peak: operations per second of the best instruction stream
/// for the kind of arithmetic, and what that stream was.
struct Peak {
  double opsPerSecond = 0;
  std::string how;
};

/// Runs `kernel(iterations)`, which performs `opsPerIteration` operations
/// per iteration, for about 0.3 s and returns the best rate of 5 runs.
inline double measureRate(const std::function<double(long)> &kernel,
                          double opsPerIteration) {
  long iterations = 1 << 16;
  // Grow the run until it takes long enough to time.
  for (;;) {
    Clock::time_point start = Clock::now();
    volatile double sink = kernel(iterations);
    (void)sink;
    if (secondsSince(start) > 0.05)
      break;
    iterations *= 2;
  }
  iterations *= 6;
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    Clock::time_point start = Clock::now();
    volatile double sink = kernel(iterations);
    (void)sink;
    best = std::max(best, opsPerIteration * iterations / secondsSince(start));
  }
  return best;
}

#if defined(__x86_64__)
// Twelve independent chains hide the latency of two pipes (4 cycles each)
// and leave registers for the constants. Each chain feeds on itself, so no
// operation can be hoisted out of the loop.
#define QLIP_CHAINS 12

__attribute__((target("avx2,fma"))) inline double fmaAvx2(long iterations) {
  __m256 acc[QLIP_CHAINS];
  for (int j = 0; j < QLIP_CHAINS; ++j)
    acc[j] = _mm256_set1_ps(1.0f + j * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iterations; ++i)
    for (int j = 0; j < QLIP_CHAINS; ++j)
      acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  float lanes[8];
  double sum = 0;
  for (int j = 0; j < QLIP_CHAINS; ++j) {
    _mm256_storeu_ps(lanes, acc[j]);
    sum += lanes[0];
  }
  return sum;
}

__attribute__((target("avx2"))) inline double maddAvx2(long iterations) {
  __m256i acc[QLIP_CHAINS];
  for (int j = 0; j < QLIP_CHAINS; ++j)
    acc[j] = _mm256_set1_epi32(j);
  const __m256i b = _mm256_set1_epi16(3);
  for (long i = 0; i < iterations; ++i)
    for (int j = 0; j < QLIP_CHAINS; ++j)
      acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(acc[j], b));
  int lanes[8];
  double sum = 0;
  for (int j = 0; j < QLIP_CHAINS; ++j) {
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(lanes), acc[j]);
    sum += lanes[0];
  }
  return sum;
}

__attribute__((target("avx512f"))) inline double fmaAvx512(long iterations) {
  __m512 acc[QLIP_CHAINS];
  for (int j = 0; j < QLIP_CHAINS; ++j)
    acc[j] = _mm512_set1_ps(1.0f + j * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iterations; ++i)
    for (int j = 0; j < QLIP_CHAINS; ++j)
      acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  float lanes[16];
  double sum = 0;
  for (int j = 0; j < QLIP_CHAINS; ++j) {
    _mm512_storeu_ps(lanes, acc[j]);
    sum += lanes[0];
  }
  return sum;
}

__attribute__((target("avx512f,avx512bw"))) inline double
maddAvx512(long iterations) {
  __m512i acc[QLIP_CHAINS];
  for (int j = 0; j < QLIP_CHAINS; ++j)
    acc[j] = _mm512_set1_epi32(j);
  const __m512i b = _mm512_set1_epi16(3);
  for (long i = 0; i < iterations; ++i)
    for (int j = 0; j < QLIP_CHAINS; ++j)
      acc[j] = _mm512_add_epi32(acc[j], _mm512_madd_epi16(acc[j], b));
  int lanes[16];
  double sum = 0;
  for (int j = 0; j < QLIP_CHAINS; ++j) {
    _mm512_storeu_si512(lanes, acc[j]);
    sum += lanes[0];
  }
  return sum;
}
__attribute__((target("avx512f,avx512vnni"))) inline double
dpbusdAvx512(long iterations) {
  __m512i acc[QLIP_CHAINS];
  for (int j = 0; j < QLIP_CHAINS; ++j)
    acc[j] = _mm512_set1_epi32(j);
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (long i = 0; i < iterations; ++i)
    for (int j = 0; j < QLIP_CHAINS; ++j)
      acc[j] = _mm512_dpbusd_epi32(acc[j], a, b);
  int lanes[16];
  double sum = 0;
  for (int j = 0; j < QLIP_CHAINS; ++j) {
    _mm512_storeu_si512(lanes, acc[j]);
    sum += lanes[0];
  }
  return sum;
}
#endif

/// The f32 peak (2 operations per FMA lane) and the int8 peak (2 per
/// int16 product of pmaddwd: a multiply and an add).
inline std::pair<Peak, Peak> measurePeaks() {
  Peak f32, i8;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    f32 = {measureRate(fmaAvx512, QLIP_CHAINS * 16 * 2), "AVX-512 FMA"};
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    f32 = {measureRate(fmaAvx2, QLIP_CHAINS * 8 * 2), "AVX2 FMA"};
  }
  if (__builtin_cpu_supports("avx512vnni")) {
    // 64 multiply-accumulates of u8 x s8 per instruction.
    i8 = {measureRate(dpbusdAvx512, QLIP_CHAINS * 64 * 2),
          "AVX-512 VNNI vpdpbusd"};
  } else if (__builtin_cpu_supports("avx512bw")) {
    i8 = {measureRate(maddAvx512, QLIP_CHAINS * 32 * 2), "AVX-512 pmaddwd"};
  } else if (__builtin_cpu_supports("avx2")) {
    i8 = {measureRate(maddAvx2, QLIP_CHAINS * 16 * 2), "AVX2 pmaddwd"};
  }
#endif
  return {f32, i8};
}


} // namespace qlip_bench

#endif // QLIP_BENCH_PEAK_H
