//===- CpuToCalls.cpp - cpu ops on buffers to kernel calls ----------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"
#include "qlip/Kernels/Kernels.h"

#include "dialects/Cpu/IR/CpuOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

#include <cstring>

namespace mlir::qlip {
#define GEN_PASS_DEF_CPUTOCALLSPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;

namespace {

/// The descriptor fields both ops share.
template <typename OpTy>
SmallVector<int64_t> getDescriptor(OpTy op) {
  SmallVector<int64_t> d(QLIP_CONV_NUM_FIELDS, 0);
  ArrayRef<int64_t> in = cast<MemRefType>(op.getInput().getType()).getShape();
  ArrayRef<int64_t> out = cast<MemRefType>(op.getInit().getType()).getShape();
  d[QLIP_CONV_N] = in[0];
  d[QLIP_CONV_H] = in[1];
  d[QLIP_CONV_W] = in[2];
  d[QLIP_CONV_C] = in[3];
  d[QLIP_CONV_OH] = out[1];
  d[QLIP_CONV_OW] = out[2];
  d[QLIP_CONV_OC] = out[3];
  d[QLIP_CONV_KH] = op.getKernel()[0];
  d[QLIP_CONV_KW] = op.getKernel()[1];
  d[QLIP_CONV_STRIDE_H] = op.getStride()[0];
  d[QLIP_CONV_STRIDE_W] = op.getStride()[1];
  d[QLIP_CONV_DILATION_H] = op.getDilation()[0];
  d[QLIP_CONV_DILATION_W] = op.getDilation()[1];
  d[QLIP_CONV_PAD_TOP] = op.getPad()[0];
  d[QLIP_CONV_PAD_LEFT] = op.getPad()[2];
  d[QLIP_CONV_DEPTHWISE] = op.getDepthwise();
  d[QLIP_CONV_ISA] = cpu::getIsaCode(op.getIsa());
  d[QLIP_CONV_THREADS] = op.getThreadsAttr().getInt();
  return d;
}

int64_t floatBits(const APFloat &value) {
  float f = value.convertToFloat();
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

struct CpuToCallsPass : mlir::qlip::impl::CpuToCallsPassBase<CpuToCallsPass> {
  using CpuToCallsPassBase::CpuToCallsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<cpu::QConv2DOp, cpu::Conv2DOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (op->getNumResults() != 0) {
        op->emitOpError("must be bufferized before qlip-cpu-to-calls");
        return signalPassFailure();
      }
      SmallVector<int64_t> desc;
      StringRef callee;
      if (auto q = dyn_cast<cpu::QConv2DOp>(op)) {
        desc = getDescriptor(q);
        desc[QLIP_CONV_INPUT_SIGNED] = 1;
        desc[QLIP_CONV_INPUT_ZP] = q.getInputZpAttr().getInt();
        desc[QLIP_CONV_WEIGHT_BITS] = q.getWeightBitsAttr().getInt();
        desc[QLIP_CONV_OUTPUT_ZP] = q.getOutputZpAttr().getInt();
        desc[QLIP_CONV_OUTPUT_MIN] = q.getOutputMinAttr().getInt();
        desc[QLIP_CONV_OUTPUT_MAX] = q.getOutputMaxAttr().getInt();
        desc[QLIP_CONV_DOUBLE_ROUND] = q.getDoubleRound();
        desc[QLIP_CONV_UNFOLD_WIDTH] = q.getUnfoldWidth();
        callee = "qlip_qconv2d";
      } else {
        auto f = cast<cpu::Conv2DOp>(op);
        desc = getDescriptor(f);
        desc[QLIP_CONV_FLOAT_MIN] = floatBits(f.getMin());
        desc[QLIP_CONV_FLOAT_MAX] = floatBits(f.getMax());
        callee = "qlip_conv2d_f32";
      }
      rewriter.setInsertionPoint(op);
      Location loc = op->getLoc();

      // The descriptor, as a constant global beside the function.
      auto descType =
          MemRefType::get({int64_t(desc.size())}, rewriter.getI64Type());
      OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
      auto global = memref::GlobalOp::create(
          moduleBuilder, loc, "__qlip_conv_desc",
          moduleBuilder.getStringAttr("private"), descType,
          DenseElementsAttr::get(
              RankedTensorType::get(descType.getShape(),
                                    rewriter.getI64Type()),
              ArrayRef<int64_t>(desc)),
          /*constant=*/true, /*alignment=*/IntegerAttr());
      symbols.insert(global); // renames to a unique name
      SmallVector<Value> args{memref::GetGlobalOp::create(
          rewriter, loc, descType, global.getSymName())};

      // Every buffer flattened to 1-D; copies for strided ones.
      Value output = op->getOperands().back();
      Value contiguousOutput;
      SmallVector<Value> inputCopies;
      for (Value operand : op->getOperands()) {
        auto type = cast<MemRefType>(operand.getType());
        Value buffer = operand;
        if (!memref::isStaticShapeAndContiguousRowMajor(type)) {
          auto contiguous = MemRefType::get(type.getShape(),
                                            type.getElementType());
          buffer = memref::AllocOp::create(rewriter, loc, contiguous);
          if (operand != output) {
            memref::CopyOp::create(rewriter, loc, operand, buffer);
            inputCopies.push_back(buffer);
          } else {
            contiguousOutput = buffer;
          }
        }
        auto bufferType = cast<MemRefType>(buffer.getType());
        if (bufferType.getRank() != 1) {
          ReassociationIndices all;
          for (int64_t d = 0; d < bufferType.getRank(); ++d)
            all.push_back(d);
          buffer = memref::CollapseShapeOp::create(
              rewriter, loc, buffer, SmallVector<ReassociationIndices>{all});
        }
        buffer = memref::CastOp::create(
            rewriter, loc,
            MemRefType::get({ShapedType::kDynamic}, type.getElementType()),
            buffer);
        args.push_back(buffer);
      }

      auto func = symbols.lookup<func::FuncOp>(callee);
      auto calleeType = rewriter.getFunctionType(ValueRange(args).getTypes(), {});
      if (!func) {
        func = func::FuncOp::create(moduleBuilder, loc, callee, calleeType);
        func.setPrivate();
        func->setAttr("llvm.emit_c_interface", rewriter.getUnitAttr());
        symbols.insert(func);
      } else if (func.getFunctionType() != calleeType || !func.isExternal()) {
        op->emitOpError("the module already defines '")
            << callee << "' differently";
        return signalPassFailure();
      }
      func::CallOp::create(rewriter, loc, func, args);
      if (contiguousOutput) {
        memref::CopyOp::create(rewriter, loc, contiguousOutput, output);
        memref::DeallocOp::create(rewriter, loc, contiguousOutput);
      }
      for (Value copy : inputCopies)
        memref::DeallocOp::create(rewriter, loc, copy);
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
