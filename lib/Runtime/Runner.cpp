//===- Runner.cpp - JIT-run a function on .npy arrays -----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Runner.h"

#include "qlip/Pipelines/Pipelines.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "qlip/Kernels/Kernels.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cstring>
#include <mutex>

using namespace mlir;
using namespace mlir::qlip;

static_assert(sizeof(void *) == sizeof(int64_t),
              "memref descriptors are built as arrays of 64-bit words");

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// "2x3x4"; "scalar" for rank 0.
static std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, "x");
  return text;
}

//===----------------------------------------------------------------------===//
// TensorSpec
//===----------------------------------------------------------------------===//

size_t TensorSpec::numElements() const {
  size_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<size_t>(dim);
  return count;
}

bool TensorSpec::accepts(NpyDType given) const {
  if (given == dtype)
    return true;
  return given == NpyDType::U8 && elementType.isSignlessInteger(8);
}

std::string TensorSpec::str() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << RankedTensorType::get(shape, elementType);
  return text;
}

NpyArray TensorSpec::makeArray() const {
  NpyArray array;
  array.dtype = dtype;
  array.shape.assign(shape.begin(), shape.end());
  array.data.assign(numElements() * getNpyDTypeSize(dtype), 0);
  return array;
}

/// The .npy dtype of a tensor element type, if there is one.
static std::optional<NpyDType> getNpyDType(Type type) {
  if (type.isF32())
    return NpyDType::F32;
  if (type.isF64())
    return NpyDType::F64;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::nullopt;
  if (integer.isUnsigned())
    return integer.getWidth() == 8 ? std::optional(NpyDType::U8) : std::nullopt;
  switch (integer.getWidth()) {
  case 1:
    // LLVM stores an i1 in a byte holding 0 or 1, as numpy stores bool.
    return integer.isSignless() ? std::optional(NpyDType::Bool) : std::nullopt;
  case 8:
    return NpyDType::I8;
  case 16:
    return NpyDType::I16;
  case 32:
    return NpyDType::I32;
  case 64:
    return NpyDType::I64;
  default:
    return std::nullopt;
  }
}

llvm::Expected<TensorSpec> mlir::qlip::getTensorSpec(Type type,
                                                     llvm::StringRef what) {
  std::string typeText;
  llvm::raw_string_ostream(typeText) << type;
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return makeError(what + " has type " + typeText +
                     "; the runner passes only ranked tensors");
  if (!tensor.hasStaticShape())
    return makeError(what + " has the dynamic shape " + typeText +
                     "; the runner needs static shapes");
  std::optional<NpyDType> dtype = getNpyDType(tensor.getElementType());
  if (!dtype)
    return makeError(what + " has type " + typeText +
                     ", whose element type no .npy dtype the runner reads "
                     "holds (f32, f64, i1, i8, ui8, i16, i32, i64)");
  TensorSpec spec;
  spec.elementType = tensor.getElementType();
  spec.dtype = *dtype;
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return spec;
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

/// Lowering and JIT compilation report errors through diagnostics; this
/// collects them so that they end up in the returned llvm::Error.
namespace {
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          append(diag);
          return success();
        }) {}

  std::string take() { return std::move(text); }

private:
  void append(Diagnostic &diag) {
    llvm::raw_string_ostream os(text);
    os << "\n  ";
    printLocation(os, diag.getLocation());
    os << ": ";
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      os << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      os << "warning: ";
      break;
    case DiagnosticSeverity::Note:
      os << "note: ";
      break;
    case DiagnosticSeverity::Remark:
      os << "remark: ";
      break;
    }
    os << diag;
    for (Diagnostic &note : diag.getNotes()) {
      os << "\n  ";
      printLocation(os, note.getLocation());
      os << ": note: " << note;
    }
  }

  /// "file:line:col" as compilers print it, when there is a file position.
  static void printLocation(llvm::raw_ostream &os, Location loc) {
    if (auto position = loc->findInstanceOf<FileLineColLoc>())
      os << position.getFilename().getValue() << ":" << position.getLine()
         << ":" << position.getColumn();
    else
      os << loc;
  }

  std::string text;
  ScopedDiagnosticHandler handler;
};
} // namespace

