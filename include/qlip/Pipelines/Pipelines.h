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

#include "qlip/Support/FixedPoint.h"
#include "qlip/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/Error.h"

#include <functional>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

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
  PassOptions::Option<bool> stridedCopiesToLoops{
      *this, "strided-copies-to-loops",
      llvm::cl::desc("Copy into and out of strided views with loops that "
                     "LLVM vectorizes (qlip-strided-copies-to-linalg) "
                     "instead of memrefCopy"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> planBuffers{
      *this, "plan-buffers",
      llvm::cl::desc("Place each function's temporaries in one arena "
                     "planned from their live ranges (qlip-plan-buffers), "
                     "the calling thread's from qlip's runtime: no "
                     "allocation per tensor per call"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> kernels{
      *this, "kernels",
      llvm::cl::desc("Run convolutions and matmuls with constant weights on "
                     "qlip's CPU kernels (qlip-tosa-to-cpu, "
                     "qlip-cpu-to-calls): weights packed at compile time, "
                     "int8 dot products, the requantization fused; integer "
                     "results are bit-identical"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> kernelIsa{
      *this, "kernel-isa",
      llvm::cl::desc("The kernels' code path: auto (the running CPU's best), "
                     "generic, avx2, avx-vnni or avx512-vnni"),
      llvm::cl::init("auto")};
  PassOptions::Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads per kernel call (0: the process default, "
                     "qlip_set_num_threads, which qlip-run --num-threads sets)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> nibbleMinBytes{
      *this, "nibble-min-bytes",
      llvm::cl::desc("i4 weights stay two per byte only in layers larger "
                     "than this at a byte each (qlip-tosa-to-cpu; 0: "
                     "always two per byte)"),
      llvm::cl::init(16384)};
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

/// LLVM's O0-O3 pipeline for `machine`, as MLIR's makeOptimizingTransformer
/// builds it, with LLVM's full unrolling of constant-trip-count loops
/// capped at 4 iterations: the lowered elementwise loops (rescales, pools,
/// adds over a few dozen channels) otherwise unroll completely before the
/// loop vectorizer sees them and stay scalar. Capping the count is a
/// process-wide LLVM option (`-unroll-full-max-count`); it is set once,
/// unless the command line set it. qlip-run's JIT and qlip-aot use this.
std::function<llvm::Error(llvm::Module *)>
makeLLVMOptimizer(unsigned optLevel, llvm::TargetMachine *machine);

/// Options of `qlip-ptq`: those of the passes it runs, under the names a
/// user reads in the papers (weight-bits, act-clip, ...).
struct PtqOptions : public PassPipelineOptions<PtqOptions> {
  PassOptions::Option<std::string> stats{
      *this, "stats",
      llvm::cl::desc("The calibration statistics file (qlip-calibrate "
                     "--stats) of the model after qlip-prepare")};
  PassOptions::ListOption<std::string> calib{
      *this, "calib",
      llvm::cl::desc("Calibrate in the pipeline instead (qlip-calibrate-"
                     "model): one .npy of samples per model input; also "
                     "gathers each layer's input moments for GPTQ")};
  PassOptions::Option<std::string> entry{
      *this, "entry",
      llvm::cl::desc("With calib: the function the samples feed (default: "
                     "the first public one); the module's other public "
                     "functions that take the same inputs are calibrated "
                     "alongside it")};
  PassOptions::Option<double> sqnrFloor{
      *this, "sqnr-floor",
      llvm::cl::desc("With calib: fail when the integer model's SQNR "
                     "against float on the calibration samples is below "
                     "this many dB (negative: 1.5 dB per bit of the "
                     "narrowest grid; 0: no check)"),
      llvm::cl::init(-1.0)};
  PassOptions::Option<int64_t> layerInputRows{
      *this, "layer-input-rows",
      llvm::cl::desc("With calib: patches per layer for the input moments "
                     "(0: none, so no GPTQ)"),
      llvm::cl::init(16384)};
  PassOptions::Option<unsigned> weightBits{
      *this, "weight-bits",
      llvm::cl::desc("Weight bit width: 2 to 8"), llvm::cl::init(8)};
  PassOptions::Option<unsigned> actBits{
      *this, "act-bits",
      llvm::cl::desc("Activation bit width: 2 to 8, or 16"),
      llvm::cl::init(8)};
  PassOptions::Option<ClipRule> weightClip{
      *this, "weight-clip",
      llvm::cl::desc("Weight clipping rule (qlip-quantize-weights' `clip`)"),
      llvm::cl::init(ClipRule::Auto),
      llvm::cl::values(
          clEnumValN(ClipRule::Auto, "auto",
                     "per channel the rule with the lowest error at the "
                     "layer's output (with calib), else mse"),
          clEnumValN(ClipRule::Max, "max", "alpha = max |w|"),
          clEnumValN(ClipRule::MSE, "mse", "the lowest real MSE"),
          clEnumValN(ClipRule::AciqLaplace, "aciq-laplace", "ACIQ, Laplace"),
          clEnumValN(ClipRule::AciqGauss, "aciq-gauss", "ACIQ, Gauss"),
          clEnumValN(ClipRule::Aciq, "aciq", "ACIQ, the better prior"),
          clEnumValN(ClipRule::Sawb, "sawb", "SAWB"),
          clEnumValN(ClipRule::Best, "best", "per channel the best rule"))};
  PassOptions::Option<ClipRule> actClip{
      *this, "act-clip",
      llvm::cl::desc("Activation clipping rule (qlip-quantize-activations' "
                     "`act-clip`)"),
      llvm::cl::init(ClipRule::Auto),
      llvm::cl::values(
          clEnumValN(ClipRule::Auto, "auto",
                     "with calib, chosen per activation by measuring the "
                     "model (qlip-autoquant); else max"),
          clEnumValN(ClipRule::Max, "max", "the observed range"),
          clEnumValN(ClipRule::Percentile, "percentile", "a percentile"),
          clEnumValN(ClipRule::KL, "kl", "TensorRT's entropy calibration"),
          clEnumValN(ClipRule::MSE, "mse", "the lowest histogram MSE"),
          clEnumValN(ClipRule::AciqLaplace, "aciq-laplace", "ACIQ, Laplace"),
          clEnumValN(ClipRule::AciqGauss, "aciq-gauss", "ACIQ, Gauss"),
          clEnumValN(ClipRule::Aciq, "aciq", "ACIQ, the better prior"),
          clEnumValN(ClipRule::Pact, "pact", "learned PACT alphas"))};
  PassOptions::Option<double> percentile{
      *this, "percentile",
      llvm::cl::desc("The percentage act-clip=percentile keeps"),
      llvm::cl::init(99.99)};
  PassOptions::Option<Granularity> granularity{
      *this, "granularity",
      llvm::cl::desc("Weight scales per output channel or per tensor"),
      llvm::cl::init(Granularity::PerChannel),
      llvm::cl::values(
          clEnumValN(Granularity::PerChannel, "per-channel", "per channel"),
          clEnumValN(Granularity::PerTensor, "per-tensor", "per tensor"))};
  PassOptions::Option<unsigned> firstLayerBits{
      *this, "first-layer-bits",
      llvm::cl::desc("Weight and input bits of the first layer (0: like "
                     "the others)"),
      llvm::cl::init(8)};
  PassOptions::Option<unsigned> lastLayerBits{
      *this, "last-layer-bits",
      llvm::cl::desc("Weight, input and output bits of the last layer (0: "
                     "like the others)"),
      llvm::cl::init(8)};
  PassOptions::Option<unsigned> outputBits{
      *this, "output-bits",
      llvm::cl::desc("Bits of the model's outputs (qlip-quantize-"
                     "activations' `output-bits`; 0: last-layer-bits)"),
      llvm::cl::init(0)};
  PassOptions::ListOption<std::string> weightLayerBits{
      *this, "weight-layer-bits",
      llvm::cl::desc("Per-layer weight bits, NAME=BITS (qlip-quantize-"
                     "weights' `layer-bits`)")};
  PassOptions::ListOption<std::string> floatLayers{
      *this, "float-layers",
      llvm::cl::desc("Layers whose weights stay float, named as in "
                     "weight-layer-bits")};
  PassOptions::Option<int64_t> sizeBudget{
      *this, "size-budget",
      llvm::cl::desc("With calib: choose each layer's weight width "
                     "(weight-widths) so the weights take at most this many "
                     "bytes, by measured sensitivity (qlip-choose-bits)"),
      llvm::cl::init(0)};
  PassOptions::Option<double> targetSqnr{
      *this, "target-sqnr",
      llvm::cl::desc("With calib: choose each layer's weight width for this "
                     "predicted output SQNR (dB) with the fewest bytes "
                     "(qlip-choose-bits)"),
      llvm::cl::init(0)};
  PassOptions::Option<double> maxDrop{
      *this, "max-drop",
      llvm::cl::desc("With calib and labels: choose each layer's weight "
                     "width so the weights cost at most this many points of "
                     "top-1 accuracy on the labelled samples, with the "
                     "fewest bytes (qlip-choose-bits)"),
      llvm::cl::init(0)};
  PassOptions::Option<std::string> labels{
      *this, "labels",
      llvm::cl::desc("For max-drop: integer labels (.npy), one per sample "
                     "of calib")};
  PassOptions::ListOption<unsigned> weightWidths{
      *this, "weight-widths",
      llvm::cl::desc("The widths size-budget and target-sqnr choose from "
                     "(default 2, 3, 4, 8)")};
  PassOptions::Option<bool> allowFloat{
      *this, "allow-float",
      llvm::cl::desc("With size-budget or target-sqnr: float is a choice "
                     "for every layer too (4 bytes a weight)"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> bitsReport{
      *this, "bits-report",
      llvm::cl::desc("With size-budget or target-sqnr: write "
                     "qlip-choose-bits' report (JSON) to this file"),
      llvm::cl::init("")};
  PassOptions::ListOption<std::string> actLayerBits{
      *this, "act-layer-bits",
      llvm::cl::desc("Per-activation bits, ID=BITS (qlip-quantize-"
                     "activations' `layer-bits`)")};
  PassOptions::Option<bool> maxPoolInputGrid{
      *this, "max-pool-input-grid",
      llvm::cl::desc("A max pool's output keeps its input's grid "
                     "(qlip-quantize-activations)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> bitAllocation{
      *this, "bit-allocation",
      llvm::cl::desc("ACIQ's per-channel weight bit allocation (widths 2 to "
                     "8 averaging weight-bits)"),
      llvm::cl::init(false)};
  PassOptions::Option<WeightRounding> weightRounding{
      *this, "weight-rounding",
      llvm::cl::desc("How weights are rounded onto their grid "
                     "(qlip-quantize-weights' `rounding`)"),
      llvm::cl::init(WeightRounding::Gptq),
      llvm::cl::values(
          clEnumValN(WeightRounding::Nearest, "nearest", "to nearest"),
          clEnumValN(WeightRounding::Gptq, "gptq",
                     "GPTQ where calib gave the layer's input moments"),
          clEnumValN(WeightRounding::GptqAdaRound, "gptq-adaround",
                     "GPTQ and AdaRound, each channel keeping the lower "
                     "output error"))};
  PassOptions::Option<unsigned> residualAddBits{
      *this, "residual-add-bits",
      llvm::cl::desc("With calib and act-clip=auto: the bits qlip-autoquant "
                     "may raise residual adds' operands to, where measured "
                     "to gain (0: never)"),
      llvm::cl::init(8)};
  PassOptions::Option<bool> layerChoices{
      *this, "layer-choices",
      llvm::cl::desc("With calib and act-clip=auto: qlip-autoquant also "
                     "chooses residual adds' widths and the bias correction "
                     "add by add and layer by layer"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> empiricalBiasCorrection{
      *this, "empirical-bias-correction",
      llvm::cl::desc("With calib: each layer's bias takes back the mean "
                     "error its rounded weights cause at its output "
                     "(qlip-quantize-weights; unset with act-clip=auto: "
                     "measured on and off by qlip-autoquant)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("ACIQ's per-channel weight bias correction"),
      llvm::cl::init(false)};
  PassOptions::Option<RoundingMode> roundingMode{
      *this, "rounding-mode", llvm::cl::desc("tosa.rescale rounding"),
      llvm::cl::init(RoundingMode::Single),
      llvm::cl::values(
          clEnumValN(RoundingMode::Double, "double", "DOUBLE_ROUND"),
          clEnumValN(RoundingMode::Single, "single", "SINGLE_ROUND"))};
  PassOptions::Option<bool> int4Weights{
      *this, "int4-weights",
      llvm::cl::desc("Store convolution weights of 4 bits or fewer as i4"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> integerIO{
      *this, "integer-io",
      llvm::cl::desc("Take and return integer levels at the function "
                     "boundary"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> strict{
      *this, "strict",
      llvm::cl::desc("Fail on any compute op that would stay float"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> validate{
      *this, "validate",
      llvm::cl::desc("Run tosa-validate on the integer model"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write qlip-quantize's report (JSON) to this file")};
  PassOptions::Option<std::string> autoquantReport{
      *this, "autoquant-report",
      llvm::cl::desc("With calib and act-clip=auto: write qlip-autoquant's "
                     "measurements and choice (JSON) to this file")};
};

/// Checks qlip-ptq's options before any pass runs, so that a bad value is
/// reported under the name the user wrote (`weight-bits`, not the inner
/// pass's `bits`): widths, the per-layer lists, the numbers that must be
/// positive, and that exactly one of `calib` and `stats` is given. The
/// error names qlip-ptq and the option.
llvm::Error checkPtqOptions(const PtqOptions &options);

/// Builds `qlip-prepare` into `pm` (on a `builtin.module`): what a model
/// goes through before calibration, batch-norm folding and observers. The
/// statistics `qlip-ptq` reads must come from this model.
void buildPreparePipeline(OpPassManager &pm);

/// Builds `qlip-ptq` into `pm` (on a `builtin.module`): post-training
/// quantization of a float TOSA model from a statistics file or calibration
/// samples, to integer TOSA: qlip-prepare, qlip-apply-stats (or with
/// `calib` qlip-calibrate-model, and with act-clip=auto qlip-autoquant in
/// place of the next two), qlip-quantize-weights,
/// qlip-quantize-activations (first and last layers at 8 bits by
/// default), qlip-quantize (with `validate`, which runs tosa-validate
/// against the target the integer model needs), canonicalize and cse.
void buildPtqPipeline(OpPassManager &pm, const PtqOptions &options);

/// qlip-ptq in three stages, for tools that keep what is between them
/// (qlip-compile: the calibrated float model for its report, the
/// fake-quantized one for its summary). The first: the float model to the
/// calibrated one (qlip-prepare, then qlip-calibrate-model with `calib` or
/// qlip-apply-stats with `stats`): observers with `#qlip.stats`.
void buildPtqCalibrationPipeline(OpPassManager &pm, const PtqOptions &options);

/// The second stage: the calibrated model to the fake-quantized one, whose
/// `qlip.fake_quant` ops carry every chosen range (bits, scales, rule).
void buildPtqRangesPipeline(OpPassManager &pm, const PtqOptions &options);

/// What the first two stages make of a float model.
struct PtqModels {
  /// After buildPtqCalibrationPipeline: observers with their statistics.
  OwningOpRef<ModuleOp> calibrated;
  /// After buildPtqRangesPipeline: the fake-quantized model.
  OwningOpRef<ModuleOp> fakeQuant;
};

/// Runs the first two stages on a copy of `model` (unchanged) with
/// `options` (calib= or stats= among them). Errors are emitted on the
/// model's context.
FailureOr<PtqModels> runPtqToFakeQuant(ModuleOp model,
                                       const PtqOptions &options);

/// The third stage: the fake-quantized model to integer TOSA
/// (qlip-quantize, canonicalize, cse).
void buildPtqIntegerPipeline(OpPassManager &pm, const PtqOptions &options);

/// Registers `qlip-prepare` and `qlip-ptq` with the global pipeline
/// registry.
void registerPtqPipelines();

} // namespace qlip
} // namespace mlir

#endif // QLIP_PIPELINES_PIPELINES_H
