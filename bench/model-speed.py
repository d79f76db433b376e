#!/usr/bin/python3
"""Model speed, in one command: qlip float, W8A8 and W4A4 against PyTorch
float and int8 on the same inputs, batch and thread count.

    bench/model-speed.py BUILD_DIR [--threads 1] [--rounds 7]
        [--models fashion,resnet18] [--benchmark-seconds 1] [--size 64]

1. makes the models (bench/models/make_bench_models.py) into
   BUILD_DIR/bench-models when they are missing: the bundled Fashion-MNIST
   CNN and a ResNet-18 on 3xSIZExSIZE inputs, both as ONNX at batch 64,
   with their calibration samples, a batch-64 input and PyTorch weights;
2. builds the qlip models with BUILD_DIR/bin's tools, as scripts/demo.sh
   does: float = qlip-import-onnx --io-layout=nhwc; W8A8 and W4A4 =
   qlip-opt -qlip-ptq="stats=... weight-bits=B act-bits=B weight-clip=aciq
   act-clip=aciq" after qlip-prepare and qlip-calibrate; checks every
   variant's outputs against PyTorch float's;
3. runs ROUNDS rounds; each round runs every variant once, in a seeded
   shuffled order: qlip's as `qlip-run MODEL --input X.npy --benchmark
   --num-threads T --benchmark-seconds S` (its median thread CPU time per
   call), PyTorch's in this process (bench/models/torch_bench.py: float
   eager, int8 by FX graph-mode post-training quantization for the onednn
   engine), the median thread CPU time per call of S seconds of calls;
4. prints, per model, a markdown table of the median over the rounds of
   those per-round medians (ms per batch of 64), their range, and the time
   ratios to qlip float, PyTorch int8 and PyTorch float (below 1: faster),
   then the ratios the project targets.

Times are thread CPU times of the calling thread (less sensitive to other
load than wall time; with --threads above 1 they leave out worker
threads, so the wall medians are printed too). Without PyTorch it says so
and times the qlip variants only.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_SRC = os.path.join(HERE, "models")
SYSTEM_PYTHON = "/usr/bin/python3"


def reexec_with_system_python():
    """Debian's python3-torch lives in /usr/bin/python3's dist-packages; a
    python3 earlier on PATH (pyenv, a venv) does not see it."""
    if os.environ.get("QLIP_MODEL_SPEED_REEXEC") or not os.path.exists(SYSTEM_PYTHON):
        return
    if os.path.realpath(sys.executable) == os.path.realpath(SYSTEM_PYTHON):
        return
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import numpy, torch"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode == 0:
        os.environ["QLIP_MODEL_SPEED_REEXEC"] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])


try:
    import numpy as np
    import torch
except ImportError:
    reexec_with_system_python()
    torch = None
    try:
        import numpy as np
    except ImportError:
        sys.exit("model-speed.py needs numpy (python3-numpy), run with /usr/bin/python3")

BENCH_LINE = re.compile(
    r"^benchmark: (\d+) calls, thread CPU ([0-9.eE+-]+) ms/call median, ([0-9.eE+-]+) ms min; "
    r"wall ([0-9.eE+-]+) ms/call median", re.M)

QLIP_VARIANTS = [("qlip float", "float"), ("qlip W8A8", "w8a8"), ("qlip W4A4", "w4a4")]
TORCH_VARIANTS = [("PyTorch float", "float"), ("PyTorch int8", "int8")]
CPU_FLAGS = ["avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"]


def fail(message, stderr=None):
    if stderr:
        sys.stderr.write(stderr if stderr.endswith("\n") else stderr + "\n")
    sys.exit("model-speed.py: " + message)


def run_tool(cmd, what):
    """Runs a qlip tool; on failure prints its stderr and exits non-zero."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        fail("%s failed (exit %d): %s" % (what, proc.returncode, " ".join(cmd)),
             (proc.stderr or "") + (proc.stdout or ""))
    return proc


def cpu_header():
    name, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and name == "unknown CPU":
                    name = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return name, ", ".join("%s %s" % (f, "yes" if f in flags else "no") for f in CPU_FLAGS)


# --- 1. Models ---------------------------------------------------------------

def model_files(info):
    keys = ["onnx", "calib", "input"] + (["state", "ref"] if torch is not None else [])
    return [info[k] for k in keys if k in info] if all(k in info for k in keys) else None


