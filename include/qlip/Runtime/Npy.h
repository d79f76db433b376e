//===- Npy.h - NumPy .npy reader and writer ---------------------*- C++ -*-===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// Reads and writes NumPy's .npy format (versions 1.0, 2.0 and 3.0) for the
// plain numeric dtypes qlip exchanges with Python: calibration inputs,
// reference outputs and weights. Only C-order, little-endian arrays are
// supported; everything else is rejected with an error that names the file
// and the problem (see docs/fixed-point.md for the full list).
//
// The format: the magic string "\x93NUMPY", a major and a minor version byte,
// the header length (uint16 little endian for 1.0, uint32 for 2.0/3.0), a
// Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and terminated by '\n', and then the raw element data.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_RUNTIME_NPY_H
#define QLIP_RUNTIME_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir::qlip {

/// Element types supported in .npy files.
enum class NpyDType {
  F32,  ///< '<f4'
  F64,  ///< '<f8'
  I8,   ///< '|i1'
  U8,   ///< '|u1'
  I16,  ///< '<i2'
  I32,  ///< '<i4'
  I64,  ///< '<i8'
  Bool, ///< '|b1' (one byte, 0 or 1)
};

/// Size of one element in bytes.
size_t getNpyDTypeSize(NpyDType dtype);
/// The descr string the writer emits, e.g. "<f4" or "|i1".
llvm::StringRef getNpyDTypeDescr(NpyDType dtype);
/// A short human-readable name ("f32", "i8", "bool", ...).
llvm::StringRef getNpyDTypeName(NpyDType dtype);
/// Parses a descr string. Returns std::nullopt for anything unsupported,
/// including big-endian multi-byte descrs.
std::optional<NpyDType> parseNpyDescr(llvm::StringRef descr);

/// Maps a C++ element type to its NpyDType.
template <typename T> struct NpyDTypeOf;
template <> struct NpyDTypeOf<float> {
  static constexpr NpyDType value = NpyDType::F32;
};
template <> struct NpyDTypeOf<double> {
  static constexpr NpyDType value = NpyDType::F64;
};
template <> struct NpyDTypeOf<int8_t> {
  static constexpr NpyDType value = NpyDType::I8;
};
template <> struct NpyDTypeOf<uint8_t> {
  static constexpr NpyDType value = NpyDType::U8;
};
template <> struct NpyDTypeOf<int16_t> {
  static constexpr NpyDType value = NpyDType::I16;
};
template <> struct NpyDTypeOf<int32_t> {
  static constexpr NpyDType value = NpyDType::I32;
};
template <> struct NpyDTypeOf<int64_t> {
  static constexpr NpyDType value = NpyDType::I64;
};
template <> struct NpyDTypeOf<bool> {
  static constexpr NpyDType value = NpyDType::Bool;
};

/// An in-memory n-d array in C (row-major) order with host-endian
/// (little-endian) elements.
struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  /// Dimensions, outermost first. Empty for a 0-d (scalar) array.
  llvm::SmallVector<int64_t> shape;
  /// numElements() * getElementSize() bytes. std::vector's allocator returns
  /// storage aligned for any fundamental type, so getValues() may view it as
  /// T directly.
  std::vector<char> data;

  size_t getRank() const { return shape.size(); }
  size_t getElementSize() const { return getNpyDTypeSize(dtype); }
  /// Product of the dimensions (1 for a 0-d array, 0 if any dimension is 0).
  /// Arrays produced by parseNpy/readNpy or create() never overflow it.
  size_t numElements() const;

  /// True if the elements are of C++ type T.
  template <typename T> bool hasElementType() const {
    return dtype == NpyDTypeOf<T>::value;
  }

  /// Typed view of the data. T must match the dtype (check with
  /// hasElementType<T>() first): a mismatch asserts in debug builds and
  /// returns an empty array in release builds.
  template <typename T> llvm::ArrayRef<T> getValues() const {
    assert(hasElementType<T>() && "NpyArray element type mismatch");
    if (!hasElementType<T>())
      return {};
    return llvm::ArrayRef<T>(reinterpret_cast<const T *>(data.data()),
                             data.size() / sizeof(T));
  }
  template <typename T> llvm::MutableArrayRef<T> getMutableValues() {
    assert(hasElementType<T>() && "NpyArray element type mismatch");
    if (!hasElementType<T>())
      return {};
    return llvm::MutableArrayRef<T>(reinterpret_cast<T *>(data.data()),
                                    data.size() / sizeof(T));
  }

  /// All elements converted to double (int64 values beyond 2^53 round).
  std::vector<double> toDoubles() const;
  /// All elements converted to int64; fails for floating-point dtypes.
  llvm::Expected<std::vector<int64_t>> toInt64s() const;

  /// Builds an array from typed values. values.size() must equal the
  /// product of `shape` and every dimension must be >= 0 (asserted).
  template <typename T>
  static NpyArray create(llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<T> values) {
    NpyArray array;
    array.dtype = NpyDTypeOf<T>::value;
    array.shape.assign(shape.begin(), shape.end());
    assert(array.numElements() == values.size() &&
           "value count does not match the shape");
    array.data.resize(values.size() * sizeof(T));
    if (!values.empty())
      std::memcpy(array.data.data(), values.data(), array.data.size());
    return array;
  }
};

