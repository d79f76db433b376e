//===- RunnerTest.cpp - the JIT runner's C++ API --------------------------===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// What the lit tests of qlip-run do not reach: the API itself (reused
// buffers, the caller's module left alone, extra symbols, a pipeline that
// breaks the calling convention). The randomized tosa.rescale comparison is
// in RescaleJitTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "qlip/Runtime/Runner.h"
#include "qlip/InitAll.h"
#include "qlip/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::qlip;

namespace {

class RunnerTest : public ::testing::Test {
protected:
  RunnerTest() {
    DialectRegistry registry;
    registerAllQlipDialects(registry);
    context.appendDialectRegistry(registry);
  }

  OwningOpRef<ModuleOp> parse(llvm::StringRef source) {
    return parseSourceString<ModuleOp>(source, &context);
  }

  MLIRContext context;
};

constexpr llvm::StringLiteral kAddModule = R"mlir(
  func.func @add(%x: tensor<2x2xf32>, %y: tensor<2x2xf32>) -> tensor<2x2xf32> {
    %0 = tosa.add %x, %y : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
  func.func @negate(%x: tensor<3xi8>) -> tensor<3xi8> {
    %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %0 = tosa.negate %x, %zp, %zp : (tensor<3xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<3xi8>
    return %0 : tensor<3xi8>
  }
)mlir";

TEST_F(RunnerTest, RunsAndReusesBuffers) {
  OwningOpRef<ModuleOp> module = parse(kAddModule);
  ASSERT_TRUE(module);
  auto runner = Runner::create(*module, "add");
  ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
  ASSERT_EQ((*runner)->getInputs().size(), 2u);
  EXPECT_EQ((*runner)->getInputs()[0].str(), "tensor<2x2xf32>");
  EXPECT_EQ((*runner)->getOutputs()[0].dtype, NpyDType::F32);

  std::vector<NpyArray> inputs = {
      NpyArray::create<float>({2, 2}, {1, 2, 3, 4}),
      NpyArray::create<float>({2, 2}, {0.5f, -2, 10, 0})};
  auto results = (*runner)->run(inputs);
  ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].getValues<float>(),
            llvm::ArrayRef<float>({1.5f, 0, 13, 4}));
  // The inputs are read, never written.
  EXPECT_EQ(inputs[0].getValues<float>(), llvm::ArrayRef<float>({1, 2, 3, 4}));

  // The same result arrays, filled again.
  inputs[1] = NpyArray::create<float>({2, 2}, {1, 1, 1, 1});
  ASSERT_FALSE(bool((*runner)->run(inputs, *results)));
  EXPECT_EQ((*results)[0].getValues<float>(),
            llvm::ArrayRef<float>({2, 3, 4, 5}));

  // Result arrays of the wrong shape are refused, not written past.
  std::vector<NpyArray> wrong = {NpyArray::create<float>({4}, {0, 0, 0, 0})};
  llvm::Error error = (*runner)->run(inputs, wrong);
  EXPECT_EQ(llvm::toString(std::move(error)),
            "the array for result #0 of 'add' must hold f32 data of shape "
            "2x2");
}

TEST_F(RunnerTest, LeavesTheModuleAlone) {
  OwningOpRef<ModuleOp> module = parse(kAddModule);
  ASSERT_TRUE(module);
  std::string before;
  llvm::raw_string_ostream(before) << *module;
  auto runner = Runner::create(*module, "add");
  ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
  std::string after;
  llvm::raw_string_ostream(after) << *module;
  EXPECT_EQ(before, after);
}

TEST_F(RunnerTest, SignlessI8TakesSignedAndUnsignedBytes) {
  OwningOpRef<ModuleOp> module = parse(kAddModule);
  ASSERT_TRUE(module);
  auto runner = Runner::create(*module, "negate");
  ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
  EXPECT_TRUE((*runner)->getInputs()[0].accepts(NpyDType::I8));
  EXPECT_TRUE((*runner)->getInputs()[0].accepts(NpyDType::U8));
  EXPECT_FALSE((*runner)->getInputs()[0].accepts(NpyDType::I16));

  // u8 200 is the byte of i8 -56; its negation is 56.
  auto results =
      (*runner)->run({NpyArray::create<uint8_t>({3}, {200, 1, 127})});
  ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());
  EXPECT_EQ((*results)[0].dtype, NpyDType::I8);
  EXPECT_EQ((*results)[0].getValues<int8_t>(),
            llvm::ArrayRef<int8_t>({56, -1, -127}));
}

TEST_F(RunnerTest, CheckInputsNamesTheArgument) {
  OwningOpRef<ModuleOp> module = parse(kAddModule);
  ASSERT_TRUE(module);
  auto runner = Runner::create(*module, "add");
  ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
  NpyArray good = NpyArray::create<float>({2, 2}, {1, 2, 3, 4});

  EXPECT_EQ(llvm::toString((*runner)->checkInputs({good})),
            "'add' takes 2 inputs, got 1");
  EXPECT_EQ(llvm::toString((*runner)->checkInputs(
                {good, NpyArray::create<int32_t>({2, 2}, {1, 2, 3, 4})})),
            "input #1 of 'add' (tensor<2x2xf32>) takes f32 data, got i32");
  EXPECT_EQ(llvm::toString((*runner)->checkInputs(
                {NpyArray::create<float>({4}, {1, 2, 3, 4}), good})),
            "input #0 of 'add' (tensor<2x2xf32>) takes shape 2x2, got 4");
  EXPECT_FALSE(bool((*runner)->checkInputs({good, good})));
}