/// The entry function and its signature, or why it cannot be called.
static llvm::Error readSignature(ModuleOp module, llvm::StringRef entry,
                                 llvm::SmallVectorImpl<TensorSpec> &inputs,
                                 llvm::SmallVectorImpl<TensorSpec> &outputs) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func) {
    llvm::SmallVector<llvm::StringRef> names;
    for (auto candidate : module.getOps<func::FuncOp>())
      if (!candidate.isExternal())
        names.push_back(candidate.getSymName());
    std::string message = ("no function '" + entry + "' in the module").str();
    if (!names.empty())
      message += " (functions: " + llvm::join(names, ", ") + ")";
    return makeError(message);
  }
  if (func.isExternal())
    return makeError("function '" + entry +
                     "' is a declaration; it has no "
                     "body to run");
  if (func.isPrivate())
    return makeError("function '" + entry +
                     "' is private; only public functions can be run");
  FunctionType type = func.getFunctionType();
  for (auto [i, input] : llvm::enumerate(type.getInputs())) {
    auto spec = getTensorSpec(
        input, llvm::formatv("argument #{0} of '{1}'", i, entry).str());
    if (!spec)
      return spec.takeError();
    inputs.push_back(std::move(*spec));
  }
  for (auto [i, result] : llvm::enumerate(type.getResults())) {
    auto spec = getTensorSpec(
        result, llvm::formatv("result #{0} of '{1}'", i, entry).str());
    if (!spec)
      return spec.takeError();
    outputs.push_back(std::move(*spec));
  }
  return llvm::Error::success();
}

/// LLVM's own mapping of 0-3, with anything above 3 as -O3.
static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned optLevel) {
  return llvm::CodeGenOpt::getLevel(int(std::min(optLevel, 3u)))
      .value_or(llvm::CodeGenOptLevel::Aggressive);
}

/// The C-interface wrapper's name for `entry`.
static std::string getWrapperName(llvm::StringRef entry) {
  return ("_mlir_ciface_" + entry).str();
}

