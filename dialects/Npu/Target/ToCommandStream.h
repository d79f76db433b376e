//===- ToCommandStream.h - npu.program to the command stream ----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_TARGET_TOCOMMANDSTREAM_H
#define QLIP_DIALECT_NPU_TARGET_TOCOMMANDSTREAM_H

#include "qlip/Npu/CommandStream.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

namespace mlir::npu {

/// The command stream of the one `npu.program` in `module` (an error on
/// the module when there is none or more than one).
FailureOr<stream::Program> translateToCommandStream(ModuleOp module);

/// Registers qlip-translate's `--npu-to-binary` (the command stream) and
/// `--npu-to-listing` (its readable listing).
void registerToCommandStreamTranslations();

} // namespace mlir::npu

#endif // QLIP_DIALECT_NPU_TARGET_TOCOMMANDSTREAM_H
