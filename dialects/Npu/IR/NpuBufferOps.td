//===- NpuBufferOps.td - npu buffer-level operations -------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The npu after tiling and memory planning: a program of commands over
// DRAM addresses and scratchpad and weight-buffer offsets, one op a
// command of docs/npu-command-stream.md (what qlip-translate writes).
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUBUFFEROPS_TD
#define QLIP_DIALECT_NPU_IR_NPUBUFFEROPS_TD

include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"

def Npu_ProgramOp : Npu_Op<"program", [Symbol, IsolatedFromAbove, SingleBlock,
                                       NoTerminator]> {
  let summary = "A model compiled to npu commands";
  let description = [{
    One model (a function `qlip-npu-lower` lowered) as the npu runs it: a
    DRAM image of `dram_size` bytes, the segments that initialize it, the
    tensors crossing the host boundary, and the commands in issue order.

    The verifier checks that the body holds only npu buffer-level ops, that
    segments and boundary tensors lie inside DRAM and do not overlap, that
    every `wait` waits for an issued DMA, that no tile command touches a
    local buffer while a DMA into or out of it is in flight (the static
    scratchpad plan's liveness), and that no DMA is still in flight at the
    end.

    ```mlir
    npu.program @main attributes {dram_size = 65536 : i64} {
      npu.segment [0] dense<...> : tensor<1024xi8>
      npu.host_input 0 dram [4096] {shape = array<i64: 1, 28, 28, 1>, ...}
      npu.configure "conv1" #npu.layer<...>
      npu.dma_load tag 0 dram [4096] -> scratchpad [0], 1 x 784, strides 784 784
      npu.wait tag 0
      ...
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$dram_size);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
}

class Npu_CommandOp<string mnemonic, list<Trait> traits = []>
    : Npu_Op<mnemonic, !listconcat(traits, [HasParent<"ProgramOp">])> {
  let hasVerifier = 1;
}

def Npu_SegmentOp : Npu_CommandOp<"segment"> {
  let summary = "Initialized DRAM bytes (packed weights, epilogue tables)";
  let arguments = (ins I64Attr:$offset, SignlessIntElementsAttr<8>:$bytes);
  let assemblyFormat = "`[` $offset `]` $bytes attr-dict";
}

class Npu_BoundaryOp<string mnemonic, string what>
    : Npu_CommandOp<mnemonic> {
  let summary = "A model " # what # " crossing the host boundary";
  let description = [{
    Model }] # what # [{ `index` lives in DRAM at `dram` as i8 levels of
    `shape` (NHWC); the host quantizes inputs (dequantizes outputs) with
    `scale`, `zero_point` and the range [`qmin`, `qmax`]:
    `q = clamp(roundeven(x / scale) + zero_point, qmin, qmax)`,
    `x = (q - zero_point) * scale`.
  }];
  let arguments = (ins I64Attr:$index, I64Attr:$dram, DenseI64ArrayAttr:$shape,
                       F64Attr:$scale, I64Attr:$zero_point, I64Attr:$qmin,
                       I64Attr:$qmax);
  let assemblyFormat = "$index `dram` `[` $dram `]` attr-dict";
}

def Npu_HostInputOp : Npu_BoundaryOp<"host_input", "input">;
def Npu_HostOutputOp : Npu_BoundaryOp<"host_output", "output">;

def Npu_ConfigureOp : Npu_CommandOp<"configure"> {
  let summary = "Sets the layer the following tiles compute";
  let description = [{
    Loads `layer` into the configuration registers, and a MAC layer's
    epilogue table (bias, multiplier, shift per output channel) from DRAM
    at its `params` into the requantize unit. `name` is the layer's name
    for reports. The verifier checks that the operand width is one the
    target's array takes and that the table lies inside DRAM.
  }];
  let arguments = (ins StrAttr:$name, Npu_LayerAttr:$layer);
  let assemblyFormat = "$name $layer attr-dict";
}

class Npu_DmaOp<string mnemonic, string direction>
    : Npu_CommandOp<mnemonic> {
  let summary = "DMA " # direction;
  let description = [{
    Moves `count` chunks of `bytes` bytes, the chunks `dram_stride` bytes
    apart in DRAM and `local_stride` apart on chip. Asynchronous: the
    bytes may be used once a `wait` on `tag` returns. The verifier checks
    that both ranges lie inside their memories (the target's scratchpad or
    weight buffer, the program's DRAM) and that chunks do not overlap.
  }];
  let arguments = (ins I64Attr:$tag, I64Attr:$dram, I64Attr:$local,
                       I64Attr:$count, I64Attr:$bytes, I64Attr:$dram_stride,
                       I64Attr:$local_stride, UnitAttr:$weight_buffer);
  let extraClassDeclaration = [{
    /// Bytes from the first chunk's start to the last one's end.
    int64_t getDramExtent() {
      return (getCount() - 1) * getDramStride() + getBytes();
    }
    int64_t getLocalExtent() {
      return (getCount() - 1) * getLocalStride() + getBytes();
    }
  }];
}

def Npu_DmaLoadOp : Npu_DmaOp<"dma_load", "from DRAM into the scratchpad or the weight buffer"> {
  let assemblyFormat = [{
    `tag` $tag `dram` `[` $dram `]` `->`
    (`weights` $weight_buffer^) : (`scratchpad`)? `[` $local `]` `,`
    $count `x` $bytes `,` `strides` $dram_stride $local_stride attr-dict
  }];
}

def Npu_DmaStoreOp : Npu_DmaOp<"dma_store", "from the scratchpad to DRAM"> {
  let assemblyFormat = [{
    `tag` $tag `scratchpad` `[` $local `]` `->` `dram` `[` $dram `]` `,`
    $count `x`
    $bytes `,` `strides` $dram_stride $local_stride attr-dict
  }];
}

def Npu_WaitOp : Npu_CommandOp<"wait"> {
  let summary = "Blocks until a DMA is done";
  let arguments = (ins I64Attr:$tag);
  let assemblyFormat = "`tag` $tag attr-dict";
}

def Npu_MacTileOp : Npu_CommandOp<"mac_tile"> {
  let summary = "One tile of the configured MAC layer into the accumulators";
  let description = [{
    Output rows [`row`, `row + rows`) by channels [`channel`, `channel +
    channels`) of the configured conv2d, depthwise conv2d or matmul, from
    the input tile at scratchpad `input` (input rows [`input_row`,
    `input_row + input_rows`)) and the weight rows at weight-buffer
    `weights`, into int32 accumulators. The layouts are in
    docs/npu-command-stream.md. The verifier checks the tile against the
    configured layer (inside its output; the input rows exactly those its
    window reaches) and the buffers against the target.
  }];
  let arguments = (ins I64Attr:$input, I64Attr:$input_row,
                       I64Attr:$input_rows, I64Attr:$weights, I64Attr:$row,
                       I64Attr:$rows, I64Attr:$channel, I64Attr:$channels);
  let assemblyFormat = [{
    `rows` $row `+` $rows `channels` $channel `+` $channels `from`
    `scratchpad` `[` $input `]` `rows` $input_row `+` $input_rows `weights`
    `[` $weights `]` attr-dict
  }];
}

def Npu_RequantizeOp : Npu_CommandOp<"requantize"> {
  let summary = "Drains the accumulators through the layer's epilogue";
  let description = [{
    The requantize unit: the last `mac_tile`'s accumulators, plus bias,
    scaled by the per-channel multiplier and shift (SINGLE_ROUND), plus the
    output zero point, clamped, to the i8 output tile at scratchpad
    `output`. The verifier checks that a `mac_tile` of the configured
    layer precedes it and that the tile fits the scratchpad.
  }];
  let arguments = (ins I64Attr:$output);
  let assemblyFormat = "`to` `scratchpad` `[` $output `]` attr-dict";
}

def Npu_VectorTileOp : Npu_CommandOp<"vector_tile"> {
  let summary = "One tile of the configured max pool, add or rescale";
  let description = [{
    The requantize unit's vector path: output rows [`row`, `row + rows`)
    by channels [`channel`, `channel + channels`) of the configured
    max_pool2d, add or rescale, from the input tile at scratchpad `input`
    (input rows [`input_row`, `input_row + input_rows`)) and, for an add,
    the second input's tile at `input2`, to the output tile at `output`.
  }];
  let arguments = (ins I64Attr:$input, I64Attr:$input_row,
                       I64Attr:$input_rows, I64Attr:$input2, I64Attr:$row,
                       I64Attr:$rows, I64Attr:$channel, I64Attr:$channels,
                       I64Attr:$output);
  let assemblyFormat = [{
    `rows` $row `+` $rows `channels` $channel `+` $channels `from`
    `scratchpad` `[` $input `]` `rows` $input_row `+` $input_rows `,`
    `[` $input2 `]` `to` `[` $output `]` attr-dict
  }];
}

#endif // QLIP_DIALECT_NPU_IR_NPUBUFFEROPS_TD
