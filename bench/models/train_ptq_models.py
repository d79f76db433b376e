#!/usr/bin/python3
"""Trains two small Fashion-MNIST networks shaped unlike qlip's bundled
example (examples/train_fashion_cnn.py), for post-training quantization
benchmarks, and writes them as float TOSA with shared calibration and test
data.

Needs Debian's python3-torch and dataset-fashion-mnist (run with
/usr/bin/python3). The data loading, normalisation and the float TOSA
writer (Writer, t) are the example's, imported from examples/.

    resnet_avg.mlir     a small residual network with average pooling
                        (77.8k parameters): conv 3x3 1->16 (no padding,
                        28 -> 26) + BN + ReLU, avg pool 2x2 (-> 13x13),
                        three stages of one basic block each (conv 3x3 +
                        BN + ReLU, conv 3x3 + BN, add, ReLU) at 16, 32 and
                        64 channels, stages 2 and 3 at stride 2 (13 -> 7
                        -> 4) with a conv 1x1 stride 2 + BN projection
                        shortcut, global average pool, fully connected
                        64->10
    dw_net.mlir         a MobileNet-style net, mostly depthwise (15.4k
                        parameters): conv 3x3 1->16 + BN + ReLU6, then five
                        depthwise-separable blocks (depthwise 3x3 + BN +
                        ReLU6, conv 1x1 + BN + ReLU6): 16->32 stride 2
                        (28 -> 14), 32->32, 32->64 stride 2 (-> 7),
                        64->64, 64->64; global average pool, fully
                        connected 64->10
    calib.npy           256 training images, f32 [256, 28, 28, 1]
    test.npy            1000 test images, f32 [1000, 28, 28, 1]
    test_labels.npy     their labels, i32 [1000]

The data files hold the same images as examples/fashion_calib.npy,
fashion_test.npy and fashion_test_labels.npy (byte for byte), so only the
.mlir files are checked in; bench/ptq-autopilot.sh reads the examples'. The .mlir files are in the
example's form: NHWC, batch 1, weights as dense hex, convolutions without
bias given zero biases, batch norm left as the x * s + t chain (for
qlip-fold-batchnorm), ReLU and ReLU6 as tosa.clamp, the fully connected
layer as reshape + tosa.matmul + add. Every stride-2 convolution divides
exactly as TOSA wants: 13 -> 7 and 7 -> 4 with PyTorch's own padding, and
the depthwise 28 -> 14 and 14 -> 7 with pad [1, 0, 1, 0] (PyTorch never
reads the last padded row and column there).

After writing a model the script runs build/bin/qlip-run on it (when it
is built) and fails unless qlip's float top-1 accuracy on test.npy is
within 0.2 points of PyTorch's.

The run is deterministic (seeded, 1 thread). With the defaults (10 epochs
of Adam with a one-cycle schedule each, batch 128) it took 232 s (resnet_avg)
and 312 s (dw_net) of one core, and gave float accuracies of

    resnet_avg  92.59% on all 10000 test images, 93.3% on the 1000 in
                test.npy (qlip-run: 93.30%)
    dw_net      91.63% on all 10000, 93.8% on the 1000 (qlip-run: 93.80%)

usage: train_ptq_models.py [--out DIR] [--epochs N] [--models resnet_avg,dw_net]
                           [--qlip-run PATH]
"""

import argparse
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in examples/
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from train_fashion_cnn import Writer, load, t  # noqa: E402  (the example's loader and TOSA writer)

RELU = "3.40282347E+38"  # tosa.clamp's max_val for ReLU, as the example writes it


def tosa_pad(h, k, stride, p):
    """TOSA pad [before, after] of one axis for PyTorch's symmetric padding p:
    the same output size, with the exact division TOSA wants (an `after`
    below p means PyTorch never reads those padded rows)."""
    oh = (h + 2 * p - k) // stride + 1
    after = (oh - 1) * stride + k - h - p
    assert 0 <= after <= p, (h, k, stride, p)
    return p, after


# --- resnet_avg --------------------------------------------------------------

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.stride = stride
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = self.proj_bn = None
        if stride != 1 or cin != cout:
            self.proj = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.proj_bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.proj is None else self.proj_bn(self.proj(x))
        return F.relu(s + y)

    def export(self, w, x, s, name):
        h = s[1]
        p = tosa_pad(h, 3, self.stride, 1)
        y, o = w.conv(x, s, self.conv1, name + ".conv1", stride=self.stride, pad=p + p)
        y = w.clamp(w.batchnorm(y, o, self.bn1, name + ".bn1"), o, RELU, name + ".relu1")
        y, _ = w.conv(y, o, self.conv2, name + ".conv2")
        y = w.batchnorm(y, o, self.bn2, name + ".bn2")
        if self.proj is not None:
            p = tosa_pad(h, 1, self.stride, 0)
            sc, so = w.conv(x, s, self.proj, name + ".proj", stride=self.stride, pad=p + p)
            assert so == o
            x = w.batchnorm(sc, o, self.proj_bn, name + ".proj_bn")
        x = w.add(x, y, o, name + ".add")
        return w.clamp(x, o, RELU, name + ".relu2"), o


class ResNetAvg(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.layer1 = BasicBlock(16, 16, 1)
        self.layer2 = BasicBlock(16, 32, 2)
        self.layer3 = BasicBlock(32, 64, 2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.stem_bn(self.stem(x))), 2)
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(x.mean(dim=(2, 3)))

    def export(self, w):
        s = [1, 28, 28, 1]
        x, s = w.conv("%x", s, self.stem, "stem", pad=(0, 0, 0, 0))
        x = w.clamp(w.batchnorm(x, s, self.stem_bn, "stem_bn"), s, RELU, "stem_relu")
        x, s = w.pool(x, s, "avg", 2, "pool")
        for name in ("layer1", "layer2", "layer3"):
            x, s = getattr(self, name).export(w, x, s, name)
        return w.head(x, s, self.fc)


