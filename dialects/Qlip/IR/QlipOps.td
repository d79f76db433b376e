//===- QlipOps.td - qlip operations ------------------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_IR_QLIPOPS_TD
#define QLIP_DIALECT_QLIP_IR_QLIPOPS_TD

include "dialects/Qlip/IR/QlipBase.td"
include "dialects/Qlip/IR/QlipAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// The tensors qlip observes and fake-quantizes: ranked float tensors.
def Qlip_FloatTensor : RankedTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

def Qlip_ObserveOp : Qlip_Op<"observe", [Pure, SameOperandsAndResultType]> {
  let summary = "Marks an activation whose values calibration records";
  let description = [{
    Identity on `input`. The calibration run records the values that pass
    through it under the stable string `id`, which names the observer in the
    statistics file (so the id must survive reordering of the IR, and is
    derived from names or locations, never from op order). Once statistics
    are applied, the observer carries them in `stats`.

    Example:

    ```mlir
    %0 = qlip.observe "conv1.out" %x : tensor<1x8x8x16xf32>
    %1 = qlip.observe "conv1.out" %x stats <count = 16,
           min = 0.0, max = 2.0, mean = 1.0, mad = 0.5, stddev = 0.5,
           kurtosis = 1.8> : tensor<1x8x8x16xf32>
    ```
  }];
  let arguments = (ins
    Qlip_FloatTensor:$input,
    StrAttr:$id,
    OptionalAttr<Qlip_StatsAttr>:$stats
  );
  let results = (outs Qlip_FloatTensor:$output);
  let assemblyFormat = [{
    $id $input (`stats` $stats^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// FakeQuantOp
//===----------------------------------------------------------------------===//

def Qlip_FakeQuantOp : Qlip_Op<"fake_quant",
    [Pure, SameOperandsAndResultType]> {
  let summary = "Quantizes and dequantizes a float tensor, in float";
  let description = [{
    Rounds every element of `input` to the grid of `qparams` and back:

    ```
    c = (qparams is per-axis) ? index of the element along axis : 0
    q = clamp(round_half_to_even(x / scales[c]) + zero_points[c], qmin, qmax)
    y = (q - zero_points[c]) * scales[c]
    ```

    so the float model still runs with the error of the chosen quantization,
    and the integer lowering later reads the parameters from here. The
    parameters print without their `#qlip.qparams` prefix. With
    per-axis parameters, `axis` must be a dimension of `input` and the number
    of scales must equal its size.

    When `input` is a constant (a weight) the op folds to the fake-quantized
    constant.

    Example:

    ```mlir
    %w = qlip.fake_quant %cst with <i8 narrow, axis = 0,
           scales = [0.01, 0.02], clip = [[-1.27, 1.27], [-2.54, 2.54]],
           rule = max> : tensor<2x3x3x4xf32>
    ```
  }];
  let arguments = (ins
    Qlip_FloatTensor:$input,
    Qlip_QParamsAttr:$qparams
  );
  let results = (outs Qlip_FloatTensor:$output);
  let assemblyFormat = "$input `with` $qparams attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// QuantizeOp, DequantizeOp
//===----------------------------------------------------------------------===//

/// The integer tensors quantize produces and dequantize reads: signless
/// 8-, 16- or 32-bit integers (the storage of a qparams grid).
def Qlip_StorageTensor : RankedTensorOf<[I8, I16, I32]>;

def Qlip_QuantizeOp : Qlip_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Quantizes a float tensor to its integer storage";
  let description = [{
    The first half of `qlip.fake_quant`, bit for bit:

    ```
    q = clamp(round_half_to_even(x / scales[c]) + zero_points[c], qmin, qmax)
    ```

    The result holds the levels in a signless integer type whose signed
    range contains the grid's `[qmin, qmax]`: an unsigned 8-bit grid is
    stored in `i8` by moving its zero point down by 128 first (qlip-quantize
    does so), a 4-bit grid in `i8` as it is. A NaN becomes the zero point.
    qlip-quantize puts one on every function input that the integer model
    reads, so the function keeps its float signature.

    Example:

    ```mlir
    %q = qlip.quantize %x with <i8, scales = [0.0235], zero_points = [-128],
           clip = [[0.0, 6.0]], rule = pact>
           : tensor<1x8x8x1xf32> to tensor<1x8x8x1xi8>
    ```
  }];
  let arguments = (ins Qlip_FloatTensor:$input, Qlip_QParamsAttr:$qparams);
  let results = (outs Qlip_StorageTensor:$output);
  let assemblyFormat = [{
    $input `with` $qparams attr-dict `:` type($input) `to` type($output)
  }];
  let hasVerifier = 1;
}

def Qlip_DequantizeOp : Qlip_Op<"dequantize",
    [Pure, SameOperandsAndResultShape]> {
  let summary = "Dequantizes integer levels to float";
  let description = [{
    The second half of `qlip.fake_quant`: `y = (q - zero_points[c]) *
    scales[c]`, computed as `qlip.fake_quant` computes it, so
    `dequantize(quantize(x))` is bit-identical to `fake_quant(x)`.
    qlip-quantize puts one on every integer value a function returns, and
    on every integer value an op that stays float reads.

    Example:

    ```mlir
    %y = qlip.dequantize %q with <i8, scales = [0.0055], zero_points = [-38],
           clip = [[-0.5, 0.9]], rule = max> : tensor<1x10xi8> to tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Qlip_StorageTensor:$input, Qlip_QParamsAttr:$qparams);
  let results = (outs Qlip_FloatTensor:$output);
  let assemblyFormat = [{
    $input `with` $qparams attr-dict `:` type($input) `to` type($output)
  }];
  let hasVerifier = 1;
}

#endif // QLIP_DIALECT_QLIP_IR_QLIPOPS_TD
