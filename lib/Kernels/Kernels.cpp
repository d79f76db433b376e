//===- Kernels.cpp - the kernels' entry points and threads ----------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// Each call pads its input once into a scratch buffer (the input's zero
// point, as unsigned bytes, around it and in the padded channels; signed
// inputs are offset by 128 on the way), so the row functions never test a
// bound; then it cuts the output pixels into runs (row-major, across
// output rows and images, so narrow layers still fill the register tiles)
// and gives each thread a contiguous range of runs. Every output element is computed by one thread in one order, so
// the results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "qlip/Kernels/Kernels.h"

#include "KernelRows.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

using namespace qlip::kernels;

//===----------------------------------------------------------------------===//
// Code paths
//===----------------------------------------------------------------------===//

static bool cpuHas(qlip_isa isa) {
  switch (isa) {
  case QLIP_ISA_AUTO:
  case QLIP_ISA_GENERIC:
    return true;
#if defined(__x86_64__) || defined(__i386__)
  case QLIP_ISA_AVX2:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case QLIP_ISA_AVX_VNNI:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           (__builtin_cpu_supports("avxvnni") ||
            (__builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vnni")));
  case QLIP_ISA_AVX512_VNNI:
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vnni") &&
           __builtin_cpu_supports("fma");
#else
  default:
    return false;
#endif
  }
  return false;
}

static qlip_isa detectBest() {
  for (qlip_isa isa :
       {QLIP_ISA_AVX512_VNNI, QLIP_ISA_AVX_VNNI, QLIP_ISA_AVX2})
    if (cpuHas(isa))
      return isa;
  return QLIP_ISA_GENERIC;
}

static qlip_isa getBest() {
  static const qlip_isa best = detectBest();
  return best;
}

static std::atomic<int> forcedIsa{QLIP_ISA_AUTO};
static std::atomic<int> defaultThreads{1};

/// The path a call runs: its descriptor's, else the forced one, else the
/// best. A descriptor may name a path this CPU lacks (an object compiled
/// for another CPU): the generic path computes the same bits, so it runs
/// that, and says so once.
static qlip_isa resolveIsa(int64_t requested) {
  const bool known = requested >= QLIP_ISA_AUTO && requested < kNumIsas;
  qlip_isa isa = known ? qlip_isa(requested) : QLIP_ISA_GENERIC;
  if (isa == QLIP_ISA_AUTO)
    isa = qlip_isa(forcedIsa.load(std::memory_order_relaxed));
  if (isa == QLIP_ISA_AUTO)
    return getBest();
  if (!known || !cpuHas(isa)) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::fprintf(stderr,
                   "qlip kernels: this CPU cannot run the '%s' path the "
                   "code asks for; running the generic path\n",
                   known ? qlip_isa_name(isa) : "unknown");
    });
    return QLIP_ISA_GENERIC;
  }
  return isa;
}

extern "C" int qlip_isa_supported(enum qlip_isa isa) { return cpuHas(isa); }
extern "C" enum qlip_isa qlip_get_best_isa(void) { return getBest(); }
extern "C" enum qlip_isa qlip_get_isa(void) { return resolveIsa(QLIP_ISA_AUTO); }

extern "C" int qlip_set_isa(int value) {
  if (value < QLIP_ISA_AUTO || value >= kNumIsas)
    return -1;
  auto isa = static_cast<enum qlip_isa>(value);
  if (!cpuHas(isa))
    return -1;
  forcedIsa.store(isa);
  return 0;
}

extern "C" const char *qlip_isa_name(enum qlip_isa isa) {
  switch (isa) {
  case QLIP_ISA_AUTO:
    return "auto";
  case QLIP_ISA_GENERIC:
    return "generic";
  case QLIP_ISA_AVX2:
    return "avx2";
  case QLIP_ISA_AVX512_VNNI:
    return "avx512-vnni";
  case QLIP_ISA_AVX_VNNI:
    return "avx-vnni";
  }
  return "unknown";
}

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

