//===- AotCompiler.cpp - compile a model's entry ahead of time --*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Aot/AotCompiler.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::aot;

//===----------------------------------------------------------------------===//
// The entry's signature
//===----------------------------------------------------------------------===//

bool mlir::qlip::aot::isCIdentifier(llvm::StringRef name) {
  // The keywords of C23 and the ones C++ adds that a C API could meet.
  static const char *const keywords[] = {
      "alignas",  "alignof",   "auto",     "bool",
      "break",    "case",      "char",     "class",
      "const",    "constexpr", "continue", "default",
      "delete",   "do",        "double",   "else",
      "enum",     "extern",    "false",    "float",
      "for",      "goto",      "if",       "inline",
      "int",      "long",      "new",      "nullptr",
      "register", "restrict",  "return",   "short",
      "signed",   "sizeof",    "static",   "struct",
      "switch",   "template",  "this",     "thread_local",
      "true",     "typedef",   "typeof",   "static_assert",
      "union",    "unsigned",  "void",     "volatile",
      "while"};
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  if (!llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return false;
  return !llvm::is_contained(keywords, name);
}

FailureOr<CEntry> mlir::qlip::aot::readCEntry(ModuleOp module,
                                              llvm::StringRef entry,
                                              llvm::StringRef cName) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func) {
    llvm::SmallVector<llvm::StringRef> names;
    for (auto candidate : module.getOps<func::FuncOp>())
      if (!candidate.isExternal())
        names.push_back(candidate.getSymName());
    InFlightDiagnostic diag = emitError(module.getLoc())
                              << "no function '" << entry << "' in the module";
    if (!names.empty())
      diag << " (functions: " << llvm::join(names, ", ") << ")";
    return failure();
  }
  if (func.isExternal())
    return func.emitError()
           << "'" << entry << "' is a declaration; it has no body to compile";
  if (func.isPrivate())
    return func.emitError()
           << "'" << entry
           << "' is private; only public functions can be compiled";

  CEntry result;
  result.entry = entry.str();
  result.cName = cName.str();
  FunctionType type = func.getFunctionType();
  auto readSpecs = [&](TypeRange types, llvm::StringRef what,
                       llvm::SmallVectorImpl<TensorSpec> &specs) {
    for (auto [i, t] : llvm::enumerate(types)) {
      llvm::Expected<TensorSpec> spec = getTensorSpec(
          t, llvm::formatv("{0} #{1} of '{2}'", what, i, entry).str());
      if (!spec) {
        func.emitError() << llvm::toString(spec.takeError());
        return failure();
      }
      specs.push_back(std::move(*spec));
    }
    return success();
  };
  if (failed(readSpecs(type.getInputs(), "argument", result.inputs)) ||
      failed(readSpecs(type.getResults(), "result", result.outputs)))
    return failure();
  return result;
}

LogicalResult mlir::qlip::aot::prepareForLowering(ModuleOp module,
                                                  const CEntry &entry) {
  auto func = module.lookupSymbol<func::FuncOp>(entry.entry);
  if (!func)
    return emitError(module.getLoc())
           << "no function '" << entry.entry << "' in the module";
  MLIRContext *ctx = module.getContext();
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                    BoolAttr::get(ctx, false));
  // Only the entry is compiled (symbol-dce removes what it does not call);
  // another function that does not lower is none of this object's business.
  for (auto other : module.getOps<func::FuncOp>())
    if (other != func)
      other.setPrivate();
  return success();
}

//===----------------------------------------------------------------------===//
// memrefCopy
//===----------------------------------------------------------------------===//

