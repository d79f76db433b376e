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

def LowerObserversToCallsPass
    : Pass<"qlip-lower-observers-to-calls", "::mlir::ModuleOp"> {
  let summary = "Turn each observer into a call that reports its values";
  let description = [{
    What calibration compiles instead of the identity `qlip-to-linalg` gives
    an observer. Every `qlip.observe "id" %x` becomes

    ```mlir
    %index = arith.constant 3 : i64
    %u = tensor.cast %x : tensor<1x8x8x8xf32> to tensor<*xf32>
    func.call @qlip_calibration_observe(%index, %u) : (i64, tensor<*xf32>) -> ()
    ```

    and its uses read `%x`. The cast to an unranked tensor lets one runtime
    function take every rank; after bufferization the call passes a
    `memref<*xf32>`, which the default LLVM calling convention splits into
    the rank and a pointer to the ranked descriptor (sizes and strides, so
    strided views need no copy), i.e. the C function

    ```c
    void qlip_calibration_observe(int64_t index, int64_t rank, void *desc);
    ```

    The callee is declared `private` with `bufferization.access = "read"`
    on the tensor, so bufferization neither copies the value nor assumes
    the callee writes it. Observers are numbered from 0 by id, in order of
    first appearance (functions in module order, ops in program order);
    observers sharing an id share an index, as they share an entry of the
    statistics file. An observer of another float type is first converted
    to f32 (`arith.extf`/`arith.truncf` in a `linalg.generic`).

    It is an error when `callee` names an existing symbol that is not a
    function of type `(i64, tensor<*xf32>) -> ()`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"callee", "callee", "std::string",
           "\"qlip_calibration_observe\"",
           "The runtime function each observer calls">
  ];
}

def CheckLowerablePass : Pass<"qlip-check-lowerable"> {
  let summary = "Diagnose TOSA that qlip-lower-to-llvm cannot lower";
  let description = [{
    The first pass of `qlip-lower-to-llvm`. It finds what the upstream
    conversions would reject only with "failed to legalize operation", and
    says why instead, on each such op; then the pass fails.

    - `tosa.rescale` with `rounding_mode = INEXACT_ROUND`: tosa-to-linalg
      implements `SINGLE_ROUND` and `DOUBLE_ROUND` only. The specification
      lets an implementation return any value within a bound of the exact
      result for `INEXACT_ROUND`, and `SINGLE_ROUND`'s results are within
      it, so a model can say `SINGLE_ROUND` instead.

    Everything else passes unchanged.
  }];
}

def ParallelInnermostPass : Pass<"qlip-parallel-innermost"> {
  let summary = "Make a contiguous parallel loop the innermost loop of linalg "
                "reductions";
  let description = [{
    `convert-linalg-to-loops` nests the loops of a linalg op in the order
    of its iterators, which for a matmul, a convolution or a pool puts the
    reduction innermost: a chain of dependent additions LLVM cannot
    vectorize without reassociating them. This pass moves the parallel
    loop of the output's innermost (contiguous) dimension inside the
    reductions, e.g. a matmul's `(b, m, n, k)` becomes `(b, m, k, n)` and a
    `conv_2d_nhwc_hwcf` iterates the output channels innermost, so the
    innermost loop is an independent multiply-add over contiguous memory
    that LLVM vectorizes.

    Each output element still accumulates its reduction in the same order
    (the reduction loops keep their relative order and the moved loop is
    parallel), so the results are bit-identical.

    The innermost loop must walk every operand it indexes contiguously.
    On buffers, an input that it indexes along another dimension (the
    `[F, KH, KW, C]` weights of `conv_2d_nhwc_fhwc`) is first copied,
    with `linalg.transpose` into a new buffer freed after the op, with that
    dimension innermost, when the input is static and the op iterates at
    least 16 times per element copied. An op is left alone when this is not
    possible, when it does not have exactly one output and a reduction,
    when its loops are already in that order, and when it is a named op
    that cannot be generalized; the others are generalized and reordered.
    Runs on any op; typically on functions after bufferization, before
    `convert-linalg-to-loops`.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def QuantizeToTosaPass : Pass<"qlip-quantize", "::mlir::ModuleOp"> {
  let summary = "Turn a fake-quantized TOSA model into integer TOSA";
  let description = [{
    Stage 5 of the pipeline. Reads the `qlip.fake_quant` ops that
    `qlip-quantize-weights` and `qlip-quantize-activations` placed and
    rewrites every function so that it computes in integers, as an integer
    TOSA implementation would run it (`docs/design.md`, "The integer
    lowering"):

    - the activation `qlip.fake_quant` at a function input becomes
      `qlip.quantize` (the same rounding, to `i8`/`i16` storage; an
      unsigned 8-bit grid is stored in `i8` with its zero point moved down
      by 128), and every integer value a function returns is
      `qlip.dequantize`d, so the signature stays float; with `integer-io`
      the function takes and returns the integers instead;
    - `tosa.conv2d`, `tosa.depthwise_conv2d`, `tosa.transpose_conv2d` and
      `tosa.matmul` with a quantized input and a fake-quantized constant
      weight take the weight as per-channel `i8` levels (`i4` at 4 bits or
      fewer under EXT-INT4, convolutions only; matmul operands share one
      type), the input's zero point as an operand, and accumulate in `i32`
      (`i48` after 16-bit activations, EXT-INT16). The float bias, and any
      per-channel constant added after the layer (a fully-connected bias),
      becomes an `i32` bias at `s_x * s_w[c]`; a bias too large for the
      accumulator raises that channel's weight scale until it fits, with a
      warning;
    - the next `qlip.fake_quant` requantizes the accumulator with one
      `tosa.rescale` per layer (per-channel multipliers and shifts as
      TFLite's QuantizeMultiplier computes them; `rounding-mode` single,
      the default, or double, TFLite's), and the
      `tosa.clamp`s between them (ReLU, ReLU6, a PACT alpha) fold into
      its output range; a sub-8-bit grid adds a `tosa.clamp` to its levels
      (not after a per-tensor rescale of a quantized value whose source
      grid's end levels already land inside them: apply_scale_32 is
      monotone, so nothing can clip);
    - `tosa.add` and `tosa.sub` rescale both inputs to a common int32
      scale (2^-(29-bits) of the coarser input's), `tosa.mul` multiplies
      the centred levels in int32; `tosa.max_pool2d` runs on the levels;
      an unpadded `tosa.avg_pool2d` sums its windows in int32 (a depthwise
      conv of ones) and lets the requantization divide, a padded one is
      TOSA's integer average pool; `tosa.concat` rescales its inputs to one
      grid; `tosa.reshape`, `tosa.transpose`, `tosa.slice`, `tosa.pad`
      (padding with the zero point) and `tosa.identity` pass the scale
      through.

    Any other op stays float: its quantized operands are dequantized and
    its result quantized again where the model has a `qlip.fake_quant`. The
    report lists these ops; with `strict` each of them is an error.

    With `attach-target` (the default) the module gets the
    `tosa.target_env` the integer model needs, for `tosa-validate`: profile
    `pro_int` (and `pro_fp` when float ops remain), the extensions the
    model uses (`int4`, `int16`, `doubleround`), specification 1.0 and
    level `none` (MLIR 22's 8K level check counts `tosa.pad`'s padding
    shape of a 4-D tensor as a rank-8 tensor). With `validate` the pass
    runs `tosa-validate` (strict alignment with the specification) against
    that target. A target with no extensions is removed again afterwards:
    MLIR 22 prints its empty list as `extensions = []`, which its parser
    rejects.
  }];
  let dependentDialects = [
    "::mlir::qlip::QlipDialect",
    "::mlir::tosa::TosaDialect"
  ];
  let options = [
    Option<"roundingMode", "rounding-mode", "::mlir::qlip::RoundingMode",
           "::mlir::qlip::RoundingMode::Single", "tosa.rescale rounding",
           [{::llvm::cl::values(
             clEnumValN(::mlir::qlip::RoundingMode::Double, "double",
                        "DOUBLE_ROUND: TFLite's gemmlowp rounding"),
             clEnumValN(::mlir::qlip::RoundingMode::Single, "single",
                        "SINGLE_ROUND: one round half up"))}]>,
    Option<"int4Weights", "int4-weights", "bool", "true",
           "Store convolution weights of 4 bits or fewer as i4 (TOSA "
           "EXT-INT4); otherwise as i8">,
    Option<"integerIO", "integer-io", "bool", "false",
           "Take and return the integer levels instead of float at the "
           "function boundary">,
    Option<"strict", "strict", "bool", "false",
           "Fail on any compute op that would stay float">,
    Option<"attachTarget", "attach-target", "bool", "true",
           "Attach the tosa.target_env (profiles, extensions) the integer "
           "model needs">,
    Option<"validate", "validate", "bool", "false",
           "Run tosa-validate on the result against that target">,
    Option<"reportFile", "report", "std::string", "\"\"",
           "Write the layers, rescales and float ops as JSON to this file "
           "(`-` for stdout)">,
    Option<"printReport", "print-report", "bool", "false",
           "Print the report as a table on stderr">
  ];
}

def TosaToNpuPass : Pass<"qlip-tosa-to-npu", "::mlir::ModuleOp"> {
  let summary = "Put the integer TOSA layers the npu target can run on it";
  let description = [{
    Rewrites each layer of the integer TOSA that `qlip-quantize` writes,
    `tosa.conv2d`, `tosa.depthwise_conv2d` or `tosa.matmul` with constant
    weights and bias, i32 accumulation, followed by its `tosa.rescale` to
    i8 (and a `tosa.clamp`, or for a matmul a bias `tosa.add` and a
    `tosa.reshape` that keeps the channels innermost), into one npu layer
    op with the fused requantize-and-clamp epilogue. The weights' width is
    the narrowest the target supports that holds their levels (2, 4 or 8
    bits; i4 weights are widened to i8 storage).

    The module must carry an `npu.target`, or `target` gives one
    (`target="#npu.target<...>"`), which the pass attaches. A layer stays on the host (as
    TOSA) when its rescale uses DOUBLE_ROUND (the requantize unit rounds
    once), when its input is 16-bit, when its weights are not constant or
    its shapes dynamic, or when no supported width holds them; `print-report` lists every layer
    and where it runs.
  }];
  let dependentDialects = ["::mlir::npu::NpuDialect"];
  let options = [
    Option<"printReport", "print-report", "bool", "false",
           "Print where each layer runs on stderr">,
    Option<"target", "target", "std::string", "\"\"",
           "The #npu.target to compile for, attached to a module that has "
           "none">
  ];
}

def NpuToTosaPass : Pass<"qlip-npu-to-tosa"> {
  let summary = "Write npu layer ops as the integer TOSA they compute";
  let description = [{
    The functional definition of the npu's tensor-level layers, as integer
    TOSA: `tosa.conv2d`, `tosa.depthwise_conv2d` or `tosa.matmul` (plus a
    bias `tosa.add`) with i32 accumulation, a SINGLE_ROUND `tosa.rescale`
    with the layer's multipliers and shifts, and a `tosa.clamp` when the
    clamp range is narrower than i8. `qlip-lower-to-llvm` runs it first, so
    qlip-run executes models with npu ops on the CPU; the tests compare
    them with the integer TOSA they came from, bit for bit.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}


def TosaToCpuPass : Pass<"qlip-tosa-to-cpu"> {
  let summary = "Pack each layer's weights for qlip's CPU kernels";
  let description = [{
    Rewrites each convolution, depthwise convolution and matrix
    multiplication with constant weights into a `cpu` dialect op whose
    weights are packed at compile time into the kernels' tile layout
    (`include/qlip/Kernels/Kernels.h`: 16 output channels by 4 reduction
    elements, i4 weights two per byte):

    - **Integer layers**, read back from the `tosa.rescale` that ends them
      (`qlip::matchQuantizedLayer`: conv2d, depthwise_conv2d with channel
      multiplier 1, or matmul with a batch of 1, on int8 inputs, i8 or i4
      weights with zero point 0, an optional bias add and reshape), become
      `cpu.qconv2d` with the requantization fused: the rescale (32-bit
      multipliers, shifts 2 to 62, single or double rounding, signed input,
      int8 output) and a following `tosa.clamp` on a signed output. i4
      weights are packed two per byte where the layer's weights are
      larger than `nibble-min-bytes` at a byte each (and the reduction
      short enough for the kernels' exact sums), else a byte each. The
      input zero point and the kernels' unsigned view (+128) are folded
      into the bias at compile time as bias - offset * sum(w), wrapping in
      int32 as the accumulator does, so the result is bit for bit what the
      integer TOSA computes. A matmul [1, M, K] x [1, K, N] is a 1x1
      convolution over an M-pixel row.
    - **Float layers** (with `float`): conv2d, depthwise_conv2d and matmul
      on f32 with constant weights and bias (zero points 0) become
      `cpu.conv2d`, with a directly following `tosa.clamp` fused.

    Everything else, and any layer that does not match, is left to the
    generic lowering.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"auto\"",
           "Kernel code path: auto (the CPU's best, chosen at run time), "
           "generic, avx2, avx-vnni or avx512-vnni">,
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "Threads per layer (0: the process default, "
           "qlip_set_num_threads)">,
    Option<"packFloat", "float", "bool", /*default=*/"true",
           "Also run float convolutions and matmuls on the kernels">,
    Option<"nibbleMinBytes", "nibble-min-bytes", "int64_t",
           /*default=*/"16384",
           "4-bit weights stay two per byte only in layers whose weights "
           "at a byte each take more than this many bytes: smaller ones "
           "stay in the L1 cache, where unpacking nibbles costs time and "
           "saves no memory traffic (0: always two per byte)">,
  ];
  let dependentDialects = ["::mlir::cpu::CpuDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def CpuToCallsPass : Pass<"qlip-cpu-to-calls", "::mlir::ModuleOp"> {
  let summary = "Turn cpu ops on buffers into calls of qlip's kernels";
  let description = [{
    Each bufferized `cpu.qconv2d` or `cpu.conv2d` becomes a `func.call` of
    `qlip_qconv2d` or `qlip_conv2d_f32` (declared private with
    `llvm.emit_c_interface`, so the call goes to
    `_mlir_ciface_qlip_qconv2d` with one memref descriptor pointer per
    operand; libQlipKernels defines it). Its first operand is a constant
    global holding the layer's descriptor (`qlip_conv_field`); every buffer
    is passed flattened to 1-D. A buffer that is not contiguous is copied
    to one that is (and back, for the output).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def StridedCopiesToLinalgPass : Pass<"qlip-strided-copies-to-linalg"> {
  let summary = "Copy strided buffers with loops that LLVM vectorizes";
  let description = [{
    Rewrites each `memref.copy` whose source or target is not one
    contiguous row-major block (the interior of a padded tensor, a slice)
    into `linalg.copy`, which becomes loops whose innermost one runs over
    the contiguous dimension. Left as it is, MemRefToLLVM lowers such a copy
    to a call of `memrefCopy`, which copies one element per `memcpy`: the
    padding before a max pool cost ResNet-18 more than a tenth of its time.
    Contiguous copies stay `memref.copy` (one `memcpy`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def PlanBuffersPass : Pass<"qlip-plan-buffers", "::mlir::ModuleOp"> {
  let summary = "Place each function's temporary buffers in one planned arena";
  let description = [{
    Gives every statically shaped `memref.alloc` of the function's body
    (not inside a loop or branch) whose buffer does not escape an offset in
    one arena, planned at compile time from the buffers' live ranges (from
    the alloc to the last use of the buffer or of a view of it): buffers
    whose lives do not overlap share bytes. Each alloc becomes a
    `memref.view` of the arena at its offset (64-byte aligned) and its
    `memref.dealloc` goes.

    The arena is one `memref.alloc` per call, or with `runtime-arena` the
    calling thread's buffer from qlip's runtime (`qlip_arena` in
    `libQlipKernels`), which keeps it across calls: no allocation, and no
    page faults on fresh memory, once the largest model has run. A function
    that calls another function of the module, or is called by one, takes
    a per-call arena (the thread's serves one call at a time). A buffer
    that escapes (returned, yielded) keeps its own allocation, and so does
    one that a linalg op with a reduction reads or writes: LLVM vectorizes
    such a loop nest only if it can tell its buffers apart, which views of
    one arena prevent.
  }];
  let options = [
    Option<"runtimeArena", "runtime-arena", "bool", /*default=*/"true",
           "Take the arena from qlip's runtime (kept across calls) "
           "instead of allocating it per call">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // QLIP_CONVERSION_PASSES_TD
