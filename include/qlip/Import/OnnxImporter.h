//===- OnnxImporter.h - ONNX models to float TOSA ---------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Reads an ONNX ModelProto (opsets 11 to 17 of the default domain) and
// writes one func.func of float TOSA:
//
//   FailureOr<OwningOpRef<ModuleOp>> module =
//       importOnnxModel(bytes, "model.onnx", &context, options);
//
// Inside the function 4-D activations are NHWC, as TOSA's convolutions and
// pools want them; the function's arguments and results keep the ONNX
// model's own shapes (NCHW) unless `ioLayout` is NHWC. Weights become
// `dense_resource` blobs in the layouts TOSA wants (OHWI, HWCM), batch norms
// become the per-channel multiply and add that qlip-fold-batchnorm folds,
// and QuantizeLinear/DequantizeLinear pairs become `qlip.fake_quant` with
// the model's own scales (rule `imported`).
//
// Everything the importer cannot represent is an error at the node's
// location naming the node; `ImportResult::unsupported` tells a feature
// qlip does not import (an op, an attribute value) from a malformed model.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_IMPORT_ONNXIMPORTER_H
#define QLIP_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::qlip {

/// The layout of the imported function's 4-D arguments and results.
enum class OnnxIoLayout {
  /// As the ONNX model declares them (NCHW).
  Onnx,
  /// NHWC, as qlip's TOSA models take them.
  Nhwc,
};

struct OnnxImportOptions {
  /// The name of the imported function.
  std::string entry = "main";
  /// The layout of 4-D inputs and outputs.
  OnnxIoLayout ioLayout = OnnxIoLayout::Onnx;
  /// The size given to a symbolic leading (batch) dimension of an input;
  /// 0 makes such a dimension an error.
  int64_t batch = 0;
  /// The directory external tensor data is read from (the model's).
  std::string externalDataDir;
  /// Graph inputs to import as constants (frozen), each `FILE.pb` (a
  /// TensorProto, whose name says which input) or `NAME=FILE.npy`.
  std::vector<std::string> constantInputs;
};

/// What went wrong, when the import fails.
enum class OnnxImportStatus {
  Success,
  /// The model uses something qlip does not import.
  Unsupported,
  /// The file is not a well-formed ONNX model.
  Invalid,
};

struct OnnxImportResult {
  OwningOpRef<ModuleOp> module;
  OnnxImportStatus status = OnnxImportStatus::Success;
};

/// Imports the serialized ModelProto in `bytes`. Errors are emitted as MLIR
/// diagnostics on the context (locations name the file and the node).
OnnxImportResult importOnnxModel(llvm::StringRef bytes,
                                 llvm::StringRef filename,
                                 MLIRContext *context,
                                 const OnnxImportOptions &options = {});

/// The ONNX op types the importer converts, sorted.
llvm::ArrayRef<llvm::StringRef> getSupportedOnnxOps();

} // namespace mlir::qlip

#endif // QLIP_IMPORT_ONNXIMPORTER_H