/// What libmlir_c_runner_utils' `memrefCopy(elemSize, src, dst)` does: copy
/// between two strided views of the same shape, given as unranked
/// descriptors `{i64 rank, ptr ranked}`, where a ranked descriptor is the
/// 64-bit words `{allocated, aligned, offset, sizes[rank], strides[rank]}`.
/// Elements are copied by runs: when both views are contiguous in the
/// innermost dimension, one memcpy per row, otherwise one per element. The
/// linear index of a run is split into coordinates innermost first.
static constexpr llvm::StringLiteral kMemrefCopySource = R"mlir(
func.func @memrefCopy(%elemSize: i64, %src: !llvm.ptr, %dst: !llvm.ptr) {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %rank = llvm.load %src : !llvm.ptr -> i64
  %srcRankedAddr = llvm.getelementptr %src[1] : (!llvm.ptr) -> !llvm.ptr, i64
  %srcRanked = llvm.load %srcRankedAddr : !llvm.ptr -> !llvm.ptr
  %dstRankedAddr = llvm.getelementptr %dst[1] : (!llvm.ptr) -> !llvm.ptr, i64
  %dstRanked = llvm.load %dstRankedAddr : !llvm.ptr -> !llvm.ptr
  %srcDataAddr = llvm.getelementptr %srcRanked[1] : (!llvm.ptr) -> !llvm.ptr, i64
  %srcData = llvm.load %srcDataAddr : !llvm.ptr -> !llvm.ptr
  %dstDataAddr = llvm.getelementptr %dstRanked[1] : (!llvm.ptr) -> !llvm.ptr, i64
  %dstData = llvm.load %dstDataAddr : !llvm.ptr -> !llvm.ptr
  %srcOffsetAddr = llvm.getelementptr %srcRanked[2] : (!llvm.ptr) -> !llvm.ptr, i64
  %srcOffset = llvm.load %srcOffsetAddr : !llvm.ptr -> i64
  %dstOffsetAddr = llvm.getelementptr %dstRanked[2] : (!llvm.ptr) -> !llvm.ptr, i64
  %dstOffset = llvm.load %dstOffsetAddr : !llvm.ptr -> i64
  %sizes = llvm.getelementptr %srcRanked[3] : (!llvm.ptr) -> !llvm.ptr, i64
  %srcStrides = llvm.getelementptr %sizes[%rank] : (!llvm.ptr, i64) -> !llvm.ptr, i64
  %dstSizes = llvm.getelementptr %dstRanked[3] : (!llvm.ptr) -> !llvm.ptr, i64
  %dstStrides = llvm.getelementptr %dstSizes[%rank] : (!llvm.ptr, i64) -> !llvm.ptr, i64

  // The run: the innermost dimension when both views are contiguous there
  // (its length, and the rank left to iterate over), else one element.
  %hasDims = arith.cmpi sgt, %rank, %c0 : i64
  %run:2 = scf.if %hasDims -> (i64, i64) {
    %last = arith.subi %rank, %c1 : i64
    %srcStrideAddr = llvm.getelementptr %srcStrides[%last] : (!llvm.ptr, i64) -> !llvm.ptr, i64
    %srcStride = llvm.load %srcStrideAddr : !llvm.ptr -> i64
    %dstStrideAddr = llvm.getelementptr %dstStrides[%last] : (!llvm.ptr, i64) -> !llvm.ptr, i64
    %dstStride = llvm.load %dstStrideAddr : !llvm.ptr -> i64
    %srcUnit = arith.cmpi eq, %srcStride, %c1 : i64
    %dstUnit = arith.cmpi eq, %dstStride, %c1 : i64
    %contiguous = arith.andi %srcUnit, %dstUnit : i1
    %sizeAddr = llvm.getelementptr %sizes[%last] : (!llvm.ptr, i64) -> !llvm.ptr, i64
    %size = llvm.load %sizeAddr : !llvm.ptr -> i64
    %length = arith.select %contiguous, %size, %c1 : i64
    %outerRank = arith.select %contiguous, %last, %rank : i64
    scf.yield %length, %outerRank : i64, i64
  } else {
    scf.yield %c1, %c0 : i64, i64
  }
  %runBytes = arith.muli %run#0, %elemSize : i64

  %count = scf.for %k = %c0 to %run#1 step %c1 iter_args(%n = %c1) -> (i64) : i64 {
    %sizeAddr = llvm.getelementptr %sizes[%k] : (!llvm.ptr, i64) -> !llvm.ptr, i64
    %size = llvm.load %sizeAddr : !llvm.ptr -> i64
    %next = arith.muli %n, %size : i64
    scf.yield %next : i64
  }
  scf.for %i = %c0 to %count step %c1 : i64 {
    %offsets:3 = scf.for %j = %c0 to %run#1 step %c1
        iter_args(%rest = %i, %srcAt = %srcOffset, %dstAt = %dstOffset) -> (i64, i64, i64) : i64 {
      %outerLast = arith.subi %run#1, %c1 : i64
      %k = arith.subi %outerLast, %j : i64
      %sizeAddr = llvm.getelementptr %sizes[%k] : (!llvm.ptr, i64) -> !llvm.ptr, i64
      %size = llvm.load %sizeAddr : !llvm.ptr -> i64
      %index = arith.remui %rest, %size : i64
      %outer = arith.divui %rest, %size : i64
      %srcStrideAddr = llvm.getelementptr %srcStrides[%k] : (!llvm.ptr, i64) -> !llvm.ptr, i64
      %srcStride = llvm.load %srcStrideAddr : !llvm.ptr -> i64
      %dstStrideAddr = llvm.getelementptr %dstStrides[%k] : (!llvm.ptr, i64) -> !llvm.ptr, i64
      %dstStride = llvm.load %dstStrideAddr : !llvm.ptr -> i64
      %srcStep = arith.muli %index, %srcStride : i64
      %dstStep = arith.muli %index, %dstStride : i64
      %srcNext = arith.addi %srcAt, %srcStep : i64
      %dstNext = arith.addi %dstAt, %dstStep : i64
      scf.yield %outer, %srcNext, %dstNext : i64, i64, i64
    }
    %srcByte = arith.muli %offsets#1, %elemSize : i64
    %dstByte = arith.muli %offsets#2, %elemSize : i64
    %from = llvm.getelementptr %srcData[%srcByte] : (!llvm.ptr, i64) -> !llvm.ptr, i8
    %to = llvm.getelementptr %dstData[%dstByte] : (!llvm.ptr, i64) -> !llvm.ptr, i8
    "llvm.intr.memcpy"(%to, %from, %runBytes) <{isVolatile = false}> : (!llvm.ptr, !llvm.ptr, i64) -> ()
  }
  return
}
)mlir";

