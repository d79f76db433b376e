//===- ModelSummary.h - what quantization chose, and where it runs -*- C++ -*-//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The figures qlip-compile ends with, read from the models themselves
// rather than from the passes' reports, so that they describe any model:
// the ranges a fake-quantized model carries (each layer's weight and input
// bits and rules, the weights' size) and where each op of an integer model
// runs on the CPU or the npu.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_REPORT_MODELSUMMARY_H
#define QLIP_REPORT_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace mlir::qlip {

/// One weight layer of a fake-quantized model.
struct LayerChoice {
  /// The name users know it by (the ONNX node's, else "conv2d_0").
  std::string name;
  /// The TOSA op without its dialect: conv2d, depthwise_conv2d, matmul.
  std::string op;
  int64_t weightElements = 0;
  /// 0: float.
  unsigned weightBits = 0;
  std::string weightRule;
  /// The activation the layer reads (0 bits: float, or its fake_quant was
  /// not found).
  unsigned inputBits = 0;
  std::string inputRule;
};

/// What the fake-quantized model's `qlip.fake_quant` ops hold.
struct RangeSummary {
  llvm::SmallVector<LayerChoice> layers;
  /// Fake-quantized activations by bit width and rule.
  llvm::SmallVector<std::pair<std::string, int64_t>> activationKinds;
  int64_t activations = 0;
  /// The weight layers' weights in f32, and at their widths (the bytes the
  /// levels need, as qlip-choose-bits counts them).
  int64_t floatWeightBytes = 0;
  double quantizedWeightBytes = 0;
};

/// Reads the ranges of every function of `module`, a model after
/// qlip-quantize-activations (or qlip-ptq's first half).
RangeSummary summarizeRanges(ModuleOp module);

/// How many ops of one kind run in one place.
struct Placement {
  std::string op;
  std::string where;
  int64_t count = 0;
};

/// Where the ops of `module`, an integer model after qlip-tosa-to-cpu or
/// qlip-tosa-to-npu, run: `cpu.qconv2d` on the int8 kernels (`kernelIsa` names
/// their code path), `cpu.conv2d` on the float kernels, npu layer ops on
/// the npu, everything else in compiled loops on the host. Constants and
/// shape-only ops (reshapes, empty tensors, the return) are not listed.
llvm::SmallVector<Placement> summarizePlacement(ModuleOp module,
                                                llvm::StringRef kernelIsa);

/// Prints the layer table and the totals.
void printRangeSummary(llvm::raw_ostream &os, const RangeSummary &summary);

/// Prints one row per op kind and place.
void printPlacement(llvm::raw_ostream &os,
                    llvm::ArrayRef<Placement> placements);

} // namespace mlir::qlip

#endif // QLIP_REPORT_MODELSUMMARY_H
