//===- OnnxTensors.cpp - TensorProto to data --------------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Initializers and Constant nodes: the typed repeated fields, raw_data
// (little-endian, as ONNX specifies) and external data files.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::qlip;
using namespace mlir::qlip::onnx_import;

namespace {
/// The width in bytes of one element of a type the importer reads, or 0.
size_t elementSize(int32_t type) {
  switch (type) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
    return 8;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

bool isFloatType(int32_t type) {
  return type == onnx::TensorProto::FLOAT ||
         type == onnx::TensorProto::DOUBLE ||
         type == onnx::TensorProto::FLOAT16 ||
         type == onnx::TensorProto::BFLOAT16;
}

/// One little-endian element of `type` at `data`.
double decodeElement(int32_t type, const char *data) {
  using namespace llvm::support;
  switch (type) {
  case onnx::TensorProto::FLOAT: {
    uint32_t bits = endian::read32le(data);
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case onnx::TensorProto::DOUBLE: {
    uint64_t bits = endian::read64le(data);
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case onnx::TensorProto::FLOAT16:
    return llvm::APFloat(llvm::APFloat::IEEEhalf(),
                         llvm::APInt(16, endian::read16le(data)))
        .convertToDouble();
  case onnx::TensorProto::BFLOAT16:
    return llvm::APFloat(llvm::APFloat::BFloat(),
                         llvm::APInt(16, endian::read16le(data)))
        .convertToDouble();
  case onnx::TensorProto::INT64:
    return static_cast<double>(static_cast<int64_t>(endian::read64le(data)));
  case onnx::TensorProto::INT32:
    return static_cast<int32_t>(endian::read32le(data));
  case onnx::TensorProto::INT16:
    return static_cast<int16_t>(endian::read16le(data));
  case onnx::TensorProto::INT8:
    return static_cast<int8_t>(*data);
  case onnx::TensorProto::UINT8:
    return static_cast<uint8_t>(*data);
  case onnx::TensorProto::BOOL:
    return *data != 0;
  default:
    return 0;
  }
}
} // namespace

FailureOr<ConstData>
onnx_import::readTensorProto(const onnx::TensorProto &tensor,
                             StringRef externalDataDir,
                             function_ref<InFlightDiagnostic()> error) {
  ConstData data;
  int32_t type = tensor.data_type();
  size_t width = elementSize(type);
  if (!width)
    return error() << "unsupported element type "
                   << onnx::TensorProto::DataType_Name(
                          static_cast<onnx::TensorProto::DataType>(type));
  data.isFloat = isFloatType(type);
  data.dataType = type;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || (dim && count > kMaxElements / dim))
      return error() << "invalid dimension " << dim;
    data.shape.push_back(dim);
    count *= dim;
  }

  // The bytes, from raw_data or an external file.
  std::string external;
  const std::string *raw = tensor.has_raw_data() ? &tensor.raw_data() : nullptr;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    uint64_t offset = 0;
    std::optional<uint64_t> length;
    for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
      if (entry.key() == "location") {
        location = entry.value();
        continue;
      }
      if (entry.key() != "offset" && entry.key() != "length")
        continue;
      uint64_t value;
      if (StringRef(entry.value()).getAsInteger(10, value))
        return error() << "external data " << entry.key() << " '"
                       << entry.value() << "' is not a non-negative integer";
      if (entry.key() == "offset")
        offset = value;
      else
        length = value;
    }
    // As ONNX's checker requires: a relative path that stays inside the
    // model's directory, so that a model cannot make the importer read
    // any file it names.
    namespace fs = llvm::sys::fs;
    namespace path = llvm::sys::path;
    bool inside = !location.empty() && !path::is_absolute(location) &&
                  !path::has_root_name(location);
    for (auto it = path::begin(location), end = path::end(location);
         inside && it != end; ++it)
      inside = *it != "..";
    if (!inside)
      return error() << "external data location '" << location
                     << "' is not a relative path inside the model's "
                        "directory";
    // The bytes the declared shape needs, no more: a `length` that says
    // otherwise is an error, and nothing past them is read.
    uint64_t needed = static_cast<uint64_t>(count) * width;
    if (length && *length != needed)
      return error() << "external data length " << *length << " differs from "
                     << "the " << needed << " bytes its shape needs";
    StringRef dir = externalDataDir.empty() ? "." : externalDataDir;
    llvm::SmallString<256> file(dir);
    path::append(file, location);
    // A symbolic link inside the directory may still lead out of it, as
    // ONNX's checker also refuses: compare the resolved paths.
    llvm::SmallString<256> realFile, realDir;
    if (std::error_code ec = fs::real_path(file, realFile))
      return error() << "cannot read its external data '" << file
                     << "': " << ec.message();
    if (std::error_code ec = fs::real_path(dir, realDir))
      return error() << "cannot resolve the model's directory '" << dir
                     << "': " << ec.message();
    if (!path::is_separator(realDir.back()))
      realDir += path::get_separator();
    if (!StringRef(realFile).starts_with(realDir))
      return error() << "external data location '" << location
                     << "' resolves to '" << realFile
                     << "', outside the model's directory";
    // Only a regular file has a size to check against: a device such as
    // /dev/zero reads without end, and a FIFO blocks.
    fs::file_status status;
    if (std::error_code ec = fs::status(realFile, status))
      return error() << "cannot read its external data '" << file
                     << "': " << ec.message();
    if (status.type() != fs::file_type::regular_file)
      return error() << "external data '" << file << "' is not a regular file";
    uint64_t size = status.getSize();
    if (offset > size || needed > size - offset)
      return error() << "external data '" << file << "' holds " << size
                     << " bytes, not offset " << offset << " + length "
                     << needed;
    if (needed) {
      auto buffer = llvm::MemoryBuffer::getFileSlice(realFile, needed, offset);
      if (!buffer)
        return error() << "cannot read its external data '" << file
                       << "': " << buffer.getError().message();
      external = (*buffer)->getBuffer().str();
    }
    raw = &external;
  }

  if (raw) {
    if (raw->size() != static_cast<size_t>(count) * width)
      return error() << "has " << raw->size() << " bytes of data, its shape "
                     << "needs " << count * width;
    data.values.reserve(count);
    for (int64_t i = 0; i < count; ++i)
      data.values.push_back(decodeElement(type, raw->data() + i * width));
    return data;
  }

  // The typed fields ONNX keeps each type in.
  switch (type) {
  case onnx::TensorProto::FLOAT:
    data.values.assign(tensor.float_data().begin(), tensor.float_data().end());
    break;
  case onnx::TensorProto::DOUBLE:
    data.values.assign(tensor.double_data().begin(),
                       tensor.double_data().end());
    break;
  case onnx::TensorProto::INT64:
    for (int64_t value : tensor.int64_data())
      data.values.push_back(static_cast<double>(value));
    break;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    for (int32_t bits : tensor.int32_data()) {
      char bytes[2] = {static_cast<char>(bits & 0xff),
                       static_cast<char>((bits >> 8) & 0xff)};
      data.values.push_back(decodeElement(type, bytes));
    }
    break;
  default: // INT32, INT16, INT8, UINT8, BOOL live in int32_data.
    for (int32_t value : tensor.int32_data())
      data.values.push_back(value);
    break;
  }
  if (static_cast<int64_t>(data.values.size()) != count)
    return error() << "has " << data.values.size()
                   << " values, its shape needs " << count;
  return data;
}
