//===- InitAll.cpp - register everything qlip provides ----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/InitAll.h"

#include "dialects/Cpu/IR/CpuDialect.h"
#include "dialects/Npu/IR/NpuDialect.h"
#include "dialects/Npu/Transforms/Passes.h"
#include "dialects/Qlip/IR/QlipDialect.h"
#include "dialects/Qlip/Transforms/Passes.h"
#include "qlip/Autoquant/Passes.h"
#include "qlip/Conversion/Passes.h"
#include "qlip/Pipelines/Pipelines.h"
#include "qlip/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::qlip::registerQlipDialects(DialectRegistry &registry) {
  registry.insert<qlip::QlipDialect, npu::NpuDialect, cpu::CpuDialect>();
}

void mlir::qlip::registerQlipPassesAndPipelines() {
  registerQlipPasses();
  npu::registerNpuPasses();
  registerQlipTransformsPasses();
  registerQlipConversionPasses();
  registerQlipAutoquantPasses();
  registerLowerToLLVMPipeline();
  registerPtqPipelines();
}

void mlir::qlip::registerAllQlipDialects(DialectRegistry &registry) {
  registerQlipDialects(registry);
  registry.insert<arith::ArithDialect, bufferization::BufferizationDialect,
                  func::FuncDialect, linalg::LinalgDialect,
                  LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  quant::QuantDialect, scf::SCFDialect, tensor::TensorDialect,
                  tosa::TosaDialect, vector::VectorDialect>();

  // What qlip-lower-to-llvm needs (bufferization models, LLVM IR
  // translations), the vector dialect's bufferization model for users'
  // own pipelines, and the LLVM conversion interfaces of convert-to-llvm.
  registerLowerToLLVMDependencies(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  registerAllExtensions(registry);
}

void mlir::qlip::registerAllQlipPasses() {
  registerQlipPassesAndPipelines();

  // The generic transforms (canonicalize, cse, inline, symbol-dce, ...).
  registerTransformsPasses();

  // Each upstream pass that qlip-lower-to-llvm and qlip-ptq are made of,
  // so that a stage can be run on its own, and TOSA's validation; not
  // every upstream pass: qlip-opt --help then lists qlip's passes among a
  // few dozen rather than after hundreds.
  registerTosaToSCFPass();
  tosa::registerTosaOptionalDecompositionsPass();
  registerTosaToLinalgNamed();
  registerTosaToLinalg();
  registerTosaToArithPass();
  registerTosaToTensorPass();
  tosa::registerTosaToLinalgPipelines();
  tosa::registerTosaValidation();
  tosa::registerTosaAttachTarget();
  registerLinalgElementwiseOpFusionPass();
  bufferization::registerOneShotBufferizePass();
  bufferization::registerBufferResultsToOutParamsPass();
  bufferization::registerBufferizationPipelines();
  registerConvertLinalgToLoopsPass();
  registerLowerAffinePass();
  registerSCFToControlFlowPass();
  memref::registerExpandStridedMetadataPass();
  registerConvertMathToLibmPass();
  registerConvertMathToLLVMPass();
  registerFinalizeMemRefToLLVMConversionPass();
  registerConvertFuncToLLVMPass();
  registerArithToLLVMConversionPass();
  registerConvertIndexToLLVMPass();
  registerConvertControlFlowToLLVMPass();
  registerUBToLLVMConversionPass();
  registerConvertToLLVMPass();
  registerReconcileUnrealizedCastsPass();
}

void mlir::qlip::registerAllQlip(DialectRegistry &registry) {
  registerAllQlipDialects(registry);
  registerAllQlipPasses();
}
