"""Checks a qlip-choose-bits report against its own measurements: each
layer's bytes are those of its width (bits / 8 a weight and a 4-byte scale
a channel, 4 bytes a float weight), the total is their sum and within the
budget (or the prediction reaches the target), the predicted SQNR is
-10 log10 of the chosen layers' summed relative noise, and the choice is
near the best of every choice there is (brute force over the widths
measured, fixed layers at their width: never better than the optimum,
within 3x of its noise for a budget, 2x of its bytes for a target); with
max-drop, the fewest bytes of the measured choices within the drop.

usage: check-choose-bits.py report.json
"""
import itertools
import json
import math
import sys

r = json.load(open(sys.argv[1]))
layers = r["layers"]


def noise(db):
    return 0.0 if db == "inf" else 10 ** (-db / 10)


def size(layer, bits):
    n, c = layer["elements"], layer["channels"]
    return 4 * n if bits == "float" else n * bits / 8 + 4 * c


total = sum(l["bytes"] for l in layers)
assert total == r["bytes"], (total, r["bytes"])
for l in layers:
    assert abs(size(l, l["bits"]) - l["bytes"]) < 1, (l["name"], l["bytes"])
predicted = sum(noise(l["sqnr_db"]) for l in layers)
if predicted > 0:
    assert abs(-10 * math.log10(predicted) - r["predicted_sqnr_db"]) < 2e-3, r

choices = []
for l in layers:
    options = [(w["bits"], noise(w["sqnr_db"]), size(l, w["bits"])) for w in l["widths"]]
    if l["fixed"]:
        options = [o for o in options if o[0] == l["bits"]]
    choices.append(options)
best = None
if r["budget_bytes"] > 0:
    assert total <= r["budget_bytes"], (total, r["budget_bytes"])
    for combo in itertools.product(*choices):
        if sum(o[2] for o in combo) <= r["budget_bytes"]:
            n = sum(o[1] for o in combo)
            best = n if best is None else min(best, n)
    assert predicted >= best * (1 - 1e-9), (predicted, best)
    assert predicted <= 3 * best, (predicted, best)
elif "max_drop" in r:
    # The fewest bytes among the measured choices within the drop (or, if
    # none, the widest), with its measured accuracy.
    d = r["max_drop"]
    within = [t for t in d["tries"]
              if d["float_accuracy"] - t["accuracy"] <= d["max_drop_points"] + 1e-9]
    if within:
        fewest = min(t["bytes"] for t in within)
        assert abs(total - fewest) <= 1, (total, fewest)
        assert d["float_accuracy"] - d["accuracy"] <= d["max_drop_points"] + 1e-9, d
    mine = [t for t in d["tries"] if abs(t["bytes"] - total) <= 1]
    assert any(abs(t["accuracy"] - d["accuracy"]) < 1e-9 for t in mine), (mine, d)
else:
    target = 10 ** (-r["target_sqnr_db"] / 10)
    assert predicted <= target * (1 + 1e-9), (predicted, target)
    for combo in itertools.product(*choices):
        if sum(o[1] for o in combo) <= target:
            s = sum(o[2] for o in combo)
            best = s if best is None else min(best, s)
    assert total >= best - 1, (total, best)
    assert total <= 2 * best, (total, best)
print("consistent: %d bytes, bits %s" % (total, ",".join(str(l["bits"]) for l in layers)))
