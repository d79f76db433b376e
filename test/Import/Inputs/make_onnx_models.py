#!/usr/bin/python3
"""Writes the ONNX models of qlip-import-onnx's lit tests, with inputs and
reference outputs computed here in numpy (the references do not come from
qlip). Needs Debian's python3-onnx and python3-numpy; the outputs are
checked in, so the tests need neither.

    layout_mix.onnx   conv, batch norm, both pools, concat, pad, broadcast
                      arithmetic, leaky relu, softmax over channels,
                      transpose, reshape, global pool, squeeze/unsqueeze,
                      sigmoid, tanh: every op that keeps the NHWC layout or
                      has to undo it, on 4-D tensors (two outputs)
    pact_clip.onnx    conv -> Clip(0, alpha) with alpha an initializer, as a
                      PACT-trained model exports -> flatten -> gemm
    hard_activations.onnx
                      HardSwish and HardSigmoid (alpha, beta given)
    slices.onnx       Slice of a tensor and of a constant
    qdq_conv.onnx     a QDQ model: QuantizeLinear/DequantizeLinear on the
                      input and the output, int8 per-channel weights and an
                      int32 bias through DequantizeLinear
    external_data.onnx, external.bin
                      a conv whose weight and bias are external data
    bad_*.onnx        models the importer must reject, one fault each
    <name>_input.npy, <name>_output*.npy: inputs and numpy references

usage: make_onnx_models.py [OUTDIR]
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
    os.path.abspath(__file__))
rng = np.random.RandomState(20261203)


def save_model(name, nodes, inputs, outputs, inits, opset=13):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              [numpy_helper.from_array(v, k)
                               for k, v in inits.items()])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    return model


def vi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


# --- numpy references (NCHW) -------------------------------------------------

def conv(x, w, b, stride=1, pad=(0, 0, 0, 0), group=1):
    """pad = (top, left, bottom, right), ONNX's order."""
    x = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[2]), (pad[1], pad[3])))
    n, c, h, wd = x.shape
    oc, icg, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    y = np.zeros((n, oc, oh, ow), np.float64)
    ocg = oc // group
    for o in range(oc):
        g = o // ocg
        for i in range(oh):
            for j in range(ow):
                patch = x[:, g * icg:(g + 1) * icg, i * stride:i * stride + kh,
                          j * stride:j * stride + kw]
                y[:, o, i, j] = (patch * w[o]).sum(axis=(1, 2, 3)) + b[o]
    return y


def pool(x, k, stride, kind):
    n, c, h, w = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            y[:, :, i, j] = patch.max(axis=(2, 3)) if kind == "max" else \
                patch.mean(axis=(2, 3))
    return y


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def fake_quant(x, scale, zp, qmin, qmax):
    return (np.clip(np.round(x / scale) + zp, qmin, qmax) - zp) * scale


# --- layout_mix ---------------------------------------------------------------

