//===- VectorClones.h - hot loops compiled for the running CPU --*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The moments and GPTQ spend their time in a few axpy loops over doubles.
// The library is compiled for baseline x86-64 (SSE2: two doubles a
// vector); QLIP_VECTOR_CLONES also compiles a function for AVX2 and
// AVX-512 and picks one when the program loads. The loops do not
// reassociate, and the files that use it are compiled with
// -ffp-contract=off (lib/Calibration/CMakeLists.txt), so every clone
// computes the same bits.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_LIB_CALIBRATION_VECTORCLONES_H
#define QLIP_LIB_CALIBRATION_VECTORCLONES_H

#if defined(__x86_64__) && defined(__ELF__) &&                                \
    (defined(__GNUC__) || defined(__clang__))
#define QLIP_VECTOR_CLONES                                                     \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QLIP_VECTOR_CLONES
#endif

#endif // QLIP_LIB_CALIBRATION_VECTORCLONES_H
