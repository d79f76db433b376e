//===- qlip-npy.cpp - make and print .npy files -----------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Small .npy files for tests and scripts, without Python:
//
//   qlip-npy create --dtype f32 --shape 2,3 --values 1,2,3,4,5,6 -o x.npy
//   qlip-npy create --dtype i8 --shape 4 --fill -3 -o z.npy
//   qlip-npy create --dtype f32 --shape 2,2 --arange=0.5,0.25 -o r.npy
//   qlip-npy print x.npy
//
// Values are parsed for the dtype directly (f32 with strtof, so a decimal
// gives the nearest f32, not the f32 nearest to the nearest double);
// integers must fit the dtype. Every error names the option or the file
// and exits with 1.
//
//===----------------------------------------------------------------------===//

#include "qlip/Support/CommandLine.h"
#include "qlip/Runtime/Npy.h"
#include "qlip/Runtime/NpyText.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

using namespace mlir::qlip;
namespace cl = llvm::cl;

static cl::SubCommand createCommand("create", "Write a .npy file");
static cl::SubCommand printCommand("print",
                                   "Print a .npy file's dtype, shape and "
                                   "values");

static cl::OptionCategory toolCategory("qlip-npy options");

static cl::opt<std::string>
    dtypeOption("dtype",
                cl::desc("Element type: f32, f64, i8, u8, i16, i32, "
                         "i64 or bool"),
                cl::Required, cl::sub(createCommand), cl::cat(toolCategory));
static cl::opt<std::string>
    shapeOption("shape",
                cl::desc("Dimensions, comma-separated (empty: a 0-d array)"),
                cl::Required, cl::sub(createCommand), cl::cat(toolCategory));
static cl::opt<std::string>
    valuesOption("values", cl::desc("Every value, comma-separated, in C order"),
                 cl::sub(createCommand), cl::cat(toolCategory));
static cl::opt<std::string> fillOption("fill",
                                       cl::desc("One value for every element"),
                                       cl::sub(createCommand), cl::cat(toolCategory));
static cl::opt<std::string> arangeOption(
    "arange", cl::ValueOptional,
    cl::desc("start + i * step for element i (=START[,STEP]; default 0,1)"),
    cl::sub(createCommand), cl::cat(toolCategory));
static cl::opt<std::string> outputOption("o", cl::desc("Output file"),
                                         cl::value_desc("file"), cl::Required,
                                         cl::sub(createCommand), cl::cat(toolCategory));

static cl::opt<std::string> inputOption(cl::Positional, cl::desc("<file.npy>"),
                                        cl::Required, cl::sub(printCommand), cl::cat(toolCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "qlip-npy: error: " << message << "\n";
  return 1;
}

static std::optional<NpyDType> parseDType(llvm::StringRef name) {
  for (NpyDType dtype :
       {NpyDType::F32, NpyDType::F64, NpyDType::I8, NpyDType::U8, NpyDType::I16,
        NpyDType::I32, NpyDType::I64, NpyDType::Bool})
    if (name == getNpyDTypeName(dtype))
      return dtype;
  return std::nullopt;
}

static bool isFloat(NpyDType dtype) {
  return dtype == NpyDType::F32 || dtype == NpyDType::F64;
}

/// The range of an integer dtype.
static std::pair<int64_t, int64_t> getIntegerRange(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::I8:
    return {INT8_MIN, INT8_MAX};
  case NpyDType::U8:
    return {0, UINT8_MAX};
  case NpyDType::Bool:
    return {0, 1};
  case NpyDType::I16:
    return {INT16_MIN, INT16_MAX};
  case NpyDType::I32:
    return {INT32_MIN, INT32_MAX};
  default:
    return {INT64_MIN, INT64_MAX};
  }
}

/// One element, parsed for `dtype` and stored at `out`.
static llvm::Error parseElement(llvm::StringRef text, NpyDType dtype,
                                char *out) {
  std::string str = text.trim().str();
  auto bad = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "'" + str + "' " + why);
  };
  if (str.empty())
    return bad("is not a number (an empty value)");
  const char *begin = str.c_str();
  char *end = nullptr;
  errno = 0;
  if (dtype == NpyDType::F32) {
    float value = std::strtof(begin, &end);
    if (*end != '\0')
      return bad("is not a number");
    std::memcpy(out, &value, sizeof(value));
    return llvm::Error::success();
  }
  if (dtype == NpyDType::F64) {
    double value = std::strtod(begin, &end);
    if (*end != '\0')
      return bad("is not a number");
    std::memcpy(out, &value, sizeof(value));
    return llvm::Error::success();
  }
  int64_t value;
  if (dtype == NpyDType::Bool && (str == "true" || str == "false")) {
    value = str == "true";
  } else {
    long long parsed = std::strtoll(begin, &end, 10);
    if (*end != '\0')
      return bad("is not an integer");
    if (errno == ERANGE)
      return bad("does not fit in 64 bits");
    value = parsed;
  }
  auto [lo, hi] = getIntegerRange(dtype);
  if (value < lo || value > hi)
    return bad("does not fit in " + getNpyDTypeName(dtype) + " [" +
               llvm::Twine(lo) + ", " + llvm::Twine(hi) + "]");
  switch (getNpyDTypeSize(dtype)) {
  case 1: {
    auto narrow = static_cast<uint8_t>(value);
    std::memcpy(out, &narrow, 1);
    break;
  }
  case 2: {
    auto narrow = static_cast<int16_t>(value);
    std::memcpy(out, &narrow, 2);
    break;
  }
  case 4: {
    auto narrow = static_cast<int32_t>(value);
    std::memcpy(out, &narrow, 4);
    break;
  }
  default:
    std::memcpy(out, &value, 8);
    break;
  }
  return llvm::Error::success();
}

