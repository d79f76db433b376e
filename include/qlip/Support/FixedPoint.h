//===- FixedPoint.h - Integer requantisation helpers ------------*- C++ -*-===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// Bit-exact reference arithmetic for integer requantisation:
//
//  * scale -> (multiplier, shift) conversion, bit-identical to MLIR's
//    tosa::computeMultiplierAndShift but with explicit failure instead of
//    silently producing parameters TOSA rejects;
//  * the TOSA specification's apply_scale_32 / apply_scale_16 helpers and
//    the per-element RESCALE operator;
//  * TFLite's QuantizeMultiplier / MultiplyByQuantizedMultiplier
//    (gemmlowp double rounding) as an independent second reference.
//
// Conventions (see docs/fixed-point.md):
//  * TOSA: real scale ~= multiplier * 2^-shift, shift is a *right* shift in
//    [2, 62] and multiplier >= 0.
//  * TFLite: real scale ~= multiplier * 2^(shift - 31), shift is a *left*
//    shift exponent (negative means right shift). tosaShift = 31 - tfliteShift.
//
// Violated TOSA REQUIREs are reported, never asserted, by the `...Checked`
// entry points, which return std::nullopt. The unchecked variants are for
// callers that validated their operands up front; they assert in debug
// builds and return an unspecified (but UB-free) value in release builds.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_SUPPORT_FIXEDPOINT_H
#define QLIP_SUPPORT_FIXEDPOINT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>

namespace mlir::qlip {

//===----------------------------------------------------------------------===//
// TOSA scale representation
//===----------------------------------------------------------------------===//

/// A TOSA RESCALE scale factor: the real scale is approximately
/// `multiplier * 2^-shift`. Produced by computeMultiplierAndShiftScale32
/// (multiplier in [2^30, 2^31) when normalised) or ...Scale16 (multiplier in
/// [2^14, 2^15)). Very small scales yield a denormalised (smaller, possibly
/// zero) multiplier with shift 62.
struct ScaleMultiplier {
  int32_t multiplier;
  int8_t shift;

