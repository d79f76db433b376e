//===- NpyTest.cpp - Tests for the .npy reader and writer -----------------===//
//
// Part of the qlip project.
//
//===----------------------------------------------------------------------===//
//
// Every input is built in C++: valid files through a small hand-written
// encoder independent of writeNpyToStream, malformed ones by editing bytes.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir::qlip;

namespace {

/// Encodes a .npy file by hand: magic, version, little-endian header length,
/// `dict` padded with spaces to a 64-byte boundary plus '\n', then `data`.
std::string makeNpy(llvm::StringRef dict, llvm::StringRef data,
                    uint8_t major = 1, uint8_t minor = 0) {
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t unpadded = 8 + lengthBytes + dict.size() + 1;
  size_t padding = (64 - unpadded % 64) % 64;
  size_t headerLength = dict.size() + padding + 1;
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(minor);
  for (size_t i = 0; i < lengthBytes; ++i)
    out += char((headerLength >> (8 * i)) & 0xff);
  out += dict.str();
  out.append(padding, ' ');
  out += '\n';
  out += data.str();
  return out;
}

template <typename T> std::string bytesOf(std::initializer_list<T> values) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

std::string serialize(NpyDType dtype, llvm::ArrayRef<int64_t> shape,
                      llvm::ArrayRef<char> data) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::Error err = writeNpyToStream(os, dtype, shape, data);
  EXPECT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  return out;
}

template <typename T>
std::string serialize(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<T> values) {
  NpyArray a = NpyArray::create<T>(shape, values);
  return serialize(a.dtype, a.shape, a.data);
}

/// Parses `bytes` expecting failure; returns the message ("" on success).
std::string parseError(llvm::StringRef bytes, NpyReadOptions options = {}) {
  llvm::Expected<NpyArray> r = parseNpy(bytes, "test.npy", options);
  if (r)
    return "";
  return llvm::toString(r.takeError());
}

#define EXPECT_PARSE_ERROR(bytes, substring)                                   \
  do {                                                                         \
    std::string message = parseError(bytes);                                   \
    EXPECT_NE(message, "") << "expected an error containing: " << substring;   \
    EXPECT_NE(message.find(substring), std::string::npos) << message;          \
    EXPECT_EQ(message.rfind("test.npy: ", 0), 0u) << message;                  \
  } while (false)

const char *kF32Dict =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

template <typename T>
void checkRoundTrip(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<T> values) {
  std::string bytes = serialize<T>(shape, values);
  llvm::Expected<NpyArray> parsed = parseNpy(bytes, "roundtrip");
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->dtype, NpyDTypeOf<T>::value);
  EXPECT_EQ(llvm::ArrayRef<int64_t>(parsed->shape), shape);
  ASSERT_TRUE(parsed->hasElementType<T>());
  ASSERT_EQ(parsed->numElements(), values.size());
  // Compare bytes so NaN payloads and -0.0 count too.
  ASSERT_EQ(parsed->data.size(), values.size() * sizeof(T));
  if (!values.empty()) {
    EXPECT_EQ(
        std::memcmp(parsed->data.data(), values.data(), parsed->data.size()),
        0);
  }
  llvm::ArrayRef<T> view = parsed->getValues<T>();
  EXPECT_EQ(view.size(), values.size());
  // And re-serialising gives identical bytes.
  EXPECT_EQ(serialize(parsed->dtype, parsed->shape, parsed->data), bytes);
}

TEST(NpyTest, RoundTripF32) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f,
                          -0.0f,
                          1.5f,
                          -2.25f,
                          inf,
                          -inf,
                          std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::denorm_min()};
  checkRoundTrip<float>({2, 4}, v);
}

TEST(NpyTest, RoundTripF64) {
  std::vector<double> v = {0.1,
                           -1e300,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::quiet_NaN(),
                           -0.0,
                           3.0};
  checkRoundTrip<double>({3, 1, 2}, v);
}

