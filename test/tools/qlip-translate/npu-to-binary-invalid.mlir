// RUN: not qlip-translate --npu-to-binary %s -split-input-file 2>&1 | FileCheck %s
// RUN: not qlip-translate --npu-to-listing %s -split-input-file 2>&1 | FileCheck %s

// The command stream is of one npu.program (qlip-npu-lower's output): a
// module with none, or with two, is an error.

// CHECK: error: expected one npu.program (made by qlip-npu-lower), got 0
module {
  func.func @f() {
    return
  }
}

// -----

// CHECK: error: expected one npu.program (made by qlip-npu-lower), got 2
module attributes {npu.target = #npu.target<rows = 4, cols = 4, widths = [8], scratchpad = 1024, weight_buffer = 256, dram_bytes_per_cycle = 8, clock_mhz = 100>} {
  npu.program @a attributes {dram_size = 64 : i64} {
  }
  npu.program @b attributes {dram_size = 64 : i64} {
  }
}
