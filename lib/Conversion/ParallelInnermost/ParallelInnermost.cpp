//===- ParallelInnermost.cpp - vectorizable loop order for reductions -----===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_PARALLELINNERMOSTPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;

/// A transposed copy of an input costs one pass over it; it is made only
/// when the op iterates at least this many times per element copied.
static constexpr int64_t kMinIterationsPerCopiedElement = 16;

namespace {
/// How to give an op a vectorizable innermost loop.
struct Plan {
  /// The new loop order as an interchange vector: new position -> old loop.
  llvm::SmallVector<unsigned> order;
  /// The operand numbers of the inputs to copy with the moved loop's
  /// dimension innermost.
  llvm::SmallVector<unsigned> transposed;
};
} // namespace

/// The position of the result of `map` that is `dim`, if `dim` appears in
/// no other result and only bare.
static std::optional<unsigned> getOnlyUse(AffineMap map, unsigned dim) {
  std::optional<unsigned> position;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (!expr.isFunctionOfDim(dim))
      continue;
    auto bare = dyn_cast<AffineDimExpr>(expr);
    if (position || !bare)
      return std::nullopt;
    position = i;
  }
  return position;
}

/// Whether input `operand` of `op` may be replaced by a transposed copy: a
/// static buffer indexed by a permutation of some loops, and small enough
/// next to the work of the op.
static bool canCopyTransposed(linalg::LinalgOp op, OpOperand &operand,
                              int64_t iterations) {
  auto type = dyn_cast<MemRefType>(operand.get().getType());
  AffineMap map = op.getMatchingIndexingMap(&operand);
  return type && type.hasStaticShape() &&
         map.isProjectedPermutation(/*allowZeroInResults=*/false) &&
         type.getNumElements() * kMinIterationsPerCopiedElement <= iterations;
}

/// The plan for `op`, or nothing when it does not qualify (see the pass
/// description).
static std::optional<Plan> planParallelInnermost(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  AffineMap outputMap = op.getMatchingIndexingMap(init);
  if (outputMap.getNumResults() == 0)
    return std::nullopt;
  auto innermost = dyn_cast<AffineDimExpr>(outputMap.getResults().back());
  if (!innermost)
    return std::nullopt;
  unsigned moved = innermost.getPosition();
  unsigned numLoops = op.getNumLoops();
  if (moved == numLoops - 1 ||
      !linalg::isParallelIterator(op.getIteratorTypesArray()[moved]) ||
      getOnlyUse(outputMap, moved) != outputMap.getNumResults() - 1)
    return std::nullopt;

  int64_t iterations = 1;
  for (int64_t range : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(range))
      return std::nullopt;
    iterations *= range;
  }
  Plan plan;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (llvm::none_of(map.getResults(), [&](AffineExpr expr) {
          return expr.isFunctionOfDim(moved);
        }))
      continue; // Broadcast along the moved loop.
    std::optional<unsigned> use = getOnlyUse(map, moved);
    if (use && *use + 1 == map.getNumResults())
      continue; // Already contiguous along it.
    if (!op.hasPureBufferSemantics() ||
        !canCopyTransposed(op, *input, iterations))
      return std::nullopt;
    plan.transposed.push_back(input->getOperandNumber());
  }
  for (unsigned loop = 0; loop < numLoops; ++loop)
    if (loop != moved)
      plan.order.push_back(loop);
  plan.order.push_back(moved);
  return plan;
}

/// Copies input `number` of `op` into a new buffer whose innermost
/// dimension is the one that loop `moved` indexes; returns the buffer and
/// the indexing map that reads the copy as the op read the original.
static std::pair<Value, AffineMap> copyTransposed(RewriterBase &rewriter,
                                                  linalg::LinalgOp op,
                                                  unsigned number,
                                                  unsigned moved) {
  OpOperand &operand = op->getOpOperand(number);
  auto type = cast<MemRefType>(operand.get().getType());
  AffineMap map = op.getMatchingIndexingMap(&operand);
  unsigned position = *getOnlyUse(map, moved);
  llvm::SmallVector<int64_t> permutation;
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    if (i != position)
      permutation.push_back(i);
  permutation.push_back(position);

  llvm::SmallVector<int64_t> shape;
  llvm::SmallVector<AffineExpr> results;
  for (int64_t i : permutation) {
    shape.push_back(type.getDimSize(i));
    results.push_back(map.getResult(i));
  }
  Location loc = op.getLoc();
  Value copy = memref::AllocOp::create(
      rewriter, loc, MemRefType::get(shape, type.getElementType()),
      rewriter.getI64IntegerAttr(64));
  linalg::TransposeOp::create(rewriter, loc, operand.get(), copy, permutation);
  return {copy,
          AffineMap::get(map.getNumDims(), 0, results, rewriter.getContext())};
}

namespace {
struct ParallelInnermostPass
    : qlip::impl::ParallelInnermostPassBase<ParallelInnermostPass> {
  void runOnOperation() override {
    llvm::SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (planParallelInnermost(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      Plan plan = *planParallelInnermost(op);
      unsigned moved = plan.order.back();
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        // An op without a region builder (linalg.reduce, ...) is left as it
        // is: it is only slower.
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      // Generalization keeps the operands and their indexing maps.
      rewriter.setInsertionPoint(generic);
      llvm::SmallVector<std::pair<unsigned, std::pair<Value, AffineMap>>>
          copies;
      for (unsigned number : plan.transposed)
        copies.push_back(
            {number, copyTransposed(rewriter, generic, number, moved)});
      if (!copies.empty()) {
        llvm::SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
        rewriter.modifyOpInPlace(generic, [&] {
          for (auto &[number, copy] : copies) {
            generic->setOperand(number, copy.first);
            maps[number] = copy.second;
          }
          generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
        });
        rewriter.setInsertionPointAfter(generic);
        for (auto &[number, copy] : copies)
          memref::DeallocOp::create(rewriter, generic.getLoc(), copy.first);
      }
      if (failed(linalg::interchangeGenericOp(rewriter, generic, plan.order))) {
        generic.emitOpError("cannot reorder its loops");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
