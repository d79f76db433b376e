//===- kernel-bench.cpp - qlip's CPU kernels against the peak ---*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-kernel-bench [--min-seconds S] [--num-threads N]
//
// Times the kernels that compiled models call (include/qlip/Kernels) on a
// 512x512x512 int8 GEMM (a 1x1 convolution of a 512-pixel row, with the
// requantizing epilogue) and a 3x3 convolution (1x56x56x64 -> 64, pad 1),
// at 8- and 4-bit weights and in f32, on every code path this CPU has, and
// reports GOP/s (a multiply-accumulate is 2 operations) against one core's
// peak measured in the same run (bench/Peak.h: vpdpbusd chains for int8
// where the CPU has VNNI, FMA chains for f32).
//
//===----------------------------------------------------------------------===//

#include "qlip/Kernels/Kernels.h"

#include "Peak.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <cstring>
#include <random>
#include <vector>

using namespace qlip_bench;
using namespace qlip::kernels;
namespace cl = llvm::cl;

static cl::opt<double> minSeconds("min-seconds",
                                  cl::desc("Time each case this long"),
                                  cl::init(0.5));
static cl::opt<int> numThreads("num-threads", cl::desc("Threads per call"),
                               cl::init(1));

namespace {
struct Case {
  const char *name;
  int64_t n, h, w, c, oc, k, pad;
  double ops() const {
    return 2.0 * n * h * w * oc * k * k * c; // stride 1, 'same' padding
  }
};

qlip_memref ref(const void *p) {
  return qlip_memref{const_cast<void *>(p), const_cast<void *>(p), 0};
}

std::vector<int64_t> descriptor(const Case &k, qlip_isa isa) {
  std::vector<int64_t> d(QLIP_CONV_NUM_FIELDS, 0);
  int64_t f[] = {k.n, k.h, k.w, k.c, k.h, k.w, k.oc, k.k, k.k,
                 1,   1,   1,   1,   k.pad, k.pad};
  std::copy(std::begin(f), std::end(f), d.begin());
  d[QLIP_CONV_ISA] = isa;
  d[QLIP_CONV_THREADS] = numThreads;
  d[QLIP_CONV_INPUT_SIGNED] = 1;
  d[QLIP_CONV_INPUT_ZP] = -3;
  d[QLIP_CONV_OUTPUT_ZP] = 1;
  d[QLIP_CONV_OUTPUT_MIN] = -128;
  d[QLIP_CONV_OUTPUT_MAX] = 127;
  float lo = -1e30f, hi = 1e30f;
  uint32_t bits;
  std::memcpy(&bits, &lo, 4);
  d[QLIP_CONV_FLOAT_MIN] = bits;
  std::memcpy(&bits, &hi, 4);
  d[QLIP_CONV_FLOAT_MAX] = bits;
  return d;
}

/// Best and median seconds per call of `call`.
template <typename F> std::pair<double, double> timeCalls(F call) {
  call();
  std::vector<double> seconds;
  Clock::time_point begin = Clock::now();
  while (seconds.size() < 5 || secondsSince(begin) < minSeconds) {
    Clock::time_point start = Clock::now();
    call();
    seconds.push_back(secondsSince(start));
  }
  std::sort(seconds.begin(), seconds.end());
  return {seconds.front(), seconds[seconds.size() / 2]};
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "qlip-kernel-bench: qlip's CPU kernels against "
                              "one core's measured peak\n");
  std::pair<Peak, Peak> peaks = measurePeaks();
  llvm::outs() << "CPU: " << llvm::sys::getHostCPUName()
               << "; kernel paths: best " << qlip_isa_name(qlip_get_best_isa())
               << "; threads " << numThreads.getValue() << "\n";
  llvm::outs() << llvm::format("f32 peak (one core, %s): %.1f GFLOP/s\n",
                               peaks.first.how.c_str(),
                               peaks.first.opsPerSecond * 1e-9);
  llvm::outs() << llvm::format("int8 peak (one core, %s): %.1f GOP/s\n\n",
                               peaks.second.how.c_str(),
                               peaks.second.opsPerSecond * 1e-9);

