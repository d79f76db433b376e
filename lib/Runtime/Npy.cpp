//===- Npy.cpp - NumPy .npy reader and writer -----------------------------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <limits>

using namespace mlir::qlip;

// Element data is copied verbatim between file and memory, so the host must
// use the file's byte order. Every platform qlip targets is little endian.
static_assert(llvm::endianness::native == llvm::endianness::little,
              "the .npy reader/writer assumes a little-endian host");
static_assert(sizeof(bool) == 1, "'|b1' elements are viewed as bool");

static constexpr llvm::StringLiteral kMagic("\x93NUMPY");

//===----------------------------------------------------------------------===//
// dtypes
//===----------------------------------------------------------------------===//

size_t mlir::qlip::getNpyDTypeSize(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::I8:
  case NpyDType::U8:
  case NpyDType::Bool:
    return 1;
  case NpyDType::I16:
    return 2;
  case NpyDType::F32:
  case NpyDType::I32:
    return 4;
  case NpyDType::F64:
  case NpyDType::I64:
    return 8;
  }
  llvm_unreachable("unknown NpyDType");
}

llvm::StringRef mlir::qlip::getNpyDTypeDescr(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return "<f4";
  case NpyDType::F64:
    return "<f8";
  case NpyDType::I8:
    return "|i1";
  case NpyDType::U8:
    return "|u1";
  case NpyDType::I16:
    return "<i2";
  case NpyDType::I32:
    return "<i4";
  case NpyDType::I64:
    return "<i8";
  case NpyDType::Bool:
    return "|b1";
  }
  llvm_unreachable("unknown NpyDType");
}

llvm::StringRef mlir::qlip::getNpyDTypeName(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return "f32";
  case NpyDType::F64:
    return "f64";
  case NpyDType::I8:
    return "i8";
  case NpyDType::U8:
    return "u8";
  case NpyDType::I16:
    return "i16";
  case NpyDType::I32:
    return "i32";
  case NpyDType::I64:
    return "i64";
  case NpyDType::Bool:
    return "bool";
  }
  llvm_unreachable("unknown NpyDType");
}

/// The type part of a descr (without byte order), e.g. "f4" -> F32.
static std::optional<NpyDType> parseTypeCode(llvm::StringRef code) {
  return llvm::StringSwitch<std::optional<NpyDType>>(code)
      .Case("f4", NpyDType::F32)
      .Case("f8", NpyDType::F64)
      .Case("i1", NpyDType::I8)
      .Case("u1", NpyDType::U8)
      .Case("i2", NpyDType::I16)
      .Case("i4", NpyDType::I32)
      .Case("i8", NpyDType::I64)
      .Case("b1", NpyDType::Bool)
      .Default(std::nullopt);
}

std::optional<NpyDType> mlir::qlip::parseNpyDescr(llvm::StringRef descr) {
  if (descr.size() < 2)
    return std::nullopt;
  char order = descr.front();
  std::optional<NpyDType> dtype = parseTypeCode(descr.drop_front());
  if (!dtype)
    return std::nullopt;
  // Byte order is meaningless for single bytes; NumPy writes '|' but any
  // order character describes the same bytes.
  if (getNpyDTypeSize(*dtype) == 1)
    return llvm::is_contained(llvm::StringRef("<>|="), order) ? dtype
                                                              : std::nullopt;
  // '=' (native) never appears in files NumPy writes and would mean "the
  // writer's byte order", which we cannot know; '|' is invalid for
  // multi-byte types.
  return order == '<' ? dtype : std::nullopt;
}

//===----------------------------------------------------------------------===//
// NpyArray
//===----------------------------------------------------------------------===//

/// Product of `shape`, or std::nullopt if a dimension is negative or the
/// total byte size (count * elementSize) does not fit in int64.
static std::optional<uint64_t>
checkedElementCount(llvm::ArrayRef<int64_t> shape, size_t elementSize) {
  if (llvm::any_of(shape, [](int64_t dim) { return dim < 0; }))
    return std::nullopt;
  // A zero dimension makes the array empty, however large the others are.
  if (llvm::is_contained(shape, 0))
    return 0;
  const uint64_t limit =
      uint64_t(std::numeric_limits<int64_t>::max()) / elementSize;
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (count > limit / uint64_t(dim))
      return std::nullopt;
    count *= uint64_t(dim);
  }
  return count;
}

size_t NpyArray::numElements() const {
  size_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<size_t>(dim);
  return count;
}

