//===- FixedPoint.cpp - Integer requantisation helpers --------------------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/FixedPoint.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Errc.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace mlir::qlip;

// TOSA specifies `>>` on negative int64 values as an arithmetic shift (floor
// division by 2^shift). C++17 leaves it implementation-defined; every
// compiler qlip supports does the arithmetic shift, which this pins down.
static_assert((int64_t(-3) >> 1) == -2, "need an arithmetic right shift");

static constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
static constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
static constexpr int64_t kInt48Min = -(int64_t(1) << 47);
static constexpr int64_t kInt48Max = (int64_t(1) << 47) - 1;

//===----------------------------------------------------------------------===//
// Scale -> multiplier/shift
//===----------------------------------------------------------------------===//

/// Shared body of the 32- and 16-bit conversions; `fracBits` is 31 or 15.
/// The arithmetic mirrors MLIR's computeMultiplierAndShiftTosaScale{32,16}
/// step for step so results stay bit-identical (including std::round's
/// ties-away-from-zero and the truncating shift for tiny scales).
static llvm::Expected<ScaleMultiplier> computeMultiplierAndShift(double scale,
                                                                 int fracBits) {
  const char *width = fracBits == 31 ? "32" : "16";
  if (!std::isfinite(scale) || !(scale > 0.0))
    return llvm::createStringError(
        llvm::errc::invalid_argument,
        "cannot convert scale %.17g to a TOSA %s-bit multiplier: the scale "
        "must be finite and positive",
        scale, width);

  int exponent = 0;
  const double mantissa = std::frexp(scale, &exponent); // in [0.5, 1)
  const int64_t one = int64_t(1) << fracBits;
  int64_t multiplier =
      static_cast<int64_t>(std::round(mantissa * static_cast<double>(one)));
  // A mantissa within half an ulp of 1.0 rounds up to 2^fracBits, which does
  // not fit the signed multiplier; renormalise.
  if (multiplier == one) {
    multiplier /= 2;
    ++exponent;
  }
  // exponent is bounded by the double range (about +-1075), so no overflow.
  int64_t shift = fracBits - int64_t(exponent);

  // TOSA caps shift at 62 so that it can be split into two shifts of 31.
  // Fold the excess into the multiplier; shifting out more than 31 bits
  // leaves 0 either way.
  if (shift > 62) {
    multiplier >>= std::min<int64_t>(31, shift - 62);
    shift = 62;
  }

  // MLIR only reports this case through its `bool` result; TOSA requires
  // shift >= 2, so the scale is simply not representable.
  if (shift < 2)
    return llvm::createStringError(
        llvm::errc::result_out_of_range,
        "cannot convert scale %.17g to a TOSA %s-bit multiplier: it needs "
        "shift %lld but TOSA requires 2 <= shift <= 62 (largest "
        "representable scale is just below 2^%d)",
        scale, width, static_cast<long long>(shift), fracBits - 2);

  return ScaleMultiplier{static_cast<int32_t>(multiplier),
                         static_cast<int8_t>(shift)};
}

llvm::Expected<ScaleMultiplier>
mlir::qlip::computeMultiplierAndShiftScale32(double scale) {
  return computeMultiplierAndShift(scale, 31);
}

llvm::Expected<ScaleMultiplier>
mlir::qlip::computeMultiplierAndShiftScale16(double scale) {
  return computeMultiplierAndShift(scale, 15);
}

llvm::Expected<llvm::SmallVector<ScaleMultiplier>>
mlir::qlip::computeMultipliersAndShifts(llvm::ArrayRef<double> scales,
                                        bool scale32) {
  llvm::SmallVector<ScaleMultiplier> result;
  result.reserve(scales.size());
  for (auto [index, scale] : llvm::enumerate(scales)) {
    llvm::Expected<ScaleMultiplier> converted =
        computeMultiplierAndShift(scale, scale32 ? 31 : 15);
    if (!converted)
      return llvm::createStringError(
          llvm::errc::invalid_argument, "channel %zu: %s", index,
          llvm::toString(converted.takeError()).c_str());
    result.push_back(*converted);
  }
  return result;
}

double mlir::qlip::getRealScale(ScaleMultiplier s) {
  return std::ldexp(static_cast<double>(s.multiplier), -int(s.shift));
}

//===----------------------------------------------------------------------===//
// apply_scale_32 / apply_scale_16
//===----------------------------------------------------------------------===//

/// The spec's formula, valid for any shift in [2, 62], value in int32 and
/// multiplier in int32: |value * multiplier| <= 2^62 and |round| < 2^62, so
/// the int64 sum cannot overflow.
static int32_t applyScale32Formula(int64_t value, int64_t multiplier, int shift,
                                   bool doubleRound) {
  int64_t round = int64_t(1) << (shift - 1);
  // The extra +-2^30 emulates rounding at bit 31 first (SRDHM) and then at
  // the final shift, i.e. gemmlowp's two-stage rounding.
  if (doubleRound && shift > 31)
    round += value >= 0 ? (int64_t(1) << 30) : -(int64_t(1) << 30);
  int64_t result = (value * multiplier + round) >> shift;
  return static_cast<int32_t>(result);
}