def layout_mix():
    x = rng.randn(1, 3, 8, 8).astype(np.float32)
    w = (rng.randn(4, 3, 3, 3) * 0.4).astype(np.float32)
    b = rng.randn(4).astype(np.float32) * 0.1
    gamma = rng.uniform(0.5, 1.5, 4).astype(np.float32)
    beta = rng.randn(4).astype(np.float32) * 0.1
    mean = rng.randn(4).astype(np.float32) * 0.1
    var = rng.uniform(0.5, 2.0, 4).astype(np.float32)
    chan = rng.uniform(0.5, 2.0, (8, 1, 1)).astype(np.float32)
    inits = {"w": w, "b": b, "gamma": gamma, "beta": beta, "mean": mean,
             "var": var, "chan": chan, "half": np.array(0.5, np.float32),
             "three": np.array([3.0], np.float32),
             "pads": np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64),
             "flat": np.array([1, -1], np.int64),
             "axes": np.array([2, 3], np.int64),
             "axis1": np.array([1], np.int64)}
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv",
                         pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization",
                         ["c", "gamma", "beta", "mean", "var"], ["bn"],
                         name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["mp"], name="maxpool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("AveragePool", ["r"], ["ap"], name="avgpool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Concat", ["mp", "ap"], ["cat"], name="concat",
                         axis=1),
        helper.make_node("Pad", ["cat", "pads"], ["pad"], name="pad"),
        helper.make_node("Mul", ["pad", "chan"], ["mul"], name="mul"),
        helper.make_node("Sub", ["mul", "half"], ["sub"], name="sub"),
        helper.make_node("Div", ["sub", "three"], ["div"], name="div"),
        helper.make_node("LeakyRelu", ["div"], ["lrelu"], name="lrelu",
                         alpha=0.2),
        helper.make_node("Softmax", ["lrelu"], ["sm"], name="softmax", axis=1),
        helper.make_node("Transpose", ["sm"], ["tr"], name="transpose",
                         perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["tr", "flat"], ["y0"], name="reshape"),
        helper.make_node("GlobalAveragePool", ["r"], ["gap"], name="gap"),
        helper.make_node("Squeeze", ["gap", "axes"], ["sq"], name="squeeze"),
        helper.make_node("Sigmoid", ["sq"], ["sg"], name="sigmoid"),
        helper.make_node("Unsqueeze", ["sg", "axis1"], ["us"],
                         name="unsqueeze"),
        helper.make_node("Identity", ["us"], ["id"], name="identity"),
        helper.make_node("Tanh", ["id"], ["y1"], name="tanh"),
    ]
    save_model("layout_mix", nodes, [vi("x", [1, 3, 8, 8])],
               [vi("y0", [1, 288]), vi("y1", [1, 1, 4])], inits)
    xd = x.astype(np.float64)
    c = conv(xd, w, b, pad=(1, 1, 1, 1))
    s = (gamma / np.sqrt(var + 1e-3))[None, :, None, None]
    bn = (c - mean[None, :, None, None]) * s + beta[None, :, None, None]
    r = np.maximum(bn, 0)
    cat = np.concatenate([pool(r, 2, 2, "max"), pool(r, 2, 2, "avg")], 1)
    pad = np.pad(cat, ((0, 0), (0, 0), (1, 1), (1, 1)))
    v = (pad * chan - 0.5) / 3.0
    v = np.where(v > 0, v, 0.2 * v)
    y0 = softmax(v, 1).transpose(0, 2, 3, 1).reshape(1, -1)
    y1 = np.tanh(1 / (1 + np.exp(-r.mean(axis=(2, 3)))))[:, None, :]
    np.save(os.path.join(OUT, "layout_mix_input.npy"), x)
    np.save(os.path.join(OUT, "layout_mix_output0.npy"), y0.astype(np.float32))
    np.save(os.path.join(OUT, "layout_mix_output1.npy"), y1.astype(np.float32))


# --- pact_clip ------------------------------------------------------------------

def pact_clip():
    x = rng.randn(2, 1, 6, 5).astype(np.float32)
    w = rng.randn(3, 1, 3, 3).astype(np.float32)
    b = rng.randn(3).astype(np.float32) * 0.1
    fc = rng.randn(4, 3 * 4 * 3).astype(np.float32) * 0.3
    fcb = rng.randn(4).astype(np.float32)
    inits = {"w": w, "b": b, "zero": np.array(0.0, np.float32),
             "alpha": np.array(1.75, np.float32), "fc": fc, "fcb": fcb}
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv"),
        helper.make_node("Clip", ["c", "zero", "alpha"], ["clip"],
                         name="pact"),
        helper.make_node("Flatten", ["clip"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc", "fcb"], ["y"], name="fc",
                         transB=1),
    ]
    save_model("pact_clip", nodes, [vi("x", [2, 1, 6, 5])], [vi("y", [2, 4])],
               inits)
    c = np.clip(conv(x.astype(np.float64), w, b), 0, 1.75)
    y = c.reshape(2, -1) @ fc.T.astype(np.float64) + fcb
    np.save(os.path.join(OUT, "pact_clip_input.npy"), x)
    np.save(os.path.join(OUT, "pact_clip_output0.npy"), y.astype(np.float32))


# --- hard_activations -------------------------------------------------------------