template <typename Fn>
static void forEachElement(const NpyArray &array, Fn fn) {
  switch (array.dtype) {
  case NpyDType::F32:
    llvm::for_each(array.getValues<float>(), fn);
    return;
  case NpyDType::F64:
    llvm::for_each(array.getValues<double>(), fn);
    return;
  case NpyDType::I8:
    llvm::for_each(array.getValues<int8_t>(), fn);
    return;
  case NpyDType::U8:
    llvm::for_each(array.getValues<uint8_t>(), fn);
    return;
  case NpyDType::I16:
    llvm::for_each(array.getValues<int16_t>(), fn);
    return;
  case NpyDType::I32:
    llvm::for_each(array.getValues<int32_t>(), fn);
    return;
  case NpyDType::I64:
    llvm::for_each(array.getValues<int64_t>(), fn);
    return;
  case NpyDType::Bool:
    llvm::for_each(array.getValues<bool>(), fn);
    return;
  }
}

std::vector<double> NpyArray::toDoubles() const {
  std::vector<double> result;
  result.reserve(numElements());
  forEachElement(*this,
                 [&](auto v) { result.push_back(static_cast<double>(v)); });
  return result;
}

llvm::Expected<std::vector<int64_t>> NpyArray::toInt64s() const {
  if (dtype == NpyDType::F32 || dtype == NpyDType::F64)
    return llvm::createStringError(
        llvm::errc::invalid_argument,
        llvm::Twine("cannot convert floating-point array (") +
            getNpyDTypeName(dtype) + ") to integers");
  std::vector<int64_t> result;
  result.reserve(numElements());
  forEachElement(*this, [&](auto v) {
    if constexpr (std::is_integral_v<decltype(v)>)
      result.push_back(static_cast<int64_t>(v));
  });
  return result;
}

//===----------------------------------------------------------------------===//
// Header dict parsing
//===----------------------------------------------------------------------===//

namespace {

/// A value in the header dict. Only the forms the three keys need are
/// represented; anything else parses as `Other` so that the error can say
/// which key had the wrong type.
struct HeaderValue {
  enum Kind { String, Bool, Tuple, Other } kind = Other;
  std::string text; // String: contents; Other: the raw source text
  bool boolean = false;
  llvm::SmallVector<int64_t> tuple;
};

/// Recursive-descent parser for the subset of Python literal syntax that
/// .npy headers use: {'key': value, ...} with string, True/False and
/// integer-tuple values.
class HeaderParser {
public:
  HeaderParser(llvm::StringRef text) : text(text) {}

  /// Parses the dict; on failure returns std::nullopt and sets `error`.
  std::optional<llvm::SmallVector<std::pair<std::string, HeaderValue>>>
  parseDict();

  std::string error;

private:
  // At the end of the text pos is its size (find_first_not_of would give
  // npos, which messages printed as an offset of 2^64 - 1).
  void skipSpace() {
    pos = std::min(text.find_first_not_of(" \t\r\n", pos), text.size());
  }
  bool atEnd() {
    skipSpace();
    return pos >= text.size();
  }
  char peek() {
    skipSpace();
    return pos < text.size() ? text[pos] : '\0';
  }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  bool fail(const llvm::Twine &message) {
    if (error.empty())
      error =
          (message + " at offset " + llvm::Twine(pos) + " of the header").str();
    return false;
  }

  bool parseString(std::string &out);
  bool parseInt(int64_t &out);
  bool parseValue(HeaderValue &out);
  bool skipOther(HeaderValue &out);

  llvm::StringRef text;
  size_t pos = 0;
};

} // namespace

bool HeaderParser::parseString(std::string &out) {
  char quote = peek();
  if (quote != '\'' && quote != '"')
    return fail("expected a quoted string");
  size_t end = text.find(quote, pos + 1);
  if (end == llvm::StringRef::npos)
    return fail("unterminated string");
  llvm::StringRef contents = text.slice(pos + 1, end);
  // No supported descr or key needs escapes; refusing them keeps the parser
  // from having to model Python's escape rules.
  if (contents.contains('\\'))
    return fail("escape sequences in strings are not supported");
  out = contents.str();
  pos = end + 1;
  return true;
}

