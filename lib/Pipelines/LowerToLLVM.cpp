//===- LowerToLLVM.cpp - the qlip-lower-to-llvm pipeline --------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Pipelines/Pipelines.h"

#include "qlip/Conversion/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// Stage 1: everything on tensors becomes linalg, arith, math and tensor.
static void addTensorLowering(OpPassManager &pm,
                              const qlip::LowerToLLVMOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  // Before anything changes the IR: what the conversions below would only
  // fail to legalize gets a diagnostic that says why.
  func.addPass(qlip::createCheckLowerablePass());
  // First: the TOSA passes below run greedy rewrites that would fold a
  // fake-quantized constant instead of lowering it. (Either is correct;
  // lowering first keeps what runs the same as what the tests check.)
  func.addPass(qlip::createQlipToLinalgPass());
  // npu layers run on the CPU as the integer TOSA that defines them.
  func.addPass(qlip::createNpuToTosaPass());
  // Layers with constant weights onto the CPU kernels, weights packed now.
  if (options.kernels) {
    qlip::TosaToCpuPassOptions cpu;
    cpu.isa = options.kernelIsa;
    cpu.threads = options.threads;
    cpu.nibbleMinBytes = options.nibbleMinBytes;
    func.addPass(qlip::createTosaToCpuPass(cpu));
  }
  // tosa.cond_if and tosa.while_loop become scf; their bodies are lowered
  // with the rest.
  func.addPass(createTosaToSCFPass());
  // transpose_conv2d has no direct linalg lowering; this rewrites it (and
  // a few ops linalg handles better another way) into ops that have one.
  func.addPass(tosa::createTosaOptionalDecompositionsPass());
  func.addPass(tosa::createTosaToLinalgNamed());
  func.addPass(tosa::createTosaToLinalg());
  // tosa.rescale becomes linalg around tosa.apply_scale; this lowers the
  // latter to arith (64-bit multiply, add of the rounding term, shift).
  TosaToArithPassOptions arith;
  arith.includeApplyRescale = true;
  func.addPass(createTosaToArithPass(arith));
  func.addPass(createTosaToTensorPass());
  func.addPass(createCanonicalizerPass());
  if (options.fuseElementwise)
    func.addPass(createLinalgElementwiseOpFusionPass());
}

/// Stage 2: tensors become buffers that the caller owns.
static void addBufferization(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Callers pass plain contiguous buffers; a layout map at the boundary
  // would make them pass strides they do not have.
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));

  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  // A result allocated in the function is written straight into the
  // caller's buffer instead of being copied there.
  outParams.hoistStaticAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
}

/// Stage 3: loops, then the LLVM dialect.
static void addLLVMLowering(OpPassManager &pm,
                            const qlip::LowerToLLVMOptions &options) {
  pm.addPass(qlip::createCpuToCallsPass());
  // Before the loops: strided copies (padding, slices) as vectorizable
  // loops rather than memrefCopy's element-by-element memcpy.
  if (options.stridedCopiesToLoops)
    pm.addNestedPass<func::FuncOp>(qlip::createStridedCopiesToLinalgPass());
  // Temporaries into one arena, once no pass adds or frees buffers.
  if (options.planBuffers)
    pm.addPass(qlip::createPlanBuffersPass());
  if (options.parallelInnermost)
    pm.addNestedPass<func::FuncOp>(qlip::createParallelInnermostPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  // expand-strided-metadata leaves affine.apply behind.
  pm.addPass(createLowerAffinePass());
  if (options.emitCInterface)
    pm.addPass(qlip::createEmitCInterfacePass());

  // The dialect-specific conversions rather than convert-to-llvm: they need
  // no conversion interfaces in the context, so a host compiler's context
  // works as it is.
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (erf, ...) becomes a libm call; this
  // declares private functions, which qlip-emit-c-interface left alone.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::qlip::buildLowerToLLVMPipeline(OpPassManager &pm,
                                          const LowerToLLVMOptions &options) {
  addTensorLowering(pm, options);
  addBufferization(pm);
  addLLVMLowering(pm, options);
}

void mlir::qlip::registerLowerToLLVMPipeline() {
  PassPipelineRegistration<LowerToLLVMOptions>(
      "qlip-lower-to-llvm",
      "Lower float or integer TOSA and qlip ops to the LLVM dialect, with "
      "caller-allocated results and C-interface wrappers",
      buildLowerToLLVMPipeline);
}

void mlir::qlip::registerLowerToLLVMDependencies(DialectRegistry &registry) {
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  cpu::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}
