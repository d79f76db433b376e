//===- weight-quant-bench.cpp - time qlip-quantize-weights ------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Builds a synthetic model with ResNet-50's 53 convolutions and its 1000-way
// fully-connected layer (25.5M float weights, in dense_resource blobs as
// qlip's importer writes them), runs qlip-quantize-weights with one clipping
// rule and prints the pass time and the process's peak memory against the
// weights' size:
//   build/bin/qlip-weight-bench [--clip=RULE] [--bits=N] [--bias-correction]
// bench/run-weight-bench.sh runs every rule and formats bench/RESULTS.md.
//
//===----------------------------------------------------------------------===//

#include "dialects/Qlip/IR/QlipDialect.h"
#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sys/resource.h>

using namespace mlir;

namespace {
/// One convolution of ResNet-50: OHWI weight shape.
struct ConvShape {
  int64_t out, kernel, in;
};

std::vector<ConvShape> resnet50Convs() {
  std::vector<ConvShape> convs = {{64, 7, 3}};
  struct Stage {
    int blocks;
    int64_t mid, out;
  } stages[] = {{3, 64, 256}, {4, 128, 512}, {6, 256, 1024}, {3, 512, 2048}};
  int64_t in = 64;
  for (const Stage &stage : stages) {
    for (int b = 0; b < stage.blocks; ++b) {
      convs.push_back({stage.mid, 1, in});
      convs.push_back({stage.mid, 3, stage.mid});
      convs.push_back({stage.out, 1, stage.mid});
      if (b == 0)
        convs.push_back({stage.out, 1, in}); // the projection shortcut
      in = stage.out;
    }
  }
  return convs;
}

/// Laplace weights whose spread differs per output channel, as trained
/// convolutions' do.
DenseResourceElementsAttr makeWeight(RankedTensorType type, int64_t channels,
                                     int64_t channelStride, StringRef name,
                                     std::mt19937_64 &rng) {
  int64_t n = type.getNumElements();
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocate(n * sizeof(float), alignof(float));
  auto *data = reinterpret_cast<float *>(blob.getMutableData().data());
  std::exponential_distribution<float> magnitude(1.0f);
  std::uniform_real_distribution<float> spread(0.005f, 0.1f);
  std::vector<float> spreads(channels);
  for (float &s : spreads)
    s = spread(rng);
  for (int64_t i = 0; i < n; ++i) {
    float sign = (rng() & 1) ? 1.0f : -1.0f;
    data[i] = sign * magnitude(rng) * spreads[(i / channelStride) % channels];
  }
  return DenseF32ResourceElementsAttr::get(type, name, std::move(blob));
}

OwningOpRef<ModuleOp> buildModel(MLIRContext &context, size_t &numWeights) {
  OpBuilder b(&context);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto f32 = b.getF32Type();
  std::vector<ConvShape> convs = resnet50Convs();
  SmallVector<Type> inputs;
  for (const ConvShape &c : convs)
    inputs.push_back(RankedTensorType::get({1, c.kernel, c.kernel, c.in}, f32));
  inputs.push_back(RankedTensorType::get({1, 1, 2048}, f32));
  auto func = func::FuncOp::create(b, loc, "resnet50_weights",
                                   b.getFunctionType(inputs, {}));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToEnd(body);

  std::mt19937_64 rng(50);
  auto zpType = RankedTensorType::get({1}, f32);
  Value zp = tosa::ConstOp::create(
      b, loc, zpType, DenseElementsAttr::get(zpType, 0.0f));
  numWeights = 0;
  for (auto [i, c] : llvm::enumerate(convs)) {
    auto wType = RankedTensorType::get({c.out, c.kernel, c.kernel, c.in}, f32);
    numWeights += wType.getNumElements();
    Value w = tosa::ConstOp::create(
        b, loc, wType,
        makeWeight(wType, c.out, c.kernel * c.kernel * c.in,
                   ("conv" + Twine(i)).str(), rng));
    auto biasType = RankedTensorType::get({c.out}, f32);
    Value bias = tosa::ConstOp::create(
        b, loc, biasType, DenseElementsAttr::get(biasType, 0.0f));
    tosa::Conv2DOp::create(
        b, loc, RankedTensorType::get({1, 1, 1, c.out}, f32),
        body->getArgument(i), w, bias, zp, zp, ArrayRef<int64_t>{0, 0, 0, 0},
        ArrayRef<int64_t>{1, 1}, ArrayRef<int64_t>{1, 1}, f32);
  }
  auto fcType = RankedTensorType::get({1, 2048, 1000}, f32);
  numWeights += fcType.getNumElements();
  Value fc = tosa::ConstOp::create(b, loc, fcType,
                                   makeWeight(fcType, 1000, 1, "fc", rng));
  tosa::MatMulOp::create(b, loc, RankedTensorType::get({1, 1, 1000}, f32),
                         body->getArguments().back(), fc, zp, zp);
  func::ReturnOp::create(b, loc);
  return module;
}

double peakRssMiB() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0; // Linux reports KiB.
}
} // namespace

int main(int argc, char **argv) {
  llvm::cl::opt<std::string> clip("clip", llvm::cl::init("mse"),
                                  llvm::cl::desc("the clipping rule"));
  llvm::cl::opt<unsigned> bits("bits", llvm::cl::init(4),
                               llvm::cl::desc("weight bits"));
  llvm::cl::opt<bool> biasCorrection(
      "bias-correction", llvm::cl::init(false),
      llvm::cl::desc("apply ACIQ's bias correction (rewrites the weights)"));
  llvm::cl::ParseCommandLineOptions(argc, argv, "qlip weight pass benchmark");

  MLIRContext context;
  context.loadDialect<func::FuncDialect, tosa::TosaDialect,
                      qlip::QlipDialect>();
  // One thread: the figures are for one core.
  context.disableMultithreading();
  size_t numWeights = 0;
  OwningOpRef<ModuleOp> module = buildModel(context, numWeights);
  double weightsMiB = numWeights * sizeof(float) / (1024.0 * 1024.0);
  double modelRss = peakRssMiB();

  // Option spellings use `-`, the enum's IR spellings `_`.
  std::string ruleName = clip;
  std::replace(ruleName.begin(), ruleName.end(), '-', '_');
  std::optional<qlip::ClipRule> rule = qlip::symbolizeClipRule(ruleName);
  if (!rule) {
    llvm::errs() << "unknown clipping rule '" << clip << "'\n";
    return 1;
  }
  qlip::QuantizeWeightsPassOptions options;
  options.clip = *rule;
  options.bits = bits;
  options.biasCorrection = biasCorrection;
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.addPass(qlip::createQuantizeWeightsPass(options));
  auto start = std::chrono::steady_clock::now();
  if (failed(pm.run(*module)))
    return 1;
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  double peak = peakRssMiB();
  int quantized = 0;
  module->walk([&](qlip::FakeQuantOp) { ++quantized; });
  if (quantized != 54) {
    llvm::errs() << "expected 54 quantized layers, got " << quantized << "\n";
    return 1;
  }
  std::printf("clip=%s bits=%u bias-correction=%d weights=%zu (%.1f MiB) pass=%.3f s "
              "peak_rss=%.1f MiB (%.2fx weights) rss_before_pass=%.1f MiB\n",
              clip.c_str(), unsigned(bits), int(biasCorrection), numWeights, weightsMiB, seconds,
              peak, peak / weightsMiB, modelRss);
  return 0;
}
