//===- Runner.h - JIT-run a function on .npy arrays -------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Compiles a module with `qlip-lower-to-llvm` into an ExecutionEngine and
// calls one of its functions on NpyArrays. The function's signature is read
// from the module as written (tensor types), before lowering, so arity,
// dtypes and shapes are checked against what the model says, and every
// mismatch is an llvm::Error that names the argument.
//
// What qlip-run, calibration and the tests use:
//
//   auto runner = Runner::create(module, "main");
//   if (!runner) ...                       // error: no such function, ...
//   auto outputs = (*runner)->run(inputs); // std::vector<NpyArray>
//
// Calling convention (see docs/design.md): the pipeline turns results into
// out-parameters after the inputs and emits `_mlir_ciface_<entry>`, which
// takes a pointer to one memref descriptor per input and output. The runner
// builds those descriptors for any rank, pointing into the NpyArrays' own
// storage (no copies), and calls the wrapper through
// ExecutionEngine::invokePacked.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_RUNTIME_RUNNER_H
#define QLIP_RUNTIME_RUNNER_H

#include "qlip/Runtime/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class OpPassManager;
namespace qlip {

/// One tensor argument or result of the entry function.
struct TensorSpec {
  /// The tensor's element type in the model (f32, i8, ui8, i1, ...).
  Type elementType;
  /// The .npy dtype that holds it. A signless i8 tensor also accepts u8
  /// data (the same bytes; TOSA's `input_unsigned` reads them unsigned).
  NpyDType dtype = NpyDType::F32;
  /// Static dimensions, outermost first.
  llvm::SmallVector<int64_t> shape;

  size_t numElements() const;
  /// True if an array of `dtype` can be passed for this tensor.
  bool accepts(NpyDType dtype) const;
  /// The tensor type as MLIR prints it: "tensor<1x8xf32>".
  std::string str() const;
  /// A zero-filled array of this shape and dtype.
  NpyArray makeArray() const;
};

/// How the runner compiles.
struct RunnerOptions {
  /// LLVM optimization level of the JIT-compiled code (0 to 3).
  unsigned optLevel = 3;
  /// Builds the lowering to the LLVM dialect into a pass manager on
  /// `builtin.module`. Empty: `qlip-lower-to-llvm` with default options.
  /// Calibration swaps in a pipeline that lowers observers differently.
  std::function<void(OpPassManager &)> buildPipeline;
  /// Extra symbols the compiled code may call (name -> address), such as
  /// the statistics callbacks of calibration.
  llvm::StringMap<void *> symbols;
};

/// A compiled entry function, ready to run any number of times. Not
/// thread-safe: run() calls must not overlap.
class Runner {
public:
  /// Lowers a clone of `module` (the caller's module is not modified) and
  /// JIT-compiles it; only `entry` and the functions it calls are compiled,
  /// so other functions need not lower. `module`'s context gets the
  /// bufferization models and LLVM IR translations the pipeline needs. Fails
  /// with a message naming the problem when `entry` is missing, private or a
  /// declaration, when an argument or result is not a statically shaped tensor
  /// of an element type .npy files hold (f32, f64, i8, ui8, i16, i32, i64, i1),
  /// or when lowering or compilation fails (the diagnostics are in the
  /// message).
  static llvm::Expected<std::unique_ptr<Runner>>
  create(ModuleOp module, llvm::StringRef entry,
         const RunnerOptions &options = {});

  ~Runner();

  llvm::StringRef getEntry() const { return entry; }
  llvm::ArrayRef<TensorSpec> getInputs() const { return inputs; }
  llvm::ArrayRef<TensorSpec> getOutputs() const { return outputs; }

  /// Checks `arrays` against the inputs: arity, then per input its dtype
  /// and shape. The message names the input ("input #1 of 'main'") and
  /// says what was expected.
  llvm::Error checkInputs(llvm::ArrayRef<NpyArray> arrays) const;

  /// Runs the function on `arrays` and returns one array per result.
  llvm::Expected<std::vector<NpyArray>> run(llvm::ArrayRef<NpyArray> arrays);

  /// Runs the function, writing into `results`, which must already have
  /// the results' dtypes and shapes (TensorSpec::makeArray); for callers
  /// that reuse their buffers across batches.
  llvm::Error run(llvm::ArrayRef<NpyArray> arrays,
                  llvm::MutableArrayRef<NpyArray> results);

  /// Runs the rows of `samples` (checked by checkSampleArrays: [N, ...] per
  /// input) through the function a batch (the inputs' dim 0) at a time,
  /// zero-padding the last batch, and returns each result's rows
  /// concatenated ([N, ...]; the padding's results dropped). Every result
  /// must have the batch as its dim 0. `progress` is called after each
  /// batch with the rows done and N.
  llvm::Expected<std::vector<NpyArray>>
  runRows(llvm::ArrayRef<NpyArray> samples,
          llvm::function_ref<void(int64_t, int64_t)> progress = {});

private:
  Runner() = default;

  std::string entry;
  llvm::SmallVector<TensorSpec> inputs;
  llvm::SmallVector<TensorSpec> outputs;
  std::unique_ptr<ExecutionEngine> engine;
};

/// The TensorSpec of a type from a function signature, or an error that
/// starts with `what` ("argument #0 of 'main'") when the runner cannot pass
/// it: not a ranked tensor, a dynamic shape, or an element type without an
/// .npy dtype.
llvm::Expected<TensorSpec> getTensorSpec(Type type, llvm::StringRef what);

/// Checks that `samples` can run through `runner` in batches of its inputs'
/// dim 0: one array per input, in order, each with the input's dtype and
/// of shape [N, ...] (the input's dimensions after dim 0), the same N >= 1
/// for all. `names` (one per array) name them in messages, `arrays` says
/// what they are ("calibration array(s)") and `purpose` what needs them
/// ("calibration").
llvm::Error checkSampleArrays(const Runner &runner,
                              llvm::ArrayRef<NpyArray> samples,
                              llvm::ArrayRef<std::string> names,
                              llvm::StringRef arrays, llvm::StringRef purpose);

} // namespace qlip
} // namespace mlir

#endif // QLIP_RUNTIME_RUNNER_H
