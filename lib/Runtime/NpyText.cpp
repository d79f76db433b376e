//===- NpyText.cpp - NpyArrays as text ------------------------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/NpyText.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir::qlip;

/// Element `index` of `array` as a T (the caller matched T to the dtype).
template <typename T> static T load(const NpyArray &array, size_t index) {
  T value;
  std::memcpy(&value, array.data.data() + index * sizeof(T), sizeof(T));
  return value;
}

void mlir::qlip::printNpyElement(llvm::raw_ostream &os, const NpyArray &array,
                                 size_t index) {
  switch (array.dtype) {
  case NpyDType::F32:
    os << llvm::format("%.9g", static_cast<double>(load<float>(array, index)));
    return;
  case NpyDType::F64:
    os << llvm::format("%.17g", load<double>(array, index));
    return;
  case NpyDType::I8:
    os << static_cast<int>(load<int8_t>(array, index));
    return;
  case NpyDType::U8:
    os << static_cast<unsigned>(load<uint8_t>(array, index));
    return;
  case NpyDType::Bool:
    os << static_cast<unsigned>(load<uint8_t>(array, index));
    return;
  case NpyDType::I16:
    os << load<int16_t>(array, index);
    return;
  case NpyDType::I32:
    os << load<int32_t>(array, index);
    return;
  case NpyDType::I64:
    os << load<int64_t>(array, index);
    return;
  }
}

void mlir::qlip::printNpyArray(llvm::raw_ostream &os, const NpyArray &array) {
  os << "dtype: " << getNpyDTypeName(array.dtype) << "\nshape: [";
  llvm::interleaveComma(array.shape, os);
  os << "]\n";
  size_t count = array.numElements();
  size_t rowLength = array.shape.empty() ? 1 : array.shape.back();
  for (size_t i = 0; i < count; ++i) {
    if (i % rowLength != 0)
      os << ' ';
    printNpyElement(os, array, i);
    if ((i + 1) % rowLength == 0)
      os << '\n';
  }
}
