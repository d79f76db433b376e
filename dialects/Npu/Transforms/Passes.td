//===- Passes.td - npu dialect passes ----------------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_TRANSFORMS_PASSES_TD
#define QLIP_DIALECT_NPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NpuCostPass : Pass<"qlip-npu-cost", "::mlir::ModuleOp"> {
  let summary = "Cycles, DRAM traffic, on-chip fit and energy of each npu layer";
  let description = [{
    An analytic model of the module's `npu.target` running its npu layer
    ops, one inference, printed as a table (and totals) on stderr. Every
    assumption is here:

    - **Compute.** A processing element does one 8x8-bit multiply per
      cycle, or (8 / b)^2 b x b-bit multiplies (an 8x8 multiplier array
      splits into that many narrower ones: the area argument of the PACT
      paper, and of bit-fusion designs). The rows take output channels,
      the columns x (8 / b)^2 lanes take the reduction (KH * KW * C_in for
      conv2d and matmul's K; KH * KW for depthwise, whose channels then go
      to the rows). A layer takes ceil(C_out / rows) * ceil(reduction /
      lanes) cycles per output pixel; utilization is the MACs over the
      peak. `npu.max_pool2d`, `npu.add` and `npu.rescale` run on the
      requantize unit's vector path, one value per row per cycle (a pool
      reads its window, an add both inputs), with no MACs.
    - **Memory.** Weights take b bits each. If all of the model's weights
      fit the weight buffer they are loaded once and stay (not counted per
      inference); otherwise each layer loads its own from DRAM. A layer's
      input and output activations (1 byte each) stay in the scratchpad
      when both fit it; otherwise they cross DRAM. The model's input and
      output always do.
    - **Time.** DMA takes bytes / `dram_bytes_per_cycle` cycles; with
      double buffering a layer takes max(compute, DMA) cycles, and is
      compute- or DMA-bound by which is larger.
    - **Energy.** An 8-bit MAC costs 0.2 pJ and a b-bit one 0.2 * (b/8)^2
      pJ (multiplier energy scales with its area); a DRAM byte costs 160
      pJ (Horowitz, ISSCC 2014: 640 pJ per 32-bit DRAM read, 0.2 pJ per
      8-bit multiply).
  }];
  let dependentDialects = ["::mlir::npu::NpuDialect"];
}

def NpuPlanPass : Pass<"qlip-npu-plan", "::mlir::ModuleOp"> {
  let summary = "Tiles each npu layer to the scratchpad, double-buffered, and plans its buffers";
  let description = [{
    For every npu layer op (conv2d, depthwise_conv2d, matmul, max_pool2d,
    add, rescale) under the module's `npu.target`, chooses a tile of output rows by
    output channels and sets it, with its scratchpad buffers, as
    `npu.tile` (`#npu.tile`), which the dialect then verifies:

    - **Double buffering.** The scratchpad holds two input tiles and two
      output tiles (ping and pong: DMA fills one while the MAC array reads
      the other), each 64-byte aligned, at offsets 0, I, 2I, 2I + O. They
      are live for the whole layer and disjoint; the next layer reuses the
      scratchpad from offset 0 (its input comes back from DRAM).
    - **Tile choice.** All output channels if possible, with as many
      output rows as fit; else the channels halve (in multiples of a
      depthwise multiplier) until one row fits. A layer whose smallest
      tile (one row, the fewest channels) does not fit is an error.
    - **Weights.** Packed at their width, one byte-aligned row per output
      channel (the command stream's layout). If all of the module's npu
      weights fit the weight buffer they are resident: loaded once, never
      counted per inference.
      Otherwise each layer streams them, double-buffered, so two weight
      tiles must fit the weight buffer.
    - **DRAM traffic** per inference: every input tile (a conv2d or matmul
      reads the whole input once per channel tile; windows overlap, so
      halo rows are read again), every output byte once, and streamed
      weights once.

    With `print-report`, prints per layer the tile, the tile count, the
    scratchpad bytes used and the DRAM bytes, and for the model whether
    the weights stay resident and the total DRAM traffic (the memory-fit
    report).
  }];
  let options = [
    Option<"printReport", "print-report", "bool", /*default=*/"false",
           "Print the memory-fit report on stderr">
  ];
  let dependentDialects = ["::mlir::npu::NpuDialect"];
}

def NpuLowerPass : Pass<"qlip-npu-lower", "::mlir::ModuleOp"> {
  let summary = "Lowers planned npu layers to a program of DMA, tile and sync commands";
  let description = [{
    Replaces each function of planned npu layers (`qlip-npu-plan`'s
    `npu.tile`) by an `npu.program` of the same name: the buffer level of
    the dialect, which `qlip-translate --npu-to-binary` writes as the
    command stream and `qlip-npu-sim` runs (docs/npu-command-stream.md).

    - **What runs where.** The model's f32 inputs are quantized by the host
      (`npu.host_input`, from the `qlip.quantize` of each argument) and
      its results dequantized by the host (`npu.host_output`, from the
      `qlip.dequantize` each result is); every op between them must be an
      npu layer or a `tosa.reshape` (the same NHWC bytes, so no command).
      Any other op is an error naming it: it would run on the host, which
      the command stream does not hold.
    - **DRAM.** From address 0: every MAC layer's weights, packed at their
      width, one byte-aligned row per output channel; the epilogue tables
      (bias i32, multiplier i32, shift i8 per channel); then each tensor,
      64-byte aligned.
    - **Weights.** If the packed weights fit the weight buffer, one DMA
      loads them all before the first layer; otherwise each channel tile
      loads its rows into the ping or pong half of the weight buffer.
    - **Schedule.** Per layer: `npu.configure`, then its tiles, channel
      tiles outermost. Tile i's input goes to the plan's input buffer i mod
      2, its output to output buffer i mod 2. The loads of tile i + 1 are
      issued before tile i computes (double buffering); a tile waits for
      its own loads and for the store of tile i - 2 (the output buffer it
      reuses), computes (`npu.mac_tile` then `npu.requantize`, or
      `npu.vector_tile`) and issues its store. A layer ends by waiting for
      its last stores, so the next reads finished data.
  }];
  let dependentDialects = ["::mlir::npu::NpuDialect"];
}

#endif // QLIP_DIALECT_NPU_TRANSFORMS_PASSES_TD