llvm::Expected<std::unique_ptr<Runner>>
Runner::create(ModuleOp module, llvm::StringRef entry,
               const RunnerOptions &options) {
  std::unique_ptr<Runner> runner(new Runner());
  runner->entry = entry.str();
  if (llvm::Error error =
          readSignature(module, entry, runner->inputs, runner->outputs))
    return std::move(error);
  if (options.optLevel > 3)
    return makeError("optimization level " + llvm::Twine(options.optLevel) +
                     " is not in [0, 3]");

  MLIRContext *ctx = module.getContext();
  DialectRegistry registry;
  registerLowerToLLVMDependencies(registry);
  ctx->appendDialectRegistry(registry);

  // Lower a clone: the caller keeps its tensor-level module (calibration
  // runs it, then quantizes it).
  OwningOpRef<ModuleOp> lowered(module.clone());
  // The inputs are the caller's arrays, passed without a copy: tell
  // bufferization it may not write into them.
  auto func = lowered->lookupSymbol<func::FuncOp>(entry);
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                    BoolAttr::get(ctx, false));
  // Only what the entry calls is compiled: another function of the module
  // that does not lower (or is just large) is none of this run's business.
  for (auto other : lowered->getOps<func::FuncOp>())
    if (other != func)
      other.setPrivate();

  DiagnosticCollector diagnostics(ctx);
  PassManager pm(ctx, ModuleOp::getOperationName());
  pm.addPass(createSymbolDCEPass());
  if (options.buildPipeline)
    options.buildPipeline(pm);
  else
    buildLowerToLLVMPipeline(pm, LowerToLLVMOptions());
  if (failed(pm.run(*lowered)))
    return makeError("lowering '" + entry +
                     "' to LLVM failed:" + diagnostics.take());

  // The ABI the descriptors below assume: void(ptr...), one pointer per
  // input and output. A custom pipeline might have produced another.
  std::string wrapper = getWrapperName(entry);
  auto llvmFunc = lowered->lookupSymbol<LLVM::LLVMFuncOp>(wrapper);
  size_t numArgs = runner->inputs.size() + runner->outputs.size();
  if (!llvmFunc)
    return makeError("the lowered module has no '" + wrapper +
                     "'; the pipeline must emit C-interface wrappers");
  LLVM::LLVMFunctionType llvmType = llvmFunc.getFunctionType();
  if (llvmType.getNumParams() != numArgs ||
      !isa<LLVM::LLVMVoidType>(llvmType.getReturnType()) ||
      !llvm::all_of(llvmType.getParams(), llvm::IsaPred<LLVM::LLVMPointerType>))
    return makeError("'" + wrapper +
                     "' does not take one memref descriptor "
                     "pointer per input and result (" +
                     llvm::Twine(numArgs) +
                     "); results must become out-parameters");

  static std::once_flag initializeTarget;
  std::call_once(initializeTarget, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  // LLVM's IR optimizations need the target to know its vector registers:
  // without it the loop vectorizer sees none and leaves every loop scalar.
  // The host machine is also what the JIT generates code for.
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return makeError("cannot target the host: " +
                     llvm::toString(machineBuilder.takeError()));
  machineBuilder->setCodeGenOptLevel(getCodeGenOptLevel(options.optLevel));
  auto machine = machineBuilder->createTargetMachine();
  if (!machine)
    return makeError("cannot target the host: " +
                     llvm::toString(machine.takeError()));
  auto transformer = makeLLVMOptimizer(options.optLevel, machine->get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = getCodeGenOptLevel(options.optLevel);
  auto engine = ExecutionEngine::create(*lowered, engineOptions);
  if (!engine)
    return makeError("JIT compilation of '" + entry + "' failed: " +
                     llvm::toString(engine.takeError()) + diagnostics.take());
  runner->engine = std::move(*engine);

  // memrefCopy (libmlir_c_runner_utils) copies into strided views, such as
  // the interior of a padded tensor; registering it explicitly does not
  // depend on the dynamic linker exporting it to the JIT.
  llvm::StringMap<void *> symbols = options.symbols;
  symbols.try_emplace("memrefCopy", reinterpret_cast<void *>(&memrefCopy));
  // The CPU kernels that qlip-cpu-to-calls calls, linked into this library.
  symbols.try_emplace("_mlir_ciface_qlip_qconv2d",
                      reinterpret_cast<void *>(&_mlir_ciface_qlip_qconv2d));
  symbols.try_emplace("_mlir_ciface_qlip_conv2d_f32",
                      reinterpret_cast<void *>(&_mlir_ciface_qlip_conv2d_f32));
  symbols.try_emplace("_mlir_ciface_qlip_arena",
                      reinterpret_cast<void *>(&_mlir_ciface_qlip_arena));
  runner->engine->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    for (auto &symbol : symbols)
      map[interner(symbol.getKey())] = {
          llvm::orc::ExecutorAddr::fromPtr(symbol.getValue()),
          llvm::JITSymbolFlags::Exported};
    return map;
  });
  if (auto lookup = runner->engine->lookupPacked(wrapper); !lookup)
    return makeError("JIT compilation of '" + entry +
                     "' failed: " + llvm::toString(lookup.takeError()));
  return std::move(runner);
}

Runner::~Runner() = default;

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

/// Checks one array against one tensor; `what` names it.
static llvm::Error checkArray(const NpyArray &array, const TensorSpec &spec,
                              const llvm::Twine &what) {
  if (!spec.accepts(array.dtype))
    return makeError(what + " (" + spec.str() + ") takes " +
                     getNpyDTypeName(spec.dtype) + " data, got " +
                     getNpyDTypeName(array.dtype));
  if (llvm::ArrayRef<int64_t>(array.shape) != llvm::ArrayRef(spec.shape))
    return makeError(what + " (" + spec.str() + ") takes shape " +
                     formatShape(spec.shape) + ", got " +
                     formatShape(array.shape));
  if (array.data.size() != spec.numElements() * array.getElementSize())
    return makeError(what + " holds " + llvm::Twine(array.data.size()) +
                     " bytes, not the " +
                     llvm::Twine(spec.numElements() * array.getElementSize()) +
                     " its shape needs");
  return llvm::Error::success();
}

