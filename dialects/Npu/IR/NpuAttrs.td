//===- NpuAttrs.td - npu attributes ------------------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUATTRS_TD
#define QLIP_DIALECT_NPU_IR_NPUATTRS_TD

include "dialects/Npu/IR/NpuBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

/// A `[a, b, ...]` list of integers.
def Npu_I64ListParameter : ArrayRefParameter<"int64_t", "a list of integers"> {
  let parser = [{ ::mlir::npu::parseI64List($_parser) }];
  let printer = [{ ::mlir::npu::printI64List($_printer, $_self) }];
}

def Npu_TargetAttr : Npu_Attr<"Target", "target"> {
  let summary = "The accelerator a model is compiled for";
  let description = [{
    - `rows`, `cols`: the MAC array (output channels by input channels per
      cycle at 8 bits);
    - `widths`: the operand widths the array supports, a subset of 2, 4 and
      8 bits, increasing. At w bits each MAC does 8 / w multiplies per cycle
      (the packing the PACT paper's area argument buys);
    - `scratchpad`, `weight_buffer`: on-chip activation and weight memory,
      in bytes;
    - `dram_bytes_per_cycle`: DMA bandwidth;
    - `clock_mhz`: the clock, for times in the cycle model.

    ```mlir
    module attributes {npu.target = #npu.target<rows = 16, cols = 16,
        widths = [2, 4, 8], scratchpad = 262144, weight_buffer = 131072,
        dram_bytes_per_cycle = 16, clock_mhz = 500>} { ... }
    ```
  }];
  let parameters = (ins
    "int64_t":$rows,
    "int64_t":$cols,
    Npu_I64ListParameter:$widths,
    "int64_t":$scratchpad,
    "int64_t":$weight_buffer,
    "int64_t":$dram_bytes_per_cycle,
    "int64_t":$clock_mhz
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The name of the module attribute that holds the target.
    static constexpr ::llvm::StringLiteral getAttrName() { return "npu.target"; }
    /// Whether the array takes `bits`-bit operands.
    bool supportsWidth(unsigned bits) const {
      return ::llvm::is_contained(getWidths(), static_cast<int64_t>(bits));
    }
    /// The target of the module around `op`, or null.
    static TargetAttr lookup(::mlir::Operation *op);
  }];
}

def Npu_TileAttr : Npu_Attr<"Tile", "tile"> {
  let summary = "How a layer is tiled, and where its tiles sit in the scratchpad";
  let description = [{
    Set as `npu.tile` on an npu layer op by `qlip-npu-plan`. The layer runs
    as tiles of `rows` output rows (output height; matmul's H) by
    `channels` output channels, channel tiles outermost. `buffers` are the
    scratchpad regions `[offset, size]` (bytes) of the double-buffered
    input tile (ping, pong) and output tile (ping, pong): while the MAC
    array works on one, DMA fills or drains the other. All four are live
    for the whole layer, so they must not overlap; the next layer reuses
    the scratchpad from the start.

    ```mlir
    %y = npu.conv2d ... {npu.tile = #npu.tile<rows = 14, channels = 16,
           buffers = [0, 4096, 4096, 4096, 8192, 3136, 11328, 3136]>} ...
    ```

    The attribute verifies that the buffers are four disjoint, non-empty
    regions; on an op, the dialect verifies that the tile is within the
    layer, that each buffer holds what a tile needs, and that the buffers
    fit the module's `npu.target` scratchpad and a weight tile its weight
    buffer.
  }];
  let parameters = (ins
    "int64_t":$rows,
    "int64_t":$channels,
    Npu_I64ListParameter:$buffers
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The name of the op attribute that holds the tile.
    static constexpr ::llvm::StringLiteral getAttrName() { return "npu.tile"; }
    /// Buffer `i` (0, 1: input ping/pong; 2, 3: output ping/pong).
    int64_t getOffset(unsigned i) const { return getBuffers()[2 * i]; }
    int64_t getSize(unsigned i) const { return getBuffers()[2 * i + 1]; }
  }];
}

def Npu_LayerAttr : Npu_Attr<"Layer", "layer"> {
  let summary = "A layer's configuration registers, as `npu.configure` loads them";
  let description = [{
    What the command stream's layer record holds
    (docs/npu-command-stream.md): the `kind` (`conv2d`,
    `depthwise_conv2d`, `matmul`, `max_pool2d`, `add` or `rescale`), the
    NHWC `input` and `output` shapes (a matmul's are [N, H, 1, K] and
    [N, H, 1, W]), the window (`kernel`, `stride`, `dilation`, `pad`),
    the depthwise `multiplier`, the weights' `weight_bits`, the epilogue's
    zero points and clamp, `params` (a MAC layer's DRAM offset of its
    bias, multiplier and shift table) and `rescale` (an add's b_zp,
    a_multiplier, a_shift, b_multiplier, b_shift, multiplier, shift; a
    rescale's multiplier and shift).

    The verifier checks the kind, the list lengths, that the shapes are
    positive and the window's values in range, and the width.
  }];
  let parameters = (ins
    StringRefParameter<"the layer kind">:$kind,
    Npu_I64ListParameter:$input,
    Npu_I64ListParameter:$output,
    Npu_I64ListParameter:$kernel,
    Npu_I64ListParameter:$stride,
    Npu_I64ListParameter:$dilation,
    Npu_I64ListParameter:$pad,
    "int64_t":$multiplier,
    "int64_t":$weight_bits,
    "int64_t":$input_zp,
    "int64_t":$output_zp,
    "int64_t":$clamp_min,
    "int64_t":$clamp_max,
    "int64_t":$params,
    Npu_I64ListParameter:$rescale
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether the layer runs on the MAC array (conv2d, depthwise_conv2d,
    /// matmul) rather than the vector path.
    bool isMacLayer() const;
    /// Bytes of one output channel's weight row (byte-aligned).
    int64_t getWeightRowBytes() const;
    /// The command stream's record of this layer, named `name`.
    ::mlir::npu::stream::Layer toStream(::llvm::StringRef name) const;
  }];
}

#endif // QLIP_DIALECT_NPU_IR_NPUATTRS_TD