bool mlir::qlip::isValidApplyScale32(int64_t value, int64_t multiplier,
                                     int64_t shift) {
  if (multiplier < 0 || multiplier > kInt32Max)
    return false;
  if (shift < 2 || shift > 62)
    return false;
  if (value < kInt32Min || value > kInt32Max)
    return false;
  const int64_t half = int64_t(1) << (shift - 1);
  return value >= -half && value < half;
}

std::optional<int32_t> mlir::qlip::applyScale32Checked(int64_t value,
                                                       int64_t multiplier,
                                                       int64_t shift,
                                                       bool doubleRound) {
  if (!isValidApplyScale32(value, multiplier, shift))
    return std::nullopt;
  return applyScale32Formula(value, multiplier, static_cast<int>(shift),
                             doubleRound);
}

int32_t mlir::qlip::applyScale32(int32_t value, int32_t multiplier,
                                 int8_t shift, bool doubleRound) {
  assert(isValidApplyScale32(value, multiplier, shift) &&
         "apply_scale_32 REQUIRE violated; use applyScale32Checked");
  // Clamping keeps the shift amounts defined if the precondition is broken
  // in a release build; it is a no-op for valid operands.
  return applyScale32Formula(value, multiplier, std::clamp<int>(shift, 2, 62),
                             doubleRound);
}

/// apply_scale_16's formula; valid for value in int48 and multiplier in int16
/// (|product| <= 2^62). Returns the unnarrowed int64 result so the caller can
/// check the int32 REQUIRE.
static int64_t applyScale16Formula(int64_t value, int64_t multiplier,
                                   int shift) {
  int64_t round = int64_t(1) << (shift - 1);
  return (value * multiplier + round) >> shift;
}

bool mlir::qlip::isValidApplyScale16(int64_t value, int64_t multiplier,
                                     int64_t shift) {
  if (multiplier < 0 || multiplier > std::numeric_limits<int16_t>::max())
    return false;
  if (shift < 2 || shift > 62)
    return false;
  if (value < kInt48Min || value > kInt48Max)
    return false;
  int64_t result =
      applyScale16Formula(value, multiplier, static_cast<int>(shift));
  return result >= kInt32Min && result <= kInt32Max;
}

std::optional<int32_t> mlir::qlip::applyScale16Checked(int64_t value,
                                                       int64_t multiplier,
                                                       int64_t shift) {
  if (!isValidApplyScale16(value, multiplier, shift))
    return std::nullopt;
  return static_cast<int32_t>(
      applyScale16Formula(value, multiplier, static_cast<int>(shift)));
}

int32_t mlir::qlip::applyScale16(int64_t value, int16_t multiplier,
                                 int8_t shift) {
  assert(isValidApplyScale16(value, multiplier, shift) &&
         "apply_scale_16 REQUIRE violated; use applyScale16Checked");
  // As in applyScale32: clamp to keep a broken precondition UB-free.
  int64_t clampedValue = std::clamp(value, kInt48Min, kInt48Max);
  return static_cast<int32_t>(applyScale16Formula(
      clampedValue, multiplier, std::clamp<int>(shift, 2, 62)));
}

//===----------------------------------------------------------------------===//
// RESCALE
//===----------------------------------------------------------------------===//

std::optional<int64_t> mlir::qlip::rescaleReferenceChecked(
    int64_t in, int32_t inputZp, int32_t outputZp, int32_t multiplier,
    int8_t shift, bool scale32, RoundingMode mode, int64_t outMin,
    int64_t outMax) {
  // The spec clips in int32 (apply_clip_s/u<i32_t>), and REQUIREs min <= max.
  if (outMin > outMax || outMin < kInt32Min || outMax > kInt32Max)
    return std::nullopt;
  // ERROR_IF(!scale32 && rounding_mode == DOUBLE_ROUND).
  if (!scale32 && mode == RoundingMode::Double)
    return std::nullopt;
  // No TOSA input type is wider than 48 bits.
  if (in < kInt48Min || in > kInt48Max)
    return std::nullopt;

  // The spec subtracts in int48; valid programs never leave that range (i48
  // inputs require input_zp == 0), so treat leaving it as a violation rather
  // than wrapping.
  const int64_t value = in - int64_t(inputZp);
  if (value < kInt48Min || value > kInt48Max)
    return std::nullopt;

  std::optional<int32_t> scaled;
  if (scale32)
    scaled = applyScale32Checked(value, multiplier, shift,
                                 mode == RoundingMode::Double);
  else
    scaled = applyScale16Checked(value, multiplier, shift);
  if (!scaled)
    return std::nullopt;

  // apply_add_s<int32_t> REQUIREs the sum to fit in int32.
  const int64_t withZp = int64_t(*scaled) + int64_t(outputZp);
  if (withZp < kInt32Min || withZp > kInt32Max)
    return std::nullopt;
  return std::clamp(withZp, outMin, outMax);
}