llvm::Error Runner::checkInputs(llvm::ArrayRef<NpyArray> arrays) const {
  if (arrays.size() != inputs.size())
    return makeError(llvm::formatv("'{0}' takes {1} input{2}, got {3}", entry,
                                   inputs.size(), inputs.size() == 1 ? "" : "s",
                                   arrays.size())
                         .str());
  for (auto [i, array] : llvm::enumerate(arrays))
    if (llvm::Error error =
            checkArray(array, inputs[i],
                       llvm::formatv("input #{0} of '{1}'", i, entry).str()))
      return error;
  return llvm::Error::success();
}

/// A memref descriptor for a contiguous row-major buffer: allocated and
/// aligned pointer, offset 0, the sizes, then the strides.
static std::vector<int64_t> makeDescriptor(const char *data,
                                           llvm::ArrayRef<int64_t> shape) {
  size_t rank = shape.size();
  std::vector<int64_t> descriptor(3 + 2 * rank);
  descriptor[0] = descriptor[1] = static_cast<int64_t>(
      reinterpret_cast<intptr_t>(const_cast<char *>(data)));
  descriptor[2] = 0;
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    descriptor[3 + i] = shape[i];
    descriptor[3 + rank + i] = stride;
    stride *= shape[i];
  }
  return descriptor;
}

llvm::Error Runner::run(llvm::ArrayRef<NpyArray> arrays,
                        llvm::MutableArrayRef<NpyArray> results) {
  if (llvm::Error error = checkInputs(arrays))
    return error;
  if (results.size() != outputs.size())
    return makeError(llvm::formatv("'{0}' has {1} result(s), got {2} arrays "
                                   "for them",
                                   entry, outputs.size(), results.size())
                         .str());
  for (auto [i, result] : llvm::enumerate(results))
    if (result.dtype != outputs[i].dtype ||
        llvm::ArrayRef<int64_t>(result.shape) !=
            llvm::ArrayRef(outputs[i].shape) ||
        result.data.size() !=
            outputs[i].numElements() * getNpyDTypeSize(outputs[i].dtype))
      return makeError(llvm::formatv("the array for result #{0} of '{1}' "
                                     "must hold {2} data of shape {3}",
                                     i, entry,
                                     getNpyDTypeName(outputs[i].dtype),
                                     formatShape(outputs[i].shape))
                           .str());

  // Inputs, then outputs: the order buffer-results-to-out-params gives.
  // The compiled code reads the inputs only (their arguments are marked
  // non-writable before bufferization).
  size_t numArgs = arrays.size() + results.size();
  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(numArgs);
  for (const NpyArray &array : arrays)
    descriptors.push_back(makeDescriptor(array.data.data(), array.shape));
  for (NpyArray &result : results)
    descriptors.push_back(makeDescriptor(result.data.data(), result.shape));
  // The packed wrapper takes, per argument, a pointer to the argument; the
  // argument of `_mlir_ciface_` is itself a pointer to the descriptor.
  llvm::SmallVector<void *> descriptorPointers;
  for (std::vector<int64_t> &descriptor : descriptors)
    descriptorPointers.push_back(descriptor.data());
  llvm::SmallVector<void *> packed;
  for (void *&pointer : descriptorPointers)
    packed.push_back(&pointer);
  return engine->invokePacked(getWrapperName(entry), packed);
}

