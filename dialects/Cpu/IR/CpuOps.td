//===- CpuOps.td - the cpu dialect -------------------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_CPU_IR_CPUOPS_TD
#define QLIP_DIALECT_CPU_IR_CPUOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Cpu_Dialect : Dialect {
  let name = "cpu";
  let cppNamespace = "::mlir::cpu";
  let summary = "Layers on packed weights, run by qlip's CPU microkernels";
  let description = [{
    The `cpu` dialect holds a model's convolutions and matrix
    multiplications once their weights are packed, at compile time, into
    the tile layout of qlip's microkernels (`include/qlip/Kernels`): 16
    output channels by 4 reduction elements per block (VNNI's shape), 4-bit
    weights two per byte, channels and parameters padded to the tile.

    Each op is one layer: a convolution, a depthwise convolution, or a
    matrix multiplication written as a 1x1 convolution. The integer op
    carries the layer's requantization (integer TOSA's `tosa.rescale` and
    `tosa.clamp`) and computes exactly what that integer TOSA computes; its
    bias has the input zero point folded in. The ops work on tensors in
    destination-passing style, bufferize in place of their `outs` operand,
    and on buffers become calls of the kernels (`qlip-cpu-to-calls`).
  }];
}

class Cpu_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cpu_Dialect, mnemonic, traits # [
        DestinationStyleOpInterface,
        DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let hasVerifier = 1;
  code convExtraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
    /// The output channels: the init's last dimension.
    int64_t getOutputChannels() {
      return ::llvm::cast<::mlir::ShapedType>(getInit().getType())
          .getShape().back();
    }
  }];
  // The geometry every convolution shares: kernel [KH, KW], stride,
  // dilation, padding [top, bottom, left, right], the code path ("auto",
  // "generic", "avx2", "avx-vnni", "avx512-vnni") and the thread count (0: the
  // process default).
  dag convGeometry = (ins
    DenseI64ArrayAttr:$kernel,
    DenseI64ArrayAttr:$stride,
    DenseI64ArrayAttr:$dilation,
    DenseI64ArrayAttr:$pad,
    UnitAttr:$depthwise,
    DefaultValuedStrAttr<StrAttr, "auto">:$isa,
    DefaultValuedAttr<I64Attr, "0">:$threads);
}

def Cpu_QConv2DOp : Cpu_Op<"qconv2d"> {
  let summary = "Integer convolution with its fused requantization";
  let description = [{
    Integer TOSA's `tosa.conv2d` (or `tosa.depthwise_conv2d` with
    `depthwise`) on int8 NHWC activations with zero point `input_zp`,
    accumulated in int32 and requantized per output channel as
    `tosa.rescale` does (`apply_scale_32` with single or `double_round`
    rounding, then `output_zp`), clamped to [`output_min`, `output_max`]
    (the output type's range and any clamp that followed). The output is
    int8 bits, the unsigned values of a `ui8` output included.

    `weights` are the packed bytes (`weight_bits` 8 or 4); `bias` is the
    layer's bias minus the unsigned-view offset times each channel's weight
    sum (see `qlip::kernels::foldInputOffset`), and `bias`, `multiplier`
    and `shift` have one entry per output channel padded to 16. With
    `unfold_width` the weights are packed as a KH x 1 kernel over KW * C
    input channels (`qlip::kernels::shouldUnfoldWidth`): the kernel reads
    an input whose columns hold the KW columns of a window.

    ```mlir
    %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x28x28x1xi8>,
           tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>)
         outs(%init : tensor<1x28x28x16xi8>)
         {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>,
          dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>,
          input_zp = -9 : i64, weight_bits = 8 : i64, output_zp = -128 : i64,
          output_min = -128 : i64, output_max = 127 : i64}
         -> tensor<1x28x28x16xi8>
    ```
  }];
  let arguments = !con((ins
    AnyTypeOf<[RankedTensorOf<[I8]>, MemRefOf<[I8]>]>:$input,
    AnyTypeOf<[RankedTensorOf<[I8]>, MemRefOf<[I8]>]>:$weights,
    AnyTypeOf<[RankedTensorOf<[I32]>, MemRefOf<[I32]>]>:$bias,
    AnyTypeOf<[RankedTensorOf<[I32]>, MemRefOf<[I32]>]>:$multiplier,
    AnyTypeOf<[RankedTensorOf<[I8]>, MemRefOf<[I8]>]>:$shift,
    AnyTypeOf<[RankedTensorOf<[I8]>, MemRefOf<[I8]>]>:$init),
    convGeometry, (ins
    I64Attr:$input_zp,
    I64Attr:$weight_bits,
    I64Attr:$output_zp,
    I64Attr:$output_min,
    I64Attr:$output_max,
    UnitAttr:$double_round,
    UnitAttr:$unfold_width));
  let results = (outs Variadic<RankedTensorOf<[I8]>>:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $weights `,` $bias `,` $multiplier `,` $shift `:`
      type($input) `,` type($weights) `,` type($bias) `,` type($multiplier)
      `,` type($shift) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let extraClassDeclaration = convExtraClassDeclaration;
}

def Cpu_Conv2DOp : Cpu_Op<"conv2d"> {
  let summary = "Float convolution with bias and clamp";
  let description = [{
    `tosa.conv2d` (or `tosa.depthwise_conv2d` with `depthwise`) on f32 NHWC
    activations, plus bias, clamped to [`min`, `max`] (infinite when no
    clamp followed; NaN stays NaN). Sums use fused multiply-adds in tap,
    then input-channel order on every code path, so all paths and thread
    counts give the same bits.
  }];
  let arguments = !con((ins
    AnyTypeOf<[RankedTensorOf<[F32]>, MemRefOf<[F32]>]>:$input,
    AnyTypeOf<[RankedTensorOf<[F32]>, MemRefOf<[F32]>]>:$weights,
    AnyTypeOf<[RankedTensorOf<[F32]>, MemRefOf<[F32]>]>:$bias,
    AnyTypeOf<[RankedTensorOf<[F32]>, MemRefOf<[F32]>]>:$init),
    convGeometry, (ins
    F32Attr:$min,
    F32Attr:$max));
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $weights `,` $bias `:` type($input) `,`
      type($weights) `,` type($bias) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let extraClassDeclaration = convExtraClassDeclaration;
}

#endif // QLIP_DIALECT_CPU_IR_CPUOPS_TD