def ensure_models(model_dir, names, size):
    """Makes the missing models; returns {name: info} of those there are."""
    index = os.path.join(model_dir, "models.json")
    models = {}
    if os.path.exists(index):
        with open(index) as f:
            models = json.load(f)

    def usable(name):
        info = models.get(name)
        if not info:
            return False
        files = model_files(info)
        if files is None or not all(os.path.exists(os.path.join(model_dir, p)) for p in files):
            return False
        return name != "resnet18" or info.get("size") == size

    missing = [n for n in names if not usable(n)]
    if missing:
        os.makedirs(model_dir, exist_ok=True)
        print("-- making %s into %s (bench/models/make_bench_models.py)" % (", ".join(missing), model_dir))
        python = sys.executable if torch is not None or not os.path.exists(SYSTEM_PYTHON) else SYSTEM_PYTHON
        proc = subprocess.run([python, os.path.join(MODELS_SRC, "make_bench_models.py"), model_dir,
                               "--models", ",".join(missing), "--size", str(size)])
        if proc.returncode != 0:
            print("   make_bench_models.py failed (exit %d); going on with the models there are"
                  % proc.returncode)
        if os.path.exists(index):
            with open(index) as f:
                models = json.load(f)
    available = {n: models[n] for n in names if usable(n)}
    for n in names:
        if n not in available:
            print("   %s: not available, skipped" % n)
    return available


# --- 2. qlip models ------------------------------------------------------------

def build_qlip_models(bindir, model_dir, name, info, reuse):
    out = os.path.join(model_dir, "qlip")
    os.makedirs(out, exist_ok=True)
    path = {v: os.path.join(out, "%s-%s.mlir" % (name, v)) for _, v in QLIP_VARIANTS}
    if reuse and all(os.path.exists(p) for p in path.values()):
        print("-- %s: reusing %s" % (name, ", ".join(os.path.basename(p) for p in path.values())))
        return path
    onnx = os.path.join(model_dir, info["onnx"])
    observed = os.path.join(out, "%s-observed.mlir" % name)
    stats = os.path.join(out, "%s-stats.json" % name)
    start = time.time()
    run_tool([os.path.join(bindir, "qlip-import-onnx"), onnx, "--io-layout=nhwc", "-o", path["float"]],
             "qlip-import-onnx")
    run_tool([os.path.join(bindir, "qlip-opt"), path["float"], "-qlip-prepare", "-o", observed],
             "qlip-opt -qlip-prepare")
    run_tool([os.path.join(bindir, "qlip-calibrate"), observed, "--calibrate",
              os.path.join(model_dir, info["calib"]), "--stats", stats], "qlip-calibrate")
    for bits in (8, 4):
        run_tool([os.path.join(bindir, "qlip-opt"), path["float"],
                  "-qlip-ptq=stats=%s weight-bits=%d act-bits=%d weight-clip=aciq act-clip=aciq"
                  % (stats, bits, bits), "-o", path["w%da%d" % (bits, bits)]],
                 "qlip-opt -qlip-ptq (%d bits)" % bits)
    print("-- %s: imported, calibrated on %s and quantized (W8A8, W4A4) in %.1f s"
          % (name, info["calib"], time.time() - start))
    return path




def check_outputs(bindir, model_dir, name, info, qpath, tmodel):
    """Runs each qlip variant once on the input and compares it with the
    float reference (PyTorch float's outputs); PyTorch int8 too."""
    ref_file = os.path.join(model_dir, info["ref"]) if "ref" in info else None
    ref = np.load(ref_file) if ref_file and os.path.exists(ref_file) else None
    labels = np.load(os.path.join(model_dir, info["labels"])) if "labels" in info else None
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, v in QLIP_VARIANTS:
            y = os.path.join(tmp, v + ".npy")
            run_tool([os.path.join(bindir, "qlip-run"), qpath[v], "--input",
                      os.path.join(model_dir, info["input"]), "--output", y], "qlip-run " + label)
            lines.append((label, np.load(y)))
    if tmodel is not None:
        lines.append(("PyTorch int8", tmodel.run("int8")))
    parts = []
    for label, out in lines:
        text = label + ":"
        if ref is not None:
            if MODELS_SRC not in sys.path:
                sys.path.insert(0, MODELS_SRC)
            from agreement import agreement  # numpy only; after the re-exec
            a = agreement(out, ref)
            text += " top-1 agreement %.1f%%, cosine %.5f, max abs err %.3g" % (
                100 * a["top1"], a["cosine"], a["max_abs"])
        if labels is not None:
            text += ", accuracy %.1f%%" % (100 * (out.reshape(len(labels), -1).argmax(1) == labels).mean())
        parts.append(text)
    against = "against PyTorch float" if ref is not None else "(no PyTorch float reference)"
    print("   outputs on the %d-sample input %s: %s" % (
        len(lines[0][1]), against, "; ".join(parts)))


