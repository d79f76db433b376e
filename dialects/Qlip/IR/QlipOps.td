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

#endif // QLIP_DIALECT_QLIP_IR_QLIPOPS_TD