# --- dw_net ------------------------------------------------------------------

class DWSeparable(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.stride = stride
        self.dw = nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False)
        self.dw_bn = nn.BatchNorm2d(cin)
        self.pw = nn.Conv2d(cin, cout, 1, bias=False)
        self.pw_bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu6(self.dw_bn(self.dw(x)))
        return F.relu6(self.pw_bn(self.pw(x)))

    def export(self, w, x, s, name):
        p = tosa_pad(s[1], 3, self.stride, 1)
        x, s = w.conv(x, s, self.dw, name + ".dw", depthwise=True, stride=self.stride, pad=p + p)
        x = w.clamp(w.batchnorm(x, s, self.dw_bn, name + ".dw_bn"), s, "6.0", name + ".dw_relu6")
        x, s = w.conv(x, s, self.pw, name + ".pw", pad=(0, 0, 0, 0))
        x = w.clamp(w.batchnorm(x, s, self.pw_bn, name + ".pw_bn"), s, "6.0", name + ".pw_relu6")
        return x, s


class DWNet(nn.Module):
    BLOCKS = [(16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1), (64, 64, 1)]

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.blocks = nn.ModuleList(DWSeparable(*b) for b in self.BLOCKS)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu6(self.stem_bn(self.stem(x)))
        for b in self.blocks:
            x = b(x)
        return self.fc(x.mean(dim=(2, 3)))

    def export(self, w):
        s = [1, 28, 28, 1]
        x, s = w.conv("%x", s, self.stem, "stem")
        x = w.clamp(w.batchnorm(x, s, self.stem_bn, "stem_bn"), s, "6.0", "stem_relu6")
        for i, b in enumerate(self.blocks):
            x, s = b.export(w, x, s, "block%d" % (i + 1))
        return w.head(x, s, self.fc)


MODELS = {
    # name: (class, seed, description for the file's header)
    "resnet_avg": (ResNetAvg, 20270101, "a small residual network with average pooling"),
    "dw_net": (DWNet, 20270102, "a MobileNet-style depthwise-separable network"),
}


def train(cls, seed, epochs, x, y):
    torch.manual_seed(seed)
    net = cls()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    steps = epochs * (len(x) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps)
    net.train()
    for epoch in range(epochs):
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(len(x) // 128):
            idx = perm[i * 128:(i + 1) * 128]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print("  epoch %d: mean loss %.3f" % (epoch + 1, total / (len(x) // 128)), flush=True)
    net.eval()
    return net


def qlip_accuracy(qlip_run, model, test, labels):
    out = subprocess.run([qlip_run, model, "--input", test, "--labels", labels, "--num-threads=1"],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"^top-1 accuracy: \d+/\d+ \(([0-9.]+)%\)$", out, re.M)
    if not m:
        raise SystemExit("no top-1 accuracy in qlip-run's output:\n" + out)
    return float(m.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(HERE, "ptq"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--qlip-run", default=os.path.join(ROOT, "build", "bin", "qlip-run"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    xtr, ytr = load("train")
    xt, yt = load("t10k")
    rng = np.random.RandomState(7)  # the example's calibration images
    calib = xtr[rng.choice(len(xtr), 256, replace=False)]
    test = xt[:1000]
    paths = {k: os.path.join(args.out, k + ".npy") for k in ("calib", "test", "test_labels")}
    np.save(paths["calib"], calib.transpose(0, 2, 3, 1).astype(np.float32))
    np.save(paths["test"], test.transpose(0, 2, 3, 1).astype(np.float32))
    np.save(paths["test_labels"], yt[:1000].astype(np.int32))
    xtr, ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)

    for name in args.models.split(","):
        cls, seed, what = MODELS[name]
        print("== %s" % name, flush=True)
        start = time.process_time()
        net = train(cls, seed, args.epochs, xtr, ytr)
        seconds = time.process_time() - start
        params = sum(p.numel() for p in net.parameters())
        with torch.no_grad():
            acc = (net(torch.from_numpy(xt)).argmax(1).numpy() == yt).mean()
            acc1000 = (net(torch.from_numpy(test)).argmax(1).numpy() == yt[:1000]).mean()
        print("%s: %d parameters, trained in %.0f s of CPU; float test accuracy (torch): "
              "%.2f%% (all 10000), %.1f%% (the 1000 in test.npy)"
              % (name, params, seconds, 100 * acc, 100 * acc1000), flush=True)

        w = Writer()
        result = net.export(w)
        path = os.path.join(args.out, name + ".mlir")
        w.save(path, result, ["%s: %s trained on Fashion-MNIST" % (name, what),
                              "by bench/models/train_ptq_models.py (float TOSA, NHWC). "
                              "Do not edit by hand."])

        if os.path.exists(args.qlip_run):
            qacc = qlip_accuracy(args.qlip_run, path, paths["test"], paths["test_labels"])
            print("%s: qlip-run float top-1 accuracy %.2f%% (torch %.1f%%)" % (name, qacc, 100 * acc1000))
            if abs(qacc - 100 * acc1000) > 0.2:
                raise SystemExit("%s: qlip-run's accuracy is %.2f%%, torch's %.1f%%"
                                 % (name, qacc, 100 * acc1000))
        else:
            print("%s: %s not built, qlip's accuracy not checked" % (name, args.qlip_run))


if __name__ == "__main__":
    main()
