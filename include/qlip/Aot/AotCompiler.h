//===- AotCompiler.h - compile a model's entry ahead of time ----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Ahead-of-time compilation of a tensor-level model (float or integer TOSA)
// to an object file, assembly or LLVM IR with a plain C entry point, and the
// C header that documents it: what qlip-aot and qlip-compile run.
//
//   aot::AotOptions options;     // entry "main", C name qlip_main, the host
//   FailureOr<aot::CEntry> entry =
//       aot::compile(module, options, aot::EmitKind::Object, out);
//   aot::writeCHeader(headerStream, *entry, "model.mlir");
//
// The C entry point of `@main(tensor<1x8xf32>) -> tensor<1x10xf32>` is
//
//   int qlip_main(const float *input0, float *output0);
//
// an `llvm.func` that builds the memref descriptors of dense row-major
// buffers from the pointers (the shapes are constants) and calls the
// lowered function, so that after inlining the descriptors cost nothing.
// Every other definition of the module gets internal linkage: the object
// exports exactly one symbol, and the lowered `@main` cannot clash with C's
// `main`.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_AOT_AOTCOMPILER_H
#define QLIP_AOT_AOTCOMPILER_H

#include "qlip/Pipelines/Pipelines.h"
#include "qlip/Runtime/Runner.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace llvm {
class MCSubtargetInfo;
class TargetMachine;
} // namespace llvm

namespace mlir::qlip::aot {

/// What compile() writes.
enum class EmitKind {
  Object,
  Assembly,
  LLVMIR,
  /// The LLVM dialect with the C entry point, before translation.
  MLIR,
};

/// What the C entry point looks like.
struct CEntry {
  /// The function of the model (`@main`).
  std::string entry;
  /// The C function's name (`qlip_main`); also, upper-cased, the prefix of
  /// the header's macros.
  std::string cName;
  /// The entry's tensor arguments and results, in order.
  llvm::SmallVector<TensorSpec> inputs;
  llvm::SmallVector<TensorSpec> outputs;
};

/// True if `name` is a C identifier.
bool isCIdentifier(llvm::StringRef name);

/// Reads the signature of `entry` from the tensor-level `module`. Emits an
/// error (on the function when there is one) and fails when the function is
/// missing, a declaration or private, or when an argument or result is not
/// a static tensor of an element type C can hold (f32, f64, i1, i8, ui8,
/// i16, i32, i64).
FailureOr<CEntry> readCEntry(ModuleOp module, llvm::StringRef entry,
                             llvm::StringRef cName);

/// Prepares the tensor-level module for qlip-lower-to-llvm: the entry's
/// arguments are marked non-writable (the C API takes them as `const`, so
/// bufferization must not reuse them), every other function becomes
/// private, and what the entry does not use is removed.
LogicalResult prepareForLowering(ModuleOp module, const CEntry &entry);

/// Finishes the module qlip-lower-to-llvm produced: adds the C entry point,
/// gives every other definition internal linkage, and defines
/// `memrefCopy` (the strided copy the lowering calls, otherwise found in
/// libmlir_c_runner_utils) in the module when it is used, so the object
/// needs nothing beyond libc and libm. Emits an error and fails when the
/// lowered entry does not have the expected signature or the C name is
/// already taken.
LogicalResult finishLoweredModule(ModuleOp module, const CEntry &entry);

/// The C type of an element type readCEntry accepts ("float", "int8_t").
llvm::StringRef getCTypeName(Type elementType);

/// Where the header of an object written to `output` goes by default: the
/// same path with the extension .h; empty for stdout ("-").
std::string getDefaultHeaderPath(llvm::StringRef output);

/// Writes the C header of `entry`; `source` is the model file it came
/// from, named in the header's comment.
void writeCHeader(llvm::raw_ostream &os, const CEntry &entry,
                  llvm::StringRef source);

/// A target machine for the host's triple and `cpu` ("native": the host
/// CPU and every feature it has; else an LLVM CPU name) at optimization
/// level `optLevel` (0 to 3), producing position-independent code so that
/// the object links into PIE executables and shared libraries. The native
/// target must be initialized (compile() does). Fails naming the CPU when
/// the target does not know it.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, unsigned optLevel);

/// The best of the CPU kernels' code paths (qlip-lower-to-llvm's
/// `kernel-isa` names) that `cpu` has.
std::string getKernelIsa(const llvm::MCSubtargetInfo &cpu);

/// How compile() lowers.
struct AotOptions {
  /// The function to compile.
  std::string entry = "main";
  /// The C function's name; empty: `qlip_<entry>`.
  std::string cName;
  /// LLVM's optimization level, 0 to 3.
  unsigned optLevel = 3;
  /// The target CPU: "native" (the host CPU with all its features) or an
  /// LLVM CPU name such as x86-64-v3.
  std::string targetCpu = "native";
  /// qlip-lower-to-llvm's options; null: the defaults. With a named CPU
  /// (not the host's), `kernel-isa=auto` becomes that CPU's best path.
  const LowerToLLVMOptions *lowering = nullptr;
  /// The model's file, named in the LLVM module.
  std::string sourceName = "model";

  /// The C name: `cName`, or `qlip_<entry>`.
  std::string getCName() const;
};

/// Checks the options that do not depend on the model (the optimization
/// level, the C name, the CPU), with messages naming the options as
/// qlip-aot and qlip-compile spell them.
llvm::Error checkOptions(const AotOptions &options);

/// Compiles `module`'s entry (the module is lowered in place) for the
/// options' CPU and writes what `kind` asks for into `out`: readCEntry,
/// prepareForLowering, symbol-dce and qlip-lower-to-llvm,
/// finishLoweredModule, then LLVM's optimizer and code generator. Errors
/// are emitted on the module's context; returns the entry for its header.
FailureOr<CEntry> compile(ModuleOp module, const AotOptions &options,
                          EmitKind kind, llvm::SmallVectorImpl<char> &out);

} // namespace mlir::qlip::aot

#endif // QLIP_AOT_AOTCOMPILER_H