int64_t mlir::qlip::rescaleReference(int64_t in, int32_t inputZp,
                                     int32_t outputZp, int32_t multiplier,
                                     int8_t shift, bool scale32,
                                     RoundingMode mode, int64_t outMin,
                                     int64_t outMax) {
  std::optional<int64_t> result = rescaleReferenceChecked(
      in, inputZp, outputZp, multiplier, shift, scale32, mode, outMin, outMax);
  assert(result && "RESCALE REQUIRE violated; use rescaleReferenceChecked");
  return result.value_or(0);
}

RescaleBounds mlir::qlip::rescaleInexactBounds(int64_t in, int32_t inputZp,
                                               int32_t outputZp,
                                               int32_t multiplier, int8_t shift,
                                               int64_t outMin, int64_t outMax) {
  // Mirrors the spec's precision requirement literally, in fp64.
  const double outRef = static_cast<double>(in - int64_t(inputZp)) *
                        static_cast<double>(multiplier) *
                        std::ldexp(1.0, -int(shift));
  const double zp = static_cast<double>(outputZp);
  const double errBound =
      0.5 + (3.0 * std::fabs(outRef) + std::fabs(outRef + zp)) *
                std::ldexp(1.0, -23 - 1);
  const double lo = static_cast<double>(outMin);
  const double hi = static_cast<double>(outMax);
  const double minRef = std::clamp(std::ceil(outRef - errBound + zp), lo, hi);
  const double maxRef = std::clamp(std::floor(outRef + errBound + zp), lo, hi);
  return {static_cast<int64_t>(minRef), static_cast<int64_t>(maxRef)};
}

//===----------------------------------------------------------------------===//
// TFLite / gemmlowp
//===----------------------------------------------------------------------===//

std::optional<TfliteMultiplier>
mlir::qlip::tfliteQuantizeMultiplier(double scale) {
  if (!std::isfinite(scale) || scale < 0.0)
    return std::nullopt;
  if (scale == 0.0)
    return TfliteMultiplier{0, 0};
  int shift = 0;
  const double q = std::frexp(scale, &shift);
  int64_t qFixed =
      static_cast<int64_t>(std::round(q * double(int64_t(1) << 31)));
  if (qFixed == (int64_t(1) << 31)) {
    qFixed /= 2;
    ++shift;
  }
  // TFLite flushes multipliers below ~2^-32 to zero instead of emitting
  // right shifts wider than 31 bits.
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return TfliteMultiplier{static_cast<int32_t>(qFixed), shift};
}

int32_t mlir::qlip::tfliteSaturatingRoundingDoublingHighMul(int32_t a,
                                                            int32_t b) {
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = int64_t(a) * int64_t(b);
  const int64_t nudge = ab >= 0 ? (int64_t(1) << 30) : 1 - (int64_t(1) << 30);
  // C++ division truncates toward zero, which together with the asymmetric
  // nudge rounds ties toward +inf.
  const int64_t high = (ab + nudge) / (int64_t(1) << 31);
  return overflow ? std::numeric_limits<int32_t>::max()
                  : static_cast<int32_t>(high);
}

int32_t mlir::qlip::tfliteRoundingDivideByPOT(int32_t x, int exponent) {
  assert(exponent >= 0 && exponent <= 31 && "exponent out of range");
  exponent = std::clamp(exponent, 0, 31);
  // Computed in int64 so that mask = 2^31 - 1 and the sums stay defined.
  const int64_t mask = (int64_t(1) << exponent) - 1;
  const int64_t remainder = int64_t(x) & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((int64_t(x) >> exponent) +
                              (remainder > threshold ? 1 : 0));
}

std::optional<int32_t>
mlir::qlip::tfliteMultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier,
                                                int shift) {
  if (shift < -31 || shift > 30)
    return std::nullopt;
  const int leftShift = shift > 0 ? shift : 0;
  const int rightShift = shift > 0 ? 0 : -shift;
  const int64_t shifted = int64_t(x) * (int64_t(1) << leftShift);
  if (shifted < kInt32Min || shifted > kInt32Max)
    return std::nullopt;
  return tfliteRoundingDivideByPOT(
      tfliteSaturatingRoundingDoublingHighMul(static_cast<int32_t>(shifted),
                                              multiplier),
      rightShift);
}

std::optional<ScaleMultiplier>
mlir::qlip::getTosaScaleFromTflite(TfliteMultiplier m) {
  const int64_t shift = 31 - int64_t(m.shift);
  if (m.multiplier < 0 || shift < 2 || shift > 62)
    return std::nullopt;
  return ScaleMultiplier{m.multiplier, static_cast<int8_t>(shift)};
}
