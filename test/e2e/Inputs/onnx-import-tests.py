#!/usr/bin/env python3
"""Imports every model of Debian's libonnx-testdata with qlip-import-onnx
and runs it with qlip-run against its reference outputs.

For each test directory (model.onnx and test_data_set_*/) under the
suites node, pytorch-converted, pytorch-operator and simple:

  * qlip-import-onnx model.onnx -o case.mlir. ONNX's node tests pass
    weights, shapes and axes as graph inputs; when the importer says an
    input must be a constant or is an int64 tensor, the import is retried
    with inputs 1..n of the data set frozen (--const-input=input_i.pb),
    once per data set.
  * exit 2 (an op or feature qlip does not import): SKIP, with the reason;
    exit 1 (the importer calls the model malformed) or a crash: FAIL.
  * qlip-run case.mlir --input ... --compare output_i.npy
    --tolerance=T for every data set, T = ATOL + RTOL * max |reference|:
    any mismatch or run failure is a FAIL.

It prints one line per case, the skip reasons by count, and the summary
`onnx import tests: P passed, F failed, S skipped (unsupported)`; it exits
with 1 when a case fails or when nothing passed.

    onnx-import-tests.py --importer qlip-import-onnx --runner qlip-run
                         --work DIR [--data /usr/share/libonnx-testdata/data]
"""

import argparse
import collections
import concurrent.futures
import os
import re
import struct
import subprocess
import sys

from onnx_pb import DecodeError, decode_tensor, numbered, write_npy

SUITES = ("node", "pytorch-converted", "pytorch-operator", "simple")
ATOL = 1e-5
RTOL = 1e-5


def run(command):
    result = subprocess.run(command, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            universal_newlines=True)
    return result.returncode, result.stdout


def skip_reason(output):
    """A short reason from the importer's first 'unsupported:' message."""
    m = re.search(r"op '(\w+)' is not imported", output)
    if m:
        return "op " + m.group(1)
    m = re.search(r"unsupported: (.*)", output) or re.search(r"error: (.*)",
                                                             output)
    text = m.group(1) if m else output.strip().split("\n")[0]
    # Drop value names so that reasons group.
    return re.sub(r"'[^']*'", "'...'", text)[:90]


def import_model(args, model, mlir, frozen):
    command = [args.importer, model, "-o", mlir]
    command += ["--const-input=" + pb for pb in frozen]
    return run(command)


def run_case(args, suite, name):
    """('PASS'|'FAIL'|'SKIP', detail)."""
    case_dir = os.path.join(args.data, suite, name)
    model = os.path.join(case_dir, "model.onnx")
    sets = sorted(d for d in os.listdir(case_dir)
                  if d.startswith("test_data_set_"))
    if not sets:
        return "SKIP", "no test data"
    work = os.path.join(args.work, suite + "." + name)
    os.makedirs(work, exist_ok=True)
    mlir = os.path.join(work, "model.mlir")
    code, output = import_model(args, model, mlir, [])
    freeze = code == 2 and ("must be a constant" in output or
                            "has element type INT64" in output)
    if code not in (0, 2) or (code == 2 and not freeze):
        if code == 2:
            return "SKIP", skip_reason(output)
        return "FAIL", "import (exit %d): %s" % (code, output.strip())
    for data_set in sets:
        directory = os.path.join(case_dir, data_set)
        inputs = numbered(directory, "input")
        outputs = numbered(directory, "output")
        if freeze:
            code, output = import_model(args, model, mlir, inputs[1:])
            if code == 2:
                return "SKIP", skip_reason(output)
            if code == 1 and "constant input:" in output:
                return "SKIP", "inputs that are not tensors"
            if code != 0:
                return "FAIL", "import (exit %d): %s" % (code, output.strip())
            inputs = inputs[:1]
        command = [args.runner, mlir]
        largest = 0.0
        for kind, files in (("--input", inputs), ("--compare", outputs)):
            for i, pb in enumerate(files):
                npy = os.path.join(work, "%s.%s%d.npy" % (data_set, kind[2:],
                                                          i))
                try:
                    with open(pb, "rb") as f:
                        descr, shape, raw = decode_tensor(f.read())
                except DecodeError as error:
                    return "SKIP", "test data: %s" % error
                if kind == "--compare" and descr == "<f4" and raw:
                    values = struct.unpack("<%df" % (len(raw) // 4), raw)
                    largest = max([largest] + [abs(v) for v in values
                                               if v == v and abs(v) != float("inf")])
                write_npy(npy, descr, shape, raw)
                command += [kind, npy]
        command.append("--tolerance=%g" % (ATOL + RTOL * largest))
        code, output = run(command)
        if code != 0:
            return "FAIL", "%s: qlip-run (exit %d): %s" % (
                data_set, code, output.strip())
    return "PASS", "%d data set%s%s" % (len(sets), "s" if len(sets) > 1 else "",
                                        ", weights frozen" if freeze else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--importer", required=True)
    parser.add_argument("--runner", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--data", default="/usr/share/libonnx-testdata/data")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    cases = []
    for suite in SUITES:
        directory = os.path.join(args.data, suite)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if os.path.exists(os.path.join(directory, name, "model.onnx")):
                cases.append((suite, name))
    if not cases:
        print("error: no ONNX test models in %s; install libonnx-testdata "
              "(apt-get install libonnx-testdata)" % args.data)
        return 1
    os.makedirs(args.work, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda case: run_case(args, *case), cases))
    counts = collections.Counter()
    reasons = collections.Counter()
    for (suite, name), (status, detail) in zip(cases, results):
        counts[status] += 1
        if status == "SKIP":
            reasons[detail] += 1
        print("%s %s/%s: %s" % (status, suite, name, detail))
    print("skipped, by reason:")
    for reason, count in sorted(reasons.items(), key=lambda r: (-r[1], r[0])):
        print("  %4d  %s" % (count, reason))
    print("onnx import tests: %d passed, %d failed, %d skipped (unsupported)"
          % (counts["PASS"], counts["FAIL"], counts["SKIP"]))
    return 1 if counts["FAIL"] or not counts["PASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
