//===- QuantizeWeights.cpp - per-channel weight ranges ----------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Chooses the range of every constant weight from its values and records it
// on a qlip.fake_quant. This is a one-shot, whole-module transform (the
// first and last layers and the report need the whole module in program
// order), so it walks the module instead of running rewrite patterns.
//
//===----------------------------------------------------------------------===//

#include "qlip/Transforms/Passes.h"

#include "qlip/Transforms/LayerInputs.h"
#include "qlip/Transforms/LayerNames.h"
#include "qlip/Transforms/QuantReport.h"
#include "dialects/Qlip/IR/FloatElements.h"
#include "dialects/Qlip/IR/QlipOps.h"
#include "qlip/Calibration/AdaRound.h"
#include "qlip/Calibration/Aciq.h"
#include "qlip/Calibration/BitAllocation.h"
#include "qlip/Calibration/ClipMath.h"
#include "qlip/Calibration/Gptq.h"
#include "qlip/Support/ProgressBar.h"
#include "qlip/Transforms/WeightBits.h"
#include "qlip/Calibration/Sawb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Parallel.h"

#include <cmath>

namespace mlir::qlip {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSPASS
#include "qlip/Transforms/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;
using namespace mlir::qlip;

namespace {

/// The elements of each channel, contiguous. A channel of the outermost
/// axis is already contiguous and is not copied.
class ChannelView {
public:
  ChannelView(ArrayRef<float> values, ArrayRef<int64_t> shape,
              std::optional<int64_t> axis)
      : values(values) {
    if (!axis) {
      numChannels = 1;
      return;
    }
    numChannels = shape[*axis];
    inner = ShapedType::getNumElements(shape.drop_front(*axis + 1));
    outer = ShapedType::getNumElements(shape.take_front(*axis));
  }

  int64_t size() const { return numChannels; }

  ArrayRef<float> get(int64_t c) {
    if (numChannels == 1)
      return values;
    if (outer == 1)
      return values.slice(c * inner, inner);
    buffer.clear();
    for (int64_t o = 0; o < outer; ++o) {
      ArrayRef<float> run =
          values.slice((o * numChannels + c) * inner, inner);
      buffer.append(run.begin(), run.end());
    }
    return buffer;
  }

  /// Every channel's values in storage of its own (get() reuses one
  /// buffer, so its results do not outlive the next call).
  std::vector<std::vector<float>> copies() {
    std::vector<std::vector<float>> result;
    for (int64_t c = 0; c < numChannels; ++c) {
      ArrayRef<float> channel = get(c);
      result.emplace_back(channel.begin(), channel.end());
    }
    return result;
  }

  /// Writes the values of channel `c` (in get()'s order) back into `out`,
  /// which has the layout of the whole tensor.
  void scatter(int64_t c, ArrayRef<float> channel,
               MutableArrayRef<float> out) const {
    if (numChannels == 1) {
      llvm::copy(channel, out.begin());
      return;
    }
    for (int64_t o = 0; o < outer; ++o)
      llvm::copy(channel.slice(o * inner, inner),
                 out.begin() + (o * numChannels + c) * inner);
  }

private:
  ArrayRef<float> values;
  int64_t numChannels = 1, inner = 1, outer = 1;
  SmallVector<float> buffer;
};

/// The constant bias of `layer`: a conv's operand, or the constant added to
/// its result (directly, or after the reshapes a fully connected layer's
/// matmul goes through), or null.
static ElementsAttr findBias(Operation *layer) {
  ElementsAttr bias;
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp>(
          layer))
    return matchPattern(layer->getOperand(2), m_Constant(&bias)) ? bias
                                                                 : nullptr;
  Value result = layer->getResult(0);
  while (result.hasOneUse() && isa<tosa::ReshapeOp>(*result.user_begin()))
    result = result.user_begin()->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  auto add = dyn_cast<tosa::AddOp>(*result.user_begin());
  if (!add)
    return nullptr;
  Value other = add.getInput1() == result ? add.getInput2() : add.getInput1();
  return matchPattern(other, m_Constant(&bias)) ? bias : nullptr;
}

/// Whether `layer`'s bias can take a per-channel shift of its
/// `numOutputs` channels: a conv's constant f32 bias (one value or one per
/// channel), or a float matmul (a bias add is inserted after it).
static bool canShiftBias(Operation *layer, int64_t numOutputs) {
  if (isa<tosa::MatMulOp>(layer))
    return cast<ShapedType>(layer->getResult(0).getType())
        .getElementType()
        .isF32();
  if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(layer))
    return false;
  ElementsAttr bias = findBias(layer);
  if (!bias || !bias.getElementType().isF32())
    return false;
  std::optional<FloatElements> values = FloatElements::read(bias);
  return values && (values->values().size() == 1 ||
                    int64_t(values->values().size()) == numOutputs);
}