extern "C" void qlip_set_num_threads(int threads) {
  defaultThreads.store(std::max(1, threads));
}
extern "C" int qlip_get_num_threads(void) { return defaultThreads.load(); }

namespace {
/// A pool of workers that run one range of a parallel loop each. One loop
/// at a time: a second caller meanwhile runs its loop on its own thread.
class ThreadPool {
public:
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (std::thread &t : workers)
      t.join();
  }

  /// Runs body(begin, end) over [0, count) in `parts` contiguous ranges.
  void run(int64_t count, int parts,
           const std::function<void(int64_t, int64_t)> &body) {
    std::unique_lock<std::mutex> busy(runMutex, std::try_to_lock);
    if (!busy.owns_lock() || parts <= 1) {
      body(0, count);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      while (int(workers.size()) < parts - 1) {
        int index = int(workers.size());
        workers.emplace_back([this, index] { work(index); });
      }
      job = &body;
      jobCount = count;
      jobParts = parts;
      pending = parts - 1;
      ++generation;
    }
    wake.notify_all();
    // The caller takes the last range.
    body(count * (parts - 1) / parts, count);
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [this] { return pending == 0; });
    job = nullptr;
  }

private:
  void work(int index) {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
      if (index >= jobParts - 1)
        continue;
      const std::function<void(int64_t, int64_t)> *body = job;
      int64_t count = jobCount, parts = jobParts;
      lock.unlock();
      (*body)(count * index / parts, count * (index + 1) / parts);
      lock.lock();
      if (--pending == 0)
        done.notify_one();
    }
  }

  std::mutex runMutex, mutex;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  const std::function<void(int64_t, int64_t)> *job = nullptr;
  int64_t jobCount = 0;
  int jobParts = 0;
  int pending = 0;
  uint64_t generation = 0;
  bool stopping = false;
};
} // namespace

/// The least work (multiply-adds, or bytes moved) worth a thread: waking a
/// worker and waiting for it costs tens of microseconds. Without it, the
/// small layers of a small model ran twice as slowly on two cores as on
/// one (the bundled CNN's autopilot: 7.0 s against 3.5 s).
static constexpr int64_t kMinWorkPerThread = int64_t(1) << 20;

/// Runs body over [0, count) on `threads` threads as the call's
/// descriptor asks, or with 0 on the default count (qlip_set_num_threads)
/// but no more than the work (`workPerItem` an item) keeps busy.
static void parallelFor(int64_t count, int64_t threads, int64_t workPerItem,
                        const std::function<void(int64_t, int64_t)> &body) {
  static ThreadPool pool;
  int64_t parts = threads > 0 ? threads : defaultThreads.load();
  if (threads <= 0)
    parts = std::min<int64_t>(
        parts, std::max<int64_t>(1, count * std::max<int64_t>(workPerItem, 1) /
                                        kMinWorkPerThread));
  pool.run(count, int(std::max<int64_t>(std::min(parts, count), 1)), body);
}

//===----------------------------------------------------------------------===//
// The arena
//===----------------------------------------------------------------------===//

namespace {
/// One thread's arena: grown, never shrunk, freed when the thread ends.
struct Arena {
  ~Arena() { std::free(data); }
  void *data = nullptr;
  int64_t capacity = 0;
};
} // namespace

