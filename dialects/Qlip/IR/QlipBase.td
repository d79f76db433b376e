//===- QlipBase.td - qlip dialect definition ---------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_IR_QLIPBASE_TD
#define QLIP_DIALECT_QLIP_IR_QLIPBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

def Qlip_Dialect : Dialect {
  let name = "qlip";
  let cppNamespace = "::mlir::qlip";
  let summary = "Quantization of float TOSA models into low-bit integer code";
  let description = [{
    The `qlip` dialect carries what post-training quantization needs to know
    about a float model while it is still float: where activations are
    observed (`qlip.observe`), what was observed (`#qlip.stats`), and the
    quantization parameters chosen for a tensor (`#qlip.qparams`), applied in
    float by `qlip.fake_quant` so the model still runs and its simulated
    accuracy can be measured before any integer lowering.

    Quantized element types of the integer model are the upstream `quant`
    dialect's; `qlip` does not duplicate them.
  }];
  // Folding `qlip.fake_quant` on a weight produces a `tosa.const`.
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  // `qlip.input_moments`, `qlip.input_mean`, `qlip.weight_bits` and
  // `qlip.keep_float` on
  // layers (calibration and choices to weight quantization).
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// E[x x^T] of a layer's input patches: f64 elements [G, K, K].
    static constexpr ::llvm::StringLiteral kInputMomentsAttrName =
        "qlip.input_moments";
    /// E[x] of the same patches: f64 elements [G, K].
    static constexpr ::llvm::StringLiteral kInputMeanAttrName =
        "qlip.input_mean";
    /// A layer's weight width (2 to 8 or 16; qlip-choose-bits to
    /// qlip-quantize-weights).
    static constexpr ::llvm::StringLiteral kWeightBitsAttrName =
        "qlip.weight_bits";
    /// A layer whose weights stay float (unit).
    static constexpr ::llvm::StringLiteral kKeepFloatAttrName =
        "qlip.keep_float";
    /// An op qlip added that is not the model's own (unit; the bias add of
    /// the empirical bias correction after a matmul): the fingerprint and
    /// the report's layer matching leave it out, as they leave out qlip's
    /// ops.
    static constexpr ::llvm::StringLiteral kAddedAttrName = "qlip.added";
    /// A module's qlip-ptq options (string; qlip-record-ptq-options).
    static constexpr ::llvm::StringLiteral kPtqOptionsAttrName = "qlip.ptq";

    /// Adds the attributes; defined next to their storage in QlipAttrs.cpp.
    void registerAttributes();
  }];
}

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

/// Base class of every qlip op.
class Qlip_Op<string mnemonic, list<Trait> traits = []>
    : Op<Qlip_Dialect, mnemonic, traits>;

/// Base class of every qlip attribute.
class Qlip_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Qlip_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // QLIP_DIALECT_QLIP_IR_QLIPBASE_TD
