//===- Passes.h - qlip's model transforms -----------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_TRANSFORMS_PASSES_H
#define QLIP_TRANSFORMS_PASSES_H

#include "dialects/Qlip/IR/QlipAttrs.h"
#include "dialects/Qlip/IR/QlipDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qlip {

/// How many scales a weight gets.
enum class Granularity { PerChannel, PerTensor };

/// How weights are rounded onto their grid.
/// How weights are rounded onto their grid: to nearest, by GPTQ, or by GPTQ
/// and AdaRound, each channel keeping the lower output error.
enum class WeightRounding { Nearest, Gptq, GptqAdaRound };

#define GEN_PASS_DECL
#include "qlip/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qlip/Transforms/Passes.h.inc"

/// The patterns of qlip-fold-batchnorm: fold the per-channel sub/mul/add
/// chain after a conv or fully-connected layer into its weights and bias.
void populateFoldBatchNormPatterns(RewritePatternSet &patterns);

} // namespace mlir::qlip

#endif // QLIP_TRANSFORMS_PASSES_H
