#!/usr/bin/python3
"""Makes the models of bench/model-speed.py: ONNX files at a static batch,
their calibration and input samples, and the PyTorch weights, so that qlip
and PyTorch time the same network on the same data.

Needs Debian's python3-torch and python3-onnx (run with /usr/bin/python3).

    fashion_b64.onnx        the bundled Fashion-MNIST CNN (examples/
                            fashion_cnn.onnx, static batch 1) re-exported at
                            batch 64 with the same weights, read from the
                            bundled file's initializers; BatchNormalization
                            nodes kept, as in the bundled file
    fashion.pt              its PyTorch state_dict (without PyTorch: just
                            the bundled file with its batch set to 64, and
                            no .pt or reference outputs)
    fashion_calib.npy       examples/fashion_calib.npy: 256 images, f32 NHWC
    fashion_input.npy       the first 64 bundled test images, f32 NHWC
    fashion_labels.npy      their labels, i32 [64]
    fashion_ref.npy         PyTorch float logits on fashion_input.npy
    resnet18_b64.onnx       a ResNet-18 (torchvision's BasicBlock network,
                            11.7M parameters, 1000 classes) on 3xSxS inputs
                            (S = --size, 64 by default), seeded random
                            weights, batch-norm statistics estimated on
                            seeded random inputs, eval mode, exported at
                            batch 64 with BatchNormalization nodes kept
    resnet18.pt             its PyTorch state_dict
    resnet18_calib.npy      256 seeded N(0, 1) samples, f32 NHWC
    resnet18_input.npy      64 other ones, f32 NHWC
    resnet18_ref.npy        PyTorch float logits on resnet18_input.npy
    resnet50_*              the same for a ResNet-50 (torchvision's
                            Bottleneck network, [3, 4, 6, 3], 25.6M
                            parameters); only with --models resnet50
    models.json             the above per model, read by torch_bench.py and
                            model-speed.py

The run is deterministic (seeded, 1 thread).

usage: make_bench_models.py OUTDIR [--size 64] [--models fashion,resnet18[,resnet50]]
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in examples/ or bench/models/
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, "examples")
BATCH = 64

try:
    import torch
    import torch.nn as nn
except ImportError:  # make_bench_models needs it; torch_bench says so
    torch = None

if torch is not None:
    sys.path.insert(0, EXAMPLES)
    from train_fashion_cnn import Net as FashionNet  # noqa: E402  (the bundled architecture)

    # --- ResNet-18, as torchvision writes it (torchvision may be missing) -------

    def conv3x3(cin, cout, stride=1):
        return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, cin, cout, stride=1, downsample=None):
            super().__init__()
            self.conv1 = conv3x3(cin, cout, stride)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = conv3x3(cout, cout)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = downsample

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out += identity
            return self.relu(out)

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, cin, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = conv3x3(planes, planes, stride)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(planes * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out += identity
            return self.relu(out)

    class ResNet(nn.Module):
        """torchvision's ResNet: BasicBlock [2, 2, 2, 2] is ResNet-18,
        Bottleneck [3, 4, 6, 3] is ResNet-50."""

        def __init__(self, block=BasicBlock, layers=(2, 2, 2, 2), num_classes=1000):
            super().__init__()
            self.block = block
            self.inplanes = 64
            self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
            self.layer1 = self._make_layer(64, layers[0])
            self.layer2 = self._make_layer(128, layers[1], stride=2)
            self.layer3 = self._make_layer(256, layers[2], stride=2)
            self.layer4 = self._make_layer(512, layers[3], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512 * block.expansion, num_classes)
            for m in self.modules():  # torchvision's initialization
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)

        def _make_layer(self, planes, blocks, stride=1):
            downsample = None
            width = planes * self.block.expansion
            if stride != 1 or self.inplanes != width:
                downsample = nn.Sequential(
                    nn.Conv2d(self.inplanes, width, 1, stride=stride, bias=False),
                    nn.BatchNorm2d(width))
            layers = [self.block(self.inplanes, planes, stride, downsample)]
            self.inplanes = width
            for _ in range(1, blocks):
                layers.append(self.block(width, planes))
            return nn.Sequential(*layers)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            x = torch.flatten(self.avgpool(x), 1)
            return self.fc(x)


def build_module(name, size=64):
    """The model's PyTorch architecture, uninitialized weights (load the
    state_dict saved next to the ONNX file)."""
    if name == "fashion":
        return FashionNet()
    if name == "resnet18":
        return ResNet(BasicBlock, (2, 2, 2, 2))
    if name == "resnet50":
        return ResNet(Bottleneck, (3, 4, 6, 3))
    raise ValueError("unknown model %r" % name)


def nchw(x):
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def nhwc(x):
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def export(net, path, shape):
    # PRESERVE keeps the BatchNormalization nodes (EVAL would fold them into
    # the convolutions), as examples/train_fashion_cnn.py exports the bundled
    # model; the net is in eval mode, so they are inference ones.
    warnings.filterwarnings("ignore", message=".*constant folding.*")
    torch.onnx.export(net, torch.zeros(*shape), path,
                      input_names=["image"], output_names=["logits"],
                      opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE)


def check_onnx(path, shape):
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model)
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    if dims != list(shape):
        raise SystemExit("%s: input shape %s, expected %s" % (path, dims, list(shape)))


def make_fashion(out):
    import onnx
    from onnx import numpy_helper
    src = onnx.load(os.path.join(EXAMPLES, "fashion_cnn.onnx"))
    net = FashionNet()
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
               for t in src.graph.initializer}
    missing, unexpected = net.load_state_dict(weights, strict=False)
    if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
        raise SystemExit("fashion_cnn.onnx's initializers do not fit train_fashion_cnn.Net: "
                         "missing %s, unexpected %s" % (missing, unexpected))
    net.eval()

    calib = np.load(os.path.join(EXAMPLES, "fashion_calib.npy")).astype(np.float32)
    x = np.load(os.path.join(EXAMPLES, "fashion_test.npy"))[:BATCH].astype(np.float32)
    labels = np.load(os.path.join(EXAMPLES, "fashion_test_labels.npy"))[:BATCH].astype(np.int32)
    with torch.no_grad():
        ref = net(torch.from_numpy(nchw(x))).numpy()
        acc = (net(torch.from_numpy(nchw(np.load(os.path.join(EXAMPLES, "fashion_test.npy")))))
               .argmax(1).numpy() == np.load(os.path.join(EXAMPLES, "fashion_test_labels.npy"))).mean()
    print("fashion: weights from examples/fashion_cnn.onnx; float top-1 on the 1000 bundled "
          "test images %.1f%% (README: 90.3%%)" % (100 * acc))
    shape = (BATCH, 1, 28, 28)
    export(net, os.path.join(out, "fashion_b64.onnx"), shape)
    check_onnx(os.path.join(out, "fashion_b64.onnx"), shape)
    torch.save(net.state_dict(), os.path.join(out, "fashion.pt"))
    np.save(os.path.join(out, "fashion_calib.npy"), calib)
    np.save(os.path.join(out, "fashion_input.npy"), x)
    np.save(os.path.join(out, "fashion_labels.npy"), labels)
    np.save(os.path.join(out, "fashion_ref.npy"), ref.astype(np.float32))
    return {"onnx": "fashion_b64.onnx", "state": "fashion.pt", "calib": "fashion_calib.npy",
            "input": "fashion_input.npy", "labels": "fashion_labels.npy", "ref": "fashion_ref.npy",
            "input_shape_nchw": list(shape), "size": 28,
            "params": sum(p.numel() for p in net.parameters())}


def make_fashion_without_torch(out):
    """Without PyTorch: the bundled ONNX file with its batch set to 64 (the
    graph has no shape constants), and no PyTorch weights or reference."""
    try:
        import onnx
    except ImportError:
        raise SystemExit("make_bench_models.py needs python3-onnx (and python3-torch for resnet18)")
    model = onnx.load(os.path.join(EXAMPLES, "fashion_cnn.onnx"))
    for value in list(model.graph.input) + list(model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_value = BATCH
    del model.graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "fashion_b64.onnx"))
    print("fashion: no PyTorch; examples/fashion_cnn.onnx with its batch set to %d" % BATCH)
    x = np.load(os.path.join(EXAMPLES, "fashion_test.npy"))[:BATCH].astype(np.float32)
    labels = np.load(os.path.join(EXAMPLES, "fashion_test_labels.npy"))[:BATCH].astype(np.int32)
    np.save(os.path.join(out, "fashion_calib.npy"),
            np.load(os.path.join(EXAMPLES, "fashion_calib.npy")).astype(np.float32))
    np.save(os.path.join(out, "fashion_input.npy"), x)
    np.save(os.path.join(out, "fashion_labels.npy"), labels)
    return {"onnx": "fashion_b64.onnx", "calib": "fashion_calib.npy", "input": "fashion_input.npy",
            "labels": "fashion_labels.npy", "input_shape_nchw": [BATCH, 1, 28, 28], "size": 28}


def make_resnet(name, out, size):
    torch.manual_seed(20261207)
    rng = np.random.RandomState(20261207)
    net = build_module(name)
    # Random but not degenerate batch norms: scales and shifts around
    # torchvision's 1 and 0, statistics estimated on random inputs (so the
    # eval-mode network keeps its activations normalized).
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
                m.momentum = None  # cumulative average over the batches below
        net.train()
        stats = rng.standard_normal((4 * BATCH, 3, size, size)).astype(np.float32)
        for i in range(0, len(stats), BATCH):
            net(torch.from_numpy(stats[i:i + BATCH]))
    net.eval()
    calib = rng.standard_normal((256, size, size, 3)).astype(np.float32)
    x = rng.standard_normal((BATCH, size, size, 3)).astype(np.float32)
    with torch.no_grad():
        ref = net(torch.from_numpy(nchw(x))).numpy()
    params = sum(p.numel() for p in net.parameters())
    print("%s: %.2fM parameters, input 3x%dx%d, seeded random weights" % (name, params / 1e6, size, size))
    shape = (BATCH, 3, size, size)
    export(net, os.path.join(out, name + "_b64.onnx"), shape)
    check_onnx(os.path.join(out, name + "_b64.onnx"), shape)
    torch.save(net.state_dict(), os.path.join(out, name + ".pt"))
    np.save(os.path.join(out, name + "_calib.npy"), calib)
    np.save(os.path.join(out, name + "_input.npy"), x)
    np.save(os.path.join(out, name + "_ref.npy"), ref.astype(np.float32))
    return {"onnx": name + "_b64.onnx", "state": name + ".pt", "calib": name + "_calib.npy",
            "input": name + "_input.npy", "ref": name + "_ref.npy",
            "input_shape_nchw": list(shape), "size": size, "params": params}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--size", type=int, default=64, help="the ResNets' input height and width")
    parser.add_argument("--models", default="fashion,resnet18")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    os.makedirs(args.outdir, exist_ok=True)
    index = os.path.join(args.outdir, "models.json")
    models = {}
    if os.path.exists(index):
        with open(index) as f:
            models = json.load(f)
    for name in args.models.split(","):
        if name not in ("fashion", "resnet18", "resnet50"):
            raise SystemExit("unknown model %r (fashion, resnet18, resnet50)" % name)
        if torch is None and name == "fashion":
            models[name] = make_fashion_without_torch(args.outdir)
            write_index(index, models)
            continue
        if torch is None:
            raise SystemExit("make_bench_models.py: %s needs PyTorch: apt-get install -y python3-torch "
                             "python3-onnx, and run it with /usr/bin/python3" % name)
        if name == "fashion":
            models[name] = make_fashion(args.outdir)
        else:
            models[name] = make_resnet(name, args.outdir, args.size)
        models[name]["torch"] = torch.__version__
        write_index(index, models)
    print("wrote %s to %s" % (args.models, args.outdir))


def write_index(index, models):
    with open(index, "w") as f:
        json.dump(models, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