  const Case cases[] = {{"GEMM 512x512x512", 1, 1, 512, 512, 512, 1, 0},
                        {"conv 3x3, 56x56x64 -> 64", 1, 56, 56, 64, 64, 3, 1},
                        // The bundled CNN's inner layer at batch 64: 16
                        // channels, where the epilogue weighs most.
                        {"conv 3x3, 64x14x14x16 -> 16", 64, 14, 14, 16, 16, 3,
                         1}};
  std::mt19937 rng(7);
  llvm::outs() << "| kernel | type | path | best ms | median ms | GOP/s "
                  "(GFLOP/s) | of peak |\n|---|---|---|---|---|---|---|\n";
  for (const Case &k : cases) {
    const int64_t weightsCount = k.oc * k.k * k.k * k.c;
    const int64_t ocp = roundUp(k.oc, kChannelTile);
    std::vector<int8_t> input(k.n * k.h * k.w * k.c), out(k.n * k.h * k.w * k.oc);
    std::vector<int8_t> weights(weightsCount);
    for (auto &v : input)
      v = int8_t(rng());
    std::vector<int32_t> bias(ocp, 100), mult(ocp, 1 << 30);
    std::vector<int8_t> shift(ocp, 40);
    std::vector<float> finput(input.begin(), input.end()),
        fweights(weightsCount), fbias(ocp, 0.5f), fout(out.size());
    for (const char *type : {"int8, W8", "int8, W4", "f32"}) {
      const bool isFloat = type[0] == 'f';
      const int bits = std::strstr(type, "W4") ? 4 : 8;
      for (auto &v : weights)
        v = int8_t(int(rng() % (bits == 4 ? 15 : 255)) - (bits == 4 ? 7 : 127));
      for (int64_t i = 0; i < weightsCount; ++i)
        fweights[i] = weights[i] * 0.01f;
      std::vector<int8_t> packed =
          packConvWeights(weights.data(), k.oc, k.k, k.k, k.c, bits);
      std::vector<float> fpacked =
          packConvWeightsF32(fweights.data(), k.oc, k.k, k.k, k.c);
      for (qlip_isa isa :
           {QLIP_ISA_AVX512_VNNI, QLIP_ISA_AVX_VNNI, QLIP_ISA_AVX2}) {
        if (!qlip_isa_supported(isa))
          continue;
        std::vector<int64_t> d = descriptor(k, isa);
        qlip_memref dr = ref(d.data());
        std::pair<double, double> t;
        if (isFloat) {
          qlip_memref in = ref(finput.data()), w = ref(fpacked.data()),
                      b = ref(fbias.data()), o = ref(fout.data());
          t = timeCalls([&] { _mlir_ciface_qlip_conv2d_f32(&dr, &in, &w, &b, &o); });
        } else {
          qlip_memref in = ref(input.data()), w = ref(packed.data()),
                      b = ref(bias.data()), m = ref(mult.data()),
                      s = ref(shift.data()), o = ref(out.data());
          t = timeCalls([&] {
            _mlir_ciface_qlip_qconv2d(&dr, &in, &w, &b, &m, &s, &o);
          });
        }
        double rate = k.ops() / t.first;
        const Peak &peak = isFloat ? peaks.first : peaks.second;
        llvm::outs() << "| " << k.name << " | " << type << " | "
                     << qlip_isa_name(isa) << " | "
                     << llvm::format("%.2f | %.2f | %.1f | ", t.first * 1e3,
                                     t.second * 1e3, rate * 1e-9);
        if (peak.opsPerSecond > 0)
          llvm::outs() << llvm::format("%.1f%%", 100 * rate / peak.opsPerSecond);
        else
          llvm::outs() << "n/a";
        llvm::outs() << " |\n";
      }
    }
  }
  return 0;
}