bool HeaderParser::parseInt(int64_t &out) {
  skipSpace();
  size_t start = pos;
  bool negative = pos < text.size() && text[pos] == '-';
  if (negative)
    ++pos;
  size_t digitsStart = pos;
  while (pos < text.size() && llvm::isDigit(text[pos]))
    ++pos;
  if (pos == digitsStart)
    return fail("expected an integer");
  llvm::StringRef digits = text.slice(digitsStart, pos);
  // Python 2 era NumPy wrote long integers with an 'L' suffix: "(3L, 4L)".
  if (pos < text.size() && (text[pos] == 'L' || text[pos] == 'l'))
    ++pos;
  uint64_t magnitude = 0;
  if (digits.getAsInteger(10, magnitude) ||
      magnitude > uint64_t(std::numeric_limits<int64_t>::max())) {
    pos = start;
    return fail("integer '" +
                text.slice(start, start + digits.size() + negative) +
                "' does not fit in 64 bits");
  }
  out = negative ? -int64_t(magnitude) : int64_t(magnitude);
  return true;
}

/// Skips an unsupported value (list, nested dict, None, float, ...) up to the
/// next top-level ',' or '}' so the caller can report which key it belongs to.
bool HeaderParser::skipOther(HeaderValue &out) {
  skipSpace();
  size_t start = pos;
  int depth = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '\'' || c == '"') {
      size_t end = text.find(c, pos + 1);
      if (end == llvm::StringRef::npos)
        return fail("unterminated string");
      pos = end + 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{')
      ++depth;
    else if (c == ')' || c == ']' || c == '}') {
      if (depth == 0)
        break;
      --depth;
    } else if (c == ',' && depth == 0)
      break;
    ++pos;
  }
  if (depth != 0)
    return fail("unbalanced brackets");
  out.kind = HeaderValue::Other;
  out.text = text.slice(start, pos).rtrim().str();
  if (out.text.empty())
    return fail("expected a value");
  return true;
}

bool HeaderParser::parseValue(HeaderValue &out) {
  char c = peek();
  if (c == '\'' || c == '"') {
    out.kind = HeaderValue::String;
    return parseString(out.text);
  }
  llvm::StringRef rest = text.drop_front(pos);
  auto isWordEnd = [&](size_t len) {
    return rest.size() == len || !llvm::isAlnum(rest[len]);
  };
  if (rest.starts_with("True") && isWordEnd(4)) {
    out.kind = HeaderValue::Bool;
    out.boolean = true;
    pos += 4;
    return true;
  }
  if (rest.starts_with("False") && isWordEnd(5)) {
    out.kind = HeaderValue::Bool;
    out.boolean = false;
    pos += 5;
    return true;
  }
  if (c != '(')
    return skipOther(out);

  // A tuple of integers. "(3)" is the int 3 in Python, not a tuple, so a
  // single element needs its trailing comma.
  size_t start = pos;
  ++pos;
  out.kind = HeaderValue::Tuple;
  bool sawComma = false;
  while (!consume(')')) {
    int64_t dim = 0;
    char next = peek();
    if (!llvm::isDigit(next) && next != '-') {
      // Not an integer tuple (e.g. nested tuples of a structured dtype).
      pos = start;
      return skipOther(out);
    }
    if (!parseInt(dim))
      return false;
    out.tuple.push_back(dim);
    if (consume(',')) {
      sawComma = true;
      continue;
    }
    if (peek() != ')')
      return fail("expected ',' or ')' in tuple");
  }
  if (out.tuple.size() == 1 && !sawComma) {
    out.kind = HeaderValue::Other;
    out.text = text.slice(start, pos).str();
  }
  return true;
}

std::optional<llvm::SmallVector<std::pair<std::string, HeaderValue>>>
HeaderParser::parseDict() {
  llvm::SmallVector<std::pair<std::string, HeaderValue>> entries;
  if (!consume('{')) {
    fail("expected '{'");
    return std::nullopt;
  }
  while (!consume('}')) {
    std::string key;
    HeaderValue value;
    if (!parseString(key))
      return std::nullopt;
    if (!consume(':')) {
      fail("expected ':' after key '" + key + "'");
      return std::nullopt;
    }
    if (!parseValue(value))
      return std::nullopt;
    entries.emplace_back(std::move(key), std::move(value));
    if (consume(','))
      continue;
    if (peek() != '}') {
      fail("expected ',' or '}'");
      return std::nullopt;
    }
  }
  // NumPy pads with spaces and ends with '\n'; anything else is garbage.
  if (!atEnd()) {
    fail("unexpected text after the header dict");
    return std::nullopt;
  }
  return entries;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

static std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string result = "(";
  llvm::raw_string_ostream os(result);
  llvm::interleave(shape, os, ", ");
  if (shape.size() == 1)
    os << ",";
  os << ")";
  return result;
}