/// Fails, naming the layer and the element, when its bias holds NaN or an
/// infinity: its int32 level would be garbage.
static LogicalResult checkBiasFinite(Operation *layer, StringRef name) {
  ElementsAttr bias = findBias(layer);
  if (!bias || !isa<FloatType>(bias.getElementType()))
    return success();
  std::optional<FloatElements> values = FloatElements::read(bias);
  if (!values)
    return success(); // Read (and reported) where the bias is lowered.
  std::optional<size_t> bad = firstNonFinite(values->values());
  if (!bad)
    return success();
  float value = values->values()[*bad];
  return layer->emitError("bias of layer '")
         << name << "' holds "
         << (std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf")
         << " at element " << *bad
         << "; NaN and infinite biases cannot be quantized";
}

/// GPTQ's solvers for a layer's input moments: one for every channel, or
/// one per channel (a depthwise layer).
struct LayerSolvers {
  SmallVector<std::optional<GptqSolver>> solvers;
  /// E[x] per group where the layer's bias absorbs the mean of the error
  /// the rounding leaves at its output (the solvers then factor the
  /// inputs' covariance E[x x^T] - E[x] E[x]^T, what remains of it); else
  /// empty (they factor E[x x^T]).
  ArrayRef<double> mean;
  int64_t k = 0;

  bool isCentered() const { return !mean.empty(); }
  /// E[x]^T (w - s q): the mean error of channel `c` at the output (with
  /// no levels, E[x]^T w: the output's mean); 0 when not centered.
  double meanError(size_t c, ArrayRef<float> w, ArrayRef<int64_t> levels = {},
                   double scale = 0.0) const {
    if (mean.empty())
      return 0.0;
    ArrayRef<double> mu = mean.slice(solvers.size() == 1 ? 0 : c * k, k);
    double sum = 0;
    for (size_t i = 0; i < mu.size(); ++i)
      sum += mu[i] * (double(w[i]) -
                      (levels.empty() ? 0.0 : double(levels[i]) * scale));
    return sum;
  }
  /// The mean square of the outputs of channels [first, first + rows) of
  /// solver `g`: w^T H w, which under the covariance is w^T C w plus the
  /// mean's square.
  std::vector<double> outputPowers(size_t g, size_t first,
                                   ArrayRef<ArrayRef<float>> rows) const {
    std::vector<double> powers = solvers[g]->outputPowers(rows);
    for (auto [i, power] : llvm::enumerate(powers)) {
      double m = meanError(first + i, rows[i]);
      power += m * m;
    }
    return powers;
  }
};

/// Factors the moments of `op` (named `name` in errors, `numChannels`
/// output channels) into solvers. With `correctBias` (empirical bias
/// correction), where the moments have the input's mean and the layer's
/// bias can move, they factor the covariance instead (see LayerSolvers).
/// An error names the layer when they cannot be factored (only NaN or
/// infinite moments cannot; calibration rejects those, so that is a
/// hand-written attribute).
static FailureOr<LayerSolvers> factorMoments(Operation *op, StringRef name,
                                             const InputMoments &moments,
                                             bool correctBias,
                                             int64_t numChannels) {
  LayerSolvers result;
  int64_t k = moments.k;
  result.k = k;
  if (correctBias && canShiftBias(op, numChannels))
    result.mean = moments.mean;
  std::vector<double> covariance;
  for (int64_t g = 0; g < moments.groups; ++g) {
    ArrayRef<double> h = moments.values.slice(g * k * k, k * k);
    if (result.isCentered()) {
      ArrayRef<double> mu = result.mean.slice(g * k, k);
      covariance.assign(h.begin(), h.end());
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < k; ++j)
          covariance[i * k + j] -= mu[i] * mu[j];
      h = covariance;
    }
    result.solvers.push_back(GptqSolver::create(h, k));
    if (!result.solvers.back())
      return op->emitError("the input moments of layer '")
             << name << "' are not positive semi-definite";
  }
  return result;
}

/// Adds `shift[c]` to the bias of `layer`'s output channel c (canShiftBias
/// holds): a conv gets a new bias constant (the old one may be shared); a
/// matmul a `tosa.add` of a [1, 1, N] constant after it, which the integer
/// lowering folds into the int32 bias like any bias add.
static void shiftBias(Operation *layer, ArrayRef<double> shift) {
  OpBuilder builder(layer);
  Location loc = layer->getLoc();
  auto numOutputs = static_cast<int64_t>(shift.size());
  SmallVector<float> values(numOutputs, 0.0f);
  if (isa<tosa::MatMulOp>(layer)) {
    for (auto [v, d] : llvm::zip_equal(values, shift))
      v = static_cast<float>(d);
    Value result = layer->getResult(0);
    auto type = cast<RankedTensorType>(result.getType());
    auto constType =
        RankedTensorType::get({1, 1, numOutputs}, type.getElementType());
    builder.setInsertionPointAfter(layer);
    Value bias = tosa::ConstOp::create(
        builder, loc, constType,
        DenseElementsAttr::get(constType, ArrayRef<float>(values)));
    auto add = tosa::AddOp::create(builder, loc, type, result, bias);
    // Not the model's own op: the statistics and the report still match.
    add->setAttr(QlipDialect::kAddedAttrName, builder.getUnitAttr());
    result.replaceAllUsesExcept(add, add);
    return;
  }
  ElementsAttr old;
  matchPattern(layer->getOperand(2), m_Constant(&old));
  // canShiftBias read it: one value, or one per channel.
  std::optional<FloatElements> current = FloatElements::read(old);
  ArrayRef<float> base = current->values();
  for (int64_t c = 0; c < numOutputs; ++c)
    values[c] = static_cast<float>(
        double(base.size() == 1 ? base[0] : base[c]) + shift[c]);
  auto type = RankedTensorType::get({numOutputs}, builder.getF32Type());
  Value bias = tosa::ConstOp::create(
      builder, loc, type, DenseElementsAttr::get(type, ArrayRef<float>(values)));
  layer->setOperand(2, bias);
}