TEST(NpyTest, RoundTripI8AndU8) {
  std::vector<int8_t> i8;
  std::vector<uint8_t> u8;
  for (int i = 0; i < 256; ++i) {
    i8.push_back(int8_t(i - 128));
    u8.push_back(uint8_t(i));
  }
  checkRoundTrip<int8_t>({16, 16}, i8);
  checkRoundTrip<uint8_t>({256}, u8);
}

TEST(NpyTest, RoundTripI16I32I64) {
  std::vector<int16_t> i16 = {std::numeric_limits<int16_t>::min(), -1,  0, 1,
                              std::numeric_limits<int16_t>::max(), 1234};
  std::vector<int32_t> i32 = {std::numeric_limits<int32_t>::min(), -1, 0,
                              std::numeric_limits<int32_t>::max()};
  std::vector<int64_t> i64 = {std::numeric_limits<int64_t>::min(),
                              -1,
                              0,
                              std::numeric_limits<int64_t>::max(),
                              (int64_t(1) << 53) + 1,
                              42};
  checkRoundTrip<int16_t>({2, 3}, i16);
  checkRoundTrip<int32_t>({4}, i32);
  checkRoundTrip<int64_t>({1, 6}, i64);
}

TEST(NpyTest, RoundTripBool) {
  std::vector<bool> source = {true, false, false, true, true};
  bool values[5];
  for (size_t i = 0; i < source.size(); ++i)
    values[i] = source[i];
  checkRoundTrip<bool>({5}, llvm::ArrayRef<bool>(values));
}

TEST(NpyTest, RoundTripScalarAndEmpty) {
  float scalar = 7.5f;
  checkRoundTrip<float>({}, llvm::ArrayRef<float>(scalar));
  checkRoundTrip<int32_t>({0}, llvm::ArrayRef<int32_t>());
  checkRoundTrip<int8_t>({3, 0, 2}, llvm::ArrayRef<int8_t>());
}

TEST(NpyTest, WriterMatchesNumPyLayout) {
  // np.save(f, np.arange(6, dtype='<i4').reshape(2, 3)) minus NumPy >= 1.24's
  // optional growth padding, which changes only the number of spaces.
  std::string data = bytesOf<int32_t>({0, 1, 2, 3, 4, 5});
  std::string expected = makeNpy(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data);
  EXPECT_EQ(serialize(NpyDType::I32, {2, 3},
                      llvm::ArrayRef<char>(data.data(), data.size())),
            expected);
  // 10-byte preamble + 60-byte dict + '\n' is padded to 128 bytes.
  ASSERT_EQ(expected.size(), 128u + data.size());
  EXPECT_EQ(expected[127], '\n');
  EXPECT_EQ(expected.substr(6, 4), std::string("\x01\x00\x76\x00", 4));

  // Descr spellings the writer emits.
  EXPECT_EQ(getNpyDTypeDescr(NpyDType::F32), "<f4");
  EXPECT_EQ(getNpyDTypeDescr(NpyDType::I8), "|i1");
  EXPECT_EQ(getNpyDTypeDescr(NpyDType::U8), "|u1");
  EXPECT_EQ(getNpyDTypeDescr(NpyDType::Bool), "|b1");
  EXPECT_EQ(getNpyDTypeDescr(NpyDType::I64), "<i8");
}

TEST(NpyTest, WriterSwitchesToVersion2ForHugeHeaders) {
  // 22000 unit dimensions need a header longer than 65535 bytes.
  llvm::SmallVector<int64_t> shape(22000, 1);
  std::string data = bytesOf<float>({1.0f});
  std::string bytes =
      serialize(NpyDType::F32, shape, llvm::ArrayRef<char>(data.data(), 4));
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ(bytes[7], 0);
  EXPECT_EQ((bytes.size() - 4) % 64, 0u);
  llvm::Expected<NpyArray> parsed = parseNpy(bytes);
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->getRank(), 22000u);
  EXPECT_EQ(parsed->getValues<float>()[0], 1.0f);
}

