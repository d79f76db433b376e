//===- qlip-import-onnx.cpp - ONNX models to float TOSA ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-import-onnx model.onnx -o model.mlir [--io-layout=nhwc] [--batch=1]
//
// Writes the model as one func.func of float TOSA (importOnnxModel), ready
// for qlip-opt's pipelines and qlip-run. Exit status: 0 on success, 1 for a
// malformed model or a bad option, 2 for a model that uses something qlip
// does not import (an op, an attribute value); the diagnostic names the
// node either way.
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/CommandLine.h"
#include "qlip/Import/OnnxImporter.h"
#include "qlip/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace llvm;

static cl::OptionCategory category("qlip-import-onnx options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output .mlir file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
static cl::opt<std::string> entry("entry",
                                  cl::desc("Name of the imported function"),
                                  cl::init("main"), cl::cat(category));
static cl::opt<qlip::OnnxIoLayout> ioLayout(
    "io-layout", cl::desc("Layout of the function's 4-D inputs and outputs"),
    cl::init(qlip::OnnxIoLayout::Onnx),
    cl::values(clEnumValN(qlip::OnnxIoLayout::Onnx, "onnx",
                          "as the ONNX model declares them (NCHW)"),
               clEnumValN(qlip::OnnxIoLayout::Nhwc, "nhwc",
                          "NHWC, as qlip's TOSA models take them")),
    cl::cat(category));
static cl::opt<int64_t>
    batch("batch",
          cl::desc("Size of a symbolic leading (batch) input dimension"),
          cl::init(0), cl::cat(category));
static cl::list<std::string> constantInputs(
    "const-input",
    cl::desc("Import a graph input as a constant: FILE.pb (a TensorProto "
             "naming the input) or NAME=FILE.npy"),
    cl::value_desc("spec"), cl::cat(category));
static cl::opt<bool> listOps("list-ops",
                             cl::desc("Print the ONNX ops qlip imports"),
                             cl::cat(category));
// On by default: the node names are what qlip's reports call the layers.
static cl::opt<bool> debugInfo(
    "mlir-print-debuginfo",
    cl::desc("Print the locations (the ONNX node names; on by default)"),
    cl::init(true), cl::cat(category));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::qlip::setQlipVersionPrinter();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-import-onnx: ONNX models (opsets 11 to 17) to float TOSA\n\n"
      "Exit status: 0 on success, 1 for a malformed model or bad options, 2 "
      "for a model using an op or feature qlip does not import.\n");
  if (listOps) {
    for (StringRef op : qlip::getSupportedOnnxOps())
      outs() << op << "\n";
    return 0;
  }
  if (inputFile.empty()) {
    errs() << "qlip-import-onnx: error: no input model (see --help)\n";
    return 1;
  }
  if (batch < 0) {
    errs() << "qlip-import-onnx: error: --batch must be positive\n";
    return 1;
  }
  auto buffer = MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/false);
  if (!buffer) {
    errs() << "qlip-import-onnx: error: " << inputFile
           << ": cannot read: " << buffer.getError().message() << "\n";
    return 1;
  }

  DialectRegistry registry;
  qlip::registerAllQlipDialects(registry);
  MLIRContext context(registry);
  qlip::OnnxImportOptions options;
  options.entry = entry;
  options.ioLayout = ioLayout;
  options.batch = batch;
  options.constantInputs.assign(constantInputs.begin(), constantInputs.end());
  SmallString<256> dir(inputFile == "-" ? "." : inputFile.getValue());
  sys::path::remove_filename(dir);
  options.externalDataDir = std::string(dir.empty() ? "." : dir.str());

  // "model.onnx: error: node 'conv1' (Conv): ...": the file and the node
  // the importer's locations hold.
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    std::string where;
    Location loc = diag.getLocation();
    if (auto name = dyn_cast<NameLoc>(loc))
      loc = name.getChildLoc();
    if (auto file = dyn_cast<FileLineColLoc>(loc))
      where = file.getFilename().str() + ": ";
    errs() << where
           << (diag.getSeverity() == DiagnosticSeverity::Error ? "error: "
                                                                : "warning: ")
           << diag.str() << "\n";
    return success();
  });
  qlip::OnnxImportResult result = qlip::importOnnxModel(
      (*buffer)->getBuffer(), inputFile, &context, options);
  if (!result.module)
    return result.status == qlip::OnnxImportStatus::Unsupported ? 2 : 1;

  std::string error;
  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    errs() << "qlip-import-onnx: error: " << error << "\n";
    return 1;
  }
  OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo();
  result.module->print(output->os(), flags);
  output->keep();
  return 0;
}
