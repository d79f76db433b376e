//===- NpuBase.td - npu dialect definition -----------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_NPU_IR_NPUBASE_TD
#define QLIP_DIALECT_NPU_IR_NPUBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Npu_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::mlir::npu";
  let summary = "A low-precision integer accelerator: MAC array, scratchpad, DMA";
  let description = [{
    The `npu` dialect models an accelerator in the spirit of the PACT
    paper's hardware argument: a rows x cols array of multiply-accumulate
    units whose operand width (2, 4 or 8 bits) the target chooses, int32
    accumulators, a fused per-channel requantize-and-clamp unit, an on-chip
    scratchpad and weight buffer, and DMA to and from DRAM.

    The target is described by `#npu.target<...>`, attached to the module
    as `npu.target`; every op's verifier checks itself against it (operand
    widths the array supports, sizes that fit). Tensor-level ops hold one
    layer each with its requantization epilogue, as qlip's integer TOSA
    gives it: the integer semantics are TOSA's (`tosa.conv2d` with i32
    accumulation, then `tosa.rescale` with single rounding and a clamp).
  }];
  let useDefaultAttributePrinterParser = 1;
  // `npu.target` on modules and `npu.tile` on layers.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Adds the attributes; defined next to their storage in NpuAttrs.cpp.
    void registerAttributes();
  }];
}

class Npu_Op<string mnemonic, list<Trait> traits = []>
    : Op<Npu_Dialect, mnemonic, traits>;

class Npu_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Npu_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // QLIP_DIALECT_NPU_IR_NPUBASE_TD
