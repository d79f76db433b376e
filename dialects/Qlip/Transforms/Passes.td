//===- Passes.td - qlip dialect passes ---------------------*- tablegen -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QLIP_DIALECT_QLIP_TRANSFORMS_PASSES_TD
#define QLIP_DIALECT_QLIP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def StripObserversPass : Pass<"qlip-strip-observers"> {
  let summary = "Remove qlip.observe ops once calibration is done";
  let description = [{
    Replaces every `qlip.observe` with its input. Observers are identities
    that only matter while statistics are gathered; once the ranges are
    chosen they are dead weight for every later stage.

    ```mlir
    %0 = qlip.observe "conv1.out" %x : tensor<1x8xf32>
    // becomes a use of %x
    ```
  }];
  let dependentDialects = ["::mlir::qlip::QlipDialect"];
}

#endif // QLIP_DIALECT_QLIP_TRANSFORMS_PASSES_TD
