//===- lowering-bench.cpp - qlip's lowering against plain loops -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-lowering-bench [--reps N] [--min-seconds S]
//
// Measures, in one run, a 3x3 convolution layer (1x56x56x64 -> 64, pad 1)
// and a 512x512x512 matmul, in f32 and in int8 (int8 inputs, int32
// accumulation and output), each compiled two ways and JIT-run through
// qlip's Runner (LLVM O3 for the host CPU in both):
//
//   - `loops`: MLIR's plain lowering, the upstream passes alone:
//     tosa-to-linalg-named, tosa-to-linalg, tosa-to-arith, tosa-to-tensor,
//     one-shot-bufferize, convert-linalg-to-loops and the conversions to
//     LLVM (plus what the Runner's calling convention needs: results as
//     out-parameters and C-interface wrappers);
//   - `qlip`: qlip-lower-to-llvm with its default options.
//
// Each kernel is timed as the best of --reps calls after one warm-up call
// (and at least --min-seconds of calls in total), and reported in GFLOP/s
// (GOP/s for int8: a multiply-accumulate is 2 operations) and as a share
// of one core's peak, which the same run measures with a microbenchmark:
// independent FMA chains on the widest vectors the CPU has for f32, and
// independent `pmaddwd` + `paddd` chains (int16 pairs multiplied and summed
// into int32, exact for int8 values) for int8. The outputs of the two
// lowerings must be bit-identical (both accumulate each output in the same
// order), so the timed code is known to compute the layer; the exit status
// is 1 otherwise.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"
#include "qlip/InitAll.h"
#include "qlip/Runtime/Runner.h"

#include "Peak.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

static cl::opt<unsigned>
    reps("reps", cl::desc("Timed calls per kernel and lowering"), cl::init(5));
static cl::opt<double>
    minSeconds("min-seconds",
               cl::desc("Keep calling until this much time has passed"),
               cl::init(1.0));

using namespace qlip_bench;

//===----------------------------------------------------------------------===//
// Kernels and lowerings
//===----------------------------------------------------------------------===//

namespace {
struct Kernel {
  std::string name;
  bool isInt8;
  /// The TOSA module; its entry is @main.
  std::string source;
  /// Arithmetic operations of one call (2 per multiply-accumulate).
  double ops;
};

struct Lowering {
  std::string name;
  /// Empty: qlip-lower-to-llvm.
  std::function<void(OpPassManager &)> build;
};
} // namespace

/// The conv layer: NHWC 1x56x56x64, 64 filters of 3x3x64 (OHWI), pad 1,
/// bias, so 56 * 56 * 64 * 3 * 3 * 64 multiply-accumulates.
static Kernel makeConv(bool isInt8) {
  std::string e = isInt8 ? "i8" : "f32", acc = isInt8 ? "i32" : "f32";
  std::string zp =
      isInt8 ? "dense<0> : tensor<1xi8>" : "dense<0.0> : tensor<1xf32>";
  std::string zpType = isInt8 ? "tensor<1xi8>" : "tensor<1xf32>";
  std::string source = llvm::formatv(R"(
func.func @main(%x: tensor<1x56x56x64x{0}>, %w: tensor<64x3x3x64x{0}>, %b: tensor<64x{1}>) -> tensor<1x56x56x64x{1}> {
  %zp = "tosa.const"() <{values = {2}}> : () -> {3}
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = {1}, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x56x56x64x{0}>, tensor<64x3x3x64x{0}>, tensor<64x{1}>, {3}, {3}) -> tensor<1x56x56x64x{1}>
  return %0 : tensor<1x56x56x64x{1}>
}
)",
                                     e, acc, zp, zpType);
  return {isInt8 ? "conv 3x3, 56x56x64 -> 64" : "conv 3x3, 56x56x64 -> 64",
          isInt8, source, 2.0 * 56 * 56 * 64 * 3 * 3 * 64};
}

