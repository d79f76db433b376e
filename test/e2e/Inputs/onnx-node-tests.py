#!/usr/bin/env python3
"""Runs ONNX's node tests (Debian's libonnx-testdata) through qlip-run.

Every `func.func @test_<name>` of the models file is a hand-written TOSA
equivalent of the ONNX node test `test_<name>`: it takes the test's inputs
in order (an input it does not need, such as Reshape's shape, is still an
argument) and returns its outputs in order, with ONNX's layouts (NCHW) at
the boundary. For each test data set the script converts the
`input_<i>.pb` and `output_<i>.pb` TensorProtos to .npy, runs

    RUNNER MODELS --entry test_<name> --input ... --compare ... --tolerance T

and counts the case as passed when qlip-run exits with 0. A comment
`// tolerance: T` on the line before a function sets its tolerance (max
abs error); the default is --tolerance.

It prints one line per case and a summary, and exits with 1 when a case
fails, a model has no test data, or the test data is missing. Standard
library only: the protobuf wire format is decoded by onnx_pb.py.

    onnx-node-tests.py --models models.mlir --runner qlip-run --work DIR
                       [--data /usr/share/libonnx-testdata/data/node]
"""

import argparse
import os
import re
import subprocess
import sys

from onnx_pb import DecodeError, convert, numbered


def read_cases(models, default_tolerance):
    """(name, tolerance) of every `func.func @test_...` in the models file."""
    cases = []
    tolerance = None
    with open(models) as f:
        for line in f:
            m = re.match(r"\s*//\s*tolerance:\s*(\S+)", line)
            if m:
                tolerance = float(m.group(1))
                continue
            m = re.match(r"\s*func\.func @(test_\w+)\(", line)
            if m:
                cases.append((m.group(1), tolerance or default_tolerance))
            if line.strip():
                tolerance = None
    return cases


def run_case(args, name, tolerance):
    """None when every data set of the case passes, else what failed."""
    case_dir = os.path.join(args.data, name)
    sets = sorted(d for d in os.listdir(case_dir)
                  if d.startswith("test_data_set_"))
    if not sets:
        return "no test_data_set_* in " + case_dir
    for data_set in sets:
        directory = os.path.join(case_dir, data_set)
        command = [args.runner, args.models, "--entry", name]
        for kind, option in (("input", "--input"), ("output", "--compare")):
            for i, pb in enumerate(numbered(directory, kind)):
                npy = os.path.join(args.work, "%s.%s.%s_%d.npy" %
                                   (name, data_set, kind, i))
                try:
                    convert(pb, npy)
                except DecodeError as error:
                    return "%s: %s" % (pb, error)
                command += [option, npy]
        command += ["--tolerance=%g" % tolerance]
        result = subprocess.run(command, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                universal_newlines=True)
        if result.returncode != 0:
            return "%s (exit %d):\n%s" % (data_set, result.returncode,
                                          result.stdout.rstrip())
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", required=True,
                        help="the .mlir file with a function per test")
    parser.add_argument("--runner", required=True, help="the qlip-run to use")
    parser.add_argument("--work", required=True,
                        help="directory for the .npy files")
    parser.add_argument("--data",
                        default="/usr/share/libonnx-testdata/data/node",
                        help="the node tests of libonnx-testdata")
    parser.add_argument("--tolerance", type=float, default=1e-5,
                        help="default max abs error")
    args = parser.parse_args()

    if not os.path.isdir(args.data):
        print("error: no ONNX node tests in %s; install libonnx-testdata "
              "(apt-get install libonnx-testdata)" % args.data)
        return 1
    os.makedirs(args.work, exist_ok=True)
    cases = read_cases(args.models, args.tolerance)
    if not cases:
        print("error: no func.func @test_... in " + args.models)
        return 1
    passed, failed = 0, 0
    for name, tolerance in cases:
        if not os.path.isdir(os.path.join(args.data, name)):
            print("FAIL %s: no such node test in %s" % (name, args.data))
            failed += 1
            continue
        problem = run_case(args, name, tolerance)
        if problem is None:
            print("PASS %s (tolerance %g)" % (name, tolerance))
            passed += 1
        else:
            print("FAIL %s: %s" % (name, problem))
            failed += 1
    print("onnx node tests: %d passed, %d failed, of %d" %
          (passed, failed, len(cases)))
    available = [d for d in os.listdir(args.data) if d.startswith("test_")]
    print("not run: %d of the %d node tests in %s (no TOSA model here)" %
          (len(set(available) - set(name for name, _ in cases)),
           len(available), args.data))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