/// Replaces the declaration of `memrefCopy` in `module` with an internal
/// definition (kMemrefCopySource, lowered to the LLVM dialect).
static LogicalResult defineMemrefCopy(ModuleOp module,
                                      LLVM::LLVMFuncOp declaration) {
  MLIRContext *ctx = module.getContext();
  OwningOpRef<ModuleOp> helper =
      parseSourceString<ModuleOp>(kMemrefCopySource, ctx, "qlip-memref-copy");
  if (!helper)
    return emitError(module.getLoc())
           << "qlip-aot's own memrefCopy does not parse";
  PassManager pm(ctx, ModuleOp::getOperationName());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (failed(pm.run(*helper)))
    return emitError(module.getLoc())
           << "qlip-aot's own memrefCopy does not lower to LLVM";
  auto definition = helper->lookupSymbol<LLVM::LLVMFuncOp>("memrefCopy");
  if (!definition ||
      definition.getFunctionType() != declaration.getFunctionType())
    return declaration.emitError()
           << "'memrefCopy' has type " << declaration.getFunctionType()
           << ", not the one of qlip-aot's definition";
  definition->remove();
  definition.setLinkage(LLVM::Linkage::Internal);
  module.getBody()->push_back(definition);
  declaration.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// The C entry point
//===----------------------------------------------------------------------===//

/// The parameters of the lowered entry: per input, then per result, an
/// expanded memref descriptor (allocated and aligned pointer, offset, sizes,
/// strides).
static llvm::SmallVector<Type> getLoweredParams(MLIRContext *ctx,
                                                const CEntry &entry) {
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  llvm::SmallVector<Type> params;
  auto append = [&](const TensorSpec &spec) {
    params.append({ptr, ptr, i64});
    params.append(2 * spec.shape.size(), i64);
  };
  llvm::for_each(entry.inputs, append);
  llvm::for_each(entry.outputs, append);
  return params;
}

/// Adds `int <cName>(const T *input0, ..., T *output0)`: returns -1 without
/// touching memory when a buffer with elements is NULL, otherwise calls
/// `lowered` with the descriptors of dense row-major buffers and returns 0.
static void buildCWrapper(ModuleOp module, LLVM::LLVMFuncOp lowered,
                          const CEntry &entry) {
  MLIRContext *ctx = module.getContext();
  Location loc = lowered.getLoc();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = IntegerType::get(ctx, 32);
  Type i64 = IntegerType::get(ctx, 64);
  size_t numInputs = entry.inputs.size();
  llvm::SmallVector<const TensorSpec *> specs;
  for (const TensorSpec &spec : entry.inputs)
    specs.push_back(&spec);
  for (const TensorSpec &spec : entry.outputs)
    specs.push_back(&spec);

  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto wrapper = LLVM::LLVMFuncOp::create(
      b, loc, entry.cName,
      LLVM::LLVMFunctionType::get(i32,
                                  llvm::SmallVector<Type>(specs.size(), ptr)));
  // The header's contract: buffers do not overlap, and inputs are only
  // read (their arguments were non-writable for bufferization). Once the
  // lowered function is inlined this spares LLVM its alias checks.
  for (size_t i = 0; i < specs.size(); ++i) {
    wrapper.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                       UnitAttr::get(ctx));
    if (i < numInputs)
      wrapper.setArgAttr(i, LLVM::LLVMDialect::getReadonlyAttrName(),
                         UnitAttr::get(ctx));
  }

  Region &body = wrapper.getBody();
  Block *entryBlock = wrapper.addEntryBlock(b);
  b.setInsertionPointToStart(entryBlock);
  Value anyNull;
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  for (auto [spec, arg] : llvm::zip_equal(specs, wrapper.getArguments())) {
    // An empty tensor has no bytes: any pointer, NULL too, will do.
    if (spec->numElements() == 0)
      continue;
    Value isNull =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, arg, null);
    anyNull = anyNull ? LLVM::OrOp::create(b, loc, anyNull, isNull) : isNull;
  }
  if (anyNull) {
    Block *callBlock = b.createBlock(&body, body.end());
    Block *nullBlock = b.createBlock(&body, body.end());
    LLVM::ReturnOp::create(
        b, loc, ValueRange{LLVM::ConstantOp::create(b, loc, i32, -1)});
    b.setInsertionPointToEnd(entryBlock);
    LLVM::CondBrOp::create(b, loc, anyNull, nullBlock, callBlock);
    b.setInsertionPointToStart(callBlock);
  }

  llvm::SmallVector<Value> operands;
  auto constant = [&](int64_t value) -> Value {
    return LLVM::ConstantOp::create(b, loc, i64, value);
  };
  for (auto [spec, arg] : llvm::zip_equal(specs, wrapper.getArguments())) {
    operands.append({arg, arg, constant(0)});
    for (int64_t dim : spec->shape)
      operands.push_back(constant(dim));
    llvm::SmallVector<int64_t> strides(spec->shape.size());
    int64_t stride = 1;
    for (size_t i = strides.size(); i-- > 0;) {
      strides[i] = stride;
      stride *= spec->shape[i];
    }
    for (int64_t s : strides)
      operands.push_back(constant(s));
  }
  LLVM::CallOp::create(b, loc, lowered, operands);
  LLVM::ReturnOp::create(b, loc,
                         ValueRange{LLVM::ConstantOp::create(b, loc, i32, 0)});
}