/// The header text for an error message: escaped (it may be binary garbage)
/// and shortened (a 2.0 header may be gigabytes long).
static std::string quoteHeader(llvm::StringRef header) {
  constexpr size_t kMaxShown = 160;
  std::string result = "\"";
  llvm::raw_string_ostream os(result);
  llvm::printEscapedString(header.rtrim().take_front(kMaxShown), os);
  os << (header.rtrim().size() > kMaxShown ? "\"..." : "\"");
  return result;
}

namespace {
/// Prefixes every error with the file name.
struct ErrorBuilder {
  llvm::StringRef name;
  llvm::Error operator()(const llvm::Twine &message) const {
    return llvm::createStringError(llvm::errc::invalid_argument,
                                   name + ": " + message);
  }
};
} // namespace

llvm::Expected<NpyArray> mlir::qlip::parseNpy(llvm::StringRef buffer,
                                              llvm::StringRef name,
                                              const NpyReadOptions &options) {
  ErrorBuilder error{name};

  if (!buffer.starts_with(kMagic))
    return error("not a NumPy .npy file (missing \"\\x93NUMPY\" magic; file "
                 "has " +
                 llvm::Twine(buffer.size()) + " bytes)");
  if (buffer.size() < kMagic.size() + 2)
    return error("truncated header: file ends before the version bytes");
  const unsigned major = static_cast<uint8_t>(buffer[kMagic.size()]);
  const unsigned minor = static_cast<uint8_t>(buffer[kMagic.size() + 1]);
  if (major < 1 || major > 3 || minor != 0)
    return error("unsupported .npy format version " + llvm::Twine(major) + "." +
                 llvm::Twine(minor) + " (supported: 1.0, 2.0, 3.0)");

  // 1.0 stores the header length as uint16, 2.0 and 3.0 as uint32; 3.0 only
  // differs from 2.0 in allowing UTF-8 in the header, which none of the
  // supported headers need.
  const size_t lengthBytes = major == 1 ? 2 : 4;
  const size_t lengthOffset = kMagic.size() + 2;
  if (buffer.size() < lengthOffset + lengthBytes)
    return error("truncated header: file ends inside the header length field");
  const uint64_t headerLength =
      major == 1
          ? llvm::support::endian::read16le(buffer.data() + lengthOffset)
          : llvm::support::endian::read32le(buffer.data() + lengthOffset);
  const size_t headerOffset = lengthOffset + lengthBytes;
  if (buffer.size() - headerOffset < headerLength)
    return error("truncated header: header length is " +
                 llvm::Twine(headerLength) + " bytes but only " +
                 llvm::Twine(buffer.size() - headerOffset) + " follow");
  const llvm::StringRef header = buffer.substr(headerOffset, headerLength);

  HeaderParser parser(header);
  auto entries = parser.parseDict();
  if (!entries)
    return error("malformed header: " + parser.error + ": " +
                 quoteHeader(header));

  const HeaderValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : *entries) {
    const HeaderValue **slot = llvm::StringSwitch<const HeaderValue **>(key)
                                   .Case("descr", &descr)
                                   .Case("fortran_order", &fortran)
                                   .Case("shape", &shape)
                                   .Default(nullptr);
    if (!slot)
      return error("malformed header: unexpected key '" + key + "'");
    if (*slot)
      return error("malformed header: duplicate key '" + key + "'");
    *slot = &value;
  }
  for (auto [value, key] :
       {std::pair(descr, "descr"), std::pair(fortran, "fortran_order"),
        std::pair(shape, "shape")})
    if (!value)
      return error("malformed header: missing key '" + llvm::Twine(key) + "'");

  if (descr->kind != HeaderValue::String)
    return error("unsupported dtype " + descr->text +
                 ": structured dtypes are not supported");
  if (fortran->kind != HeaderValue::Bool)
    return error("malformed header: 'fortran_order' must be True or False, "
                 "not " +
                 fortran->text);
  if (shape->kind != HeaderValue::Tuple)
    return error("malformed header: 'shape' must be a tuple of integers, "
                 "not " +
                 shape->text);

  std::optional<NpyDType> dtype = parseNpyDescr(descr->text);
  if (!dtype) {
    llvm::StringRef d = descr->text;
    std::optional<NpyDType> anyOrder =
        d.size() >= 2 ? parseTypeCode(d.drop_front()) : std::nullopt;
    if (anyOrder && d.front() == '>')
      return error("big-endian dtype '" + d +
                   "' is not supported (convert with "
                   "arr.astype(arr.dtype.newbyteorder('<')))");
    if (anyOrder)
      return error("unsupported byte order in dtype '" + d +
                   "' (multi-byte types must be '<')");
    return error("unsupported dtype '" + d +
                 "' (supported: <f4, <f8, |i1, |u1, <i2, <i4, <i8, |b1)");
  }
  if (fortran->boolean)
    return error("Fortran-order arrays are not supported (save a C-order "
                 "array, e.g. np.ascontiguousarray(arr))");

  for (int64_t dim : shape->tuple)
    if (dim < 0)
      return error("invalid shape " + formatShape(shape->tuple) +
                   ": negative dimension");
  const size_t elementSize = getNpyDTypeSize(*dtype);
  std::optional<uint64_t> count =
      checkedElementCount(shape->tuple, elementSize);
  if (!count)
    return error("invalid shape " + formatShape(shape->tuple) +
                 ": the element count overflows");

  const uint64_t dataBytes = *count * elementSize;
  const size_t dataOffset = headerOffset + headerLength;
  const uint64_t available = buffer.size() - dataOffset;
  if (available < dataBytes)
    return error("truncated data: shape " + formatShape(shape->tuple) + " of " +
                 descr->text + " needs " + llvm::Twine(dataBytes) +
                 " bytes but only " + llvm::Twine(available) +
                 " follow the "
                 "header");
  if (available > dataBytes && !options.allowTrailingBytes)
    return error(llvm::Twine(available - dataBytes) +
                 " unexpected trailing bytes after the array data (shape " +
                 formatShape(shape->tuple) + " of " + descr->text + " needs " +
                 llvm::Twine(dataBytes) + ")");

  NpyArray array;
  array.dtype = *dtype;
  array.shape = shape->tuple;
  const char *begin = buffer.data() + dataOffset;
  array.data.assign(begin, begin + dataBytes);

  // Reading a byte other than 0/1 through a bool is undefined behaviour.
  if (array.dtype == NpyDType::Bool) {
    for (auto [index, byte] : llvm::enumerate(array.data))
      if (static_cast<unsigned char>(byte) > 1)
        return error("invalid bool value " +
                     llvm::Twine(unsigned(static_cast<unsigned char>(byte))) +
                     " at element " + llvm::Twine(index) + " (must be 0 or 1)");
  }
  return array;
}

