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

#include "AotCompiler.h"

#include "qlip/Support/CommandLine.h"
#include "qlip/InitAll.h"
#include "qlip/Pipelines/Pipelines.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::qlip;
namespace cl = llvm::cl;

namespace {
/// What qlip-aot writes to -o.
enum class EmitKind {
  Object,
  Assembly,
  LLVMIR,
  MLIR,
};
} // namespace

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
static cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to write to the output file"),
    cl::values(clEnumValN(EmitKind::Object, "obj", "an object file (default)"),
               clEnumValN(EmitKind::Assembly, "asm", "target assembly"),
               clEnumValN(EmitKind::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(EmitKind::MLIR, "mlir",
                          "the LLVM dialect with the C entry point, before "
                          "translation")),
    cl::init(EmitKind::Object), cl::cat(toolCategory));
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

/// LLVM's own mapping of 0-3, with anything above 3 as -O3.
static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned level) {
  return llvm::CodeGenOpt::getLevel(int(std::min(level, 3u)))
      .value_or(llvm::CodeGenOptLevel::Aggressive);
}

/// A target machine for the host's triple and `cpu` ("native": the host
/// CPU and every feature it has), producing position-independent code so
/// that the object links into PIE executables and shared libraries.
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, unsigned level) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target)
    return error("no target for " + triple.str() + ": " + lookupError);
  std::string cpuName = cpu.str();
  std::string features;
  if (cpu == "native") {
    cpuName = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures hostFeatures;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      hostFeatures.AddFeature(feature.getKey(), feature.getValue());
    features = hostFeatures.getString();
  }
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, getCodeGenOptLevel(level)));
  if (!machine)
    return error("cannot create a target machine for " + triple.str());
  if (!machine->getMCSubtargetInfo()->isCPUStringValid(cpuName))
    return error("--mcpu: '" + cpuName + "' is not a CPU of " + triple.str() +
                 " (llc -mcpu=help lists them)");
  return std::move(machine);
}

/// The best of the kernels' code paths (qlip_isa names) that `cpu` has.
static std::string getKernelIsa(const llvm::MCSubtargetInfo &cpu) {
  if (cpu.checkFeatures("+avx512f,+avx512bw,+avx512dq,+avx512vl,+avx512vnni"))
    return "avx512-vnni";
  if (cpu.checkFeatures("+avx2,+fma,+avxvnni"))
    return "avx-vnni";
  if (cpu.checkFeatures("+avx2,+fma"))
    return "avx2";
  return "generic";
}

/// Translates `module` (the LLVM dialect), optimizes it at `level` for
/// `machine` and writes what `kind` asks for into `out`.
static LogicalResult emitLLVM(ModuleOp module, llvm::TargetMachine &machine,
                              unsigned level, EmitKind kind,
                              llvm::SmallVectorImpl<char> &out) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(
      module, llvmContext, llvm::sys::path::filename(modelFile));
  if (!llvmModule)
    return failure(); // translateModuleToLLVMIR emitted the reason.
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  auto optimize = qlip::makeLLVMOptimizer(level, &machine);
  if (llvm::Error error = optimize(llvmModule.get())) {
    emitError(module.getLoc())
        << "LLVM optimization failed: " << llvm::toString(std::move(error));
    return failure();
  }

  llvm::raw_svector_ostream os(out);
  if (kind == EmitKind::LLVMIR) {
    llvmModule->print(os, /*AAW=*/nullptr);
    return success();
  }
  llvm::legacy::PassManager codegen;
  auto fileType = kind == EmitKind::Object
                      ? llvm::CodeGenFileType::ObjectFile
                      : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(codegen, os, /*DwoOut=*/nullptr, fileType)) {
    emitError(module.getLoc())
        << "the target " << machine.getTargetTriple().str()
        << " cannot emit this kind of file";
    return failure();
  }
  codegen.run(*llvmModule);
  return success();
}

/// Writes `bytes` to `path` ("-": stdout).
static LogicalResult writeFile(llvm::StringRef path, llvm::StringRef bytes) {
  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &message);
  if (!file) {
    fail(message);
    return failure();
  }
  file->os() << bytes;
  file->os().flush();
  if (file->os().has_error()) {
    fail("cannot write " + path + ": " + file->os().error().message());
    file->os().clear_error();
    return failure();
  }
  file->keep();
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::qlip::setQlipVersionPrinter();
  cl::HideUnrelatedOptions(toolCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qlip-aot: compile a function of a TOSA/qlip model to an object file "
      "and a C header\n");

  if (optLevel > 3)
    return fail("--opt-level must be 0 to 3, got " + llvm::Twine(optLevel));
  std::string name = cName.empty() ? "qlip_" + entryName : cName.getValue();
  if (!aot::isCIdentifier(name))
    return fail("'" + name + "' is not a C identifier; " +
                (cName.empty() ? "choose the C function's name with --name"
                               : "--name takes letters, digits and '_', not "
                                 "starting with a digit, and no keyword"));
  std::unique_ptr<qlip::LowerToLLVMOptions> lowering =
      pipelineOptions.empty()
          ? std::make_unique<qlip::LowerToLLVMOptions>()
          : qlip::LowerToLLVMOptions::createFromString(pipelineOptions);
  if (!lowering)
    return fail("--pipeline-options: cannot parse '" + pipelineOptions + "'");

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(targetCpu, optLevel);
  if (!machine)
    return fail(llvm::toString(machine.takeError()));
  // An object for a named CPU runs the kernels' path that CPU has, unless
  // --pipeline-options names one.
  if (targetCpu != "native" && lowering->kernelIsa == "auto")
    lowering->kernelIsa = getKernelIsa(*(*machine)->getMCSubtargetInfo());

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

  FailureOr<aot::CEntry> entry = aot::readCEntry(*module, entryName, name);
  if (failed(entry) || failed(aot::prepareForLowering(*module, *entry)))
    return 1;
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.addPass(createSymbolDCEPass());
  buildLowerToLLVMPipeline(pm, *lowering);
  if (failed(pm.run(*module)))
    return fail("lowering '" + entryName + "' to LLVM failed");
  if (failed(aot::finishLoweredModule(*module, *entry)))
    return 1;

  llvm::SmallString<0> output;
  if (emitKind == EmitKind::MLIR) {
    llvm::raw_svector_ostream os(output);
    module->print(os);
  } else if (failed(emitLLVM(*module, **machine, optLevel, emitKind, output))) {
    return 1;
  }

  std::string header = headerFile;
  if (header.empty() && outputFile != "-") {
    llvm::SmallString<128> path(outputFile);
    llvm::sys::path::replace_extension(path, "h");
    header = path.str().str();
  }
  if (!header.empty() && header == outputFile)
    return fail("the header and the output are both " + header +
                "; name the header with --header");
  if (failed(writeFile(outputFile, output)))
    return 1;
  if (!header.empty()) {
    std::string text;
    llvm::raw_string_ostream os(text);
    aot::writeCHeader(os, *entry, modelFile);
    if (failed(writeFile(header, text)))
      return 1;
  }
  return 0;
}