/// The channels [first, last) solver `g` of `numSolvers` serves.
static std::pair<size_t, size_t>
solverChannels(size_t g, size_t numSolvers, size_t numChannels) {
  if (numSolvers == 1)
    return {0, numChannels};
  return {g, g + 1};
}

/// The values of a rewritten weight. Small weights become a readable dense
/// attribute; large ones a dense_resource blob filled in place, so a 100 MB
/// model is not copied twice (peak memory stays under three times the
/// weights).
class CorrectedWeights {
public:
  explicit CorrectedWeights(int64_t numElements) {
    if (numElements > kInlineLimit)
      blob = HeapAsmResourceBlob::allocate(numElements * sizeof(float),
                                           alignof(float));
    else
      inlineValues.resize(numElements);
  }

  MutableArrayRef<float> values() {
    if (blob)
      return MutableArrayRef<float>(
          reinterpret_cast<float *>(blob->getMutableData().data()),
          blob->getData().size() / sizeof(float));
    return inlineValues;
  }

  /// The corrected weights as a constant of `type`. They are computed in
  /// f32; a weight of another float type (f16, bf16) gets them rounded to
  /// its own type, which keeps them on the grid up to that type's precision.
  ElementsAttr take(RankedTensorType type, StringRef name) {
    auto elementType = cast<FloatType>(type.getElementType());
    if (!elementType.isF32()) {
      SmallVector<APFloat> converted;
      converted.reserve(type.getNumElements());
      for (float v : values()) {
        APFloat value(v);
        bool losesInfo;
        value.convert(elementType.getFloatSemantics(),
                      APFloat::rmNearestTiesToEven, &losesInfo);
        converted.push_back(value);
      }
      return DenseElementsAttr::get(type, converted);
    }
    if (blob)
      return cast<ElementsAttr>(
          DenseF32ResourceElementsAttr::get(type, name, std::move(*blob)));
    return DenseElementsAttr::get(type, ArrayRef<float>(inlineValues));
  }

private:
  static constexpr int64_t kInlineLimit = 4096;
  std::optional<AsmResourceBlob> blob;
  std::vector<float> inlineValues;
};

/// 10 log10(E[x^2] / mse), infinite for an exact quantization.
double sqnrDb(ArrayRef<float> x, double mse) {
  double power = 0;
  for (float v : x)
    power += static_cast<double>(v) * v;
  power /= std::max<size_t>(x.size(), 1);
  if (mse <= 0)
    return INFINITY;
  return 10.0 * std::log10(power / mse);
}

struct QuantizeWeightsPass
    : qlip::impl::QuantizeWeightsPassBase<QuantizeWeightsPass> {
  using QuantizeWeightsPassBase::QuantizeWeightsPassBase;

  /// Bad options are reported once, before any IR is touched, at no IR
  /// location (they come from the command line or the pipeline string).
  LogicalResult initialize(MLIRContext *context) override;
  void runOnOperation() override;

private:
  unsigned bitsFor(Operation *op, StringRef name, size_t position,
                   size_t count);
  /// The rule of a layer at `layerBits`: the pass's, except sawb at 8 bits
  /// and more, and auto where no input moments measure it.
  ClipRule ruleFor(unsigned layerBits, bool hasMoments) const;
  /// The clip alpha of one channel under `rule`.
  double chooseClip(ArrayRef<float> channel, QuantGrid grid, ClipRule rule,
                    ClipRule &chosen);
  LogicalResult quantize(Operation *op, WeightOperand weight,
                         StringRef name, unsigned layerBits,
                         SmallVectorImpl<LayerReport> &report);
  LogicalResult writeReport(ArrayRef<LayerReport> report);

  /// Whether the layer `op` (known as `name`) takes empirical bias
  /// correction: its `layer-bias-correction` entry, else the pass's.
  bool correctsBias(Operation *op, StringRef name);

  llvm::StringMap<unsigned> overrides;
  /// The `layer-bits` entries some layer took.
  llvm::StringMap<bool> usedOverrides;
  /// `layer-bias-correction`, parsed, in order, and the entries some layer
  /// took.
  SmallVector<std::pair<std::string, bool>> correctionOverrides;
  llvm::StringMap<bool> usedCorrectionOverrides;
};

