//===- Compile.cpp - a model's entry to an object file ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Aot/AotCompiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::aot;

/// LLVM's own mapping of 0-3, with anything above 3 as -O3.
static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned level) {
  return llvm::CodeGenOpt::getLevel(int(std::min(level, 3u)))
      .value_or(llvm::CodeGenOptLevel::Aggressive);
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::qlip::aot::createTargetMachine(llvm::StringRef cpu, unsigned optLevel) {
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
      std::nullopt, getCodeGenOptLevel(optLevel)));
  if (!machine)
    return error("cannot create a target machine for " + triple.str());
  if (!machine->getMCSubtargetInfo()->isCPUStringValid(cpuName))
    return error("--mcpu: '" + cpuName + "' is not a CPU of " + triple.str() +
                 " (llc -mcpu=help lists them)");
  return std::move(machine);
}

std::string mlir::qlip::aot::getKernelIsa(const llvm::MCSubtargetInfo &cpu) {
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
                              llvm::StringRef sourceName,
                              llvm::SmallVectorImpl<char> &out) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, sourceName);
  if (!llvmModule)
    return failure(); // translateModuleToLLVMIR emitted the reason.
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  auto optimize = makeLLVMOptimizer(level, &machine);
  if (llvm::Error error = optimize(llvmModule.get()))
    return emitError(module.getLoc())
           << "LLVM optimization failed: " << llvm::toString(std::move(error));

  llvm::raw_svector_ostream os(out);
  if (kind == EmitKind::LLVMIR) {
    llvmModule->print(os, /*AAW=*/nullptr);
    return success();
  }
  llvm::legacy::PassManager codegen;
  auto fileType = kind == EmitKind::Object
                      ? llvm::CodeGenFileType::ObjectFile
                      : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(codegen, os, /*DwoOut=*/nullptr, fileType))
    return emitError(module.getLoc())
           << "the target " << machine.getTargetTriple().str()
           << " cannot emit this kind of file";
  codegen.run(*llvmModule);
  return success();
}

std::string AotOptions::getCName() const {
  return cName.empty() ? "qlip_" + entry : cName;
}

/// The checks of checkOptions that need no target machine.
static llvm::Error checkLevelAndName(const AotOptions &options) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  if (options.optLevel > 3)
    return error("--opt-level must be 0 to 3, got " +
                 llvm::Twine(options.optLevel));
  std::string name = options.getCName();
  if (!isCIdentifier(name))
    return error("'" + name + "' is not a C identifier; " +
                 (options.cName.empty()
                      ? "choose the C function's name with --name"
                      : "--name takes letters, digits and '_', not starting "
                        "with a digit, and no keyword"));
  return llvm::Error::success();
}

/// The target machine of the options' CPU, with the native target set up.
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createMachine(const AotOptions &options) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  return createTargetMachine(options.targetCpu, options.optLevel);
}

llvm::Error mlir::qlip::aot::checkOptions(const AotOptions &options) {
  if (llvm::Error error = checkLevelAndName(options))
    return error;
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createMachine(options);
  return machine ? llvm::Error::success() : machine.takeError();
}

FailureOr<CEntry> mlir::qlip::aot::compile(ModuleOp module,
                                           const AotOptions &options,
                                           EmitKind kind,
                                           llvm::SmallVectorImpl<char> &out) {
  if (llvm::Error error = checkLevelAndName(options))
    return emitError(module.getLoc()) << llvm::toString(std::move(error));
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createMachine(options);
  if (!machine)
    return emitError(module.getLoc()) << llvm::toString(machine.takeError());

  // The lowering's options. An object for a named CPU runs the kernels'
  // path that CPU has, fixed in the object, unless the options name one;
  // for the host's, the kernels choose theirs where the object runs.
  LowerToLLVMOptions lowering;
  if (options.lowering)
    lowering.copyOptionValuesFrom(*options.lowering);
  if (lowering.kernelIsa == "auto" && options.targetCpu != "native")
    lowering.kernelIsa = getKernelIsa(*(*machine)->getMCSubtargetInfo());

  FailureOr<CEntry> entry =
      readCEntry(module, options.entry, options.getCName());
  if (failed(entry) || failed(prepareForLowering(module, *entry)))
    return failure();
  // The entry's location names the model's file and the function.
  Location entryLoc = module.lookupSymbol(options.entry)->getLoc();
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  pm.addPass(createSymbolDCEPass());
  buildLowerToLLVMPipeline(pm, lowering);
  if (failed(pm.run(module)))
    return emitError(entryLoc)
           << "lowering '" << options.entry << "' to LLVM failed";
  if (failed(finishLoweredModule(module, *entry)))
    return failure();

  if (kind == EmitKind::MLIR) {
    llvm::raw_svector_ostream os(out);
    module->print(os);
    return entry;
  }
  if (failed(emitLLVM(module, **machine, options.optLevel, kind,
                      options.sourceName, out)))
    return failure();
  return entry;
}
