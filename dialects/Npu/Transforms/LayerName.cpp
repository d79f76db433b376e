//===- LayerName.cpp - how the npu reports name a layer ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/Transforms/Passes.h"

using namespace mlir;

std::string npu::getLayerName(Operation *op) {
  Location loc = op->getLoc();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  // A layer folded from several ops (a conv and its clamp) keeps their
  // locations fused; the first name is the layer's.
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = dyn_cast<NameLoc>(inner))
        return name.getName().str();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (llvm::Twine("line ") + llvm::Twine(file.getLine())).str();
  return op->getName().stripDialect().str();
}