llvm::Expected<NpyArray> mlir::qlip::readNpy(llvm::StringRef path,
                                             const NpyReadOptions &options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return llvm::createStringError(
        file.getError(), path + ": cannot read: " + file.getError().message());
  return parseNpy((*file)->getBuffer(), path, options);
}

llvm::Expected<std::vector<int64_t>>
mlir::qlip::readLabels(llvm::StringRef path) {
  llvm::Expected<NpyArray> array = readNpy(path);
  if (!array)
    return array.takeError();
  llvm::Expected<std::vector<int64_t>> labels = array->toInt64s();
  if (!labels)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": labels must be integers (" +
                                       llvm::toString(labels.takeError()) +
                                       ")");
  return labels;
}

llvm::Expected<std::vector<NpyArray>>
mlir::qlip::readNpyFiles(llvm::ArrayRef<std::string> paths,
                         const NpyReadOptions &options) {
  std::vector<NpyArray> arrays;
  arrays.reserve(paths.size());
  for (const std::string &path : paths) {
    llvm::Expected<NpyArray> array = readNpy(path, options);
    if (!array)
      return array.takeError();
    arrays.push_back(std::move(*array));
  }
  return arrays;
}

std::string mlir::qlip::formatArrayShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

size_t mlir::qlip::getRowBytes(const NpyArray &array) {
  size_t rows = array.shape.front();
  return rows == 0 ? 0 : array.data.size() / rows;
}

std::string mlir::qlip::formatBatchedShapeHint(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "";
  std::string text = " (or [N";
  for (int64_t dim : shape.drop_front())
    text += ", " + std::to_string(dim);
  return text + "] in batches)";
}