extern "C" void _mlir_ciface_qlip_arena(qlip_memref_1d *result,
                                        int64_t bytes) {
  thread_local Arena arena;
  if (bytes > arena.capacity) {
    std::free(arena.data);
    const int64_t capacity = roundUp(std::max<int64_t>(bytes, 1), 64);
    arena.data = std::aligned_alloc(64, size_t(capacity));
    if (!arena.data) {
      std::fprintf(stderr, "qlip: cannot allocate the %lld-byte arena\n",
                   static_cast<long long>(capacity));
      std::abort();
    }
    arena.capacity = capacity;
  }
  *result = {arena.data, arena.data, 0, bytes, 1};
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

template <typename T> static T *data(const qlip_memref *m) {
  return static_cast<T *>(m->aligned) + m->offset;
}

namespace {
/// A call's geometry, read from its descriptor, and its padded input.
struct Geometry {
  /// `cp`: the channels of a padded input column. `unfold`: a column holds
  /// the KW columns of a window (shouldUnfoldWidth); the kernel is then
  /// KH x 1.
  Geometry(const int64_t *d, int64_t cp, bool unfold = false)
      : d(d), n(d[QLIP_CONV_N]), h(d[QLIP_CONV_H]), w(d[QLIP_CONV_W]),
        c(d[QLIP_CONV_C]), oh(d[QLIP_CONV_OH]), ow(d[QLIP_CONV_OW]),
        oc(d[QLIP_CONV_OC]), cp(cp), unfold(unfold) {
    hp = (oh - 1) * d[QLIP_CONV_STRIDE_H] +
         (d[QLIP_CONV_KH] - 1) * d[QLIP_CONV_DILATION_H] + 1;
    wp = (ow - 1) * d[QLIP_CONV_STRIDE_W] +
         (unfold ? 0 : (d[QLIP_CONV_KW] - 1) * d[QLIP_CONV_DILATION_W]) + 1;
  }
  int64_t threads() const { return d[QLIP_CONV_THREADS]; }

  /// Copies the input into a [n][hp][wp][cp] buffer, `pad` around it and
  /// in the extra channels, each element through `convert`. Whole rows of
  /// padding are filled at once, and an image row whose channels need no
  /// padding is one contiguous run (which the compiler vectorizes).
  template <typename T, typename Convert>
  void pad(const T *in, T *out, T padValue, Convert convert) const {
    const int64_t top = d[QLIP_CONV_PAD_TOP], left = d[QLIP_CONV_PAD_LEFT];
    const int64_t first = std::max<int64_t>(0, left);
    const int64_t last = std::min(wp, left + w); // padded columns [first, last)
    parallelFor(n * hp, threads(), wp * cp * int64_t(sizeof(T)),
                [&](int64_t begin, int64_t end) {
      // Locals: the byte stores below may alias anything reached through a
      // pointer, which would reload these in every iteration.
      const Convert f = convert;
      const int64_t c = this->c, cp = this->cp, wp = this->wp;
      for (int64_t r = begin; r < end; ++r) {
        const int64_t b = r / hp, y = r % hp - top;
        T *row = out + r * wp * cp;
        if (y < 0 || y >= h || first >= last) {
          std::fill(row, row + wp * cp, padValue);
          continue;
        }
        std::fill(row, row + first * cp, padValue);
        std::fill(row + last * cp, row + wp * cp, padValue);
        const T *src = in + ((b * h + y) * w + (first - left)) * c;
        T *dst = row + first * cp;
        if (c == cp) {
          for (int64_t i = 0, e = (last - first) * c; i < e; ++i)
            dst[i] = f(src[i]);
          continue;
        }
        for (int64_t x = 0; x < last - first; ++x) {
          for (int64_t k = 0; k < c; ++k)
            dst[x * cp + k] = f(src[x * c + k]);
          std::fill(dst + x * cp + c, dst + (x + 1) * cp, padValue);
        }
      }
    });
  }

  /// pad() for an unfolded integer input: column X holds, for each tap x
  /// of the width, the C values at input column X + x * dilation - left,
  /// each stored byte XORed with `flip` (0x80 offsets int8 to uint8).
  void padUnfolded(const uint8_t *in, uint8_t *out, uint8_t padValue,
                   uint8_t flip) const {
    const int64_t top = d[QLIP_CONV_PAD_TOP], left = d[QLIP_CONV_PAD_LEFT];
    const int64_t kw = d[QLIP_CONV_KW], dw = d[QLIP_CONV_DILATION_W];
    if (dw == 1 && cp % 4 == 0 && cp <= 32) {
      switch (cp / 4) {
#define QLIP_UNFOLD_CASE(K)                                                    \
  case K:                                                                      \
    return padUnfoldedDense<K>(in, out, padValue, flip);
        QLIP_UNFOLD_CASE(1) QLIP_UNFOLD_CASE(2) QLIP_UNFOLD_CASE(3)
        QLIP_UNFOLD_CASE(4) QLIP_UNFOLD_CASE(5) QLIP_UNFOLD_CASE(6)
        QLIP_UNFOLD_CASE(7) QLIP_UNFOLD_CASE(8)
#undef QLIP_UNFOLD_CASE
      }
    }
    parallelFor(n * hp, threads(), wp * cp, [&](int64_t begin, int64_t end) {
      const int64_t c = this->c, cp = this->cp, wp = this->wp;
      for (int64_t r = begin; r < end; ++r) {
        const int64_t b = r / hp, y = r % hp - top;
        uint8_t *row = out + r * wp * cp;
        std::fill(row, row + wp * cp, padValue);
        if (y < 0 || y >= h)
          continue;
        const uint8_t *src = in + (b * h + y) * w * c;
        // Tap t of column x reads input column x + t * dw - left: the
        // columns where that is inside the image form one range.
        for (int64_t t = 0; t < kw; ++t) {
          const int64_t shift = t * dw - left;
          const int64_t lo = std::max<int64_t>(0, -shift);
          const int64_t hi = std::min<int64_t>(wp, w - shift);
          for (int64_t x = lo; x < hi; ++x)
            for (int64_t k = 0; k < c; ++k)
              row[x * cp + t * c + k] = src[(x + shift) * c + k] ^ flip;
        }
      }
    });
  }

  /// padUnfolded() without dilation and with WORDS * 4 padded channels,
  /// the first layers' case (one or three channels under a 3- to 7-wide
  /// kernel): the window of column X is then KW * C contiguous bytes of the
  /// image row, so a column inside the image is one fixed-size copy of
  /// WORDS 32-bit words, flipped. The bytes past the window are then the
  /// next columns' values, not the padding value: their packed weights are
  /// zero. Columns whose window reaches past the image are put together
  /// byte by byte.
  template <int WORDS>
  void padUnfoldedDense(const uint8_t *in, uint8_t *out, uint8_t padValue,
                        uint8_t flip) const {
    constexpr int64_t CP = 4 * WORDS;
    const int64_t top = d[QLIP_CONV_PAD_TOP], left = d[QLIP_CONV_PAD_LEFT];
    const int64_t used = d[QLIP_CONV_KW] * c;
    const uint32_t flipWord = flip * 0x01010101u;
    parallelFor(n * hp, threads(), wp * CP, [&](int64_t begin, int64_t end) {
      const int64_t c = this->c, h = this->h, wp = this->wp;
      const int64_t rowBytes = this->w * c;
      // The columns whose CP bytes lie inside the image row.
      const int64_t x0 = std::min(wp, std::max<int64_t>(0, left));
      const int64_t x1 =
          std::max(x0, std::min(wp, rowBytes >= CP ? (rowBytes - CP) / c +
                                                         left + 1
                                                   : 0));
      for (int64_t r = begin; r < end; ++r) {
        const int64_t b = r / hp, y = r % hp - top;
        uint8_t *row = out + r * wp * CP;
        if (y < 0 || y >= h) {
          std::fill(row, row + wp * CP, padValue);
          continue;
        }
        const uint8_t *src = in + (b * h + y) * rowBytes;
        auto edge = [&](int64_t x) {
          const int64_t start = (x - left) * c;
          for (int64_t k = 0; k < CP; ++k) {
            const int64_t e = start + k;
            row[x * CP + k] = k < used && e >= 0 && e < rowBytes
                                  ? uint8_t(src[e] ^ flip)
                                  : padValue;
          }
        };
        for (int64_t x = 0; x < x0; ++x)
          edge(x);
        const uint8_t *from = src + (x0 - left) * c;
        uint8_t *to = row + x0 * CP;
        for (int64_t x = x0; x < x1; ++x, from += c, to += CP)
          for (int k = 0; k < WORDS; ++k) {
            uint32_t word;
            std::memcpy(&word, from + 4 * k, 4);
            word ^= flipWord;
            std::memcpy(to + 4 * k, &word, 4);
          }
        for (int64_t x = x1; x < wp; ++x)
          edge(x);
      }
    });
  }

  /// Runs `run(first, count)` over runs of at most kRunPixels output
  /// pixels (row-major, across output rows and images), split across
  /// threads.
  template <typename Run> void forEachRun(Run run) const {
    const int64_t pixels = n * oh * ow;
    const int64_t runs = (pixels + kRunPixels - 1) / kRunPixels;
    // A run's multiply-adds: its pixels times a pixel's (a depthwise
    // layer's are fewer; this only caps the threads).
    const int64_t perPixel = d[QLIP_CONV_KH] * d[QLIP_CONV_KW] * c * oc;
    parallelFor(runs, threads(), kRunPixels * perPixel,
                [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r)
        run(r * kRunPixels, std::min(kRunPixels, pixels - r * kRunPixels));
    });
  }

  /// Calls rowFn on every run of `base`, reading `padded`, writing `out`.
  template <typename Row, typename In, typename Out>
  void runRows(const Row &base, const In *padded, Out *out,
               void (*rowFn)(const Row &)) const {
    forEachRun([&](int64_t first, int64_t count) {
      int64_t offsets[kRunPixels];
      Row row = base;
      row.in = padded;
      row.first = first;
      row.count = count;
      row.offsets = offsets;
      fillPixelOffsets(row, offsets);
      row.out = out + first * oc;
      rowFn(row);
    });
  }

  /// Fills the geometry fields every run of this call shares.
  void describe(Run &row) const {
    row.imageStride = hp * wp * cp;
    row.pixelsPerImage = oh * ow;
    row.rowStride = d[QLIP_CONV_STRIDE_H] * wp * cp;
    row.pixelStride = d[QLIP_CONV_STRIDE_W] * cp;
    row.tapStrideW = unfold ? 0 : d[QLIP_CONV_DILATION_W] * cp;
    row.tapStrideH = d[QLIP_CONV_DILATION_H] * wp * cp;
    row.width = ow;
    row.kh = d[QLIP_CONV_KH];
    row.kw = unfold ? 1 : d[QLIP_CONV_KW];
    row.cp = cp;
    row.oc = oc;
  }

  /// Pixels per run: a multiple of every tile's pixel count (6 and 8), and
  /// enough runs for the threads on small layers.
  static constexpr int64_t kRunPixels = 48;

  const int64_t *d;
  int64_t n, h, w, c, oh, ow, oc, cp, hp, wp;
  bool unfold;
};

/// The calling thread's scratch buffer, grown as needed and kept: no
/// allocation per call once the largest layer has run.
template <typename T> T *getScratch(int64_t elements) {
  thread_local std::vector<T> scratch;
  // Slack for the vector paths' whole-register loads at the very end.
  if (scratch.size() < size_t(elements + 64))
    scratch.resize(elements + 64);
  return scratch.data();
}
} // namespace

