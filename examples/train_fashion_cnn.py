#!/usr/bin/python3
"""Trains qlip's bundled example, a small CNN on Fashion-MNIST, and writes it
as ONNX and as float TOSA with its calibration and test data.

Needs Debian's python3-torch and dataset-fashion-mnist (run with
/usr/bin/python3); qlip itself never needs Python: the outputs are checked
in.

    fashion_cnn.onnx        ONNX (opset 13, batch 1, NCHW input), exported by
                            torch.onnx with the batch norms kept as
                            BatchNormalization nodes: what qlip-import-onnx
                            and `make demo` start from
    fashion_cnn.mlir        float TOSA, NHWC, batch 1, weights as dense hex;
                            batch norm left as the exporters' x * s + t
                            chain, for qlip-fold-batchnorm
    fashion_calib.npy       256 training images, f32 [256, 28, 28, 1]
    fashion_test.npy        1000 test images, f32 [1000, 28, 28, 1]
    fashion_test_labels.npy their labels, i32 [1000]

The network (5.8k parameters): conv 3x3 1->16 + BN + ReLU, max pool 2x2,
a residual block (conv 3x3 + BN + ReLU, conv 3x3 + BN, add, ReLU),
depthwise 3x3 stride 2 + BN + ReLU6, conv 1x1 16->32 + BN + ReLU, global
average pool, fully connected 32->10.

The run is deterministic (seeded, 2 threads): with the default 8 epochs
it writes the checked-in files again byte for byte (float accuracy
89.28% on all 10000 test images, 90.3% on the bundled 1000).

usage: train_fashion_cnn.py [--epochs N] [--out DIR]
"""

import argparse
import gzip
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def load(kind):
    with gzip.open(os.path.join(DATA, "%s-images-idx3-ubyte.gz" % kind)) as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        images = np.frombuffer(f.read(), np.uint8).reshape(n, rows, cols)
    with gzip.open(os.path.join(DATA, "%s-labels-idx1-ubyte.gz" % kind)) as f:
        f.read(8)
        labels = np.frombuffer(f.read(), np.uint8)
    x = (images.astype(np.float32) / 255.0 - MEAN) / STD
    return x[:, None, :, :], labels.astype(np.int64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(16)
        self.dw = nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16)
        self.bn4 = nn.BatchNorm2d(16)
        self.pw = nn.Conv2d(16, 32, 1)
        self.bn5 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        y = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(x + self.bn3(self.conv3(y)))
        x = torch.clamp(self.bn4(self.dw(x)), 0.0, 6.0)
        x = F.relu(self.bn5(self.pw(x)))
        return self.fc(x.mean(dim=(2, 3)))