void mlir::qlip::copyBatchRows(llvm::ArrayRef<NpyArray> batch, int64_t first,
                               int64_t count,
                               llvm::MutableArrayRef<NpyArray> results) {
  for (auto [from, to] : llvm::zip_equal(batch, results)) {
    size_t rowBytes = getRowBytes(from);
    std::memcpy(to.data.data() + first * rowBytes, from.data.data(),
                count * rowBytes);
  }
}

void mlir::qlip::fillBatch(llvm::ArrayRef<NpyArray> samples, int64_t first,
                           int64_t count,
                           llvm::MutableArrayRef<NpyArray> batch) {
  assert(samples.size() == batch.size() && "one batch array per sample array");
  for (auto [array, input] : llvm::zip_equal(samples, batch)) {
    size_t rowBytes = getRowBytes(array);
    assert(static_cast<size_t>(count) * rowBytes <= input.data.size() &&
           "the batch holds fewer rows");
    input.dtype = array.dtype;
    std::memcpy(input.data.data(), array.data.data() + first * rowBytes,
                count * rowBytes);
    std::memset(input.data.data() + count * rowBytes, 0,
                input.data.size() - count * rowBytes);
  }
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static llvm::Error validateForWrite(NpyDType dtype,
                                    llvm::ArrayRef<int64_t> shape,
                                    llvm::ArrayRef<char> data) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::errc::invalid_argument,
                                   "cannot write .npy: " + message);
  };
  for (int64_t dim : shape)
    if (dim < 0)
      return error("negative dimension in shape " + formatShape(shape));
  const size_t elementSize = getNpyDTypeSize(dtype);
  std::optional<uint64_t> count = checkedElementCount(shape, elementSize);
  if (!count)
    return error("element count of shape " + formatShape(shape) + " overflows");
  if (data.size() != *count * elementSize)
    return error("shape " + formatShape(shape) + " of " +
                 getNpyDTypeName(dtype) + " needs " +
                 llvm::Twine(*count * elementSize) + " bytes but " +
                 llvm::Twine(data.size()) + " were given");
  if (dtype == NpyDType::Bool && llvm::any_of(data, [](char c) {
        return static_cast<unsigned char>(c) > 1;
      }))
    return error("bool data must contain only bytes 0 and 1");
  return llvm::Error::success();
}

llvm::Error mlir::qlip::writeNpyToStream(llvm::raw_ostream &os, NpyDType dtype,
                                         llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<char> data) {
  if (llvm::Error err = validateForWrite(dtype, shape, data))
    return err;

  std::string dict =
      ("{'descr': '" + getNpyDTypeDescr(dtype) +
       "', 'fortran_order': False, 'shape': " + formatShape(shape) + ", }")
          .str();
  // Pad with spaces (plus the final '\n') so the data starts on a 64-byte
  // boundary, as NumPy does; readers may then map the data aligned.
  auto paddedLength = [&](size_t lengthBytes) {
    size_t preamble = kMagic.size() + 2 + lengthBytes;
    size_t unpadded = preamble + dict.size() + 1;
    return dict.size() + 1 + llvm::alignTo(unpadded, 64) - unpadded;
  };
  uint8_t major = 1;
  size_t headerLength = paddedLength(2);
  if (headerLength > std::numeric_limits<uint16_t>::max()) {
    major = 2;
    headerLength = paddedLength(4);
  }

  os << kMagic;
  os << static_cast<char>(major) << static_cast<char>(0);
  char lengthField[4];
  if (major == 1)
    llvm::support::endian::write16le(lengthField, uint16_t(headerLength));
  else
    llvm::support::endian::write32le(lengthField, uint32_t(headerLength));
  os.write(lengthField, major == 1 ? 2 : 4);
  os << dict;
  os.indent(headerLength - dict.size() - 1);
  os << '\n';
  os.write(data.data(), data.size());
  return llvm::Error::success();
}

llvm::Error mlir::qlip::writeNpy(llvm::StringRef path, NpyDType dtype,
                                 llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<char> data) {
  // Validate first so that a bad call does not create or clobber the file.
  if (llvm::Error err = validateForWrite(dtype, shape, data))
    return llvm::createStringError(llvm::errc::invalid_argument,
                                   path + ": " +
                                       llvm::toString(std::move(err)));
  llvm::Error err = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    return writeNpyToStream(os, dtype, shape, data);
  });
  if (err)
    return llvm::createStringError(
        llvm::errc::io_error, path + ": " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}

llvm::Error mlir::qlip::writeNpy(llvm::StringRef path, const NpyArray &array) {
  return writeNpy(path, array.dtype, array.shape, array.data);
}
