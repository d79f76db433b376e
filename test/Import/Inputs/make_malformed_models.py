#!/usr/bin/env python3
"""Writes the malformed ONNX models of import-onnx-malformed.test into
OUTDIR, one fault each: models a fuzzer found to crash the importer and
their neighbours (ranks, axes, permutations, windows that do not fit);
and under OUTDIR/external those of external-data.test (locations and
ranges of external data).
Standard library only (onnx_writer.py encodes the protobufs), so the test
builds them as it runs.

usage: make_malformed_models.py OUTDIR
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_writer import INT32, INT64, model, node, tensor, value_info as vi  # noqa

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

# --- Transpose: perm is a permutation of the input's dimensions ----------------

save("transpose_scalar",
     [node("Transpose", ["x"], ["y"], "tr", perm=[0])], [vi("x", [])], Y)
save("transpose_scalar_const",
     [node("Transpose", ["c"], ["t"], "tr", perm=[0]),
      node("Add", ["x", "t"], ["y"], "add")],
     [vi("x", [1])], Y, [tensor("c", [], [1.0])])
save("transpose_short",
     [node("Transpose", ["x"], ["y"], "tr", perm=[1])], [vi("x", [2, 3])], Y)
save("transpose_repeated",
     [node("Transpose", ["x"], ["y"], "tr", perm=[1, 1])], [vi("x", [2, 3])],
     Y)
save("transpose_out_of_range",
     [node("Transpose", ["x"], ["y"], "tr", perm=[0, 2])], [vi("x", [2, 3])],
     Y)

# --- Ranks an op indexes ------------------------------------------------------

bn_params = [tensor(n, [1], [1.0]) for n in ("s", "b", "m", "v")]
save("batchnorm_scalar",
     [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], "bn")],
     [vi("x", [])], Y, bn_params)
save("batchnorm_rank1",
     [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], "bn")],
     [vi("x", [1])], Y, bn_params)
# A 4-D input the conv left NHWC beside a 3-D one.
save("concat_ranks",
     [node("Conv", ["x", "w"], ["c"], "conv"),
      node("Concat", ["c", "z"], ["y"], "cat", axis=1)],
     [vi("x", [1, 1, 2, 2]), vi("z", [1, 2, 2])], Y,
     [tensor("w", [1, 1, 1, 1], [1.0])])

# --- Integer lists: axes, shapes, split sizes, pads ------------------------------

# ends = INT64_MAX ("to the end", as exporters write x[1:]) is 2^63 as a
# double: a valid model.
save("slice_to_end",
     [node("Slice", ["x", "starts", "ends"], ["y"], "slice")],
     [vi("x", [4, 2])], Y,
     [tensor("starts", [1], [1], INT64),
      tensor("ends", [1], [2**63 - 1], INT64)])
# Opset 9: starts and ends are attributes, here none; a scalar input.
save("slice_scalar_nothing",
     [node("Slice", ["x"], ["y"], "slice")], [vi("x", [])], Y, opset=9)
save("pad_scalar_nothing",
     [node("Pad", ["x", "pads"], ["y"], "pad")], [vi("x", [])], Y,
     [tensor("pads", [0], [], INT64)])
save("slice_repeated_axis",
     [node("Slice", ["x", "starts", "ends", "axes"], ["y"], "slice")],
     [vi("x", [4, 2])], Y,
     [tensor("starts", [2], [0, 1], INT64), tensor("ends", [2], [2, 3], INT64),
      tensor("axes", [2], [0, 0], INT64)])
# Parts that sum to 2^64 + 4, which wraps to the dimension (4): each was
# sliced far past the end of the constant.
save("split_wrapping_sizes",
     [node("Split", ["c", "split"], ["a", "b", "c2", "d", "e"], "split"),
      node("Add", ["x", "e"], ["y"], "add")],
     [vi("x", [4])], Y,
     [tensor("c", [4], [1.0, 2.0, 3.0, 4.0]),
      tensor("split", [5], [2**62, 2**62, 2**62, 2**62, 4], INT64)])
# 2^32 * 2^32 * 8 wraps to 0.
save("reshape_overflow",
     [node("Reshape", ["x", "shape"], ["y"], "reshape")],
     [vi("x", [4, 2])], Y, [tensor("shape", [3], [2**32, 2**32, 8], INT64)])
save("pad_huge",
     [node("Pad", ["x", "pads"], ["y"], "pad")], [vi("x", [2, 3])], Y,
     [tensor("pads", [4], [2**62, 0, 2**62, 0], INT64)])
save("unsqueeze_nan_axis",
     [node("Unsqueeze", ["x", "axes"], ["y"], "unsqueeze")],
     [vi("x", [2, 3])], Y, [tensor("axes", [1], [float("nan")])])

# --- Conv groups --------------------------------------------------------------


def conv(name, x_shape, w_shape, **attrs):
    count = 1
    for d in w_shape:
        count *= d
    save(name, [node("Conv", ["x", "w"], ["y"], "conv", **attrs)],
         [vi("x", x_shape)], Y, [tensor("w", w_shape, [1.0] * count)])


conv("conv_group_zero", [1, 2, 4, 4], [2, 1, 1, 1], group=0)
# 3 input channels in 2 groups: the weight's [2, 1] would read 2 of them.
conv("conv_group_inputs", [1, 3, 4, 4], [2, 1, 1, 1], group=2)
conv("conv_group_outputs", [1, 2, 4, 4], [3, 1, 1, 1], group=2)
# 4 * (2^62 + 1) wraps to 4 input channels; an empty weight has 0 % group
# output channels: the group count divided by zero further on.
conv("conv_group_overflow", [1, 4, 4, 4], [0, 4, 1, 1], group=2**62 + 1)

# --- Windows: kernel sizes, strides, dilations, pads --------------------------


def pool(name, op="MaxPool", **attrs):
    save(name, [node(op, ["x"], ["y"], "pool", **attrs)],
         [vi("x", [1, 1, 4, 4])], Y)


pool("maxpool_huge_kernel", kernel_shape=[2**31, 2])
pool("avgpool_huge_kernel", "AveragePool", kernel_shape=[2, 2**31])
pool("maxpool_kernel_too_large", kernel_shape=[5, 2])
pool("maxpool_zero_kernel", kernel_shape=[0, 2])
pool("maxpool_huge_stride", kernel_shape=[2, 2], strides=[2**40, 1])
pool("maxpool_huge_pads", kernel_shape=[2, 2], pads=[2**40, 0, 2**40, 0])
pool("maxpool_pads_kernel", kernel_shape=[2, 2], pads=[0, 2, 0, 2])
pool("avgpool_pads_kernel", "AveragePool", kernel_shape=[2, 2],
     pads=[1, 0, 2, 0])
# (3 - 1) * 2^62 + 1 wrapped to a negative window.
conv("conv_huge_dilation", [1, 1, 4, 4], [1, 1, 3, 3], dilations=[2**62, 1])


def conv_transpose(name, **attrs):
    save(name, [node("ConvTranspose", ["x", "w"], ["y"], "convt", **attrs)],
         [vi("x", [1, 1, 4, 4])], Y, [tensor("w", [1, 1, 3, 3], [1.0] * 9)])


conv_transpose("convtranspose_zero_stride", strides=[0, 1])
conv_transpose("convtranspose_huge_stride", strides=[2**62, 1])
conv_transpose("convtranspose_output_padding", strides=[2, 2],
               output_padding=[0, 2])

# --- Constants as tensors, QDQ channels, sizes ---------------------------------

save("matmul_empty_constant",
     [node("MatMul", ["a", "b"], ["m"], "mm"),
      node("Add", ["m", "x"], ["y"], "add")],
     [vi("x", [1])], Y, [tensor("a", [2, 0], []), tensor("b", [0, 2], [])])
save("add_empty_constant",
     [node("Add", ["x", "c"], ["y"], "add")],
     [vi("x", [1])], Y, [tensor("c", [1, 0], [])])
save("output_empty_constant",
     [node("Identity", ["c"], ["y"], "id")],
     [vi("x", [1])], Y, [tensor("c", [2, 0], [])])
save("gemm_integer_constant",
     [node("Gemm", ["a", "b"], ["y"], "fc")],
     [vi("b", [1, 2])], Y, [tensor("a", [1, 1], [1], INT64)])
save("quantize_axis_channels",
     [node("QuantizeLinear", ["x", "s"], ["q"], "q", axis=1),
      node("DequantizeLinear", ["q", "s"], ["y"], "dq", axis=1)],
     [vi("x", [2, 3])], Y, [tensor("s", [2], [0.1, 0.2])])
save("input_too_large",
     [node("Reshape", ["x", "shape"], ["y"], "reshape")],
     [vi("x", [2**40, 2**40])], Y, [tensor("shape", [1], [-1], INT64)])

# --- External data (external-data.test) -----------------------------------------
# OUTDIR/external/ holds a 1x1 conv whose weight (one float) is external
# data, read from data.bin (2.0 then 0.5) by the locations and ranges
# below; OUTDIR/outside/ is a directory the models must not reach (the
# test adds the links).

EXT = os.path.join(OUT, "external")
os.makedirs(EXT)
os.makedirs(os.path.join(OUT, "outside"))
with open(os.path.join(EXT, "data.bin"), "wb") as f:
    f.write(struct.pack("<ff", 2.0, 0.5))
with open(os.path.join(EXT, "short.bin"), "wb") as f:
    f.write(b"\0\0")
with open(os.path.join(OUT, "outside", "secret.bin"), "wb") as f:
    f.write(struct.pack("<f", 7.0))


def external(name, location, **entries):
    weight = tensor("w", [1, 1, 1, 1], external=[("location", location)] +
                    list(entries.items()))
    with open(os.path.join(EXT, name + ".onnx"), "wb") as f:
        f.write(model([node("Conv", ["x", "w"], ["y"], "conv")],
                      [vi("x", [1, 1, 2, 2])], Y, [weight]))


# No length: the 4 bytes the shape needs, though the file holds 8.
external("no_length", "data.bin")
external("short", "short.bin")
external("length_mismatch", "data.bin", length="8")
external("link_inside", "link_inside.bin")
external("link_outside", "link_outside.bin")
external("link_dev_zero", "zero.bin")
external("directory", "directory.bin")

# --- --const-input ---------------------------------------------------------------

save("no_inputs", [node("Identity", ["c"], ["y"], "id")], [], Y,
     [tensor("c", [1], [1.0])])

# --- Window attribute lengths ------------------------------------------------------

pool("maxpool_pads_length", kernel_shape=[2, 2], pads=[1, 1])
conv("conv_strides_length", [1, 1, 4, 4], [1, 1, 3, 3], strides=[1, 1, 1])
conv_transpose("convtranspose_pads_length", pads=[1, 1])

# --- An int32 DequantizeLinear (a QDQ bias) with a zero point ----------------
# ONNX allows the zero point and ORT writes one, all zeros: accepted; a
# non-zero one has no place in TOSA's int32 bias and is refused.

for name, scales, zero_points in [
        ("dq_int32_zero_zp", [0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0]),
        ("dq_int32_nonzero_zp", [0.5], [3])]:
    shape = [len(scales)] if len(scales) > 1 else []
    save(name,
         [node("DequantizeLinear", ["b", "s", "z"], ["bias"], "dq", axis=0),
          node("Add", ["x", "bias"], ["y"], "add")],
         [vi("x", [1, 4])], [vi("y", [1, 4])],
         [tensor("b", [4], [2, -4, 6, 8], data_type=INT32),
          tensor("s", shape, scales),
          tensor("z", shape, zero_points, data_type=INT32)])