LogicalResult QuantizeWeightsPass::initialize(MLIRContext *context) {
  auto error = [&] {
    return emitError(UnknownLoc::get(context)) << "qlip-quantize-weights: ";
  };
  for (unsigned b : {unsigned(bits), unsigned(firstLayerBits),
                     unsigned(lastLayerBits)})
    if (b != 0 && !isSupportedBitWidth(b))
      return error() << "weight bit width must be 2 to 8 or 16, got " << b;
  if (!isSupportedBitWidth(bits))
    return error() << "weight bit width must be 2 to 8 or 16, got "
                   << unsigned(bits);
  correctionOverrides.clear();
  for (const std::string &entry : layerBiasCorrection) {
    auto [name, value] = StringRef(entry).rsplit('=');
    std::optional<bool> on = llvm::StringSwitch<std::optional<bool>>(value)
                                 .Case("true", true)
                                 .Case("false", false)
                                 .Default(std::nullopt);
    if (name.empty() || !on)
      return error() << "expected NAME=true or NAME=false in "
                        "layer-bias-correction, got '"
                     << entry << "'";
    correctionOverrides.push_back({name.str(), *on});
  }
  return parseLayerBits(layerBits, overrides, error);
}

bool QuantizeWeightsPass::correctsBias(Operation *op, StringRef name) {
  // The last entry that names the layer wins, as a later option would.
  bool corrects = empiricalBiasCorrection;
  for (const auto &[entry, on] : correctionOverrides)
    if (isLayerNamed(op, name, entry)) {
      usedCorrectionOverrides[entry] = true;
      corrects = on;
    }
  return corrects;
}

unsigned QuantizeWeightsPass::bitsFor(Operation *op, StringRef name,
                                      size_t position, size_t count) {
  if (auto it = overrides.find(name); it != overrides.end()) {
    usedOverrides[name] = true;
    return it->second;
  }
  std::string location = describePositions(op->getLoc());
  for (const auto &entry : overrides)
    if (StringRef(location).contains(entry.getKey())) {
      usedOverrides[entry.getKey()] = true;
      return entry.getValue();
    }
  // qlip-choose-bits' choice.
  if (auto chosen = op->getAttrOfType<IntegerAttr>(kWeightBitsAttrName))
    return chosen.getInt();
  if (position == 0 && firstLayerBits != 0)
    return firstLayerBits;
  if (position + 1 == count && lastLayerBits != 0)
    return lastLayerBits;
  return bits;
}

/// The clip of one channel under one (non-composite) rule.
static double clipByRule(ClipRule rule, ArrayRef<float> channel,
                         QuantGrid grid) {
  switch (rule) {
  case ClipRule::MSE:
    return mseOptimalClip(channel, grid);
  case ClipRule::AciqLaplace:
    return aciqClip(channel, AciqPrior::Laplace, grid);
  case ClipRule::AciqGauss:
    return aciqClip(channel, AciqPrior::Gauss, grid);
  case ClipRule::Sawb:
    return sawbNarrowClip(channel, grid.bits);
  default: {
    double range = clipRange(channel, grid);
    return finalizeClip(range, range, grid);
  }
  }
}

ClipRule QuantizeWeightsPass::ruleFor(unsigned layerBits,
                                      bool hasMoments) const {
  // `auto` measures its candidates at the layer's output; with nothing to
  // measure them on it is the lowest weight error, `mse`.
  if (clip == ClipRule::Auto && !hasMoments)
    return ClipRule::MSE;
  // SAWB's coefficients are a fit for low bit widths: at 8 bits its
  // c1 * sqrt(E[w^2]) - c2 * E|w| is the difference of two large, nearly
  // equal terms, and a first conv's weight SQNR fell from 49 dB to 10 dB
  // with it. An 8-bit layer (the first and last layers at their default 8
  // bits) takes the MSE-optimal clip instead.
  if (clip == ClipRule::Sawb && layerBits >= 8)
    return ClipRule::MSE;
  return clip;
}

/// The clip of the first of `candidates` whose real quantization error on
/// `channel` is the lowest (a tie keeps the earlier rule).
static double lowestErrorClip(ArrayRef<float> channel, QuantGrid grid,
                              ArrayRef<ClipRule> candidates,
                              ClipRule &chosen) {
  double bestAlpha = 0, bestMse = INFINITY;
  for (ClipRule candidate : candidates) {
    double alpha = clipByRule(candidate, channel, grid);
    double mse = quantizationMse(channel, alpha, grid);
    if (mse < bestMse) {
      bestAlpha = alpha;
      bestMse = mse;
      chosen = candidate;
    }
  }
  return bestAlpha;
}

namespace {
/// A channel's clip chosen at the layer's output, and its rounding.
struct MeasuredChoice {
  ClipRule rule = ClipRule::Max;
  double alpha = 0;
  std::vector<int64_t> levels;
  /// The rounding's error and the channel's power at the layer's output.
  double outputError = 0, outputPower = 0;
  /// AdaRound's levels beat GPTQ's.
  bool adaRounded = false;
};
} // namespace

/// What `auto` tries per channel, by the error each causes at the layer's
/// output (each candidate is a GPTQ rounding: the cost is in proportion
/// to their number). SAWB's coefficients are a low-bit fit: not at 8 bits.
/// Neither are ACIQ's priors: at 8 bits its clips barely differ from the
/// MSE-optimal one (on ResNet-50's 27,560 channels, max won 53%, mse 45%,
/// aciq-gauss 2% and aciq-laplace none), so 8-bit layers, the bulk of a
/// W8 model, round twice instead of four times.
static SmallVector<ClipRule> autoCandidates(unsigned bits) {
  if (bits >= 8)
    return {ClipRule::Max, ClipRule::MSE};
  return {ClipRule::Max, ClipRule::MSE, ClipRule::AciqLaplace,
          ClipRule::AciqGauss, ClipRule::Sawb};
}