LogicalResult mlir::qlip::aot::finishLoweredModule(ModuleOp module,
                                                   const CEntry &entry) {
  MLIRContext *ctx = module.getContext();
  auto lowered = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.entry);
  if (!lowered || lowered.isExternal())
    return emitError(module.getLoc())
           << "the lowered module has no LLVM function '" << entry.entry
           << "'; the pipeline must lower the entry to the LLVM dialect";
  LLVM::LLVMFunctionType type = lowered.getFunctionType();
  if (type.getParams() != llvm::ArrayRef(getLoweredParams(ctx, entry)) ||
      !isa<LLVM::LLVMVoidType>(type.getReturnType()))
    return lowered.emitError()
           << "the lowered '" << entry.entry << "' has type " << type
           << ", not one expanded memref descriptor per input and result "
              "(results must become out-parameters, as qlip-lower-to-llvm "
              "makes them)";

  // One exported symbol: everything else is internal to the object. The
  // lowered entry also gets a name that is not a C identifier, so that a
  // model's `@main` neither clashes with C's `main` nor shows up as `main`
  // in a debugger or profiler.
  SymbolTable symbols(module);
  std::string implName = entry.cName + ".impl";
  if (module.lookupSymbol(implName) ||
      failed(symbols.rename(lowered, implName)))
    return lowered.emitError() << "cannot rename the lowered '" << entry.entry
                               << "' to '" << implName << "'";
  // After the renaming, so that the C function may have the entry's name.
  if (Operation *taken = module.lookupSymbol(entry.cName))
    return taken->emitError()
           << "the C function name '" << entry.cName
           << "' is already a symbol of the lowered module; choose another "
              "one with --name";
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (!func.isExternal())
      func.setLinkage(LLVM::Linkage::Internal);
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    bool isDefinition =
        global.getValueOrNull() || !global.getInitializerRegion().empty();
    if (isDefinition && global.getLinkage() == LLVM::Linkage::External)
      global.setLinkage(LLVM::Linkage::Internal);
  }

  if (auto copy = module.lookupSymbol<LLVM::LLVMFuncOp>("memrefCopy"))
    if (copy.isExternal() && failed(defineMemrefCopy(module, copy)))
      return failure();

  buildCWrapper(module, lowered, entry);
  return success();
}