/// The matmul: [1, 512, 512] x [1, 512, 512].
static Kernel makeMatmul(bool isInt8) {
  std::string e = isInt8 ? "i8" : "f32", acc = isInt8 ? "i32" : "f32";
  std::string zp =
      isInt8 ? "dense<0> : tensor<1xi8>" : "dense<0.0> : tensor<1xf32>";
  std::string zpType = isInt8 ? "tensor<1xi8>" : "tensor<1xf32>";
  std::string source = llvm::formatv(R"(
func.func @main(%a: tensor<1x512x512x{0}>, %b: tensor<1x512x512x{0}>) -> tensor<1x512x512x{1}> {
  %zp = "tosa.const"() <{values = {2}}> : () -> {3}
  %0 = tosa.matmul %a, %b, %zp, %zp : (tensor<1x512x512x{0}>, tensor<1x512x512x{0}>, {3}, {3}) -> tensor<1x512x512x{1}>
  return %0 : tensor<1x512x512x{1}>
}
)",
                                     e, acc, zp, zpType);
  return {"matmul 512x512x512", isInt8, source, 2.0 * 512 * 512 * 512};
}

/// MLIR's plain lowering: the upstream TOSA conversions, bufferization,
/// linalg to loops, LLVM. Only what the Runner's calling convention needs
/// is added (results as out-parameters, C-interface wrappers); no
/// canonicalization, fusion or hoisting.
static void buildLoopsBaseline(OpPassManager &pm) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(tosa::createTosaToLinalgNamed());
  func.addPass(tosa::createTosaToLinalg());
  TosaToArithPassOptions arith;
  arith.includeApplyRescale = true;
  func.addPass(createTosaToArithPass(arith));
  func.addPass(createTosaToTensorPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(qlip::createEmitCInterfacePass());
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

/// Uniform inputs: f32 in [-1, 1), int8 over its whole range (the int32
/// accumulators cannot overflow: 576 * 128 * 128 < 2^31).
static NpyArray makeInput(const TensorSpec &spec, std::mt19937 &rng) {
  NpyArray array = spec.makeArray();
  size_t count = spec.numElements();
  if (spec.dtype == NpyDType::F32) {
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    auto *data = reinterpret_cast<float *>(array.data.data());
    for (size_t i = 0; i < count; ++i)
      data[i] = uniform(rng);
  } else if (spec.dtype == NpyDType::I8) {
    std::uniform_int_distribution<int> uniform(-128, 127);
    for (size_t i = 0; i < count; ++i)
      array.data[i] = static_cast<char>(uniform(rng));
  } else if (spec.dtype == NpyDType::I32) {
    std::uniform_int_distribution<int32_t> uniform(-1000, 1000);
    auto *data = reinterpret_cast<int32_t *>(array.data.data());
    for (size_t i = 0; i < count; ++i)
      data[i] = uniform(rng);
  }
  return array;
}

namespace {
struct Timing {
  double best = 0;
  double median = 0;
  std::vector<NpyArray> outputs;
};
} // namespace

/// Compiles `kernel` with `lowering` and times it.
static llvm::Expected<Timing> timeKernel(MLIRContext &context,
                                         const Kernel &kernel,
                                         const Lowering &lowering) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kernel.source, &context);
  if (!module)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the kernel does not parse");
  RunnerOptions options;
  options.buildPipeline = lowering.build;
  auto runner = Runner::create(*module, "main", options);
  if (!runner)
    return runner.takeError();
  std::mt19937 rng(2024);
  std::vector<NpyArray> inputs;
  for (const TensorSpec &spec : (*runner)->getInputs())
    inputs.push_back(makeInput(spec, rng));
  Timing timing;
  for (const TensorSpec &spec : (*runner)->getOutputs())
    timing.outputs.push_back(spec.makeArray());

  if (llvm::Error error = (*runner)->run(inputs, timing.outputs))
    return std::move(error);
  std::vector<double> seconds;
  Clock::time_point begin = Clock::now();
  while (seconds.size() < reps || secondsSince(begin) < minSeconds) {
    Clock::time_point start = Clock::now();
    if (llvm::Error error = (*runner)->run(inputs, timing.outputs))
      return std::move(error);
    seconds.push_back(secondsSince(start));
  }
  std::sort(seconds.begin(), seconds.end());
  timing.best = seconds.front();
  timing.median = seconds[seconds.size() / 2];
  return timing;
}

