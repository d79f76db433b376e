//===- PlanBuffers.cpp - a function's temporaries in one arena ------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//
//
// Live ranges are positions in the function's entry block: an op nested in
// a loop counts at the loop. Offsets are assigned greedily, largest buffer
// first, each at the lowest offset that no buffer live at the same time
// occupies (the usual first-fit of static memory planners).
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::qlip {
#define GEN_PASS_DEF_PLANBUFFERSPASS
#include "qlip/Conversion/Passes.h.inc"
} // namespace mlir::qlip

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0; // live range, entry-block positions
  int64_t offset = -1;
};

/// The last entry-block position at which `root` or a view of it is used,
/// and its dealloc; none if it may escape (reaches a terminator) or has no
/// single dealloc in the entry block. (No op stores a memref as a value at
/// this stage: buffers move only as operands.)
std::optional<int64_t> getLastUse(Value root, Block &entry,
                                  const DenseMap<Operation *, int64_t> &index,
                                  memref::DeallocOp &dealloc) {
  int64_t last = -1;
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (auto d = dyn_cast<memref::DeallocOp>(user)) {
        if (value != root || dealloc || d->getBlock() != &entry)
          return std::nullopt;
        dealloc = d;
        continue;
      }
      // A view aliases the buffer: its uses are the buffer's.
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == value) {
        for (Value result : user->getResults())
          worklist.push_back(result);
      }
      // Returned, yielded or passed to a block: it may outlive the block.
      if (user->hasTrait<OpTrait::IsTerminator>())
        return std::nullopt;
      // A loop nest with a reduction (a generic conv, matmul or pool) is
      // vectorized only where LLVM can tell its buffers apart, which views
      // of one arena defeat (a conv ran 5x slower): those keep their own
      // allocation. Elementwise loops vectorize with a runtime overlap
      // check, and the kernels' calls do not care.
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(user);
          linalgOp && linalgOp.getNumReductionLoops() > 0)
        return std::nullopt;
      Operation *top = entry.findAncestorOpInBlock(*user);
      if (!top)
        return std::nullopt;
      last = std::max(last, index.lookup(top));
    }
  }
  if (!dealloc)
    return std::nullopt;
  return last;
}

/// First fit, largest first. Returns the arena's size.
int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  llvm::stable_sort(order, [](const Buffer *a, const Buffer *b) {
    return a->bytes > b->bytes;
  });
  int64_t total = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *b : order) {
    SmallVector<std::pair<int64_t, int64_t>> busy;
    for (Buffer *p : placed)
      if (p->first <= b->last && b->first <= p->last)
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + b->bytes <= lo)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(hi, kAlignment));
    }
    b->offset = offset;
    total = std::max(total, offset + b->bytes);
    placed.push_back(b);
  }
  return total;
}

struct PlanBuffersPass
    : mlir::qlip::impl::PlanBuffersPassBase<PlanBuffersPass> {
  using PlanBuffersPassBase::PlanBuffersPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The thread's arena serves one call at a time: a function that calls
    // another of the module's, or is called by one, gets an arena of its
    // own per call instead.
    DenseSet<Operation *> nested;
    module.walk([&](func::CallOp call) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (callee && !callee.isExternal()) {
        nested.insert(callee);
        nested.insert(call->getParentOfType<func::FuncOp>());
      }
    });
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs)
      if (!func.isExternal() &&
          failed(plan(func, runtimeArena && !nested.contains(func))))
        return signalPassFailure();
  }

  LogicalResult plan(func::FuncOp func, bool useRuntimeArena) {
    Block &entry = func.getBody().front();
    DenseMap<Operation *, int64_t> index;
    for (auto [i, op] : llvm::enumerate(entry))
      index[&op] = int64_t(i);
    DataLayout layout = DataLayout::closest(func);

    SmallVector<Buffer> buffers;
    for (auto alloc : entry.getOps<memref::AllocOp>()) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          type.getMemorySpace() || !type.getElementType().isIntOrFloat())
        continue;
      Buffer b;
      b.alloc = alloc;
      std::optional<int64_t> last =
          getLastUse(alloc.getResult(), entry, index, b.dealloc);
      if (!last)
        continue;
      b.first = index.lookup(alloc);
      b.last = std::max(*last, b.first);
      // LLVM's allocation size of the element: whole bytes, a power of two
      // (an i48 takes 8 bytes, an i1 or i4 one).
      const int64_t elementBytes = int64_t(llvm::PowerOf2Ceil(llvm::divideCeil(
          layout.getTypeSizeInBits(type.getElementType()), 8)));
      b.bytes = int64_t(
          llvm::alignTo(type.getNumElements() * elementBytes, kAlignment));
      buffers.push_back(b);
    }
    if (buffers.empty() || (buffers.size() < 2 && !useRuntimeArena))
      return success();
    const int64_t total = assignOffsets(buffers);

    // The arena, before the first buffer's life starts.
    OpBuilder builder(&getContext());
    builder.setInsertionPointToStart(&entry);
    Location loc = func.getLoc();
    Value arena;
    if (useRuntimeArena) {
      auto module = func->getParentOfType<ModuleOp>();
      auto dynamicBytes =
          MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
      auto calleeType =
          builder.getFunctionType({builder.getI64Type()}, {dynamicBytes});
      auto callee = module.lookupSymbol<func::FuncOp>("qlip_arena");
      if (!callee) {
        OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
        callee = func::FuncOp::create(moduleBuilder, loc, "qlip_arena",
                                      calleeType);
        callee.setPrivate();
        callee->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
      } else if (callee.getFunctionType() != calleeType) {
        return callee.emitOpError(
            "is not qlip's arena function (i64) -> memref<?xi8>");
      }
      Value size = arith::ConstantIntOp::create(builder, loc, total, 64);
      arena = func::CallOp::create(builder, loc, callee, ValueRange{size})
                  .getResult(0);
    } else {
      arena = memref::AllocOp::create(
          builder, loc, MemRefType::get({total}, builder.getI8Type()),
          builder.getI64IntegerAttr(kAlignment));
    }

    for (Buffer &b : buffers) {
      builder.setInsertionPoint(b.alloc);
      Value offset =
          arith::ConstantIndexOp::create(builder, b.alloc.getLoc(), b.offset);
      Value view = memref::ViewOp::create(builder, b.alloc.getLoc(),
                                          b.alloc.getType(), arena, offset,
                                          ValueRange{});
      b.alloc.getResult().replaceAllUsesWith(view);
      b.dealloc.erase();
      b.alloc.erase();
    }
    if (!useRuntimeArena) {
      Operation *terminator = entry.getTerminator();
      builder.setInsertionPoint(terminator);
      memref::DeallocOp::create(builder, loc, arena);
    }
    return success();
  }
};

} // namespace
