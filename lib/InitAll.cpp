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
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Passes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
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

  // Generic transforms (canonicalize, cse, inline, ...) and the conversions.
  registerTransformsPasses();
  registerConversionPasses();

  // The dialects a model passes through on its way to LLVM.
  tosa::registerTosaPasses();
  tosa::registerTosaToLinalgPipelines();
  registerLinalgPasses();
  bufferization::registerBufferizationPasses();
  bufferization::registerBufferizationPipelines();
  func::registerFuncPasses();
  arith::registerArithPasses();
  memref::registerMemRefPasses();
  registerSCFPasses();
  tensor::registerTensorPasses();
  vector::registerVectorPasses();
  math::registerMathPasses();
  quant::registerQuantPasses();
  LLVM::registerLLVMPasses();
}

void mlir::qlip::registerAllQlip(DialectRegistry &registry) {
  registerAllQlipDialects(registry);
  registerAllQlipPasses();
}
