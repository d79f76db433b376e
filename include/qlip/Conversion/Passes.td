//===- Passes.td - qlip's conversions ----------------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The passes that move IR from qlip's dialect to upstream ones on the way
// to LLVM. `qlip-lower-to-llvm` (include/qlip/Pipelines) strings them
// together with the upstream conversions.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CONVERSION_PASSES_TD
#define QLIP_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def QlipToLinalgPass : Pass<"qlip-to-linalg"> {
  let summary = "Lower qlip ops on tensors to linalg, arith and math";
  let description = [{
    Replaces the qlip ops that compute something with the upstream ops that
    compute it, on tensors, so that the model bufferizes and lowers with the
    rest of the linalg code:

    - `qlip.fake_quant` becomes one `linalg.generic` computing exactly the
      op's semantics: for channel `c` (0 per tensor, the index along `axis`
      per axis)

      ```
      q = clamp(roundeven(x / s[c]) + z[c], qmin, qmax)
      y = (q - z[c]) * s[c]
      ```

      with `arith.divf`, `math.roundeven`, `arith.maximumf`/`minimumf` (NaN
      stays NaN, infinities clamp to the grid's ends) and `arith.mulf`.
      Per-axis scales and zero points are constant 1-D tensors read through
      the generic's indexing maps.

      The arithmetic is f32 when the input is f32 and every scale is an f32
      value of at least 2^-125; then a tie of the f32 quotient is resolved
      by the sign of the exact remainder `fma(-s, q, x)`, so the result is
      the exactly rounded quotient. Otherwise (scales that need more than
      f32, f64 inputs, f16 and bf16 inputs) it is f64, with one rounding to
      the element type at the end. Either way the result is bit-identical
      to the folder (`QParamsAttr::fakeQuantize`, which works in f64), NaN
      payloads aside.

    - `qlip.observe` becomes its input. Calibration (issue 5) replaces this
      pattern with one that streams the values to the statistics runtime,
      which is why it is a pattern of its own.

    ```mlir
    %y = qlip.fake_quant %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]],
           rule = max> : tensor<4xf32>
    // becomes
    %e = tensor.empty() : tensor<4xf32>
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %q = arith.divf %in, %scale : f32
      %r = math.roundeven %q : f32
      ...
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def EmitCInterfacePass : Pass<"qlip-emit-c-interface", "::mlir::ModuleOp"> {
  let summary = "Request C-interface wrappers for the public functions";
  let description = [{
    Puts `llvm.emit_c_interface` on every public `func.func` with a body,
    so that the conversion to LLVM also emits `_mlir_ciface_<name>`, which
    takes each memref as a pointer to its descriptor. That wrapper is the
    entry point `qlip-run`, the Runner library and C callers use.

    Private functions and declarations are left alone: a declaration with
    the attribute would make calls go to `_mlir_ciface_<name>` instead of
    `<name>`, which changes what the callee must provide.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // QLIP_CONVERSION_PASSES_TD