def hard_activations():
    """HardSwish (opset 14, MobileNetV3) and HardSigmoid with its own alpha
    and beta: y = hs + HardSigmoid(hs), hs = HardSwish(x), x over both
    saturations."""
    x = (rng.randn(1, 2, 3, 4) * 4).astype(np.float32)
    nodes = [
        helper.make_node("HardSwish", ["x"], ["hs"], name="hswish"),
        helper.make_node("HardSigmoid", ["hs"], ["hg"], name="hsigmoid",
                         alpha=0.3, beta=0.4),
        helper.make_node("Add", ["hs", "hg"], ["y"], name="add"),
    ]
    save_model("hard_activations", nodes, [vi("x", [1, 2, 3, 4])],
               [vi("y", [1, 2, 3, 4])], {}, opset=14)
    xd = x.astype(np.float64)
    hs = xd * np.clip(xd / 6 + 0.5, 0, 1)
    y = hs + np.clip(0.3 * hs + 0.4, 0, 1)
    np.save(os.path.join(OUT, "hard_activations_input.npy"), x)
    np.save(os.path.join(OUT, "hard_activations_output0.npy"),
            y.astype(np.float32))


# --- slices -------------------------------------------------------------------------

def slices():
    """Slice of a constant (folded at import) and of a tensor (tosa.slice),
    with a negative start and an end past the dimension:
    y = x[:, -3:] + c[1:3, 0:100]."""
    x = rng.randn(2, 4).astype(np.float32)
    c = rng.randn(4, 3).astype(np.float32)
    inits = {"c": c,
             "xs": np.array([-3], np.int64), "xe": np.array([1 << 40], np.int64),
             "xa": np.array([1], np.int64),
             "cs": np.array([1, 0], np.int64), "ce": np.array([3, 100], np.int64)}
    nodes = [
        helper.make_node("Slice", ["x", "xs", "xe", "xa"], ["xsl"], name="xslice"),
        helper.make_node("Slice", ["c", "cs", "ce"], ["csl"], name="cslice"),
        helper.make_node("Add", ["xsl", "csl"], ["y"], name="add"),
    ]
    save_model("slices", nodes, [vi("x", [2, 4])], [vi("y", [2, 3])], inits)
    y = x[:, -3:].astype(np.float64) + c[1:3, 0:100]
    np.save(os.path.join(OUT, "slices_input.npy"), x)
    np.save(os.path.join(OUT, "slices_output0.npy"), y.astype(np.float32))


# --- qdq_conv --------------------------------------------------------------------

def qdq_conv():
    x = rng.uniform(-1, 1, (1, 2, 5, 5)).astype(np.float32)
    wq = rng.randint(-127, 128, (3, 2, 3, 3)).astype(np.int8)
    ws = np.array([0.004, 0.002, 0.003], np.float32)
    xs, xz = np.float32(2.0 / 255), np.uint8(128)
    ys, yz = np.float32(0.05), np.uint8(0)
    bias_q = rng.randint(-500, 500, 3).astype(np.int32)
    inits = {"xs": np.array(xs), "xz": np.array(xz), "ws": ws,
             "wz": np.zeros(3, np.int8), "wq": wq,
             "bq": bias_q, "bs": (xs * ws).astype(np.float32),
             "ys": np.array(ys), "yz": np.array(yz)}
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"],
                         name="x.q"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"],
                         name="x.dq"),
        helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"],
                         name="w.dq", axis=0),
        helper.make_node("DequantizeLinear", ["bq", "bs"], ["bd"],
                         name="b.dq", axis=0),
        helper.make_node("Conv", ["xd", "wd", "bd"], ["c"], name="conv",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("QuantizeLinear", ["r", "ys", "yz"], ["yq"],
                         name="y.q"),
        helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"],
                         name="y.dq"),
    ]
    save_model("qdq_conv", nodes, [vi("x", [1, 2, 5, 5])],
               [vi("y", [1, 3, 5, 5])], inits)
    xd = fake_quant(x.astype(np.float64), xs, 128, 0, 255)
    wd = wq.astype(np.float64) * ws[:, None, None, None]
    bd = bias_q * (xs * ws).astype(np.float32).astype(np.float64)
    r = np.maximum(conv(xd, wd, bd, pad=(1, 1, 1, 1)), 0)
    y = fake_quant(r, ys, 0, 0, 255)
    np.save(os.path.join(OUT, "qdq_conv_input.npy"), x)
    np.save(os.path.join(OUT, "qdq_conv_output0.npy"), y.astype(np.float32))