TEST_F(RunnerTest, CreateErrors) {
  OwningOpRef<ModuleOp> module = parse(kAddModule);
  ASSERT_TRUE(module);
  auto missing = Runner::create(*module, "nope");
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            "no function 'nope' in the module (functions: add, negate)");

  RunnerOptions level4;
  level4.optLevel = 4;
  auto badLevel = Runner::create(*module, "add", level4);
  ASSERT_FALSE(bool(badLevel));
  EXPECT_EQ(llvm::toString(badLevel.takeError()),
            "optimization level 4 is not in [0, 3]");

  // A pipeline without C-interface wrappers gives code the runner cannot
  // call; that is an error, not a crash at the first run.
  RunnerOptions options;
  options.buildPipeline = [](OpPassManager &pm) {
    qlip::LowerToLLVMOptions lowering;
    lowering.emitCInterface = false;
    buildLowerToLLVMPipeline(pm, lowering);
  };
  auto noWrapper = Runner::create(*module, "add", options);
  ASSERT_FALSE(bool(noWrapper));
  EXPECT_EQ(llvm::toString(noWrapper.takeError()),
            "the lowered module has no '_mlir_ciface_add'; the pipeline must "
            "emit C-interface wrappers");
}

/// Called by the compiled code below through RunnerOptions::symbols.
extern "C" float qlipRunnerTestTwice(float x) { return 2.0f * x; }

TEST_F(RunnerTest, ExtraSymbols) {
  // A linalg.generic whose body calls an external function: what
  // calibration does to record statistics.
  OwningOpRef<ModuleOp> module = parse(R"mlir(
    func.func private @qlipRunnerTestTwice(f32) -> f32
    func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
      %init = tensor.empty() : tensor<3xf32>
      %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                           iterator_types = ["parallel"]}
          ins(%x : tensor<3xf32>) outs(%init : tensor<3xf32>) {
        ^bb0(%in: f32, %out: f32):
          %y = func.call @qlipRunnerTestTwice(%in) : (f32) -> f32
          linalg.yield %y : f32
      } -> tensor<3xf32>
      return %0 : tensor<3xf32>
    }
  )mlir");
  ASSERT_TRUE(module);
  RunnerOptions options;
  options.symbols["qlipRunnerTestTwice"] =
      reinterpret_cast<void *>(&qlipRunnerTestTwice);
  auto runner = Runner::create(*module, "main", options);
  ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
  auto results = (*runner)->run({NpyArray::create<float>({3}, {1, -2, 0.5f})});
  ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());
  EXPECT_EQ((*results)[0].getValues<float>(),
            llvm::ArrayRef<float>({2, -4, 1}));
}

TEST(TensorSpecTest, Types) {
  MLIRContext context;
  Builder b(&context);
  auto spec = [&](Type type) { return getTensorSpec(type, "argument #0"); };

  auto f64 = spec(RankedTensorType::get({2, 3}, b.getF64Type()));
  ASSERT_TRUE(bool(f64));
  EXPECT_EQ(f64->dtype, NpyDType::F64);
  EXPECT_EQ(f64->numElements(), 6u);
  EXPECT_EQ(f64->makeArray().data.size(), 48u);

  auto scalar = spec(RankedTensorType::get({}, b.getI32Type()));
  ASSERT_TRUE(bool(scalar));
  EXPECT_EQ(scalar->str(), "tensor<i32>");
  EXPECT_EQ(scalar->numElements(), 1u);

  auto ui8 = spec(RankedTensorType::get({4}, b.getIntegerType(8, false)));
  ASSERT_TRUE(bool(ui8));
  EXPECT_EQ(ui8->dtype, NpyDType::U8);
  EXPECT_FALSE(ui8->accepts(NpyDType::I8));

  auto i1 = spec(RankedTensorType::get({4}, b.getI1Type()));
  ASSERT_TRUE(bool(i1));
  EXPECT_EQ(i1->dtype, NpyDType::Bool);

  auto ui16 = spec(RankedTensorType::get({4}, b.getIntegerType(16, false)));
  ASSERT_FALSE(bool(ui16));
  EXPECT_EQ(llvm::toString(ui16.takeError()),
            "argument #0 has type tensor<4xui16>, whose element type no .npy "
            "dtype the runner reads holds (f32, f64, i1, i8, ui8, i16, i32, "
            "i64)");
  auto unranked = spec(UnrankedTensorType::get(b.getF32Type()));
  ASSERT_FALSE(bool(unranked));
  EXPECT_EQ(llvm::toString(unranked.takeError()),
            "argument #0 has type tensor<*xf32>; the runner passes only ranked "
            "tensors");
}

} // namespace