TEST(NpyTest, ReadsVersions2And3) {
  std::string data = bytesOf<float>({1.0f, -2.0f});
  for (uint8_t major : {1, 2, 3}) {
    llvm::Expected<NpyArray> a = parseNpy(makeNpy(kF32Dict, data, major));
    ASSERT_TRUE(static_cast<bool>(a)) << llvm::toString(a.takeError());
    EXPECT_EQ(a->getValues<float>()[1], -2.0f);
  }
}

TEST(NpyTest, AcceptsHeaderVariants) {
  std::string data = bytesOf<int16_t>({1, 2, 3, 4, 5, 6});
  const char *dicts[] = {
      // Compact, no trailing comma, other key order, double quotes.
      "{\"shape\":(2,3),\"descr\":\"<i2\",\"fortran_order\":False}",
      // NumPy >= 1.24 growth padding inside the header.
      ("{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }"
       "                     "),
      // Python 2 long literals.
      "{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }",
      // Whitespace everywhere.
      "{ 'descr' : '<i2' ,\t'fortran_order' : False , 'shape' : ( 2 , 3 , ) }",
  };
  for (const char *dict : dicts) {
    llvm::Expected<NpyArray> a = parseNpy(makeNpy(dict, data));
    ASSERT_TRUE(static_cast<bool>(a))
        << dict << ": " << llvm::toString(a.takeError());
    EXPECT_EQ(a->dtype, NpyDType::I16);
    EXPECT_EQ(llvm::ArrayRef<int64_t>(a->shape),
              llvm::ArrayRef<int64_t>({2, 3}));
    EXPECT_EQ(a->getValues<int16_t>()[5], 6);
  }
  // A header without padding or newline is still well-formed.
  std::string bare = std::string("\x93NUMPY\x01\x00", 8);
  std::string dict = "{'descr':'|u1','fortran_order':False,'shape':(1,)}";
  bare += char(dict.size());
  bare += '\0';
  bare += dict + "\x07";
  llvm::Expected<NpyArray> a = parseNpy(bare);
  ASSERT_TRUE(static_cast<bool>(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->getValues<uint8_t>()[0], 7);
}

TEST(NpyTest, OneByteTypesIgnoreByteOrder) {
  for (const char *descr : {"|i1", "<i1", ">i1", "=i1"}) {
    std::string dict = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (1,), }";
    llvm::Expected<NpyArray> a = parseNpy(makeNpy(dict, "\xff"));
    ASSERT_TRUE(static_cast<bool>(a)) << descr;
    EXPECT_EQ(a->getValues<int8_t>()[0], -1);
  }
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(NpyTest, BadMagic) {
  EXPECT_PARSE_ERROR("", "not a NumPy .npy file");
  EXPECT_PARSE_ERROR("\x93NUMP", "not a NumPy .npy file");
  EXPECT_PARSE_ERROR(std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, 0),
                     "not a NumPy .npy file");
  std::string bytes = makeNpy(kF32Dict, bytesOf<float>({1, 2}));
  bytes[0] = 'X';
  EXPECT_PARSE_ERROR(bytes, "not a NumPy .npy file");
}

TEST(NpyTest, UnsupportedVersion) {
  std::string data = bytesOf<float>({1, 2});
  EXPECT_PARSE_ERROR(makeNpy(kF32Dict, data, 4, 0),
                     "unsupported .npy format version 4.0");
  EXPECT_PARSE_ERROR(makeNpy(kF32Dict, data, 1, 1),
                     "unsupported .npy format version 1.1");
  EXPECT_PARSE_ERROR(makeNpy(kF32Dict, data, 0, 0),
                     "unsupported .npy format version 0.0");
}

TEST(NpyTest, TruncatedHeader) {
  std::string full = makeNpy(kF32Dict, bytesOf<float>({1, 2}));
  EXPECT_PARSE_ERROR(full.substr(0, 7), "truncated header");
  EXPECT_PARSE_ERROR(full.substr(0, 9), "truncated header");
  EXPECT_PARSE_ERROR(full.substr(0, 40),
                     "truncated header: header length is 118 bytes but only "
                     "30 follow");
  std::string v2 = makeNpy(kF32Dict, bytesOf<float>({1, 2}), 2);
  EXPECT_PARSE_ERROR(v2.substr(0, 11), "truncated header");
}

