//===- CHeader.cpp - the C header of an ahead-of-time entry -----*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#include "qlip/Aot/AotCompiler.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::aot;

llvm::StringRef mlir::qlip::aot::getCTypeName(Type elementType) {
  if (elementType.isF32())
    return "float";
  if (elementType.isF64())
    return "double";
  auto integer = cast<IntegerType>(elementType);
  if (integer.isUnsigned())
    return "uint8_t";
  switch (integer.getWidth()) {
  case 1:
    // LLVM stores an i1 in a byte holding 0 or 1, which is C's bool.
    return "bool";
  case 8:
    return "int8_t";
  case 16:
    return "int16_t";
  case 32:
    return "int32_t";
  default:
    return "int64_t";
  }
}

namespace {
/// One buffer of the C API: "input0" or "output0" and its tensor.
struct Buffer {
  std::string name;
  const TensorSpec *spec;
  bool isInput;
};
} // namespace

void mlir::qlip::aot::writeCHeader(llvm::raw_ostream &os, const CEntry &entry,
                                   llvm::StringRef source) {
  std::string prefix = llvm::StringRef(entry.cName).upper();
  llvm::SmallVector<Buffer> buffers;
  for (size_t i = 0; i < entry.inputs.size(); ++i)
    buffers.push_back({"input" + std::to_string(i), &entry.inputs[i], true});
  for (size_t i = 0; i < entry.outputs.size(); ++i)
    buffers.push_back({"output" + std::to_string(i), &entry.outputs[i], false});
  bool usesBool = llvm::any_of(buffers, [](const Buffer &buffer) {
    return buffer.spec->elementType.isSignlessInteger(1);
  });

  std::string declaration;
  {
    llvm::raw_string_ostream decl(declaration);
    decl << "int " << entry.cName << "(";
    llvm::interleaveComma(buffers, decl, [&](const Buffer &buffer) {
      decl << (buffer.isInput ? "const " : "")
           << getCTypeName(buffer.spec->elementType) << " *" << buffer.name;
    });
    if (buffers.empty())
      decl << "void";
    decl << ")";
  }

  os << "/* " << entry.cName << ": '" << entry.entry << "' of "
     << llvm::sys::path::filename(source)
     << ", compiled ahead of time by qlip.\n"
     << " * Generated; do not edit.\n"
     << " *\n";
  // "input0:  float[64]  tensor<1x8x8x1xf32>": the flat C array the
  // pointer points to, then the tensor it holds.
  size_t nameWidth = 0, arrayWidth = 0;
  auto formatArray = [](const TensorSpec &spec) {
    return (getCTypeName(spec.elementType) + "[" +
            llvm::Twine(spec.numElements()) + "]")
        .str();
  };
  for (const Buffer &buffer : buffers) {
    nameWidth = std::max(nameWidth, buffer.name.size());
    arrayWidth = std::max(arrayWidth, formatArray(*buffer.spec).size());
  }
  for (const Buffer &buffer : buffers) {
    std::string array = formatArray(*buffer.spec);
    os << " *   " << buffer.name << ": "
       << std::string(nameWidth - buffer.name.size(), ' ') << array << "  "
       << std::string(arrayWidth - array.size(), ' ') << buffer.spec->str()
       << "\n";
  }
  os << " *\n"
     << " * Every buffer is the caller's: dense, row-major (C order), aligned\n"
     << " * for its element type and not overlapping any other; inputs are\n"
     << " * only read. Returns 0, or -1 without touching memory when a\n"
     << " * buffer pointer is NULL. The function keeps no state, so calls may\n"
     << " * run concurrently on different buffers. Link the object with libc\n"
     << " * and libm: cc main.c model.o -lm\n"
     << " */\n\n";

  std::string guard = prefix + "_H";
  os << "#ifndef " << guard << "\n#define " << guard << "\n\n";
  if (usesBool)
    os << "#include <stdbool.h>\n";
  os << "#include <stdint.h>\n\n";

  os << "#define " << prefix << "_NUM_INPUTS " << entry.inputs.size() << "\n"
     << "#define " << prefix << "_NUM_OUTPUTS " << entry.outputs.size() << "\n";
  for (const Buffer &buffer : buffers) {
    const TensorSpec &spec = *buffer.spec;
    std::string name = prefix + "_" + llvm::StringRef(buffer.name).upper();
    os << "\n/* " << buffer.name << ": " << spec.str() << " */\n";
    os << "typedef " << getCTypeName(spec.elementType) << " " << entry.cName
       << "_" << buffer.name << "_t;\n";
    os << "#define " << name << "_RANK " << spec.shape.size() << "\n";
    // An empty initializer is not C before C23: a scalar has no shape.
    if (!spec.shape.empty()) {
      os << "#define " << name << "_SHAPE {";
      llvm::interleaveComma(spec.shape, os);
      os << "}\n";
    }
    os << "#define " << name << "_SIZE " << spec.numElements()
       << " /* elements */\n";
    os << "#define " << name << "_BYTES "
       << spec.numElements() * getNpyDTypeSize(spec.dtype) << "\n";
  }

  os << "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << declaration << ";\n"
     << "\n#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n"
     << "#endif /* " << guard << " */\n";
}

std::string mlir::qlip::aot::getDefaultHeaderPath(llvm::StringRef output) {
  if (output == "-")
    return "";
  llvm::SmallString<128> path(output);
  llvm::sys::path::replace_extension(path, "h");
  return path.str().str();
}
