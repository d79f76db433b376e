#!/usr/bin/python3
"""PyTorch's side of bench/model-speed.py: a model of make_bench_models.py
in float and in int8 (FX graph-mode post-training quantization, the
'onednn' engine and get_default_qconfig_mapping('onednn'), calibrated on
the model's calibration samples), timed on its batch-64 input.

As a module (model-speed.py interleaves its rounds with qlip's):

    m = TorchModel(model_dir, "resnet18")      # float module, eval mode
    m.prepare_int8()                           # FX prepare, calibrate, convert
    m.time_calls("int8", threads=1, seconds=1) # per-call thread CPU seconds
    m.sanity()                                 # int8 against float

As a command, it times both variants by itself:

    bench/models/torch_bench.py MODEL_DIR [--models fashion,resnet18]
        [--threads 1] [--rounds 5] [--seconds 1]

Times are the calling thread's CPU time (time.thread_time) per call, like
qlip-run --benchmark's; with more than one thread, PyTorch's intra-op
worker threads are not in it, so the wall time is recorded as well.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import make_bench_models  # noqa: E402
from agreement import agreement  # noqa: E402

ENGINE = "onednn"


def model_info(model_dir, name):
    with open(os.path.join(model_dir, "models.json")) as f:
        models = json.load(f)
    if name not in models:
        raise KeyError("%s has no model %r (make_bench_models.py makes it)" % (model_dir, name))
    return models[name]




class TorchModel:
    """One model of make_bench_models.py, its inputs in NCHW, and its
    float and int8 PyTorch modules."""

    VARIANTS = ("float", "int8")

    def __init__(self, model_dir, name, fuse_bn=False):
        self.name = name
        self.info = model_info(model_dir, name)
        path = lambda key: os.path.join(model_dir, self.info[key])  # noqa: E731
        net = make_bench_models.build_module(name, self.info.get("size", 64))
        net.load_state_dict(torch.load(path("state")))
        net.eval()
        self.x = torch.from_numpy(make_bench_models.nchw(np.load(path("input"))))
        self.calib = torch.from_numpy(make_bench_models.nchw(np.load(path("calib"))))
        self.ref = np.load(path("ref"))
        self.labels = np.load(path("labels")) if "labels" in self.info else None
        self.fused_bn = fuse_bn
        if fuse_bn:  # conv + batch norm folded for inference
            import torch.fx.experimental.optimization as fx_opt
            net = fx_opt.fuse(net)
        self.modules = {"float": net}

    def prepare_int8(self):
        """FX graph-mode post-training quantization for the onednn engine."""
        from torch.ao.quantization import get_default_qconfig_mapping
        from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
        import copy
        torch.backends.quantized.engine = ENGINE
        net = copy.deepcopy(self.modules["float"]).eval()
        qmap = get_default_qconfig_mapping(ENGINE)
        prepared = prepare_fx(net, qmap, example_inputs=(self.x[:1],))
        batch = len(self.x)
        with torch.inference_mode():
            for i in range(0, len(self.calib), batch):
                prepared(self.calib[i:i + batch])
        self.modules["int8"] = convert_fx(prepared)
        return self.modules["int8"]

    def run(self, variant):
        torch.backends.quantized.engine = ENGINE
        with torch.inference_mode():
            return self.modules[variant](self.x).numpy()

    def time_calls(self, variant, threads=1, seconds=1.0, min_calls=3, warmup=1, calls=None):
        """Calls the variant on the batch-64 input, after `warmup` calls,
        `calls` times or for about `seconds` of wall time (at least
        `min_calls`); returns the per-call thread CPU times and wall times
        in seconds."""
        torch.set_num_threads(threads)
        torch.backends.quantized.engine = ENGINE
        module, x = self.modules[variant], self.x
        cpu, wall = [], []
        with torch.inference_mode():
            for _ in range(warmup):
                module(x)
            start = time.perf_counter()
            while True:
                w0, c0 = time.perf_counter(), time.thread_time()
                module(x)
                c1, w1 = time.thread_time(), time.perf_counter()
                cpu.append(c1 - c0)
                wall.append(w1 - w0)
                if calls is not None:
                    if len(cpu) >= calls:
                        break
                elif len(cpu) >= min_calls and w1 - start >= seconds:
                    break
        return cpu, wall

    def sanity(self):
        """Each variant against the stored float reference (and the labels,
        if any): {variant: agreement(...)} plus 'accuracy'."""
        result = {}
        for variant in self.modules:
            out = self.run(variant)
            result[variant] = agreement(out, self.ref)
            if self.labels is not None:
                result[variant]["accuracy"] = float((out.argmax(1) == self.labels).mean())
        return result


def describe_sanity(name, sanity):
    parts = []
    for variant, s in sanity.items():
        text = "%s: top-1 agreement %.1f%%, cosine %.5f, max abs err %.3g" % (
            variant, 100 * s["top1"], s["cosine"], s["max_abs"])
        if "accuracy" in s:
            text += ", top-1 accuracy %.1f%%" % (100 * s["accuracy"])
        parts.append(text)
    return "%s, PyTorch against its float reference outputs: %s" % (name, "; ".join(parts))


def main():
    parser = argparse.ArgumentParser(description="Times a make_bench_models.py model in PyTorch float and FX int8.")
    parser.add_argument("model_dir")
    parser.add_argument("--models", default="fashion,resnet18")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--fuse-bn", action="store_true", help="fold batch norm into the float model's convolutions")
    args = parser.parse_args()
    print("torch %s, engines %s, engine %s, %d thread(s)" % (
        torch.__version__, torch.backends.quantized.supported_engines, ENGINE, args.threads))
    for name in args.models.split(","):
        m = TorchModel(args.model_dir, name, fuse_bn=args.fuse_bn)
        m.prepare_int8()
        print(describe_sanity(name, m.sanity()))
        rounds = {v: [] for v in m.VARIANTS}
        walls = {v: [] for v in m.VARIANTS}
        for _ in range(args.rounds):
            for v in m.VARIANTS:
                cpu, wall = m.time_calls(v, args.threads, args.seconds)
                rounds[v].append(statistics.median(cpu) * 1e3)
                walls[v].append(statistics.median(wall) * 1e3)
        for v in m.VARIANTS:
            print("%s %-5s: %8.2f ms/batch thread CPU (median of %d rounds, %.2f-%.2f), wall %.2f ms" % (
                name, v, statistics.median(rounds[v]), args.rounds, min(rounds[v]), max(rounds[v]),
                statistics.median(walls[v])))
        print("%s int8/float: %.3f" % (name, statistics.median(rounds["int8"]) / statistics.median(rounds["float"])))


if __name__ == "__main__":
    main()
