# -*- Python -*-
# lit configuration of qlip's regression suite.

import os
import shutil
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QLIP"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qlip_obj_root, "test")
# Inputs used by several tests, not tests themselves.
config.excludes = ["Inputs", "consumer", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%qlip_src_root", config.qlip_src_root))
config.substitutions.append(("%qlip_obj_root", config.qlip_obj_root))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%generator", config.cmake_generator))
# What an ahead-of-time object links besides libm: qlip's CPU kernels (a
# C++ library without MLIR or LLVM).
# In a QLIP_SANITIZE build the kernels are instrumented: the program links
# the sanitizer runtimes too.
sanitize = config.qlip_sanitize.upper() in ("ON", "1", "TRUE", "YES")
config.substitutions.append(
    ("%qlip_kernels",
     os.path.join(config.qlip_obj_root, "lib", "Kernels", "libQlipKernels.a")
     + " -lstdc++ -lpthread -lm"
     + (" -fsanitize=address,undefined -fno-sanitize=vptr" if sanitize
        else "")))

llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.qlip_tools_dir, append_path=True)

tool_dirs = [config.qlip_tools_dir, config.llvm_tools_dir]
tools = [
    "qlip-aot",
    "qlip-calibrate",
    "qlip-compile",
    "qlip-import-onnx",
    "qlip-npu-sim",
    "qlip-npy",
    "qlip-opt",
    "qlip-report",
    "qlip-run",
    "qlip-translate",
    ToolSubst("mlir-opt", unresolved="fatal"),
    # Compiles and links the C programs of the ahead-of-time tests.
    ToolSubst("clang", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Headless Chromium renders qlip-report's pages (test/tools/qlip-report).
# Without it those tests fail rather than skip: %chromium then says what
# to install and exits 1.
chromium = shutil.which("chromium")
if chromium:
    config.available_features.add("chromium")
    config.substitutions.append(
        ("%chromium", chromium + " --headless --no-sandbox --disable-gpu"))
else:
    missing = ("chromium not found: install the Debian package chromium "
               "(make setup)")
    config.substitutions.append(
        ("%chromium", "\"%s\" -c \"import sys; sys.exit('%s')\""
                      % (sys.executable, missing)))

# The kernels' code paths this CPU can run (qlip-run --kernel-isa forces
# one): tests of a path the CPU lacks are reported as unsupported.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = set()
        for line in cpuinfo:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
except OSError:
    flags = set()
if {"avx2", "fma"} <= flags:
    config.available_features.add("cpu-avx2")
if {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni"} <= flags:
    config.available_features.add("cpu-avx512-vnni")
# The avx-vnni path runs VEX vpdpbusd where the CPU has AVX-VNNI, and the
# same tile EVEX-encoded where it has AVX-512 VL + VNNI.
if {"avx2", "fma"} <= flags and ("avx_vnni" in flags or
                                 {"avx512vl", "avx512_vnni"} <= flags):
    config.available_features.add("cpu-avx-vnni")