using QRowFn = void (*)(const QRow &);
using FRowFn = void (*)(const FRow &);

extern "C" void _mlir_ciface_qlip_qconv2d(
    const qlip_memref *descRef, const qlip_memref *inputRef,
    const qlip_memref *weightsRef, const qlip_memref *biasRef,
    const qlip_memref *multRef, const qlip_memref *shiftRef,
    const qlip_memref *outputRef) {
  const int64_t *d = data<const int64_t>(descRef);
  const bool depthwise = d[QLIP_CONV_DEPTHWISE] != 0;
  const int bits = int(d[QLIP_CONV_WEIGHT_BITS]);
  const bool unfold = !depthwise && d[QLIP_CONV_UNFOLD_WIDTH] != 0;
  const int64_t c = d[QLIP_CONV_C];
  Geometry g(d,
             depthwise ? roundUp(c, kChannelTile)
                       : getPaddedConvChannels(
                             unfold ? d[QLIP_CONV_KW] * c : c, bits),
             unfold);
  const bool inputSigned = d[QLIP_CONV_INPUT_SIGNED] != 0;
  const uint8_t offset =
      uint8_t(getUnsignedOffset(d[QLIP_CONV_INPUT_ZP], inputSigned));
  uint8_t *padded = getScratch<uint8_t>(g.n * g.hp * g.wp * g.cp);
  const uint8_t flip = inputSigned ? 0x80 : 0;
  auto toUnsigned = [flip](uint8_t v) { return uint8_t(v ^ flip); };
  if (unfold)
    g.padUnfolded(data<const uint8_t>(inputRef), padded, offset, flip);
  else
    g.pad(data<const uint8_t>(inputRef), padded, offset, toUnsigned);

  // Indexed by qlip_isa.
  static constexpr QRowFn conv[] = {nullptr, qconvRowGeneric, qconvRowAvx2,
                                    qconvRowAvx512, qconvRowAvxVnni};
  static constexpr QRowFn dw[] = {nullptr, qdepthwiseRowGeneric,
                                  qdepthwiseRowAvx2, qdepthwiseRowAvx512,
                                  qdepthwiseRowAvx2};
  const qlip_isa isa = resolveIsa(d[QLIP_CONV_ISA]);
  const QRowFn rowFn = depthwise ? dw[isa] : conv[isa];

  QRow base;
  g.describe(base);
  base.weights = data<const int8_t>(weightsRef);
  base.weightBits = d[QLIP_CONV_WEIGHT_BITS];
  base.bias = data<const int32_t>(biasRef);
  base.multiplier = data<const int32_t>(multRef);
  base.shift = data<const int8_t>(shiftRef);
  base.outputZp = int32_t(d[QLIP_CONV_OUTPUT_ZP]);
  base.outputMin = int32_t(d[QLIP_CONV_OUTPUT_MIN]);
  base.outputMax = int32_t(d[QLIP_CONV_OUTPUT_MAX]);
  base.doubleRound = d[QLIP_CONV_DOUBLE_ROUND] != 0;
  base.shortEpilogue = shortensEpilogue(base, g.oc);
  g.runRows(base, padded, data<int8_t>(outputRef), rowFn);
}