/// Options for parseNpy / readNpy.
struct NpyReadOptions {
  /// NumPy's own loader ignores bytes after the array data, but a writer
  /// never produces them, so by default they are reported as corruption
  /// (typically a shape/dtype that disagrees with the data). Set this to
  /// accept and ignore them.
  bool allowTrailingBytes = false;
};

/// Parses an in-memory .npy file. `name` (a path or description) prefixes
/// every error message. Fails on: bad magic, unsupported version, truncated
/// header, malformed header dict (syntax, missing/duplicate/unknown keys,
/// wrong value types), Fortran order, big-endian or unknown dtype, negative
/// or overflowing dimensions, truncated data, trailing bytes (unless
/// allowed) and bool bytes other than 0/1.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef buffer,
                                  llvm::StringRef name = "<buffer>",
                                  const NpyReadOptions &options = {});

/// Reads and parses the .npy file at `path`.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path,
                                 const NpyReadOptions &options = {});

/// Reads class labels: a .npy of integers, one per row (qlip-run's
/// --labels, qlip-choose-bits' labels=); an error names the file.
llvm::Expected<std::vector<int64_t>> readLabels(llvm::StringRef path);

/// Reads every file of `paths`, in order; fails on the first that cannot be
/// read or parsed (the message names it). What the tools do with their
/// input lists.
llvm::Expected<std::vector<NpyArray>>
readNpyFiles(llvm::ArrayRef<std::string> paths,
             const NpyReadOptions &options = {});

/// Serialises an array in .npy format: version 1.0 (2.0 if the header would
/// exceed 65535 bytes), header padded so that the data starts at a multiple
/// of 64 bytes, as NumPy does. Fails without writing anything if a dimension
/// is negative, the element count overflows, `data` does not hold exactly
/// numElements * itemsize bytes, or a bool byte is not 0/1.
llvm::Error writeNpyToStream(llvm::raw_ostream &os, NpyDType dtype,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<char> data);

/// Writes a .npy file atomically (through a temporary file); "-" writes to
/// stdout. Same validation as writeNpyToStream.
llvm::Error writeNpy(llvm::StringRef path, NpyDType dtype,
                     llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<char> data);
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

/// An array's shape as messages about .npy files print it: "[10, 3]".
std::string formatArrayShape(llvm::ArrayRef<int64_t> shape);

/// Bytes of one row (dim 0 entry) of an array of rank >= 1.
size_t getRowBytes(const NpyArray &array);

/// " (or [N, 3, 4] in batches)" for shape [2, 3, 4], "" for a scalar: how
/// the drivers say that an input may also come as batches of rows.
std::string formatBatchedShapeHint(llvm::ArrayRef<int64_t> shape);

/// Copies the first `count` rows of each array of `batch` to rows [first,
/// first + count) of the result array of the same index (fillBatch's
/// reverse, for the outputs of a batched run).
void copyBatchRows(llvm::ArrayRef<NpyArray> batch, int64_t first,
                   int64_t count, llvm::MutableArrayRef<NpyArray> results);

/// Copies rows [first, first + count) of each array of `samples` (dim 0 is
/// the row) to the start of the batch array of the same index, and
/// zero-fills the batch's remaining rows. A batch array takes its sample's
/// dtype: a signless i8 input also takes u8 data.
void fillBatch(llvm::ArrayRef<NpyArray> samples, int64_t first, int64_t count,
               llvm::MutableArrayRef<NpyArray> batch);

} // namespace mlir::qlip

#endif // QLIP_RUNTIME_NPY_H