double QuantizeWeightsPass::chooseClip(ArrayRef<float> channel,
                                       QuantGrid grid, ClipRule rule,
                                       ClipRule &chosen) {
  chosen = rule;
  if (rule == ClipRule::Aciq) {
    AciqChoice choice = aciqAuto(channel, grid);
    chosen = choice.prior == AciqPrior::Laplace ? ClipRule::AciqLaplace
                                                : ClipRule::AciqGauss;
    return choice.alpha;
  }
  // From 4 bits on, SAWB's c1 * sqrt(E[w^2]) - c2 * E|w| is a difference of
  // near-equal terms (14.3 and 14.8 at 4 bits) that can clip far inside a
  // channel whose values are not Laplace-like: on trained networks it gave
  // several times the optimal error. A channel keeps SAWB's clip only where
  // it is no worse than max's.
  if (rule == ClipRule::Sawb && grid.bits >= 4)
    return lowestErrorClip(channel, grid, {ClipRule::Sawb, ClipRule::Max},
                           chosen);
  // `best`: every rule; `max` comes first so a tie keeps the simplest.
  if (rule == ClipRule::Best)
    return lowestErrorClip(channel, grid,
                           {ClipRule::Max, ClipRule::MSE, ClipRule::AciqLaplace,
                            ClipRule::AciqGauss, ClipRule::Sawb},
                           chosen);
  return clipByRule(rule, channel, grid);
}

