# qlip: the two commands.
#   make demo   installs what is missing, builds, runs qlip on the bundled
#               example and prints the result
#   make check  installs what is missing, builds, runs every test suite
# Both are idempotent: a second run only rebuilds what changed.

LLVM_PREFIX ?= /usr/lib/llvm-22
BUILD_DIR   ?= build
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

# What a fresh Debian bookworm machine needs (llvm-22 comes from
# bookworm-security). python3 runs lit; ccache is optional but makes
# rebuilds cheap. clang-22 builds the C programs of the ahead-of-time tests;
# libonnx-testdata holds ONNX's node tests, which the e2e suite runs;
# chromium renders qlip-report's pages in a headless-browser test.
DEB_PACKAGES := libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools \
                cmake ninja-build g++ libgtest-dev python3 ccache \
                clang-22 libonnx-testdata libonnx-dev libprotobuf-dev \
                libpng-dev libjpeg-dev \
                chromium libclang-rt-22-dev

.PHONY: all setup configure build check check-sanitize demo docs install clean

all: build

setup:
	@scripts/setup.sh $(DEB_PACKAGES)

$(BUILD_DIR)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DMLIR_DIR=$(LLVM_PREFIX)/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_PREFIX)/bin/lit $(CMAKE_FLAGS)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR) -j $(JOBS)

# The libFuzzer targets live in the sanitized tree: once it exists (make
# check-sanitize or make fuzz made it), make check brings them up to date
# and runs each briefly too.
check: build
	@if grep -qs 'QLIP_FUZZ:BOOL=ON' $(SANITIZE_DIR)/CMakeCache.txt; then \
	  ninja -C $(SANITIZE_DIR) -j $(JOBS) qlip-fuzzers; fi
	@FUZZ_BUILD=$(SANITIZE_DIR) scripts/check.sh $(BUILD_DIR)

demo: build
	@scripts/demo.sh $(BUILD_DIR)

# The whole suite again, built by clang with AddressSanitizer and UBSan in
# a build tree of its own (build-sanitize), which also holds the libFuzzer
# targets: check.sh runs each of them briefly there. The sanitizers'
# options are built into each executable (lib/Support/SanitizerDefaults.cpp).
SANITIZE_DIR ?= build-sanitize
FUZZ_SECONDS ?= 600
.PHONY: sanitize-build fuzz
sanitize-build: setup
	CC=clang-22 CXX=clang++-22 cmake -G Ninja -S . -B $(SANITIZE_DIR) \
	  -DMLIR_DIR=$(LLVM_PREFIX)/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_PREFIX)/bin/lit \
	  -DQLIP_SANITIZE=ON -DQLIP_FUZZ=ON $(CMAKE_FLAGS)
	ninja -C $(SANITIZE_DIR) -j $(JOBS)

check-sanitize: sanitize-build
	@scripts/check.sh $(SANITIZE_DIR)

# Each fuzzer for FUZZ_SECONDS on its seed corpus.
fuzz: sanitize-build
	@scripts/fuzz.sh $(SANITIZE_DIR) $(FUZZ_SECONDS)

# Regenerates docs/reference/ from ODS.
docs: configure
	ninja -C $(BUILD_DIR) qlip-doc

install: build
	cmake --install $(BUILD_DIR) --prefix $(or $(PREFIX),/usr/local)

clean:
	rm -rf $(BUILD_DIR)
