//===- FuzzNpy.cpp - libFuzzer target: the .npy reader ---------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Any bytes: parseNpy fails with a message or returns an array whose data
// is exactly its shape's size; it never crashes, overflows or allocates
// more than the input could describe.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Npy.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  for (bool trailing : {false, true}) {
    mlir::qlip::NpyReadOptions options;
    options.allowTrailingBytes = trailing;
    llvm::Expected<mlir::qlip::NpyArray> array =
        mlir::qlip::parseNpy(bytes, "fuzz.npy", options);
    if (!array) {
      llvm::consumeError(array.takeError());
      continue;
    }
    // The invariant every reader of an array relies on.
    if (array->data.size() !=
        array->numElements() * mlir::qlip::getNpyDTypeSize(array->dtype))
      std::abort();
  }
  return 0;
}
