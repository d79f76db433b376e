//===- InitAll.h - register everything qlip provides ------------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// The one entry point a host compiler calls to use qlip: qlip's dialects,
// passes and pipelines, plus the upstream dialects, interfaces and passes
// that qlip reads, writes and lowers through.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_INITALL_H
#define QLIP_INITALL_H

namespace mlir {
class DialectRegistry;
namespace qlip {

/// Registers qlip's own dialects with `registry`.
void registerQlipDialects(DialectRegistry &registry);

/// Registers qlip's own passes and pipelines (every component's) with the
/// global registry.
void registerQlipPassesAndPipelines();

/// Registers qlip's dialects and the upstream ones qlip reads and writes
/// (func, tosa, quant, arith, math, tensor, linalg, bufferization, memref,
/// scf, vector, llvm) with the interfaces their conversions and
/// bufferization need.
void registerAllQlipDialects(DialectRegistry &registry);

/// Registers qlip's passes and pipelines, the generic transforms
/// (canonicalize, cse, ...), and each upstream pass a qlip pipeline is made
/// of (the TOSA conversions and validation, elementwise fusion,
/// bufferization, the conversions to LLVM); a host compiler registers any
/// other upstream passes it wants itself.
void registerAllQlipPasses();

/// Everything above: what an opt-style driver for qlip calls.
void registerAllQlip(DialectRegistry &registry);

} // namespace qlip
} // namespace mlir

#endif // QLIP_INITALL_H