TEST(NpyTest, MalformedHeaderDict) {
  std::string d = bytesOf<float>({1, 2});
  auto withDict = [&](llvm::StringRef dict) { return makeNpy(dict, d); };
  EXPECT_PARSE_ERROR(withDict("'descr': '<f4'"),
                     "malformed header: expected '{'");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'shape': (2,), }"),
                     "missing key 'fortran_order'");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2,), 'extra': 1, }"),
                     "unexpected key 'extra'");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'descr': '<f4', "
                              "'fortran_order': False, 'shape': (2,), }"),
                     "duplicate key 'descr'");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': 0, "
                              "'shape': (2,), }"),
                     "'fortran_order' must be True or False, not 0");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': [2], }"),
                     "'shape' must be a tuple of integers, not [2]");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2), }"),
                     "'shape' must be a tuple of integers, not (2)");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': ('a',), }"),
                     "'shape' must be a tuple of integers");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4, 'fortran_order': False, "
                              "'shape': (2,), }"),
                     "malformed header");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2,) 'x'}"),
                     "expected ',' or '}'");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2,), } junk"),
                     "unexpected text after the header dict");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2,), "),
                     "malformed header");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2 3), }"),
                     "expected ',' or ')' in tuple");
  EXPECT_PARSE_ERROR(withDict("{'descr': '<f4', 'fortran_order': Falsey, "
                              "'shape': (2,), }"),
                     "'fortran_order' must be True or False");
  EXPECT_PARSE_ERROR(withDict("{'descr': 'a\\'b', 'fortran_order': False, "
                              "'shape': (2,), }"),
                     "escape sequences");
  // A header that ends early names the offset where it ended (once
  // printed as 2^64 - 1).
  std::string early = parseError(withDict("{'descr': '<f4', "));
  EXPECT_NE(early.find("at offset "), std::string::npos) << early;
  EXPECT_EQ(early.find("18446744073709551615"), std::string::npos) << early;
  // Binary garbage in the header is escaped in the message.
  std::string garbage = parseError(withDict(std::string("\x01\x02{", 3)));
  EXPECT_NE(garbage.find("\\01\\02{"), std::string::npos) << garbage;
}

TEST(NpyTest, HeaderCutAnywhereNamesAnOffsetInside) {
  // Every prefix of a header dict is refused naming an offset inside the
  // header: the end, reached while skipping spaces, was once npos (printed
  // as 2^64 - 1), and where a value was due the parser then read past the
  // text (an assertion in builds with asserts).
  llvm::StringRef dict = kF32Dict;
  for (size_t n = 0; n < dict.size(); ++n) {
    std::string bytes = makeNpy(dict.take_front(n), bytesOf<float>({1, 2}));
    size_t headerLength = bytes.size() - 10 - 2 * sizeof(float);
    std::string message = parseError(bytes);
    size_t at = message.find(" at offset ");
    ASSERT_NE(at, std::string::npos) << "prefix " << n << ": " << message;
    EXPECT_LE(std::stoull(message.substr(at + 11)), headerLength) << message;
  }
}

TEST(NpyTest, StructuredDtypeRejected) {
  EXPECT_PARSE_ERROR(
      makeNpy("{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': "
              "False, 'shape': (1,), }",
              std::string(8, '\0')),
      "structured dtypes are not supported");
}

TEST(NpyTest, FortranOrderRejected) {
  EXPECT_PARSE_ERROR(
      makeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1), }",
              bytesOf<float>({1, 2})),
      "Fortran-order arrays are not supported");
}

TEST(NpyTest, BigEndianAndUnknownDtypes) {
  auto withDescr = [](llvm::StringRef descr) {
    return makeNpy(
        ("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }")
            .str(),
        std::string(8, '\0'));
  };
  EXPECT_PARSE_ERROR(withDescr(">f4"), "big-endian dtype '>f4'");
  EXPECT_PARSE_ERROR(withDescr(">i8"), "big-endian dtype '>i8'");
  EXPECT_PARSE_ERROR(withDescr("|f4"), "unsupported byte order in dtype '|f4'");
  EXPECT_PARSE_ERROR(withDescr("=i4"), "unsupported byte order in dtype '=i4'");
  for (const char *descr : {"<f2", "<u2", "<u4", "<u8", "<c8", "|O", "<U3",
                            "|S3", "<M8[ns]", "f4", "", "<f16", "<i3"})
    EXPECT_PARSE_ERROR(withDescr(descr),
                       "unsupported dtype '" + std::string(descr) + "'");
}

