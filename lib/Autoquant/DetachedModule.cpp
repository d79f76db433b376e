//===- DetachedModule.cpp - a module's copy in a context of its own -------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "DetachedModule.h"

#include "qlip/Kernels/Kernels.h"

#include <limits>
#include <thread>

#include "dialects/Qlip/IR/QlipDialect.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::qlip;

DetachedContext::DetachedContext(MLIRContext &like) {
  DialectRegistry registry;
  like.getDialectRegistry().appendTo(registry);
  registry.insert<QlipDialect, tosa::TosaDialect, func::FuncDialect>();
  context = std::make_unique<MLIRContext>(registry);
}

llvm::Expected<OwningOpRef<ModuleOp>> DetachedContext::copy(ModuleOp module) {
  std::string bytes;
  {
    llvm::raw_string_ostream os(bytes);
    if (failed(writeBytecodeToFile(module, os)))
      return makeError("cannot write the module as bytecode");
  }
  std::string errors;
  ScopedDiagnosticHandler handler(context.get(), [&](Diagnostic &d) {
    errors += "\n  " + d.str();
    return success();
  });
  OwningOpRef<ModuleOp> copied =
      parseSourceString<ModuleOp>(bytes, ParserConfig(context.get()));
  if (!copied)
    return makeError("cannot read the module's copy:" + errors);
  return copied;
}

llvm::SmallPtrSet<Operation *, 8>
mlir::qlip::getReachedFunctions(ModuleOp module, llvm::StringRef entry) {
  llvm::SmallPtrSet<Operation *, 8> reached;
  SmallVector<func::FuncOp> work;
  if (auto start = module.lookupSymbol<func::FuncOp>(entry))
    work.push_back(start);
  while (!work.empty()) {
    func::FuncOp next = work.pop_back_val();
    if (!reached.insert(next).second)
      continue;
    next.walk([&](func::CallOp call) {
      if (auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee()))
        work.push_back(callee);
    });
  }
  return reached;
}

llvm::Expected<std::string> mlir::qlip::chooseEntry(ModuleOp module,
                                                    llvm::StringRef entry) {
  if (!entry.empty())
    return entry.str();
  SmallVector<StringRef> publics;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isDeclaration())
      publics.push_back(func.getSymName());
  // With several, the first: the calibrator runs the others that take the
  // same inputs alongside it, and names those it cannot feed.
  if (publics.empty())
    return makeError("the module has no public function to run");
  return publics.front().str();
}

llvm::Expected<std::vector<NpyArray>>
mlir::qlip::readSampleFiles(llvm::ArrayRef<std::string> files) {
  if (files.empty())
    return makeError("no calibration data given (calib=FILE.npy, one per "
                     "input)");
  return readNpyFiles(files);
}

int64_t mlir::qlip::keepFirstRows(std::vector<NpyArray> &arrays,
                                  int64_t maxRows) {
  int64_t rows = 0;
  for (NpyArray &array : arrays) {
    if (array.shape.empty())
      continue;
    int64_t keep =
        std::min<int64_t>(array.shape.front(), std::max<int64_t>(maxRows, 1));
    array.data.resize(keep * getRowBytes(array));
    array.shape.front() = keep;
    rows = keep;
  }
  return rows;
}

int64_t mlir::qlip::rowsWithinValues(llvm::ArrayRef<NpyArray> arrays,
                                     int64_t maxValues, int64_t minRows) {
  if (maxValues <= 0)
    return std::numeric_limits<int64_t>::max();
  int64_t perRow = 0;
  for (const NpyArray &array : arrays)
    if (!array.shape.empty() && array.shape.front() > 0)
      perRow += int64_t(array.numElements()) / array.shape.front();
  return std::max(minRows, maxValues / std::max<int64_t>(perRow, 1));
}

ScopedKernelThreads::ScopedKernelThreads() : previous(qlip_get_num_threads()) {
  qlip_set_num_threads(
      std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
}

ScopedKernelThreads::~ScopedKernelThreads() { qlip_set_num_threads(previous); }
