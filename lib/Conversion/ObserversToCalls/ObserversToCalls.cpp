//===- ObserversToCalls.cpp - observers that report their values ----------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The pattern of qlip-lower-observers-to-calls and the observer numbering
// that the calibration runtime shares with it. The pass is in
// ObserversToCallsPass.cpp.
//
//===----------------------------------------------------------------------===//

#include "qlip/Conversion/ObserversToCalls/ObserversToCalls.h"

#include "dialects/Qlip/IR/QlipOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::qlip;

llvm::SmallVector<ObserverInfo> mlir::qlip::collectObservers(ModuleOp module) {
  llvm::SmallVector<ObserverInfo> observers;
  llvm::StringSet<> seen;
  // A pre-order walk visits functions in module order and, inside each,
  // ops in program order (regions of control flow ops in place).
  module.walk<WalkOrder::PreOrder>([&](ObserveOp op) {
    if (!seen.insert(op.getId()).second)
      return;
    ObserverInfo info;
    info.id = op.getId().str();
    if (auto func = op->getParentOfType<FunctionOpInterface>())
      info.function = func.getName().str();
    llvm::raw_string_ostream(info.type) << op.getInput().getType();
    observers.push_back(std::move(info));
  });
  return observers;
}

/// The type of the callee: the observer's index and its values.
static FunctionType getObserveCalleeType(MLIRContext *ctx) {
  Builder b(ctx);
  return b.getFunctionType(
      {b.getI64Type(), UnrankedTensorType::get(b.getF32Type())}, {});
}

LogicalResult mlir::qlip::declareObserveCallee(ModuleOp module,
                                               llvm::StringRef callee) {
  MLIRContext *ctx = module.getContext();
  FunctionType type = getObserveCalleeType(ctx);
  if (Operation *existing = SymbolTable::lookupSymbolIn(module, callee)) {
    auto func = dyn_cast<func::FuncOp>(existing);
    if (!func || func.getFunctionType() != type)
      return existing->emitError()
             << "'" << callee
             << "' is the callee of the observers; it must be a function of "
                "type "
             << type;
    return success();
  }
  OpBuilder b(ctx);
  // The declaration goes first in the module, out of the functions' way.
  b.setInsertionPointToStart(module.getBody());
  auto func = func::FuncOp::create(b, module.getLoc(), callee, type);
  func.setPrivate();
  // The runtime only reads the values: without this, bufferization would
  // assume the unknown callee writes into the buffer and copy it first.
  func.setArgAttr(1, bufferization::BufferizationDialect::kBufferAccessAttrName,
                  StringAttr::get(ctx, "read"));
  return success();
}

namespace {

/// `x` as f32: the runtime takes f32 values, as the statistics library
/// does. Other float types are converted elementwise (f64 values beyond
/// f32's range become infinities, which calibration rejects by name).
Value convertToF32(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  auto elementType = cast<FloatType>(type.getElementType());
  if (elementType.isF32())
    return x;
  Type f32 = b.getF32Type();
  int64_t rank = type.getRank();
  Value init =
      tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, x), f32);
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type.clone(f32)}, ValueRange{x}, ValueRange{init},
      ArrayRef<AffineMap>{identity, identity}, iterators,
      [&](OpBuilder &nested, Location bodyLoc, ValueRange args) {
        Value converted =
            elementType.getWidth() < 32
                ? Value(arith::ExtFOp::create(nested, bodyLoc, f32, args[0]))
                : Value(arith::TruncFOp::create(nested, bodyLoc, f32, args[0]));
        linalg::YieldOp::create(nested, bodyLoc, converted);
      });
  return generic.getResult(0);
}

/// `qlip.observe "id" %x` -> `call @callee(index(id), cast(%x))`, uses of
/// the observer reading %x.
struct ObserveOpToCall : OpConversionPattern<ObserveOp> {
  ObserveOpToCall(MLIRContext *ctx, const llvm::StringMap<int64_t> &indices,
                  llvm::StringRef callee)
      : OpConversionPattern(ctx), indices(indices), callee(callee.str()) {}

  LogicalResult
  matchAndRewrite(ObserveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto index = indices.find(op.getId());
    if (index == indices.end())
      return rewriter.notifyMatchFailure(op, "observer without an index");
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Value values = convertToF32(rewriter, loc, input);
    Value unranked = tensor::CastOp::create(
        rewriter, loc, UnrankedTensorType::get(rewriter.getF32Type()), values);
    Value indexValue = arith::ConstantOp::create(
        rewriter, loc, rewriter.getI64IntegerAttr(index->second));
    func::CallOp::create(rewriter, loc, callee, TypeRange{},
                         ValueRange{indexValue, unranked});
    rewriter.replaceOp(op, input);
    return success();
  }

  llvm::StringMap<int64_t> indices;
  std::string callee;
};

} // namespace

void mlir::qlip::populateObserversToCallsPatterns(
    RewritePatternSet &patterns, const llvm::StringMap<int64_t> &indices,
    llvm::StringRef callee) {
  patterns.add<ObserveOpToCall>(patterns.getContext(), indices, callee);
}