LogicalResult QuantizeWeightsPass::quantize(
    Operation *op, WeightOperand weight, StringRef name, unsigned layerBits,
    SmallVectorImpl<LayerReport> &report) {
  Value value = op->getOperand(weight.index);
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return success(); // Not a weight: an activation times an activation.
  auto type = cast<RankedTensorType>(value.getType());
  // Integer weights are already quantized.
  if (!type.hasStaticShape() || !isa<FloatType>(type.getElementType()))
    return success();
  std::optional<FloatElements> weights = FloatElements::read(attr);
  if (!weights)
    return op->emitError("cannot read the values of weight operand #")
           << weight.index << " of type " << type
           << " (a dense_resource blob that is missing or of the wrong size)";

  std::optional<int64_t> axis;
  if (granularity == Granularity::PerChannel)
    axis = weight.channelAxis;
  ChannelView channels(weights->values(), type.getShape(), axis);
  QuantGrid grid = QuantGrid::signedNarrow(layerBits);
  for (int64_t c = 0, e = channels.size(); c < e; ++c) {
    ArrayRef<float> channel = channels.get(c);
    if (std::optional<size_t> bad = firstNonFinite(channel))
      return op->emitError("weight of layer '")
             << name << "' holds "
             << (std::isnan(channel[*bad]) ? "nan"
                 : channel[*bad] > 0       ? "inf"
                                           : "-inf")
             << " in output channel "
             << c << "; NaN and infinite weights cannot be quantized";
  }
  if (failed(checkBiasFinite(op, name)))
    return failure();
  bool allocate = bitAllocation && axis;
  // The layer's input moments measure each channel at the layer's output:
  // one H for every channel, or one per channel (depthwise), over exactly
  // the channel's elements.
  FailureOr<std::optional<InputMoments>> moments = getInputMoments(op);
  if (failed(moments))
    return failure();
  bool measured = *moments && axis && !biasCorrection && !allocate &&
                  channels.size() > 0 &&
                  ((*moments)->groups == 1 ||
                   (*moments)->groups == channels.size()) &&
                  static_cast<int64_t>(channels.get(0).size()) ==
                      (*moments)->k;
  LayerSolvers solvers;
  if (measured) {
    auto factored = factorMoments(op, name, **moments,
                                  correctsBias(op, name), channels.size());
    if (failed(factored))
      return failure();
    solvers = std::move(*factored);
  }
  // Empirical bias correction: the mean error goes to the bias, and the
  // rounding minimizes the rest.
  bool centered = solvers.isCentered();
  const ClipRule rule = ruleFor(layerBits, measured);
  bool gptq = measured && rounding != WeightRounding::Nearest;
  bool adaround = gptq && rounding == WeightRounding::GptqAdaRound;

  LayerReport layer;
  layer.name = name.str();
  layer.opName = op->getName().getStringRef().str();
  layer.bits = layerBits;
  layer.rule = rule;
  layer.axis = axis;
  layer.biasCorrected = biasCorrection;
  layer.empiricalBiasCorrection = centered;
  layer.rounding = adaround ? "gptq-adaround" : gptq ? "gptq" : "nearest";
  SmallVector<double> scales, clipMin, clipMax;
  double totalSquaredError = 0, totalPower = 0;
  double totalOutputError = 0, totalOutputPower = 0;
  // ACIQ's bit allocation: channel bits in proportion to alpha^(2/3) of
  // the clips at the layer's width, averaging that width.
  SmallVector<unsigned> channelBits(channels.size(), layerBits);
  if (allocate) {
    SmallVector<double> alphas;
    for (int64_t c = 0, e = channels.size(); c < e; ++c) {
      ClipRule ignored;
      alphas.push_back(chooseClip(channels.get(c), grid, rule, ignored));
    }
    auto allocated = allocateChannelBits(alphas, layerBits, /*minBits=*/2,
                                         /*maxBits=*/8);
    if (!allocated)
      return op->emitError("bit allocation for layer '")
             << name << "' failed: " << llvm::toString(allocated.takeError());
    channelBits = std::move(*allocated);
  }
  unsigned storageBits = *llvm::max_element(channelBits);
  // Bias correction, bit allocation and GPTQ rewrite the weights (all keep
  // them on the grid), so the layer gets a new constant in the original
  // layout, written straight into the storage the new attribute will own.
  // Each channel's candidate clips, rounded as the layer will be and
  // measured at its output, all rows of a solver at once (the rounding
  // streams H's factor once per tile of rows); a tie keeps the earlier,
  // simpler rule.
  SmallVector<MeasuredChoice> measuredChoices;
  if (measured) {
    measuredChoices.resize(channels.size());
    SmallVector<SmallVector<ClipRule>> candidates(channels.size());
    SmallVector<SmallVector<double>> alphas(channels.size());
    for (int64_t c = 0, e = channels.size(); c < e; ++c) {
      ArrayRef<float> channel = channels.get(c);
      QuantGrid channelGrid = QuantGrid::signedNarrow(channelBits[c]);
      if (rule == ClipRule::Auto) {
        candidates[c] = autoCandidates(channelBits[c]);
        for (ClipRule candidate : candidates[c])
          alphas[c].push_back(clipByRule(candidate, channel, channelGrid));
      } else {
        candidates[c].push_back(rule);
        alphas[c].push_back(
            chooseClip(channel, channelGrid, rule, candidates[c].back()));
      }
    }
    // The rows outlive get(): every channel copied once.
    std::vector<std::vector<float>> values = channels.copies();
    for (size_t g = 0, e = solvers.solvers.size(); g < e; ++g) {
      const GptqSolver &solver = *solvers.solvers[g];
      auto [first, last] = solverChannels(g, e, values.size());
      std::vector<ArrayRef<float>> channelRows(values.begin() + first,
                                               values.begin() + last);
      std::vector<GptqRow> rows;
      std::vector<size_t> rowChannel;
      for (size_t c = first; c < last; ++c) {
        QuantGrid channelGrid = QuantGrid::signedNarrow(channelBits[c]);
        for (double alpha : alphas[c]) {
          rows.push_back({values[c], clipScale(alpha, channelGrid),
                          channelGrid});
          rowChannel.push_back(c);
        }
      }
      std::vector<std::vector<int64_t>> levels(rows.size());
      std::vector<double> errors(rows.size());
      if (gptq) {
        solver.roundRows(rows, levels, errors);
      } else {
        for (auto [row, rowLevels] : llvm::zip_equal(rows, levels))
          rowLevels = roundToNearest(row.weights, row.scale, row.grid);
        errors = solver.outputErrors(rows, levels);
      }
      std::vector<double> powers =
          solvers.outputPowers(g, first, channelRows);
      for (size_t c = first; c < last; ++c)
        measuredChoices[c].outputPower = powers[c - first];
      // Rows are in candidate order within each channel.
      size_t candidate = 0;
      for (size_t r = 0; r < rows.size(); ++r) {
        size_t c = rowChannel[r];
        candidate = r > 0 && rowChannel[r - 1] == c ? candidate + 1 : 0;
        MeasuredChoice &choice = measuredChoices[c];
        if (candidate == 0 || errors[r] < choice.outputError) {
          choice.outputError = errors[r];
          choice.alpha = alphas[c][candidate];
          choice.rule = candidates[c][candidate];
          choice.levels = std::move(levels[r]);
        }
      }
      // AdaRound on each channel's chosen clip, where it leaves less error
      // at the output than GPTQ did (channels are independent: in
      // parallel, with the same result).
      if (adaround)
        llvm::parallelFor(first, last, [&](size_t c) {
          MeasuredChoice &choice = measuredChoices[c];
          QuantGrid channelGrid = QuantGrid::signedNarrow(channelBits[c]);
          double scale = clipScale(choice.alpha, channelGrid);
          std::vector<int64_t> learned =
              adaRound(solver, values[c], scale, channelGrid);
          double error =
              solver.outputError(values[c], learned, scale, channelGrid);
          if (error < choice.outputError) {
            choice.outputError = error;
            choice.levels = std::move(learned);
            choice.adaRounded = true;
          }
        });
    }
  }
  bool rewrite = biasCorrection || allocate || gptq;
  CorrectedWeights corrected(rewrite ? type.getNumElements() : 0);
  SmallVector<float> channelValues;
  // Empirical bias correction: each channel's mean output error, which the
  // bias takes back.
  SmallVector<double> biasShifts;
  for (int64_t c = 0, e = channels.size(); c < e; ++c) {
    ArrayRef<float> channel = channels.get(c);
    QuantGrid channelGrid = QuantGrid::signedNarrow(channelBits[c]);
    ChannelReport report;
    report.bits = channelBits[c];
    if (measured) {
      const MeasuredChoice &choice = measuredChoices[c];
      report.rule = choice.rule;
      report.scale = clipScale(choice.alpha, channelGrid);
      channelValues.clear();
      double squaredError = 0;
      for (auto [q, w] : llvm::zip_equal(choice.levels, channel)) {
        float v = static_cast<float>(double(q) * report.scale);
        channelValues.push_back(v);
        squaredError += (double(v) - w) * (double(v) - w);
      }
      if (gptq)
        channels.scatter(c, channelValues, corrected.values());
      if (centered)
        biasShifts.push_back(
            solvers.meanError(c, channel, choice.levels, report.scale));
      report.mse = squaredError / std::max<size_t>(channel.size(), 1);
      report.clip = choice.alpha;
      totalOutputError += choice.outputError;
      layer.adaRoundedChannels += choice.adaRounded;
      totalOutputPower += choice.outputPower;
    } else {
      double alpha = chooseClip(channel, channelGrid, rule, report.rule);
      if (biasCorrection) {
        GridBiasCorrection correction =
            correctBiasOnGrid(channel, alpha, channelGrid);
        alpha = correction.scale * channelGrid.scaleDivisor();
        channelValues.clear();
        double squaredError = 0;
        for (auto [q, w] : llvm::zip_equal(correction.levels, channel)) {
          float v = static_cast<float>(double(q) * correction.scale);
          channelValues.push_back(v);
          squaredError += (double(v) - w) * (double(v) - w);
        }
        channels.scatter(c, channelValues, corrected.values());
        report.scale = correction.scale;
        report.mse = squaredError / std::max<size_t>(channel.size(), 1);
      } else {
        report.scale = clipScale(alpha, channelGrid);
        report.mse = quantizationMse(channel, alpha, channelGrid);
        if (allocate) {
          // Clipped at the channel's alpha, the weights use only the
          // channel's 2^b - 1 levels of the layer's wider grid.
          channelValues.clear();
          for (float w : channel)
            channelValues.push_back(static_cast<float>(
                std::clamp(static_cast<double>(w), -alpha, alpha)));
          channels.scatter(c, channelValues, corrected.values());
        }
      }
      report.clip = alpha;
    }
    report.sqnrDb = sqnrDb(channel, report.mse);
    totalSquaredError += report.mse * channel.size();
    for (float v : channel)
      totalPower += static_cast<double>(v) * v;
    scales.push_back(report.scale);
    clipMin.push_back(-report.clip);
    clipMax.push_back(report.clip);
    layer.channels.push_back(report);
  }
  if (measured)
    layer.outputSqnrDb = totalOutputError > 0
                             ? 10.0 * std::log10(totalOutputPower /
                                                 totalOutputError)
                             : INFINITY;
  // `auto` records what it chose: the rule, when every channel chose the
  // same one.
  ClipRule recorded = rule;
  if (rule == ClipRule::Auto &&
      llvm::all_of(layer.channels, [&](const ChannelReport &channel) {
        return channel.rule == layer.channels.front().rule;
      }))
    recorded = layer.channels.front().rule;
  layer.rule = recorded;
  size_t n = std::max<size_t>(weights->values().size(), 1);
  layer.mse = totalSquaredError / n;
  layer.sqnrDb = layer.mse > 0 ? 10.0 * std::log10(totalPower / n / layer.mse)
                               : INFINITY;

  SmallVector<int64_t> zeroPoints(scales.size(), 0);
  layer.bits = storageBits;
  auto qparams = QParamsAttr::get(op->getContext(), storageBits,
                                  /*isSigned=*/true, /*narrowRange=*/true,
                                  axis, scales, zeroPoints, clipMin, clipMax,
                                  recorded);
  OpBuilder builder(op);
  if (rewrite)
    value = tosa::ConstOp::create(builder, value.getLoc(), type,
                                  corrected.take(type, ("qlip_corrected_" + name).str()));
  auto fakeQuant =
      FakeQuantOp::create(builder, value.getLoc(), value, qparams);
  op->setOperand(weight.index, fakeQuant);
  if (centered)
    shiftBias(op, biasShifts);
  report.push_back(std::move(layer));
  return success();
}

