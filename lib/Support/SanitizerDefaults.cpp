//===- SanitizerDefaults.cpp - sanitizer options built in -------*- C++ -*-===//
//
// Part of qlip, a quantizing MLIR compiler.
//
// Linked into every executable of a QLIP_SANITIZE build, so that a tool run
// with an empty environment (the install test's `env -i`) behaves as one
// run by check-sanitize. Leak checking is off: LLVM's tools free their
// global state at exit only in part, by design. User poisoning is off:
// LLVM's BumpPtrAllocator poisons its slabs from the inline code in qlip's
// instrumented objects but not from the same code in the uninstrumented
// libMLIR, which then hands out memory that looks poisoned (a false
// use-after-poison in the parser). UBSan stops at its first report.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "detect_leaks=0:allow_user_poisoning=0:abort_on_error=1";
}

extern "C" const char *__ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1";
}