# --- bad models --------------------------------------------------------------------

def bad_models():
    x = [vi("x", [1, 1, 4, 4])]
    y = [vi("y", [1, 1, 4, 4])]
    save_model("bad_unsupported_op",
               [helper.make_node("Hardmax", ["x"], ["y"], name="hm")], x, y, {})
    save_model("bad_undefined_input",
               [helper.make_node("Add", ["x", "nowhere"], ["y"], name="add")],
               x, y, {})
    w = np.ones((1, 1, 1, 1), np.float32)
    w[0, 0, 0, 0] = np.nan
    save_model("bad_nan_weight",
               [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")], x, y,
               {"w": w})
    save_model("bad_symbolic_batch",
               [helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vi("x", ["N", 1, 4, 4])], [vi("y", ["N", 1, 4, 4])], {})
    save_model("bad_symbolic_dim",
               [helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vi("x", [1, "C", 4, 4])], [vi("y", [1, "C", 4, 4])], {})
    save_model("bad_opset",
               [helper.make_node("Relu", ["x"], ["y"], name="relu")], x, y, {},
               opset=18)
    save_model("bad_reshape",
               [helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")],
               x, [vi("y", [3, 5])], {"s": np.array([3, 5], np.int64)})
    save_model("bad_conv_channels",
               [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")], x, y,
               {"w": np.ones((1, 2, 1, 1), np.float32)})
    save_model("bad_quantize_alone",
               [helper.make_node("QuantizeLinear", ["x", "s"], ["q"], name="q"),
                helper.make_node("Relu", ["q"], ["y"], name="relu")], x, y,
               {"s": np.array(0.1, np.float32)})
    save_model("bad_output_shape",
               [helper.make_node("Relu", ["x"], ["y"], name="relu")], x,
               [vi("y", [1, 1, 4, 5])], {})
    good = open(os.path.join(OUT, "pact_clip.onnx"), "rb").read()
    with open(os.path.join(OUT, "bad_truncated.onnx"), "wb") as f:
        f.write(good[:len(good) // 2])
    with open(os.path.join(OUT, "bad_not_onnx.onnx"), "w") as f:
        f.write("this is not a protobuf\n")


def external_models():
    """A 1x1 conv whose weight (2.0) and bias (0.5) are ONNX external data
    in external.bin (weight at offset 0, bias at offset 4), and copies whose
    locations or ranges the importer must refuse."""
    x = [vi("x", [1, 1, 2, 2])]
    y = [vi("y", [1, 1, 2, 2])]
    with open(os.path.join(OUT, "external.bin"), "wb") as f:
        f.write(np.array([2.0, 0.5], np.float32).tobytes())

    def tensor(name, dims, location, offset, length):
        t = TensorProto()
        t.name = name
        t.data_type = TensorProto.FLOAT
        t.dims.extend(dims)
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", location), ("offset", offset),
                           ("length", length)):
            entry = t.external_data.add()
            entry.key = key
            entry.value = value
        return t

    def save(name, location="external.bin", w_offset="0", length="4"):
        graph = helper.make_graph(
            [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv")],
            name, x, y,
            [tensor("w", [1, 1, 1, 1], location, w_offset, length),
             tensor("b", [1], location, "4", "4")])
        model = helper.make_model(graph,
                                  opset_imports=[helper.make_opsetid("", 13)])
        with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
            f.write(model.SerializeToString())

    save("external_data")
    save("bad_external_parent", location="../Inputs/external.bin")
    save("bad_external_absolute", location="/etc/hostname")
    save("bad_external_missing", location="no-such-file.bin")
    save("bad_external_offset", w_offset="9223372036854775807")
    save("bad_external_length", length="-4")
    save("bad_external_number", w_offset="4x")


layout_mix()
pact_clip()
qdq_conv()
bad_models()
external_models()
hard_activations()
slices()
