//===- CpuBufferization.cpp - the cpu ops on buffers ----------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// The cpu ops are in destination-passing style: upstream's model decides
// what aliases what (the result is the init's buffer); this one rebuilds the
// op on the operands' buffers.
//
//===----------------------------------------------------------------------===//

#include "dialects/Cpu/IR/CpuDialect.h"
#include "dialects/Cpu/IR/CpuOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {
template <typename OpTy>
struct ConvBufferization
    : public DstBufferizableOpInterfaceExternalModel<ConvBufferization<OpTy>,
                                                     OpTy> {
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    OperationState bufferized(op->getLoc(), op->getName(), buffers,
                              /*types=*/TypeRange(), op->getAttrs());
    rewriter.create(bufferized);
    replaceOpWithBufferizedValues(rewriter, op, buffers.back());
    return success();
  }
};
} // namespace

void mlir::cpu::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, CpuDialect *) {
    QConv2DOp::attachInterface<ConvBufferization<QConv2DOp>>(*context);
    Conv2DOp::attachInterface<ConvBufferization<Conv2DOp>>(*context);
  });
}
