//===- Pipelines.h - qlip's pass pipelines ----------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The pipelines a host compiler builds into its own pass manager, and the
// registration that makes them available to qlip-opt as
// `--pass-pipeline="builtin.module(qlip-lower-to-llvm{...})"` or
// `--qlip-lower-to-llvm`.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_PIPELINES_PIPELINES_H
#define QLIP_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
class OpPassManager;
namespace qlip {

/// Options of `qlip-lower-to-llvm`. (Not to be confused with
/// `mlir::LowerToLLVMOptions`, the type-converter options of the upstream
/// conversions; spell this one `qlip::LowerToLLVMOptions` in code that uses
/// both namespaces.)
struct LowerToLLVMOptions : public PassPipelineOptions<LowerToLLVMOptions> {
  PassOptions::Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Give every public function a `_mlir_ciface_<name>` "
                     "wrapper that takes each memref as a pointer to its "
                     "descriptor (what qlip-run and C callers use)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc("Fuse elementwise linalg ops into their consumers "
                     "before bufferization (fewer temporaries; the same "
                     "arithmetic)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> parallelInnermost{
      *this, "parallel-innermost",
      llvm::cl::desc("Loop over the output's contiguous dimension innermost "
                     "in matmuls, convolutions and pools "
                     "(qlip-parallel-innermost), so that LLVM vectorizes "
                     "them; the results are bit-identical"),
      llvm::cl::init(true)};
};

/// Builds `qlip-lower-to-llvm` into `pm`, which must run on a
/// `builtin.module`: float or integer TOSA plus qlip ops on tensors, to the
/// LLVM dialect. Results of public functions become caller-allocated
/// out-parameters after the inputs (the caller owns every buffer), with the
/// identity layout. Bufferization may write into an argument's buffer
/// unless the argument is marked `bufferization.writable = false` (the
/// Runner marks its entry's). The module's only run-time dependency
/// besides malloc, free and libm is `memrefCopy` of libmlir_c_runner_utils
/// (copies into strided views). The stages:
///
///  1. tensors: qlip-check-lowerable (TOSA the conversions cannot lower,
///     such as INEXACT_ROUND rescales, is diagnosed), qlip-to-linalg (before
///     any folding, which would hide the lowering of a fake-quantized
///     constant), tosa-to-scf, tosa-optional-decompositions,
///     tosa-to-linalg-named, tosa-to-linalg,
///     tosa-to-arith{include-apply-rescale}, tosa-to-tensor, canonicalize,
///     and with `fuse-elementwise` linalg-fuse-elementwise-ops;
///  2. buffers: one-shot-bufferize (function boundaries, identity layouts),
///     buffer-results-to-out-params (public functions too, static
///     allocations hoisted into the caller), buffer-deallocation-pipeline;
///  3. loops and LLVM: with `parallel-innermost` qlip-parallel-innermost,
///     then convert-linalg-to-loops, lower-affine,
///     convert-scf-to-cf, canonicalize, cse, expand-strided-metadata,
///     lower-affine, qlip-emit-c-interface (with `emit-c-interface`), the
///     math, memref, func, arith, index, cf and ub conversions to LLVM
///     (math-to-libm for what has no LLVM intrinsic), and
///     reconcile-unrealized-casts.
void buildLowerToLLVMPipeline(OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// Registers `qlip-lower-to-llvm` with the global pipeline registry.
void registerLowerToLLVMPipeline();

/// Adds what the pipeline's passes need from the context beyond the
/// dialects they load themselves: the bufferization models of arith,
/// linalg, tensor, scf and func (one-shot-bufferize), and the translations
/// of the builtin and LLVM dialects to LLVM IR (for the ExecutionEngine or
/// mlir-translate afterwards).
void registerLowerToLLVMDependencies(DialectRegistry &registry);

} // namespace qlip
} // namespace mlir

#endif // QLIP_PIPELINES_PIPELINES_H
