//===- qlip-aot.cpp - compile a model to an object file and a C header ----===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//   qlip-aot model.mlir [--entry main] [--name qlip_main] -o model.o
//            [--header model.h] [--emit obj|asm|llvm|mlir] [--opt-level 3]
//            [--mcpu native] [--pipeline-options "..."]
//
// Lowers the entry function of a TOSA/qlip model with qlip-lower-to-llvm,
// adds a plain C entry point (`int qlip_main(const float *input0, float
// *output0)`, see AotCompiler.h), optimizes the LLVM IR for the target
// (the host CPU by default) and writes an object file and a C header that
// documents the entry point's buffers. The object needs libc, libm and
// qlip's CPU kernels (libQlipKernels.a, with -lstdc++ -lpthread). With a
// named --mcpu the kernels' code path is the best that CPU has, fixed in
// the object; with 'native' the kernels choose theirs where the object
// runs.
//
// A tool of its own rather than a qlip-translate translation: it needs the
// tensor signature from before lowering (shapes and signedness are gone
// from the LLVM dialect), and it writes two files.
//
// Exit status: 0, or 1 after a diagnostic.
//
//===----------------------------------------------------------------------===//

#include "qlip/Aot/AotCompiler.h"

#include "qlip/Support/CommandLine.h"
#include "qlip/InitAll.h"
#include "qlip/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

static cl::OptionCategory toolCategory("qlip-aot options");

static cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(toolCategory));
static cl::opt<std::string>
    entryName("entry", cl::desc("The function to compile"), cl::init("main"), cl::cat(toolCategory));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::Required, cl::cat(toolCategory));
static cl::opt<std::string> headerFile(
    "header",
    cl::desc("Write the C header to this file (default: the output file "
             "with the extension .h; none when the output is stdout)"),
    cl::value_desc("file"), cl::cat(toolCategory));
static cl::opt<std::string>
    cName("name",
          cl::desc("Name of the C function (default: qlip_<entry>); in "
                   "upper case it prefixes the header's macros"),
          cl::value_desc("identifier"), cl::cat(toolCategory));
static cl::opt<aot::EmitKind> emitKind(
    "emit", cl::desc("What to write to the output file"),
    cl::values(clEnumValN(aot::EmitKind::Object, "obj", "an object file (default)"),
               clEnumValN(aot::EmitKind::Assembly, "asm", "target assembly"),
               clEnumValN(aot::EmitKind::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(aot::EmitKind::MLIR, "mlir",
                          "the LLVM dialect with the C entry point, before "
                          "translation")),
    cl::init(aot::EmitKind::Object), cl::cat(toolCategory));
static cl::opt<unsigned> optLevel("opt-level",
                                  cl::desc("LLVM optimization level, 0 to 3"),
                                  cl::init(3), cl::cat(toolCategory));
static cl::opt<std::string>
    targetCpu("mcpu",
              cl::desc("Target CPU: 'native' (the host CPU with all its "
                       "features) or an LLVM CPU name such as x86-64-v3"),
              cl::value_desc("cpu"), cl::init("native"), cl::cat(toolCategory));
static cl::opt<std::string>
    pipelineOptions("pipeline-options",
                    cl::desc("Options of qlip-lower-to-llvm, as in qlip-opt: "
                             "\"fuse-elementwise=false\""),
                    cl::value_desc("options"), cl::cat(toolCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-aot: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::qlip::setQlipVersionPrinter();
  cl::HideUnrelatedOptions(toolCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-aot: compile a function of a TOSA/qlip model to an object file "
      "and a C header\n");

  aot::AotOptions options;
  options.entry = entryName;
  options.cName = cName;
  options.optLevel = optLevel;
  options.targetCpu = targetCpu;
  options.sourceName = llvm::sys::path::filename(modelFile).str();
  if (llvm::Error error = aot::checkOptions(options))
    return fail(llvm::toString(std::move(error)));
  std::unique_ptr<qlip::LowerToLLVMOptions> lowering =
      pipelineOptions.empty()
          ? std::make_unique<qlip::LowerToLLVMOptions>()
          : qlip::LowerToLLVMOptions::createFromString(pipelineOptions);
  if (!lowering)
    return fail("--pipeline-options: cannot parse '" + pipelineOptions + "'");

  DialectRegistry registry;
  registerAllQlipDialects(registry);
  MLIRContext context(registry);
  // A diagnostic names the function; a dump of the lowered op would bury it.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(modelFile, sourceMgr, &context);
  if (!module)
    return fail("cannot read the model " + modelFile);

  options.lowering = lowering.get();
  llvm::SmallString<0> output;
  FailureOr<aot::CEntry> entry =
      aot::compile(*module, options, emitKind, output);
  if (failed(entry))
    return 1;

  std::string header = headerFile.empty()
                           ? aot::getDefaultHeaderPath(outputFile)
                           : headerFile.getValue();
  if (!header.empty() && header == outputFile)
    return fail("the header and the output are both " + header +
                "; name the header with --header");
  if (llvm::Error error = writeOutputFile(
          outputFile, [&](llvm::raw_ostream &os) { os << output; }))
    return fail(llvm::toString(std::move(error)));
  if (!header.empty())
    if (llvm::Error error = writeOutputFile(header, [&](llvm::raw_ostream &os) {
          aot::writeCHeader(os, *entry, modelFile);
        }))
      return fail(llvm::toString(std::move(error)));
  return 0;
}