/// The largest difference between two results, relative to the largest
/// magnitude of the first; 0 exactly when they are bit-identical (1 for
/// integers that differ).
static double compareOutputs(const NpyArray &a, const NpyArray &b) {
  if (a.data == b.data)
    return 0.0;
  if (a.dtype == NpyDType::I32)
    return 1.0;
  size_t count = a.data.size() / sizeof(float);
  auto *x = reinterpret_cast<const float *>(a.data.data());
  auto *y = reinterpret_cast<const float *>(b.data.data());
  double maxDiff = 0, maxAbs = 0;
  for (size_t i = 0; i < count; ++i) {
    maxDiff = std::max(maxDiff, std::fabs(double(x[i]) - double(y[i])));
    maxAbs = std::max(maxAbs, std::fabs(double(x[i])));
  }
  // Bytes differ (NaN payloads, signed zeros) even when no value does.
  if (maxDiff == 0)
    return std::numeric_limits<double>::min();
  return maxAbs == 0 ? maxDiff : maxDiff / maxAbs;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-lowering-bench: qlip-lower-to-llvm against MLIR's plain "
      "loops on a conv layer and a matmul, f32 and int8\n");

  std::pair<Peak, Peak> peaks = measurePeaks();
  llvm::outs() << "CPU: " << llvm::sys::getHostCPUName() << "\n";
  auto printPeak = [](llvm::StringRef what, const Peak &peak) {
    if (peak.opsPerSecond == 0)
      llvm::outs() << what << " peak: not measured on this CPU\n";
    else
      llvm::outs() << what << " peak (one core, " << peak.how
                   << "): " << llvm::format("%.1f", peak.opsPerSecond * 1e-9)
                   << (what == "f32" ? " GFLOP/s" : " GOP/s") << "\n";
  };
  printPeak("f32", peaks.first);
  printPeak("int8", peaks.second);
  llvm::outs() << "\n";

  DialectRegistry registry;
  registerAllQlipDialects(registry);
  MLIRContext context(registry);
  std::vector<Lowering> lowerings = {{"loops", buildLoopsBaseline},
                                     {"qlip", nullptr}};
  std::vector<Kernel> kernels = {makeConv(false), makeConv(true),
                                 makeMatmul(false), makeMatmul(true)};

  llvm::outs() << "| kernel | type | lowering | best ms | median ms | "
                  "GFLOP/s (GOP/s) | of peak | vs loops |\n"
               << "|---|---|---|---|---|---|---|---|\n";
  int status = 0;
  for (const Kernel &kernel : kernels) {
    const Peak &peak = kernel.isInt8 ? peaks.second : peaks.first;
    double baseline = 0;
    std::vector<NpyArray> reference;
    for (const Lowering &lowering : lowerings) {
      llvm::Expected<Timing> timing = timeKernel(context, kernel, lowering);
      if (!timing) {
        llvm::errs() << "qlip-lowering-bench: " << kernel.name << " ("
                     << lowering.name
                     << "): " << llvm::toString(timing.takeError()) << "\n";
        return 1;
      }
      double rate = kernel.ops / timing->best;
      if (baseline == 0)
        baseline = timing->best;
      llvm::outs() << "| " << kernel.name << " | "
                   << (kernel.isInt8 ? "int8 -> int32" : "f32") << " | "
                   << lowering.name << " | "
                   << llvm::format("%.1f", timing->best * 1e3) << " | "
                   << llvm::format("%.1f", timing->median * 1e3) << " | "
                   << llvm::format("%.2f", rate * 1e-9) << " | ";
      if (peak.opsPerSecond > 0)
        llvm::outs() << llvm::format("%.1f%%", 100 * rate / peak.opsPerSecond);
      else
        llvm::outs() << "n/a";
      llvm::outs() << " | " << llvm::format("%.2fx", baseline / timing->best)
                   << " |\n";

      if (reference.empty()) {
        reference = std::move(timing->outputs);
        continue;
      }
      // Both lowerings accumulate every output in the same order: the
      // results must be bit-identical, f32 too.
      double difference = compareOutputs(reference[0], timing->outputs[0]);
      if (difference != 0.0) {
        llvm::errs() << "qlip-lowering-bench: " << kernel.name << " ("
                     << lowering.name << ") differs from " << lowerings[0].name
                     << " by " << difference << "\n";
        status = 1;
      }
    }
  }
  return status;
}