# --- 3. Timing -------------------------------------------------------------------

def time_qlip(bindir, model, x, threads, seconds):
    cmd = [os.path.join(bindir, "qlip-run"), model, "--input", x, "--benchmark",
           "--num-threads", str(threads), "--benchmark-seconds", "%g" % seconds]
    proc = run_tool(cmd, "qlip-run --benchmark")
    m = BENCH_LINE.search(proc.stdout) or BENCH_LINE.search(proc.stderr)
    if not m:
        fail("no 'benchmark: ...' line in the output of %s" % " ".join(cmd), proc.stdout + proc.stderr)
    return float(m.group(2)), float(m.group(4)), int(m.group(1))


def bench_model(args, bindir, model_dir, name, info, qpath, tmodel):
    x = os.path.join(model_dir, info["input"])
    variants = [(label, "qlip", v) for label, v in QLIP_VARIANTS]
    if tmodel is not None:
        variants += [(label, "torch", v) for label, v in TORCH_VARIANTS]
    cpu = {label: [] for label, _, _ in variants}
    wall = {label: [] for label, _, _ in variants}
    calls = {label: [] for label, _, _ in variants}
    for r in range(args.rounds):
        order = list(variants)
        random.Random(args.seed * 1000 + r).shuffle(order)
        for label, kind, v in order:
            if kind == "qlip":
                c, w, n = time_qlip(bindir, qpath[v], x, args.threads, args.benchmark_seconds)
            else:
                cs, ws = tmodel.time_calls(v, threads=args.threads, seconds=args.benchmark_seconds)
                c, w, n = statistics.median(cs) * 1e3, statistics.median(ws) * 1e3, len(cs)
            cpu[label].append(c)
            wall[label].append(w)
            calls[label].append(n)
        print("   round %d/%d: %s" % (r + 1, args.rounds, ", ".join(
            "%s %.2f" % (label, cpu[label][-1]) for label, _, _ in order)), flush=True)
    return {label: {"cpu_ms": cpu[label], "wall_ms": wall[label], "calls": calls[label],
                    "median_ms": statistics.median(cpu[label]),
                    "wall_median_ms": statistics.median(wall[label])} for label in cpu}


# --- 4. Report ---------------------------------------------------------------------

def ratio(results, a, b):
    if a in results and b in results and results[b]["median_ms"] > 0:
        return results[a]["median_ms"] / results[b]["median_ms"]
    return None


def fmt_ratio(value):
    return "%.3f" % value if value is not None else "-"


def print_table(name, info, results, args):
    shape = info.get("input_shape_nchw")
    print()
    print("### %s: batch %d, input %s (NCHW; qlip NHWC), %s thread(s), ms per batch (thread CPU)"
          % (name, shape[0] if shape else 64, "x".join(map(str, shape[1:])) if shape else "?", args.threads))
    print()
    print("| variant | ms/batch (median of %d) | range over rounds | wall ms/batch | vs qlip float "
          "| vs PyTorch int8 | vs PyTorch float |" % args.rounds)
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label in results:
        r = results[label]
        print("| %s | %.2f | %.2f-%.2f | %.2f | %s | %s | %s |" % (
            label, r["median_ms"], min(r["cpu_ms"]), max(r["cpu_ms"]), r["wall_median_ms"],
            fmt_ratio(ratio(results, label, "qlip float")),
            fmt_ratio(ratio(results, label, "PyTorch int8")),
            fmt_ratio(ratio(results, label, "PyTorch float"))))
    print()
    print("targets (time ratios, below 1: the first is faster): "
          "W8A8/qlip-float %s, W8A8/PyTorch-int8 %s, W4A4/W8A8 %s, qlip-float/PyTorch-float %s" % (
              fmt_ratio(ratio(results, "qlip W8A8", "qlip float")),
              fmt_ratio(ratio(results, "qlip W8A8", "PyTorch int8")),
              fmt_ratio(ratio(results, "qlip W4A4", "qlip W8A8")),
              fmt_ratio(ratio(results, "qlip float", "PyTorch float"))))


