//===- QlipToLinalg.h - lower qlip ops to linalg ----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_CONVERSION_QLIPTOLINALG_QLIPTOLINALG_H
#define QLIP_CONVERSION_QLIPTOLINALG_QLIPTOLINALG_H

namespace mlir {
class RewritePatternSet;
namespace qlip {

/// Adds the patterns of `qlip-to-linalg`: `qlip.fake_quant` to a
/// `linalg.generic` and `qlip.observe` to its input. They are conversion
/// patterns, for `applyPartialConversion` with the qlip dialect illegal.
void populateQlipToLinalgPatterns(RewritePatternSet &patterns);

/// Adds only the patterns that lower `qlip.fake_quant`, `qlip.quantize` and
/// `qlip.dequantize`, for drivers that
/// lower `qlip.observe` differently (calibration records its values).
void populateFakeQuantToLinalgPatterns(RewritePatternSet &patterns);

/// Adds only the pattern that replaces `qlip.observe` with its input.
void populateObserveToIdentityPatterns(RewritePatternSet &patterns);

} // namespace qlip
} // namespace mlir

#endif // QLIP_CONVERSION_QLIPTOLINALG_QLIPTOLINALG_H
