//===- FuzzOnnxImport.cpp - libFuzzer target: the ONNX importer -*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Any bytes as a serialized ModelProto: the importer fails with a
// diagnostic, or returns a module that verifies. One context serves every
// input (creating one per input would dominate the run); it is replaced
// now and then so that its uniqued attributes do not grow without bound.
//
//===----------------------------------------------------------------------===//

#include "qlip/Import/OnnxImporter.h"
#include "qlip/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdint>
#include <cstdlib>
#include <memory>

static std::unique_ptr<mlir::MLIRContext> makeContext() {
  mlir::DialectRegistry registry;
  mlir::qlip::registerAllQlipDialects(registry);
  auto context = std::make_unique<mlir::MLIRContext>(
      registry, mlir::MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects();
  return context;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<mlir::MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses % 2000 == 0)
    context = makeContext();
  mlir::ScopedDiagnosticHandler quiet(
      context.get(), [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::qlip::OnnxImportOptions options;
  options.batch = 1;
  // External data must not reach the files around the fuzzer.
  options.externalDataDir = "/nonexistent/qlip-fuzz";
  mlir::qlip::OnnxImportResult result =
      mlir::qlip::importOnnxModel(bytes, "fuzz.onnx", context.get(), options);
  // A module the importer returns must be valid IR.
  if (result.module && failed(mlir::verify(*result.module)))
    std::abort();
  return 0;
}