TEST(NpyTest, TruncatedData) {
  std::string bytes = makeNpy(kF32Dict, bytesOf<float>({1, 2}));
  EXPECT_PARSE_ERROR(bytes.substr(0, bytes.size() - 1),
                     "truncated data: shape (2,) of <f4 needs 8 bytes but only "
                     "7 follow the header");
  EXPECT_PARSE_ERROR(bytes.substr(0, 128), "only 0 follow");
}

TEST(NpyTest, TrailingBytes) {
  std::string bytes = makeNpy(kF32Dict, bytesOf<float>({1, 2})) + "xyz";
  EXPECT_PARSE_ERROR(bytes, "3 unexpected trailing bytes");
  NpyReadOptions lenient;
  lenient.allowTrailingBytes = true;
  llvm::Expected<NpyArray> a = parseNpy(bytes, "lenient", lenient);
  ASSERT_TRUE(static_cast<bool>(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->data.size(), 8u);
}

TEST(NpyTest, BadShapes) {
  auto withShape = [](llvm::StringRef shape, llvm::StringRef data = "") {
    return makeNpy(
        ("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }")
            .str(),
        data);
  };
  EXPECT_PARSE_ERROR(withShape("(-1, 3)"),
                     "invalid shape (-1, 3): negative dimension");
  EXPECT_PARSE_ERROR(withShape("(1099511627776, 1099511627776)"),
                     "element count overflows");
  // 2^61 elements of 4 bytes overflow the byte count even though the
  // element count itself fits.
  EXPECT_PARSE_ERROR(withShape("(2305843009213693952,)"),
                     "element count overflows");
  EXPECT_PARSE_ERROR(withShape("(99999999999999999999,)"),
                     "does not fit in 64 bits");
  // A zero dimension makes any other dimension harmless.
  llvm::Expected<NpyArray> empty =
      parseNpy(withShape("(0, 4611686018427387904, 4611686018427387904)"));
  ASSERT_TRUE(static_cast<bool>(empty)) << llvm::toString(empty.takeError());
  EXPECT_EQ(empty->numElements(), 0u);
  // ...but a negative one is still rejected.
  EXPECT_PARSE_ERROR(withShape("(0, -2)"), "negative dimension");
}

TEST(NpyTest, InvalidBoolBytes) {
  EXPECT_PARSE_ERROR(makeNpy("{'descr': '|b1', 'fortran_order': False, "
                             "'shape': (3,), }",
                             std::string("\x01\x00\x02", 3)),
                     "invalid bool value 2 at element 2");
}

//===----------------------------------------------------------------------===//
// Writer validation, files and accessors
//===----------------------------------------------------------------------===//

std::string writeError(NpyDType dtype, llvm::ArrayRef<int64_t> shape,
                       llvm::StringRef data) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::Error err = writeNpyToStream(
      os, dtype, shape, llvm::ArrayRef<char>(data.data(), data.size()));
  EXPECT_TRUE(out.empty()) << "nothing may be written on error";
  return err ? llvm::toString(std::move(err)) : "";
}

TEST(NpyTest, WriterValidation) {
  EXPECT_NE(writeError(NpyDType::F32, {2, 2}, std::string(15, '\0'))
                .find("shape (2, 2) of f32 needs 16 bytes but 15 were given"),
            std::string::npos);
  EXPECT_NE(writeError(NpyDType::I8, {-1}, "").find("negative dimension"),
            std::string::npos);
  EXPECT_NE(writeError(NpyDType::I8, {int64_t(1) << 40, int64_t(1) << 40}, "")
                .find("overflows"),
            std::string::npos);
  EXPECT_NE(writeError(NpyDType::Bool, {1}, "\x05").find("bool data"),
            std::string::npos);
}

class NpyFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("qlip-npy-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  std::string path(llvm::StringRef name) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  llvm::SmallString<128> dir;
};

TEST_F(NpyFileTest, WriteThenRead) {
  std::vector<int32_t> values = {1, -2, 3, -4, 5, -6};
  NpyArray a = NpyArray::create<int32_t>({3, 2}, values);
  std::string file = path("a.npy");
  llvm::Error err = writeNpy(file, a);
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  llvm::Expected<NpyArray> b = readNpy(file);
  ASSERT_TRUE(static_cast<bool>(b)) << llvm::toString(b.takeError());
  EXPECT_EQ(b->dtype, NpyDType::I32);
  EXPECT_EQ(b->shape, a.shape);
  EXPECT_EQ(b->data, a.data);
}

TEST_F(NpyFileTest, ErrorsNameTheFile) {
  std::string missing = path("missing.npy");
  llvm::Expected<NpyArray> r = readNpy(missing);
  ASSERT_FALSE(static_cast<bool>(r));
  std::string message = llvm::toString(r.takeError());
  EXPECT_EQ(message.rfind(missing + ": cannot read", 0), 0u) << message;

  std::string bad = path("bad.npy");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(bad, ec);
    ASSERT_FALSE(ec);
    os << "hello";
  }
  r = readNpy(bad);
  ASSERT_FALSE(static_cast<bool>(r));
  message = llvm::toString(r.takeError());
  EXPECT_EQ(message.rfind(bad + ": not a NumPy .npy file", 0), 0u) << message;

  // A rejected write must not create the file.
  std::string never = path("never.npy");
  llvm::Error err = writeNpy(never, NpyDType::F32, {3}, {});
  ASSERT_TRUE(static_cast<bool>(err));
  message = llvm::toString(std::move(err));
  EXPECT_EQ(message.rfind(never + ": cannot write .npy", 0), 0u) << message;
  EXPECT_FALSE(llvm::sys::fs::exists(never));
}

TEST(NpyTest, Accessors) {
  std::vector<int16_t> values = {-3, 0, 7, 32767};
  NpyArray a = NpyArray::create<int16_t>({2, 2}, values);
  EXPECT_EQ(a.getRank(), 2u);
  EXPECT_EQ(a.numElements(), 4u);
  EXPECT_EQ(a.getElementSize(), 2u);
  EXPECT_TRUE(a.hasElementType<int16_t>());
  EXPECT_FALSE(a.hasElementType<int32_t>() || a.hasElementType<uint8_t>());
  a.getMutableValues<int16_t>()[1] = 5;
  EXPECT_EQ(a.getValues<int16_t>()[1], 5);
  EXPECT_EQ(a.toDoubles(), (std::vector<double>{-3, 5, 7, 32767}));
  llvm::Expected<std::vector<int64_t>> ints = a.toInt64s();
  ASSERT_TRUE(static_cast<bool>(ints));
  EXPECT_EQ(*ints, (std::vector<int64_t>{-3, 5, 7, 32767}));

  float f[] = {1.5f};
  NpyArray scalar = NpyArray::create<float>({}, f);
  EXPECT_EQ(scalar.getRank(), 0u);
  EXPECT_EQ(scalar.numElements(), 1u);
  EXPECT_EQ(scalar.toDoubles(), std::vector<double>{1.5});
  llvm::Expected<std::vector<int64_t>> notInts = scalar.toInt64s();
  ASSERT_FALSE(static_cast<bool>(notInts));
  EXPECT_NE(llvm::toString(notInts.takeError()).find("floating-point"),
            std::string::npos);

  EXPECT_EQ(parseNpyDescr("<f8"), NpyDType::F64);
  EXPECT_EQ(parseNpyDescr(">f8"), std::nullopt);
  EXPECT_EQ(getNpyDTypeName(NpyDType::U8), "u8");
  EXPECT_EQ(getNpyDTypeSize(NpyDType::I64), 8u);
}

} // namespace
