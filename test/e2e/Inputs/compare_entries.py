#!/usr/bin/env python3
"""Runs each entry of DIR/fq{8,4}.mlir and of its integer models
DIR/q8.mlir, DIR/q8d.mlir, DIR/q4.mlir (and DIR/fqt.mlir's DIR/qt.mlir) on DIR/x.npy with qlip-run, and
checks that every integer result is within --tolerance of the fake-quant
result (qlip-run --compare --tolerance). Prints one line per failure and a
summary; exits 1 on any failure."""

import argparse
import os
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--tolerance", required=True)
parser.add_argument("entries", nargs="+")
args = parser.parse_args()

run = "qlip-run"
pairs = [("fq8.mlir", "q8.mlir"), ("fq8.mlir", "q8d.mlir"), ("fq4.mlir", "q4.mlir"),
         ("fqt.mlir", "qt.mlir")]
x = os.path.join(args.dir, "x.npy")
failures = 0
count = 0
for entry in args.entries:
    for reference, integer in pairs:
        expected = os.path.join(args.dir, "%s.%s.npy" % (entry, reference))
        subprocess.run([run, os.path.join(args.dir, reference), "--entry", entry,
                        "--input", x, "--output", expected], check=True)
        result = subprocess.run(
            [run, os.path.join(args.dir, integer), "--entry", entry, "--input",
             x, "--compare", expected, "--tolerance", args.tolerance],
            capture_output=True, text=True)
        count += 1
        if result.returncode != 0:
            failures += 1
            error = [l for l in result.stdout.splitlines() if "max abs" in l]
            print("FAIL %s %s: %s%s" % (entry, integer, " ".join(error),
                                         result.stderr.strip()))
if failures:
    print("%d of %d comparisons FAILED" % (failures, count))
    sys.exit(1)
print("%d comparisons within %s" % (count, args.tolerance))
