//===- FloatElements.h - read float constants as f32 ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_IR_FLOATELEMENTS_H
#define QLIP_DIALECT_QLIP_IR_FLOATELEMENTS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/ADT/ArrayRef.h"

#include <optional>
#include <vector>

namespace mlir::qlip {

/// The values of a float constant as f32. Weights usually arrive as
/// dense_resource blobs, which ElementsAttr's value iteration does not read,
/// and can be hundreds of megabytes, so an f32 blob or non-splat dense array
/// is viewed in place; splats and other float types are converted once.
class FloatElements {
public:
  /// Fails for non-float constants and for blobs whose size does not match
  /// their type.
  static std::optional<FloatElements> read(ElementsAttr attr);

  ArrayRef<float> values() const {
    return storage.empty() ? view : ArrayRef<float>(storage);
  }

private:
  ArrayRef<float> view;
  std::vector<float> storage;
};

} // namespace mlir::qlip

#endif // QLIP_DIALECT_QLIP_IR_FLOATELEMENTS_H
