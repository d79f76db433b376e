//===- NpuOps.td - npu operations --------------------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUOPS_TD
#define QLIP_DIALECT_NPU_IR_NPUOPS_TD

include "dialects/Npu/IR/NpuBase.td"
include "dialects/Npu/IR/NpuAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Npu_I8Tensor : RankedTensorOf<[I8]>;
def Npu_I32Tensor : RankedTensorOf<[I32]>;

defvar Npu_LayerArgs = (ins
  Npu_I8Tensor:$input,
  Npu_I8Tensor:$weight,
  Npu_I32Tensor:$bias,
  Npu_I32Tensor:$multiplier,
  Npu_I8Tensor:$shift,
  I64Attr:$input_zp,
  I64Attr:$output_zp,
  I64Attr:$weight_bits,
  I64Attr:$clamp_min,
  I64Attr:$clamp_max
);

/// The operands and attributes every MAC-array layer shares: its integer
/// semantics are TOSA's convolution or matmul with i32 accumulation, then
/// the requantize unit's per-channel SINGLE_ROUND rescale and clamp.
class Npu_LayerOp<string mnemonic, string layerSummary, string layout>
    : Npu_Op<mnemonic, [Pure]> {
  let summary = layerSummary # " with a fused requantize-and-clamp epilogue";
  let description = [{
    On the MAC array:

    ```
    acc[c]  = sum((input - input_zp) * weight) + bias[c]          (int32)
    out[c]  = clamp(apply_scale_32(acc[c], multiplier[c], shift[c])
                    + output_zp, clamp_min, clamp_max)              (int8)
    ```

    with TOSA's `apply_scale_32` and single rounding; `multiplier` and
    `shift` have one entry per output channel or one for all. Weights are
    stored in i8 and hold `weight_bits`-bit levels (symmetric, narrow
    range: |w| <= 2^(weight_bits-1) - 1), which the MAC array reads at
    that width. }] # layout # [{

    The verifier checks the element types, the shapes, the epilogue's
    ranges, that a constant weight's levels fit `weight_bits`, and, when the
    module has an `npu.target`, that the array supports `weight_bits`.
  }];
  let arguments = Npu_LayerArgs;
  let results = (outs Npu_I8Tensor:$output);
  let hasVerifier = 1;
}

def Npu_Conv2DOp : Npu_LayerOp<"conv2d", "2-D convolution", [{

    Layout: input NHWC, weight OHWI, output NHWC; `pad` is [top, bottom,
    left, right].
  }]> {
  let arguments = !con(Npu_LayerArgs, (ins
    DenseI64ArrayAttr:$pad,
    DenseI64ArrayAttr:$stride,
    DenseI64ArrayAttr:$dilation
  ));
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $multiplier `,` $shift attr-dict `:`
    `(` type($input) `,` type($weight) `,` type($bias) `,` type($multiplier)
    `,` type($shift) `)` `->` type($output)
  }];
}

def Npu_DepthwiseConv2DOp : Npu_LayerOp<"depthwise_conv2d",
    "Depthwise 2-D convolution", [{

    Layout: input NHWC, weight HWCM (channel multiplier M), output NHWC
    with channel c * M + m.
  }]> {
  let arguments = !con(Npu_LayerArgs, (ins
    DenseI64ArrayAttr:$pad,
    DenseI64ArrayAttr:$stride,
    DenseI64ArrayAttr:$dilation
  ));
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $multiplier `,` $shift attr-dict `:`
    `(` type($input) `,` type($weight) `,` type($bias) `,` type($multiplier)
    `,` type($shift) `)` `->` type($output)
  }];
}

def Npu_MatmulOp : Npu_LayerOp<"matmul", "Batched matrix multiply", [{

    Layout: input [N, H, K], weight [N, K, W], output [N, H, W]; the
    channels are W.
  }]> {
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $multiplier `,` $shift attr-dict `:`
    `(` type($input) `,` type($weight) `,` type($bias) `,` type($multiplier)
    `,` type($shift) `)` `->` type($output)
  }];
}

def Npu_MaxPool2DOp : Npu_Op<"max_pool2d", [Pure, SameOperandsAndResultElementType]> {
  let summary = "2-D max pool on the levels";
  let description = [{
    TOSA's `max_pool2d` on i8 levels (quantization is monotone, so the
    pool needs no requantization): NHWC, `kernel` and `stride` of 2,
    `pad` [top, bottom, left, right], padding never chosen.
  }];
  let arguments = (ins Npu_I8Tensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$pad);
  let results = (outs Npu_I8Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Npu_AddOp : Npu_Op<"add", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise add of two quantized tensors, with rescale";
  let description = [{
    The requantize unit's elementwise path, as qlip's integer TOSA writes
    an add: each input moved to a common int32 scale, summed, and
    requantized, every rescale SINGLE_ROUND with TOSA's apply_scale_32:

    ```
    a' = apply_scale_32(a - a_zp, a_multiplier, a_shift)
    b' = apply_scale_32(b - b_zp, b_multiplier, b_shift)
    out = clamp(apply_scale_32(a' + b', multiplier, shift) + output_zp,
                clamp_min, clamp_max)
    ```
  }];
  let arguments = (ins Npu_I8Tensor:$a, Npu_I8Tensor:$b,
    I64Attr:$a_zp, I64Attr:$a_multiplier, I64Attr:$a_shift,
    I64Attr:$b_zp, I64Attr:$b_multiplier, I64Attr:$b_shift,
    I64Attr:$multiplier, I64Attr:$shift, I64Attr:$output_zp,
    I64Attr:$clamp_min, I64Attr:$clamp_max);
  let results = (outs Npu_I8Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` `(` type($a) `,` type($b) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def Npu_RescaleOp : Npu_Op<"rescale", [Pure, SameOperandsAndResultShape]> {
  let summary = "Per-tensor requantization of a quantized tensor";
  let description = [{
    The requantize unit's elementwise path on one tensor, as qlip's integer
    TOSA writes a lone `tosa.rescale` between two grids (after a max pool,
    say), SINGLE_ROUND with TOSA's apply_scale_32:

    ```
    out = clamp(apply_scale_32(a - input_zp, multiplier, shift) + output_zp,
                clamp_min, clamp_max)
    ```
  }];
  let arguments = (ins Npu_I8Tensor:$input, I64Attr:$input_zp,
    I64Attr:$multiplier, I64Attr:$shift, I64Attr:$output_zp,
    I64Attr:$clamp_min, I64Attr:$clamp_max);
  let results = (outs Npu_I8Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

include "dialects/Npu/IR/NpuBufferOps.td"

#endif // QLIP_DIALECT_NPU_IR_NPUOPS_TD