def main():
    parser = argparse.ArgumentParser(
        description="qlip float/W8A8/W4A4 against PyTorch float/int8, interleaved rounds, one command.")
    parser.add_argument("build_dir", help="qlip's build directory (tools in BUILD_DIR/bin)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--models", default="fashion,resnet18")
    parser.add_argument("--benchmark-seconds", type=float, default=1.0,
                        help="seconds of calls per variant and round (qlip-run --benchmark-seconds)")
    parser.add_argument("--size", type=int, default=64, help="ResNet-18 input height and width")
    parser.add_argument("--seed", type=int, default=0, help="seed of the rounds' variant order")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the qlip models of an earlier run instead of building them again")
    parser.add_argument("--torch-fuse-bn", action="store_true",
                        help="PyTorch float with batch norm folded into the convolutions "
                             "(default: the eval-mode module as exported, like qlip float's graph)")
    parser.add_argument("--no-torch", action="store_true", help="time the qlip variants only")
    parser.add_argument("--json", help="also write the raw per-round times here")
    args = parser.parse_args()

    global torch
    if args.no_torch:
        torch = None
    bindir = os.path.join(args.build_dir, "bin")
    for tool in ("qlip-import-onnx", "qlip-opt", "qlip-calibrate", "qlip-run"):
        if not os.access(os.path.join(bindir, tool), os.X_OK):
            fail("%s is missing: build qlip first (ninja -C %s)" % (os.path.join(bindir, tool), args.build_dir))
    names = [n for n in args.models.split(",") if n]
    for n in names:
        if n not in ("fashion", "resnet18"):
            fail("unknown model %r (fashion, resnet18)" % n)

    cpu_name, flags = cpu_header()
    if torch is not None:
        torch_text = "torch %s (float: eager eval module%s; int8: FX PTQ, engine onednn%s)" % (
            torch.__version__, ", batch norm folded" if args.torch_fuse_bn else ", batch norm unfused",
            "" if "onednn" in torch.backends.quantized.supported_engines
            else ", NOT SUPPORTED by this build")
    elif args.no_torch:
        torch_text = "PyTorch not timed (--no-torch)"
    else:
        torch_text = "PyTorch NOT importable (apt-get install -y python3-torch python3-onnx): qlip variants only"
    print("## model speed: %s; %s; %d thread(s); %s; %d rounds of %g s per variant; load average %.2f"
          % (cpu_name, flags, args.threads, torch_text, args.rounds, args.benchmark_seconds,
             os.getloadavg()[0]))

    if args.threads > 1:
        print("note: thread CPU times are the calling thread's; with %d threads the worker threads' "
              "work is not in them: compare the wall columns too" % args.threads)

    model_dir = os.path.join(args.build_dir, "bench-models")
    models = ensure_models(model_dir, names, args.size)
    if not models:
        fail("no model to time")

    if torch is not None:
        sys.path.insert(0, MODELS_SRC)
        import torch_bench
        if "onednn" not in torch.backends.quantized.supported_engines:
            fail("this PyTorch has no onednn quantized engine (%s)" % torch.backends.quantized.supported_engines)

    all_results = {}
    for name, info in models.items():
        qpath = build_qlip_models(bindir, model_dir, name, info, args.reuse)
        tmodel = None
        if torch is not None:
            start = time.time()
            tmodel = torch_bench.TorchModel(model_dir, name, fuse_bn=args.torch_fuse_bn)
            tmodel.prepare_int8()
            print("-- %s: PyTorch float%s and FX int8 (onednn, calibrated on %d samples) in %.1f s"
                  % (name, " (batch norm folded)" if args.torch_fuse_bn else "",
                     len(tmodel.calib), time.time() - start))
        check_outputs(bindir, model_dir, name, info, qpath, tmodel)
        print("-- %s: %d rounds" % (name, args.rounds), flush=True)
        all_results[name] = bench_model(args, bindir, model_dir, name, info, qpath, tmodel)

    for name, results in all_results.items():
        print_table(name, models[name], results, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_name, "flags": flags, "threads": args.threads,
                       "torch": torch.__version__ if torch is not None else None,
                       "rounds": args.rounds, "benchmark_seconds": args.benchmark_seconds,
                       "results": all_results}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