def train(epochs):
    torch.manual_seed(20261203)
    x, y = load("train")
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    steps = epochs * (len(x) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps)
    net.train()
    for epoch in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(len(x) // 128):
            idx = perm[i * 128:(i + 1) * 128]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print("epoch %d: loss %.3f" % (epoch + 1, loss.item()))
    net.eval()
    return net


# --- TOSA writer -------------------------------------------------------------

def t(shape):
    return "tensor<%sxf32>" % "x".join(str(d) for d in shape)


class Writer:
    def __init__(self):
        self.lines = []
        self.count = 0

    def value(self):
        self.count += 1
        return "%%v%d" % self.count

    def const(self, array):
        array = np.ascontiguousarray(array, dtype="<f4")
        v = self.value()
        hexdata = array.tobytes().hex().upper()
        self.lines.append('%s = "tosa.const"() <{values = dense<"0x%s"> : %s}> : () -> %s'
                          % (v, hexdata, t(array.shape), t(array.shape)))
        return v

    def op(self, text, loc=None):
        v = self.value()
        suffix = ' loc("%s")' % loc if loc else ""
        self.lines.append("%s = %s%s" % (v, text, suffix))
        return v

    def conv(self, x, shape, conv, name, depthwise=False, stride=1, pad=(1, 1, 1, 1)):
        w = conv.weight.detach().numpy()
        n, h, wd, c = shape
        if depthwise:  # [C, 1, KH, KW] -> HWCM [KH, KW, C, 1]
            weight = self.const(w.transpose(2, 3, 0, 1))
            oc = w.shape[0]
            kind = "tosa.depthwise_conv2d"
            wshape = [w.shape[2], w.shape[3], w.shape[0], 1]
        else:  # OIHW -> OHWI
            weight = self.const(w.transpose(0, 2, 3, 1))
            oc = w.shape[0]
            kind = "tosa.conv2d"
            wshape = [oc, w.shape[2], w.shape[3], w.shape[1]]
        # A convolution without bias (one before a batch norm) gets zeros.
        bias = self.const(conv.bias.detach().numpy() if conv.bias is not None
                          else np.zeros(w.shape[0], np.float32))
        kh = w.shape[2]
        oh = (h - 1 + pad[0] + pad[1] - (kh - 1)) // stride + 1
        ow = (wd - 1 + pad[2] + pad[3] - (kh - 1)) // stride + 1
        out = [n, oh, ow, oc]
        v = self.op("%s %s, %s, %s, %%zp, %%zp {acc_type = f32, dilation = array<i64: 1, 1>, "
                    "pad = array<i64: %d, %d, %d, %d>, stride = array<i64: %d, %d>} : "
                    "(%s, %s, tensor<%dxf32>, tensor<1xf32>, tensor<1xf32>) -> %s"
                    % (kind, x, weight, bias, pad[0], pad[1], pad[2], pad[3], stride, stride,
                       t(shape), t(wshape), oc, t(out)), name)
        return v, out

    def batchnorm(self, x, shape, bn, name):
        # Inference batch norm as exporters leave it: x * s + t.
        s = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach().numpy()
        b = (bn.bias - bn.running_mean * torch.from_numpy(s)).detach().numpy()
        c = len(s)
        sc = self.const(s.reshape(1, 1, 1, c))
        sh = self.const(b.reshape(1, 1, 1, c))
        m = self.op("tosa.mul %s, %s, %%shift : (%s, %s, tensor<1xi8>) -> %s"
                    % (x, sc, t(shape), t([1, 1, 1, c]), t(shape)), name + ".scale")
        return self.op("tosa.add %s, %s : (%s, %s) -> %s"
                       % (m, sh, t(shape), t([1, 1, 1, c]), t(shape)), name + ".shift")

    def clamp(self, x, shape, hi, name):
        return self.op("tosa.clamp %s {min_val = 0.0 : f32, max_val = %s : f32} : (%s) -> %s"
                       % (x, hi, t(shape), t(shape)), name)

    def add(self, x, y, shape, name):
        return self.op("tosa.add %s, %s : (%s, %s) -> %s" % (x, y, t(shape), t(shape), t(shape)), name)

    def pool(self, x, shape, kind, k, name):
        # k x k window, stride k, no padding: "max" or "avg" (f32 accumulator).
        n, h, wd, c = shape
        out = [n, h // k, wd // k, c]
        attrs = ("kernel = array<i64: %d, %d>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: %d, %d>"
                 % (k, k, k, k))
        if kind == "max":
            v = self.op("tosa.max_pool2d %s {%s} : (%s) -> %s" % (x, attrs, t(shape), t(out)), name)
        else:
            v = self.op("tosa.avg_pool2d %s, %%zp, %%zp {acc_type = f32, %s} : "
                        "(%s, tensor<1xf32>, tensor<1xf32>) -> %s" % (x, attrs, t(shape), t(out)), name)
        return v, out

    def head(self, x, shape, fc):
        # Global average pool (a square map), flatten, fully connected:
        # reshape + tosa.matmul + bias.
        n, k, _, c = shape
        g = [1, 1, 1, c]
        o = fc.out_features
        x = self.op("tosa.avg_pool2d %s, %%zp, %%zp {acc_type = f32, kernel = array<i64: %d, %d>, "
                    "pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : "
                    "(%s, tensor<1xf32>, tensor<1xf32>) -> %s" % (x, k, k, t(shape), t(g)), "gap")
        shape3 = self.op("tosa.const_shape {values = dense<[1, 1, %d]> : tensor<3xindex>} : () -> !tosa.shape<3>"
                         % c)
        x = self.op("tosa.reshape %s, %s : (%s, !tosa.shape<3>) -> tensor<1x1x%dxf32>" % (x, shape3, t(g), c),
                    "flatten")
        fcw = self.const(fc.weight.detach().numpy().T.reshape(1, c, o))
        x = self.op("tosa.matmul %s, %s, %%zp, %%zp : (tensor<1x1x%dxf32>, tensor<1x%dx%dxf32>, "
                    "tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x%dxf32>" % (x, fcw, c, c, o, o), "fc")
        shape2 = self.op("tosa.const_shape {values = dense<[1, %d]> : tensor<2xindex>} : () -> !tosa.shape<2>"
                         % o)
        x = self.op("tosa.reshape %s, %s : (tensor<1x1x%dxf32>, !tosa.shape<2>) -> tensor<1x%dxf32>"
                    % (x, shape2, o, o))
        fcb = self.const(fc.bias.detach().numpy().reshape(1, o))
        return self.op("tosa.add %s, %s : (tensor<1x%dxf32>, tensor<1x%dxf32>) -> tensor<1x%dxf32>"
                       % (x, fcb, o, o, o), "fc.bias")

    def save(self, path, result, comment, inshape=(1, 28, 28, 1), classes=10):
        # comment: the file's leading "// " lines.
        with open(path, "w") as f:
            for line in comment:
                f.write("// %s\n" % line)
            f.write("func.func @main(%%x: %s) -> tensor<1x%dxf32> {\n" % (t(inshape), classes))
            f.write('  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>\n')
            f.write('  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>\n')
            for line in self.lines:
                f.write("  " + line + "\n")
            f.write("  return %s : tensor<1x%dxf32>\n}\n" % (result, classes))


def export(net, path):
    w = Writer()
    s = [1, 28, 28, 1]
    x, s = w.conv("%x", s, net.conv1, "conv1")
    x = w.clamp(w.batchnorm(x, s, net.bn1, "bn1"), s, "3.40282347E+38", "relu1")
    x, s = w.pool(x, s, "max", 2, "pool1")
    y, _ = w.conv(x, s, net.conv2, "conv2")
    y = w.clamp(w.batchnorm(y, s, net.bn2, "bn2"), s, "3.40282347E+38", "relu2")
    y, _ = w.conv(y, s, net.conv3, "conv3")
    y = w.batchnorm(y, s, net.bn3, "bn3")
    x = w.add(x, y, s, "residual")
    x = w.clamp(x, s, "3.40282347E+38", "relu3")
    # PyTorch's stride-2 pad-1 output never reads the last padded row and
    # column; TOSA wants exact division, so pad [1, 0, 1, 0].
    x, s = w.conv(x, s, net.dw, "dw", depthwise=True, stride=2, pad=(1, 0, 1, 0))
    x = w.clamp(w.batchnorm(x, s, net.bn4, "bn4"), s, "6.0", "relu6")
    x, s = w.conv(x, s, net.pw, "pw", pad=(0, 0, 0, 0))
    x = w.clamp(w.batchnorm(x, s, net.bn5, "bn5"), s, "3.40282347E+38", "relu5")
    x = w.head(x, s, net.fc)
    w.save(path, x, ["qlip's bundled example: a small CNN trained on Fashion-MNIST by",
                     "train_fashion_cnn.py (float TOSA, NHWC). Do not edit by hand."])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    torch.set_num_threads(2)
    net = train(args.epochs)

    xt, yt = load("t10k")
    with torch.no_grad():
        acc = (net(torch.from_numpy(xt)).argmax(1).numpy() == yt).mean()
        test = xt[:1000]
        acc1000 = (net(torch.from_numpy(test)).argmax(1).numpy() == yt[:1000]).mean()
    print("float test accuracy: %.2f%% (all 10000), %.1f%% (the 1000 bundled)"
          % (100 * acc, 100 * acc1000))

    export(net, os.path.join(args.out, "fashion_cnn.mlir"))
    # PRESERVE keeps BatchNormalization nodes (EVAL would fold them into the
    # convolutions); the net is in eval mode, so they are inference ones.
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28),
                      os.path.join(args.out, "fashion_cnn.onnx"),
                      input_names=["image"], output_names=["logits"],
                      opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE)
    xc, _ = load("train")
    rng = np.random.RandomState(7)
    calib = xc[rng.choice(len(xc), 256, replace=False)]
    np.save(os.path.join(args.out, "fashion_calib.npy"), calib.transpose(0, 2, 3, 1).astype(np.float32))
    np.save(os.path.join(args.out, "fashion_test.npy"), test.transpose(0, 2, 3, 1).astype(np.float32))
    np.save(os.path.join(args.out, "fashion_test_labels.npy"), yt[:1000].astype(np.int32))


if __name__ == "__main__":
    main()