LogicalResult QuantizeWeightsPass::writeReport(ArrayRef<LayerReport> report) {
  if (printReport)
    printReportTable(llvm::errs(), report);
  if (reportFile.empty())
    return success();
  return writeReportFile(
      reportFile, getArgument(), getOperation().getLoc(),
      [&](llvm::raw_ostream &os) { writeJsonReport(os, report); });
}

void QuantizeWeightsPass::runOnOperation() {
  // Layers in program order, so first and last mean what users expect.
  auto layers = collectUnquantizedLayers(getOperation());

  SmallVector<LayerReport> report;
  SmallVector<std::string> names;
  usedOverrides.clear();
  usedCorrectionOverrides.clear();
  // GPTQ on a large model takes a while (ResNet-50: 20 s).
  ProgressBar progress(0, "layers");
  llvm::StringMap<bool> usedFloat;
  for (auto [position, layer] : llvm::enumerate(layers)) {
    auto [op, weight] = layer;
    std::string name = getLayerName(op, position);
    names.push_back(name);
    // Named in float-layers (by name or position, as layer-bits), or
    // chosen float by qlip-choose-bits: no fake_quant, the layer stays
    // float (qlip-quantize dequantizes its input).
    bool keepFloat = op->hasAttr(kKeepFloatAttrName);
    for (const std::string &entry : floatLayers)
      if (isLayerNamed(op, name, entry)) {
        usedFloat[entry] = true;
        keepFloat = true;
      }
    if (keepFloat) {
      progress.update(1, position + 1, layers.size());
      continue;
    }
    unsigned layerBits = bitsFor(op, name, position, layers.size());
    if (failed(quantize(op, weight, name, layerBits, report)))
      return signalPassFailure();
    progress.update(1, position + 1, layers.size());
  }
  // The moments served their purpose (and are large).
  getOperation().walk([](Operation *op) {
    op->removeAttr(kInputMomentsAttrName);
    op->removeAttr(kInputMeanAttrName);
    op->removeAttr(kWeightBitsAttrName);
    op->removeAttr(kKeepFloatAttrName);
  });
  SmallVector<StringRef> requestedFloat(floatLayers.begin(), floatLayers.end());
  if (failed(checkOverridesUsed(requestedFloat, usedFloat, names,
                                getOperation().getLoc(), getArgument(),
                                "float-layers")))
    return signalPassFailure();
  if (failed(checkLayerBitsUsed(overrides, usedOverrides, names,
                                getOperation().getLoc(), getArgument())))
    return signalPassFailure();
  SmallVector<StringRef> requestedCorrection;
  for (const auto &entry : correctionOverrides)
    requestedCorrection.push_back(entry.first);
  if (failed(checkOverridesUsed(requestedCorrection, usedCorrectionOverrides,
                                names, getOperation().getLoc(), getArgument(),
                                "layer-bias-correction")))
    return signalPassFailure();
  if (failed(writeReport(report)))
    return signalPassFailure();
}

} // namespace