llvm::Expected<std::vector<NpyArray>>
Runner::run(llvm::ArrayRef<NpyArray> arrays) {
  std::vector<NpyArray> results;
  results.reserve(outputs.size());
  for (const TensorSpec &spec : outputs)
    results.push_back(spec.makeArray());
  if (llvm::Error error = run(arrays, results))
    return std::move(error);
  return results;
}

//===----------------------------------------------------------------------===//
// Samples in batches
//===----------------------------------------------------------------------===//

llvm::Error mlir::qlip::checkSampleArrays(const Runner &runner,
                                          llvm::ArrayRef<NpyArray> samples,
                                          llvm::ArrayRef<std::string> names,
                                          llvm::StringRef arrays,
                                          llvm::StringRef purpose) {
  assert(names.size() == samples.size() && "one name per array");
  llvm::ArrayRef<TensorSpec> specs = runner.getInputs();
  llvm::StringRef entry = runner.getEntry();
  if (samples.size() != specs.size())
    return makeError(llvm::formatv("'{0}' takes {1} input(s), got {2} {3}",
                                   entry, specs.size(), samples.size(), arrays)
                         .str());
  for (auto [i, array] : llvm::enumerate(samples)) {
    const TensorSpec &spec = specs[i];
    std::string what = llvm::formatv("{0}: input #{1} of '{2}' ({3})", names[i],
                                     i, entry, spec.str());
    if (!spec.accepts(array.dtype))
      return makeError(what + " takes " + getNpyDTypeName(spec.dtype) +
                       " data, got " + getNpyDTypeName(array.dtype));
    llvm::ArrayRef<int64_t> expected = spec.shape;
    bool fits =
        !expected.empty() && array.shape.size() == expected.size() &&
        llvm::ArrayRef(array.shape).drop_front() == expected.drop_front();
    if (!fits) {
      std::string wanted = "[N";
      for (int64_t dim : expected.drop_front())
        wanted += ", " + std::to_string(dim);
      return makeError(what + " takes samples of shape " + wanted +
                       "] (N samples), got " + formatArrayShape(array.shape));
    }
    if (array.shape.front() == 0)
      return makeError(names[i] + ": no samples (shape " +
                       formatArrayShape(array.shape) + "); " + purpose +
                       " needs at least one");
    if (array.shape.front() != samples.front().shape.front())
      return makeError(llvm::formatv("{0} has {1} samples, {2} has {3}",
                                     names[0], samples.front().shape.front(),
                                     names[i], array.shape.front())
                           .str());
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<NpyArray>>
Runner::runRows(llvm::ArrayRef<NpyArray> samples,
                llvm::function_ref<void(int64_t, int64_t)> progress) {
  if (samples.empty() || inputs.empty() || samples.front().shape.empty() ||
      inputs.front().shape.empty())
    return makeError("cannot run in batches: no rows");
  int64_t rows = samples.front().shape.front();
  int64_t batch = inputs.front().shape.front();
  if (batch <= 0)
    return makeError("cannot run in batches of 0 rows");
  std::vector<NpyArray> batchInputs, batchResults, results;
  for (const TensorSpec &spec : inputs)
    batchInputs.push_back(spec.makeArray());
  for (auto [i, spec] : llvm::enumerate(outputs)) {
    if (spec.shape.empty() || spec.shape.front() != batch)
      return makeError(llvm::formatv("cannot run in batches: result #{0} of "
                                     "'{1}' ({2}) does not have the batch "
                                     "size {3} as its dim 0",
                                     i, entry, spec.str(), batch)
                           .str());
    batchResults.push_back(spec.makeArray());
    NpyArray result = spec.makeArray();
    result.shape.front() = rows;
    result.data.assign(rows * getRowBytes(batchResults.back()), 0);
    results.push_back(std::move(result));
  }
  for (int64_t first = 0; first < rows; first += batch) {
    int64_t count = std::min(batch, rows - first);
    fillBatch(samples, first, count, batchInputs);
    if (llvm::Error error = run(batchInputs, batchResults))
      return std::move(error);
    copyBatchRows(batchResults, first, count, results);
    if (progress)
      progress(first + count, rows);
  }
  return results;
}