/// Element i of --arange: start + i * step, for floats in double and then
/// rounded once to the dtype, for integers exactly.
static llvm::Error storeArange(llvm::StringRef start, llvm::StringRef step,
                               size_t i, NpyDType dtype, char *out) {
  if (isFloat(dtype)) {
    char *end = nullptr;
    std::string startText = start.str(), stepText = step.str();
    double a = std::strtod(startText.c_str(), &end);
    if (*end != '\0' || startText.empty())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "'" + startText + "' is not a number");
    double b = std::strtod(stepText.c_str(), &end);
    if (*end != '\0' || stepText.empty())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "'" + stepText + "' is not a number");
    double value = a + static_cast<double>(i) * b;
    if (dtype == NpyDType::F32) {
      float narrow = static_cast<float>(value);
      std::memcpy(out, &narrow, sizeof(narrow));
    } else {
      std::memcpy(out, &value, sizeof(value));
    }
    return llvm::Error::success();
  }
  int64_t a, b;
  if (start.trim().getAsInteger(10, a) || step.trim().getAsInteger(10, b))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "'" + start + "," + step +
                                       "' are not integers");
  return parseElement(std::to_string(a + static_cast<int64_t>(i) * b), dtype,
                      out);
}

static int runCreate() {
  std::optional<NpyDType> dtype = parseDType(dtypeOption);
  if (!dtype)
    return fail("--dtype: unknown dtype '" + dtypeOption +
                "' (f32, f64, i8, u8, i16, i32, i64, bool)");

  NpyArray array;
  array.dtype = *dtype;
  llvm::StringRef shapeText = llvm::StringRef(shapeOption).trim();
  if (!shapeText.empty()) {
    llvm::SmallVector<llvm::StringRef> dims;
    shapeText.split(dims, ',');
    for (llvm::StringRef dim : dims) {
      int64_t size;
      if (dim.trim().getAsInteger(10, size) || size < 0)
        return fail("--shape: '" + dim.trim() +
                    "' is not a dimension (a non-negative integer)");
      array.shape.push_back(size);
    }
  }
  size_t count = 1;
  for (int64_t dim : array.shape) {
    if (dim != 0 && count > std::numeric_limits<size_t>::max() /
                                static_cast<size_t>(dim) / 8)
      return fail("--shape: " + shapeOption + " is too large");
    count *= static_cast<size_t>(dim);
  }
  size_t elementSize = getNpyDTypeSize(*dtype);
  array.data.assign(count * elementSize, 0);

  int sources = (valuesOption.getNumOccurrences() > 0) +
                (fillOption.getNumOccurrences() > 0) +
                (arangeOption.getNumOccurrences() > 0);
  if (sources != 1)
    return fail("give exactly one of --values, --fill and --arange");

  if (valuesOption.getNumOccurrences()) {
    llvm::SmallVector<llvm::StringRef> values;
    if (!llvm::StringRef(valuesOption).trim().empty())
      llvm::StringRef(valuesOption).split(values, ',');
    if (values.size() != count)
      return fail("--values: " + llvm::Twine(values.size()) +
                  " values for shape [" + shapeOption + "], which has " +
                  llvm::Twine(count) + " elements");
    for (auto [i, value] : llvm::enumerate(values))
      if (llvm::Error error =
              parseElement(value, *dtype, array.data.data() + i * elementSize))
        return fail("--values: value #" + llvm::Twine(i) + ": " +
                    llvm::toString(std::move(error)));
  } else if (fillOption.getNumOccurrences()) {
    llvm::SmallVector<char, 8> element(elementSize);
    if (llvm::Error error = parseElement(fillOption, *dtype, element.data()))
      return fail("--fill: " + llvm::toString(std::move(error)));
    for (size_t i = 0; i < count; ++i)
      std::memcpy(array.data.data() + i * elementSize, element.data(),
                  elementSize);
  } else {
    auto [start, step] = llvm::StringRef(arangeOption).split(',');
    if (start.trim().empty())
      start = "0";
    if (step.trim().empty())
      step = "1";
    for (size_t i = 0; i < count; ++i)
      if (llvm::Error error = storeArange(start, step, i, *dtype,
                                          array.data.data() + i * elementSize))
        return fail("--arange: element #" + llvm::Twine(i) + ": " +
                    llvm::toString(std::move(error)));
  }

  if (llvm::Error error = writeNpy(outputOption, array))
    return fail(llvm::toString(std::move(error)));
  return 0;
}

static int runPrint() {
  llvm::Expected<NpyArray> array = readNpy(inputOption);
  if (!array)
    return fail(llvm::toString(array.takeError()));
  printNpyArray(llvm::outs(), *array);
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::qlip::setQlipVersionPrinter();
  cl::HideUnrelatedOptions(toolCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "qlip-npy: make and print .npy files\n");
  if (createCommand)
    return runCreate();
  if (printCommand)
    return runPrint();
  return fail("give a subcommand: create or print (see --help)");
}