  friend bool operator==(const ScaleMultiplier &a, const ScaleMultiplier &b) {
    return a.multiplier == b.multiplier && a.shift == b.shift;
  }
  friend bool operator!=(const ScaleMultiplier &a, const ScaleMultiplier &b) {
    return !(a == b);
  }
};

/// TOSA RESCALE rounding_mode.
enum class RoundingMode {
  /// SINGLE_ROUND: one round-half-up (towards +inf) of value*mult/2^shift.
  Single,
  /// DOUBLE_ROUND: the two-stage rounding of gemmlowp/TFLite. Only valid with
  /// scale32.
  Double,
  /// INEXACT_ROUND: any result within the spec's error bound is conformant.
  /// The reference computes the SINGLE_ROUND result, which always satisfies
  /// that bound; use rescaleInexactBounds() to check other implementations.
  Inexact,
};

/// Converts a real scale into a 32-bit-multiplier TOSA scale, bit-identical
/// to MLIR's `computeMultiplierAndShiftTosaScale32`:
///   m = frexp(scale, &e); M = round(m * 2^31) (half away from zero);
///   if M == 2^31 { M /= 2; e++ }; shift = 31 - e;
///   if shift > 62 { M >>= min(31, shift - 62); shift = 62 }.
/// Note the last step truncates (it does not round) the multiplier, as MLIR
/// does; such tiny scales round every int32 input to 0 anyway.
///
/// Fails (where MLIR would return garbage or `false`) when `scale` is not
/// finite, is <= 0, or is too large for TOSA's shift >= 2 REQUIRE, which
/// happens for scale >= 2^29 (after rounding of the mantissa).
llvm::Expected<ScaleMultiplier> computeMultiplierAndShiftScale32(double scale);

/// As computeMultiplierAndShiftScale32 for a 16-bit multiplier
/// (scale32 = false): M = round(m * 2^15), shift = 15 - e. Fails for
/// non-finite or non-positive scales and for scale >= 2^13.
llvm::Expected<ScaleMultiplier> computeMultiplierAndShiftScale16(double scale);

/// Per-channel convenience wrapper: converts every entry of `scales`; the
/// error names the offending channel index.
llvm::Expected<llvm::SmallVector<ScaleMultiplier>>
computeMultipliersAndShifts(llvm::ArrayRef<double> scales, bool scale32);

/// The real scale `multiplier * 2^-shift` that `s` represents (exact).
double getRealScale(ScaleMultiplier s);

//===----------------------------------------------------------------------===//
// TOSA apply_scale_32 / apply_scale_16
//===----------------------------------------------------------------------===//

/// True iff apply_scale_32's REQUIREs hold: multiplier in [0, 2^31),
/// 2 <= shift <= 62, value in [-2^(shift-1), 2^(shift-1)) and value fits in
/// int32 (the spec's parameter type). Wide parameter types let callers ask
/// about out-of-type values without narrowing them first.
bool isValidApplyScale32(int64_t value, int64_t multiplier, int64_t shift);

/// TOSA apply_scale_32, bit-exact:
///   round = 2^(shift-1);
///   if doubleRound && shift > 31: round += value >= 0 ? 2^30 : -2^30;
///   return (value * multiplier + round) >> shift   (arithmetic shift).
/// Returns std::nullopt iff a REQUIRE is violated (see isValidApplyScale32).
std::optional<int32_t> applyScale32Checked(int64_t value, int64_t multiplier,
                                           int64_t shift, bool doubleRound);

/// Unchecked apply_scale_32 for pre-validated operands. Asserts the REQUIREs
/// in debug builds; in release builds a violated REQUIRE gives an unspecified
/// value (no undefined behaviour). Never use it on user-controlled data.
int32_t applyScale32(int32_t value, int32_t multiplier, int8_t shift,
                     bool doubleRound);

/// True iff apply_scale_16's REQUIREs hold: multiplier in [0, 2^15),
/// 2 <= shift <= 62, value in the int48 range, and the result fits in int32.
bool isValidApplyScale16(int64_t value, int64_t multiplier, int64_t shift);

/// TOSA apply_scale_16, bit-exact: (value * multiplier + 2^(shift-1)) >> shift
/// with a 48-bit value and no double rounding. std::nullopt iff a REQUIRE is
/// violated (see isValidApplyScale16).
std::optional<int32_t> applyScale16Checked(int64_t value, int64_t multiplier,
                                           int64_t shift);

/// Unchecked apply_scale_16; same contract as applyScale32.
int32_t applyScale16(int64_t value, int16_t multiplier, int8_t shift);

//===----------------------------------------------------------------------===//
// TOSA RESCALE (one element)
//===----------------------------------------------------------------------===//

/// One element of TOSA RESCALE:
///   v = in - inputZp                          (int48)
///   r = scale32 ? apply_scale_32(v, multiplier, shift, mode == Double)
///               : apply_scale_16(v, multiplier, shift)
///   r = r + outputZp                          (REQUIRE: fits in int32)
///   return clamp(r, outMin, outMax)
/// `outMin`/`outMax` are the output type's range (e.g. [-128, 127] for i8,
/// [0, 65535] for unsigned i16); they must lie within int32 because the spec
/// clips in int32. Inexact uses the single-round result.
///
/// Returns std::nullopt on any violated REQUIRE/ERROR_IF that is visible at
/// this level: DOUBLE_ROUND without scale32, `in` outside int48, v outside
/// int32 for scale32, apply_scale REQUIREs, output_zp addition overflowing
/// int32, or an invalid [outMin, outMax]. Per-type zero-point ERROR_IFs are
/// left to the op verifier (this function does not know the element types).
std::optional<int64_t> rescaleReferenceChecked(int64_t in, int32_t inputZp,
                                               int32_t outputZp,
                                               int32_t multiplier, int8_t shift,
                                               bool scale32, RoundingMode mode,
                                               int64_t outMin, int64_t outMax);

/// Unchecked rescaleReferenceChecked for pre-validated operands: asserts in
/// debug builds, returns an unspecified value (currently 0) in release builds
/// if a REQUIRE is violated.
int64_t rescaleReference(int64_t in, int32_t inputZp, int32_t outputZp,
                         int32_t multiplier, int8_t shift, bool scale32,
                         RoundingMode mode, int64_t outMin, int64_t outMax);

/// Inclusive range of outputs the TOSA spec accepts for INEXACT_ROUND:
/// out_ref = (in - inputZp) * multiplier * 2^-shift in fp64,
/// err = 0.5 + (3|out_ref| + |out_ref + outputZp|) * 2^-24,
/// [clip(ceil(out_ref - err + outputZp)), clip(floor(out_ref + err +
/// outputZp))].
struct RescaleBounds {
  int64_t min;
  int64_t max;
};
RescaleBounds rescaleInexactBounds(int64_t in, int32_t inputZp,
                                   int32_t outputZp, int32_t multiplier,
                                   int8_t shift, int64_t outMin,
                                   int64_t outMax);

//===----------------------------------------------------------------------===//
// TFLite / gemmlowp reference (double-rounding build)
//===----------------------------------------------------------------------===//

/// A TFLite quantized multiplier: real scale ~= multiplier * 2^(shift - 31).
/// `shift` is TFLite's left-shift exponent (negative = right shift).
struct TfliteMultiplier {
  int32_t multiplier;
  int shift;

  friend bool operator==(const TfliteMultiplier &a, const TfliteMultiplier &b) {
    return a.multiplier == b.multiplier && a.shift == b.shift;
  }
};

/// TFLite's QuantizeMultiplier (double-rounding build): frexp, round(q*2^31),
/// M == 2^31 -> halve and ++shift, shift < -31 -> flush to {0, 0}; 0.0 gives
/// {0, 0}. std::nullopt for negative or non-finite input (TFLite does not
/// check those and produces meaningless values).
std::optional<TfliteMultiplier> tfliteQuantizeMultiplier(double scale);

/// gemmlowp SaturatingRoundingDoublingHighMul: round-half-up of a*b/2^31,
/// computed with a sign-dependent nudge and truncating division; saturates
/// to INT32_MAX for a == b == INT32_MIN (the only overflowing input).
int32_t tfliteSaturatingRoundingDoublingHighMul(int32_t a, int32_t b);

/// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero.
/// Requires 0 <= exponent <= 31 (asserted; clamped in release builds).
int32_t tfliteRoundingDivideByPOT(int32_t x, int exponent);

/// TFLite MultiplyByQuantizedMultiplier(int32_t x, ...) in its default
/// double-rounding form:
///   RoundingDivideByPOT(SRDHM(x * 2^max(shift, 0), M), max(-shift, 0)).
/// std::nullopt where TFLite's behaviour is undefined: shift outside
/// [-31, 30] (shift amounts gemmlowp forbids) or x * 2^shift overflowing
/// int32 (signed overflow in TFLite's `x * (1 << left_shift)`).
std::optional<int32_t>
tfliteMultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift);

/// Converts a TFLite multiplier to TOSA's convention (shift = 31 - shift).
/// std::nullopt if the multiplier is negative or the TOSA shift falls
/// outside [2, 62].
std::optional<ScaleMultiplier> getTosaScaleFromTflite(TfliteMultiplier m);

} // namespace mlir::qlip

#endif // QLIP_SUPPORT_FIXEDPOINT_H
