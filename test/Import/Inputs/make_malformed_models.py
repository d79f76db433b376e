#!/usr/bin/env python3
"""Writes the malformed ONNX models of import-onnx-malformed.test into
OUTDIR, one fault each: models a fuzzer found to crash the importer and
their neighbours (ranks, axes, permutations, windows that do not fit).
Standard library only (onnx_writer.py encodes the protobufs), so the test
builds them as it runs.

usage: make_malformed_models.py OUTDIR
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_writer import INT64, model, node, tensor, value_info as vi  # noqa

OUT = sys.argv[1]


def save(name, nodes, inputs, outputs, initializers=(), opset=13):
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(model(nodes, inputs, outputs, initializers, opset))


# An output whose shape the importer decides (a symbolic dimension).
Y = [vi("y", ["n"])]

# --- Gemm: A and B must be 2-D ------------------------------------------------

save("gemm_b_rank1_transb",
     [node("Gemm", ["a", "b"], ["y"], "fc", transB=1)],
     [vi("a", [2, 3]), vi("b", [3])], Y)
save("gemm_b_scalar_transb",
     [node("Gemm", ["a", "b"], ["y"], "fc", transB=1)],
     [vi("a", [2, 3]), vi("b", [])], Y)
save("gemm_b_scalar_const",
     [node("Gemm", ["a", "b"], ["y"], "fc", transB=1)],
     [vi("a", [2, 3])], Y, [tensor("b", [], [1.0])])
save("gemm_a_scalar_transa",
     [node("Gemm", ["a", "b"], ["y"], "fc", transA=1)],
     [vi("a", []), vi("b", [3, 2])], Y)
save("gemm_c_rank3",
     [node("Gemm", ["a", "b", "c"], ["y"], "fc")],
     [vi("a", [2, 3]), vi("b", [3, 2]), vi("c", [1, 2, 2])], Y)
save("gemm_c_broadcast",
     [node("Gemm", ["a", "b", "c"], ["y"], "fc")],
     [vi("a", [2, 3]), vi("b", [3, 2]), vi("c", [3, 1])], Y)
