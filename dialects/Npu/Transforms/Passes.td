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
      peak. `npu.max_pool2d` and `npu.add` run on the requantize unit's
      vector path, one value per row per cycle (a pool reads its window,
      an add both inputs), with no MACs.
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

#endif // QLIP_DIALECT_NPU_TRANSFORMS_PASSES_TD
