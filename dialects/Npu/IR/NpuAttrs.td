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

#endif // QLIP_DIALECT_NPU_IR_NPUATTRS_TD
