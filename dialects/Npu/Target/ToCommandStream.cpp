//===- ToCommandStream.cpp - npu.program to the command stream --*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Each buffer-level op is one record of docs/npu-command-stream.md; the
// verifiers have checked the program, so this is a transcription. The
// listing prints the stream as read back from its own bytes' form
// (stream::Program), so it shows exactly what the binary holds.
//
//===----------------------------------------------------------------------===//

#include "dialects/Npu/Target/ToCommandStream.h"

#include "dialects/Npu/IR/NpuOps.h"
#include "qlip/InitAll.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::npu;

template <typename OpTy> static stream::Boundary toBoundary(OpTy op) {
  stream::Boundary b;
  b.offset = op.getDram();
  b.shape.assign(op.getShape().begin(), op.getShape().end());
  b.scale = op.getScale().convertToDouble();
  b.zeroPoint = op.getZeroPoint();
  b.qmin = op.getQmin();
  b.qmax = op.getQmax();
  return b;
}

template <typename OpTy>
static stream::Command toDma(OpTy op, stream::Opcode opcode) {
  return {opcode,
          {op.getWeightBuffer() ? 1 : 0, static_cast<int64_t>(op.getDram()),
           static_cast<int64_t>(op.getLocal()),
           static_cast<int64_t>(op.getCount()),
           static_cast<int64_t>(op.getBytes()),
           static_cast<int64_t>(op.getDramStride()),
           static_cast<int64_t>(op.getLocalStride()),
           static_cast<int64_t>(op.getTag()), 0}};
}

FailureOr<stream::Program> npu::translateToCommandStream(ModuleOp module) {
  SmallVector<ProgramOp> programs(module.getOps<ProgramOp>());
  if (programs.size() != 1)
    return module.emitError("expected one npu.program (made by "
                            "qlip-npu-lower), got ")
           << programs.size();
  ProgramOp program = programs.front();
  TargetAttr target = TargetAttr::lookup(program);
  if (!target)
    return module.emitError("the module has no npu.target");

  stream::Program p;
  p.target.rows = target.getRows();
  p.target.cols = target.getCols();
  p.target.widths.assign(target.getWidths().begin(), target.getWidths().end());
  p.target.scratchpad = target.getScratchpad();
  p.target.weightBuffer = target.getWeightBuffer();
  p.target.dramBytesPerCycle = target.getDramBytesPerCycle();
  p.target.clockMhz = target.getClockMhz();
  p.dramSize = program.getDramSize();
  auto v = [](uint64_t bits) { return static_cast<int64_t>(bits); };
  for (Operation &op : program.getBody().front()) {
    llvm::TypeSwitch<Operation *>(&op)
        .Case<SegmentOp>([&](SegmentOp segment) {
          stream::Segment &s = p.segments.emplace_back();
          s.offset = segment.getOffset();
          for (const APInt &byte : segment.getBytes().getValues<APInt>())
            s.bytes.push_back(static_cast<uint8_t>(byte.getZExtValue()));
        })
        .Case<HostInputOp>([&](HostInputOp input) {
          if (p.inputs.size() <= input.getIndex())
            p.inputs.resize(input.getIndex() + 1);
          p.inputs[input.getIndex()] = toBoundary(input);
        })
        .Case<HostOutputOp>([&](HostOutputOp output) {
          if (p.outputs.size() <= output.getIndex())
            p.outputs.resize(output.getIndex() + 1);
          p.outputs[output.getIndex()] = toBoundary(output);
        })
        .Case<ConfigureOp>([&](ConfigureOp configure) {
          p.commands.push_back(
              {stream::Opcode::Configure,
               {static_cast<int64_t>(p.layers.size())}});
          p.layers.push_back(configure.getLayer().toStream(configure.getName()));
        })
        .Case<DmaLoadOp>([&](DmaLoadOp dma) {
          p.commands.push_back(toDma(dma, stream::Opcode::DmaLoad));
        })
        .Case<DmaStoreOp>([&](DmaStoreOp dma) {
          p.commands.push_back(toDma(dma, stream::Opcode::DmaStore));
        })
        .Case<WaitOp>([&](WaitOp wait) {
          p.commands.push_back({stream::Opcode::Wait, {v(wait.getTag())}});
        })
        .Case<MacTileOp>([&](MacTileOp t) {
          p.commands.push_back(
              {stream::Opcode::MacTile,
               {v(t.getInput()), v(t.getInputRow()), v(t.getInputRows()),
                v(t.getWeights()), v(t.getRow()), v(t.getRows()),
                v(t.getChannel()), v(t.getChannels()), 0}});
        })
        .Case<RequantizeOp>([&](RequantizeOp r) {
          p.commands.push_back({stream::Opcode::Requantize, {v(r.getOutput())}});
        })
        .Case<VectorTileOp>([&](VectorTileOp t) {
          p.commands.push_back(
              {stream::Opcode::VectorTile,
               {v(t.getInput()), v(t.getInputRow()), v(t.getInputRows()),
                v(t.getInput2()), v(t.getRow()), v(t.getRows()),
                v(t.getChannel()), v(t.getChannels()), v(t.getOutput())}});
        });
  }
  return p;
}

void npu::registerToCommandStreamTranslations() {
  auto registerDialects = [](DialectRegistry &registry) {
    qlip::registerAllQlipDialects(registry);
  };
  TranslateFromMLIRRegistration binary(
      "npu-to-binary",
      "Write the npu.program (qlip-npu-lower's output) as the npu's binary "
      "command stream (docs/npu-command-stream.md)",
      [](Operation *op, raw_ostream &output) -> LogicalResult {
        FailureOr<stream::Program> program =
            translateToCommandStream(cast<ModuleOp>(op));
        if (failed(program))
          return failure();
        stream::writeProgram(output, *program);
        return success();
      },
      registerDialects);
  TranslateFromMLIRRegistration listing(
      "npu-to-listing",
      "Write the npu.program's command stream as a readable listing",
      [](Operation *op, raw_ostream &output) -> LogicalResult {
        FailureOr<stream::Program> program =
            translateToCommandStream(cast<ModuleOp>(op));
        if (failed(program))
          return failure();
        stream::printListing(output, *program);
        return success();
      },
      registerDialects);
}