static float floatFromBits(int64_t bits) {
  uint32_t u = uint32_t(bits);
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

extern "C" void _mlir_ciface_qlip_conv2d_f32(const qlip_memref *descRef,
                                             const qlip_memref *inputRef,
                                             const qlip_memref *weightsRef,
                                             const qlip_memref *biasRef,
                                             const qlip_memref *outputRef) {
  const int64_t *d = data<const int64_t>(descRef);
  const bool depthwise = d[QLIP_CONV_DEPTHWISE] != 0;
  Geometry g(d, depthwise ? roundUp(d[QLIP_CONV_C], kChannelTile)
                          : d[QLIP_CONV_C]);
  float *padded = getScratch<float>(g.n * g.hp * g.wp * g.cp);
  g.pad(data<const float>(inputRef), padded, 0.0f, [](float v) { return v; });

  static constexpr FRowFn conv[] = {nullptr, fconvRowGeneric, fconvRowAvx2,
                                    fconvRowAvx512, fconvRowAvx2};
  static constexpr FRowFn dw[] = {nullptr, fdepthwiseRowGeneric,
                                  fdepthwiseRowAvx2, fdepthwiseRowAvx512,
                                  fdepthwiseRowAvx2};
  const qlip_isa isa = resolveIsa(d[QLIP_CONV_ISA]);
  const FRowFn rowFn = depthwise ? dw[isa] : conv[isa];

  FRow base;
  g.describe(base);
  base.weights = data<const float>(weightsRef);
  base.bias = data<const float>(biasRef);
  base.outputMin = floatFromBits(d[QLIP_CONV_FLOAT_MIN]);
  base.outputMax = floatFromBits(d[QLIP_CONV_FLOAT_MAX]);
  g.runRows(base, padded, data<float>(outputRef), rowFn);
}
