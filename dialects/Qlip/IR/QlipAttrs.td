//===- QlipAttrs.td - qlip attributes and enums ------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_IR_QLIPATTRS_TD
#define QLIP_DIALECT_QLIP_IR_QLIPATTRS_TD

include "dialects/Qlip/IR/QlipBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// ClipRule
//===----------------------------------------------------------------------===//

def Qlip_ClipRule : I32EnumAttr<"ClipRule",
    "the rule that chose a quantization range", [
  I32EnumAttrCase<"Max",         0, "max">,
  I32EnumAttrCase<"Percentile",  1, "percentile">,
  I32EnumAttrCase<"KL",          2, "kl">,
  I32EnumAttrCase<"MSE",         3, "mse">,
  I32EnumAttrCase<"AciqLaplace", 4, "aciq_laplace">,
  I32EnumAttrCase<"AciqGauss",   5, "aciq_gauss">,
  I32EnumAttrCase<"Aciq",        6, "aciq">,
  I32EnumAttrCase<"Sawb",        7, "sawb">,
  I32EnumAttrCase<"Best",        8, "best">,
  I32EnumAttrCase<"Pact",        9, "pact">,
  I32EnumAttrCase<"Imported",   10, "imported">,
  I32EnumAttrCase<"Auto",       11, "auto">
]> {
  let cppNamespace = "::mlir::qlip";
  // The enum is only used as an attribute parameter, never as an attribute
  // of its own.
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Parameters with a custom syntax
//===----------------------------------------------------------------------===//

// Doubles are stored as builtin attributes: uniqued, so hashing and
// equality come for free (llvm::hash_value has no overload for double).

/// A double printed so that it round-trips exactly.
def Qlip_F64Parameter
    : AttrOrTypeParameter<"::mlir::FloatAttr", "a 64-bit float"> {
  let parser = [{ ::mlir::qlip::parseF64Attr($_parser) }];
  let printer = [{ ::mlir::qlip::printF64($_printer, $_self.getValueAsDouble()) }];
}

/// `[1.0, 2.5]`
def Qlip_F64ArrayParameter
    : AttrOrTypeParameter<"::mlir::DenseF64ArrayAttr", "a list of doubles"> {
  let parser = [{ ::mlir::qlip::parseF64ArrayAttr($_parser) }];
  let printer = [{ ::mlir::qlip::printF64Array($_printer, $_self.asArrayRef()) }];
}

/// `[1, 2, 3]`
def Qlip_I64ArrayParameter : ArrayRefParameter<"int64_t", "a list of integers"> {
  let parser = [{ ::mlir::qlip::parseI64Array($_parser) }];
  let printer = [{ ::mlir::qlip::printI64Array($_printer, $_self) }];
}

//===----------------------------------------------------------------------===//
// QParamsAttr
//===----------------------------------------------------------------------===//

def Qlip_QParamsAttr : Qlip_Attr<"QParams", "qparams"> {
  let summary = "Quantization parameters of one tensor";
  let description = [{
    The integer grid a float tensor is quantized to and how it was chosen:

    - the storage: `iN` is a signed N-bit grid, `uiN` an unsigned one, N in
      [2, 16]; `narrow` drops the lowest level, so a signed grid is
      symmetric (`[-(2^(N-1)-1), 2^(N-1)-1]`, the grid of qlip's weights);
    - `axis`: present for per-axis (per-channel) parameters, absent for
      per-tensor ones;
    - `scales` and `zero_points`: one per channel along `axis`, or exactly
      one per tensor; zero points are omitted when all are zero; a scale is
      a normal f32 (FLT_MIN to FLT_MAX: the lowerings compute with it in
      f32);
    - `clip`: the real range `[min, max]` the rule chose for each channel
      (for example ACIQ's alpha, or a PACT model's learned alpha), before it
      was snapped to the grid;
    - `rule`: the clipping rule that chose the range (`auto` only when a
      layer's channels chose different rules by measurement).

    A value is quantized as `q = clamp(round_half_even(x / s) + z, qmin,
    qmax)` and dequantized as `(q - z) * s`.

    Example:

    ```mlir
    // Per-channel symmetric 4-bit weights of a conv with 2 output channels.
    #qlip.qparams<i4 narrow, axis = 0, scales = [0.5, 0.25],
                  clip = [[-3.5, 3.5], [-1.75, 1.75]], rule = mse>
    // A per-tensor unsigned 8-bit activation after a PACT clamp at 6.
    #qlip.qparams<ui8, scales = [0.0235294122], clip = [[0.0, 6.0]],
                  rule = pact>
    ```
  }];
  let parameters = (ins
    "unsigned":$bits,
    "bool":$isSigned,
    "bool":$narrowRange,
    "std::optional<int64_t>":$axis,
    Qlip_F64ArrayParameter:$scales,
    Qlip_I64ArrayParameter:$zeroPoints,
    Qlip_F64ArrayParameter:$clipMin,
    Qlip_F64ArrayParameter:$clipMax,
    EnumParameter<Qlip_ClipRule>:$rule
  );
  let builders = [
    AttrBuilder<(ins "unsigned":$bits, "bool":$isSigned, "bool":$narrowRange,
                     "std::optional<int64_t>":$axis,
                     "::llvm::ArrayRef<double>":$scales,
                     "::llvm::ArrayRef<int64_t>":$zeroPoints,
                     "::llvm::ArrayRef<double>":$clipMin,
                     "::llvm::ArrayRef<double>":$clipMax,
                     "::mlir::qlip::ClipRule":$rule), [{
      return $_get($_ctxt, bits, isSigned, narrowRange, axis,
                   DenseF64ArrayAttr::get($_ctxt, scales), zeroPoints,
                   DenseF64ArrayAttr::get($_ctxt, clipMin),
                   DenseF64ArrayAttr::get($_ctxt, clipMax), rule);
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The integer grid, shared with the clipping math.
    QuantGrid getGrid() const {
      return {getBits(), getIsSigned(), getNarrowRange(), /*midRise=*/false};
    }
    /// The smallest and largest integer of the grid.
    int64_t getQMin() const { return getGrid().qmin(); }
    int64_t getQMax() const { return getGrid().qmax(); }
    /// True when the parameters have one scale per channel along an axis.
    bool isPerAxis() const { return getAxis().has_value(); }
    /// The number of (scale, zero point) pairs.
    size_t getNumChannels() const { return getScales().size(); }
    /// Fake-quantizes `x` with the parameters of channel `channel`.
    double fakeQuantize(double x, size_t channel) const;
    /// The level `x` quantizes to in channel `channel`:
    /// clamp(round_half_even(x / s) + z, qmin, qmax); NaN gives z.
    int64_t quantize(double x, size_t channel) const;
    /// quantize() of every element of `values`, a tensor whose elements
    /// along the axis are `inner` apart (its channel is (i / inner) modulo
    /// the number of channels; one channel when per tensor), into
    /// `levels`. The parameters are read once, not per element.
    void quantizeAll(ArrayRef<float> values, int64_t inner,
                     MutableArrayRef<int64_t> levels) const;
    /// The width of the signless integer that stores the grid: 8 up to 8
    /// bits, else 16.
    unsigned getStorageBits() const { return getBits() <= 8 ? 8 : 16; }
    /// The same levels as a grid that fits the signed range of the
    /// storage: an unsigned grid as wide as its storage (ui8, ui16) becomes
    /// the signed full-range grid with every zero point moved down by
    /// 2^(bits-1), which dequantizes to the same values; any other grid is
    /// returned unchanged.
    QParamsAttr getSignedStorage() const;
  }];
}

//===----------------------------------------------------------------------===//
// HistogramAttr
//===----------------------------------------------------------------------===//

def Qlip_HistogramAttr : Qlip_Attr<"Histogram", "histogram"> {
  let summary = "A histogram: N+1 increasing bin edges and N counts";
  let description = [{
    Bin `i` counts the values in `[edges[i], edges[i+1])`; the last bin also
    holds `edges[N]`.

    ```mlir
    #qlip.histogram<edges = [-1.0, 0.0, 1.0], counts = [3, 5]>
    ```
  }];
  let parameters = (ins
    Qlip_F64ArrayParameter:$edges,
    Qlip_I64ArrayParameter:$counts
  );
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<double>":$edges,
                     "::llvm::ArrayRef<int64_t>":$counts), [{
      return $_get($_ctxt, DenseF64ArrayAttr::get($_ctxt, edges), counts);
    }]>
  ];
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// StatsAttr
//===----------------------------------------------------------------------===//

def Qlip_StatsAttr : Qlip_Attr<"Stats", "stats"> {
  let summary = "Statistics of the values a tensor took during calibration";
  let description = [{
    What the clipping rules need from calibration: the sample `count`, `min`,
    `max`, `mean`, the mean absolute deviation around the mean (`mad`, ACIQ's
    Laplace `b`), the standard deviation (`stddev`, ACIQ's Gaussian sigma),
    the kurtosis (4th standardized moment, 3 for a Gaussian, 6 for a
    Laplace) and optionally a histogram for the percentile, KL and MSE
    rules.

    ```mlir
    #qlip.stats<count = 4096, min = -2.5, max = 3.75, mean = 0.125,
                mad = 0.5, stddev = 0.625, kurtosis = 5.5,
                histogram = #qlip.histogram<edges = [-2.5, 0.625, 3.75],
                                            counts = [2048, 2048]>>
    ```
  }];
  let parameters = (ins
    "int64_t":$count,
    Qlip_F64Parameter:$min,
    Qlip_F64Parameter:$max,
    Qlip_F64Parameter:$mean,
    Qlip_F64Parameter:$mad,
    Qlip_F64Parameter:$stddev,
    Qlip_F64Parameter:$kurtosis,
    OptionalParameter<"::mlir::qlip::HistogramAttr">:$histogram
  );
  let builders = [
    AttrBuilder<(ins "int64_t":$count, "double":$min, "double":$max,
                     "double":$mean, "double":$mad, "double":$stddev,
                     "double":$kurtosis,
                     CArg<"::mlir::qlip::HistogramAttr", "{}">:$histogram), [{
      auto f64 = [&](double value) {
        return FloatAttr::get(Float64Type::get($_ctxt), value);
      };
      return $_get($_ctxt, count, f64(min), f64(max), f64(mean), f64(mad),
                   f64(stddev), f64(kurtosis), histogram);
    }]>
  ];
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // QLIP_DIALECT_QLIP_IR_QLIPATTRS_TD