FailureOr<WeightSensitivity>
mlir::qlip::measureWeightSensitivity(Operation *op, StringRef name,
                                     ArrayRef<unsigned> widths,
                                     bool empiricalBiasCorrection) {
  std::optional<WeightOperand> weight = getWeightOperand(op);
  ElementsAttr attr;
  if (!weight ||
      !matchPattern(op->getOperand(weight->index), m_Constant(&attr)))
    return op->emitError("not a layer with a constant weight");
  auto type = cast<RankedTensorType>(op->getOperand(weight->index).getType());
  std::optional<FloatElements> weights = FloatElements::read(attr);
  if (!weights || !type.hasStaticShape())
    return op->emitError("cannot read the weight of this layer");
  ChannelView channels(weights->values(), type.getShape(),
                       weight->channelAxis);
  std::vector<std::vector<float>> values = channels.copies();
  for (auto [c, channel] : llvm::enumerate(values))
    if (firstNonFinite(channel))
      return op->emitError("the weight holds NaN or infinite values in "
                           "output channel ")
             << c;
  WeightSensitivity result;
  result.numElements = type.getNumElements();
  result.numChannels = channels.size();
  FailureOr<std::optional<InputMoments>> found = getInputMoments(op);
  if (failed(found))
    return failure();
  const std::optional<InputMoments> &moments = *found;
  int64_t k = values.empty() ? 0 : int64_t(values.front().size());
  result.atOutput =
      moments && moments->k == k &&
      (moments->groups == 1 || moments->groups == channels.size());
  // As qlip-quantize-weights: the bias takes the mean error where it can.
  LayerSolvers layerSolvers;
  if (result.atOutput) {
    auto factored = factorMoments(op, name, *moments,
                                  empiricalBiasCorrection, channels.size());
    if (failed(factored))
      return failure();
    layerSolvers = std::move(*factored);
  }
  ArrayRef<std::optional<GptqSolver>> solvers = layerSolvers.solvers;
  // The output's (or the weights') power, the same at every width.
  double power = 0;
  for (size_t g = 0; g < solvers.size(); ++g) {
    auto [first, last] = solverChannels(g, solvers.size(), values.size());
    std::vector<ArrayRef<float>> plain(values.begin() + first,
                                       values.begin() + last);
    for (double p : layerSolvers.outputPowers(g, first, plain))
      power += p;
  }
  if (!result.atOutput)
    for (const std::vector<float> &channel : values)
      for (float w : channel)
        power += double(w) * w;
  for (unsigned bits : widths) {
    QuantGrid grid = QuantGrid::signedNarrow(bits);
    double error = 0;
    if (!result.atOutput) {
      for (const std::vector<float> &channel : values)
        error += quantizationMse(channel, mseOptimalClip(channel, grid), grid) *
                 channel.size();
    } else {
      for (size_t g = 0; g < solvers.size(); ++g) {
        auto [first, last] = solverChannels(g, solvers.size(), values.size());
        std::vector<GptqRow> rows;
        for (size_t c = first; c < last; ++c)
          rows.push_back({values[c],
                          clipScale(mseOptimalClip(values[c], grid), grid),
                          grid});
        std::vector<std::vector<int64_t>> levels(rows.size());
        std::vector<double> losses(rows.size());
        solvers[g]->roundRows(rows, levels, losses);
        for (double loss : losses)
          error += loss;
      }
    }
    result.relativeError.push_back(power > 0 ? error / power : 0.0);
  }
  return result;
}
