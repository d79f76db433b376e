"""Writes variants of a statistics file whose first observer's data are
degenerate or impossible:
    degenerate-stats.py IN.json OUT_PREFIX
writes OUT_PREFIX.{zero,constant,outside,huge,bins}.json."""
import json
import sys

source, prefix = sys.argv[1:3]
with open(source) as f:
    base = json.load(f)


def variant(name, change):
    data = json.loads(json.dumps(base))
    change(data["observers"][0])
    with open(prefix + "." + name + ".json", "w") as f:
        json.dump(data, f)


def zero(o):
    # Every value 0: a histogram of one bin around it.
    o.update(min=0.0, max=0.0, mean=0.0, mad=0.0, stddev=0.0, kurtosis=0.0)
    o["histogram"] = {"edges": [-1.0, 1.0], "counts": [o["count"]]}


def constant(o):
    # 3.0 up to float rounding.
    o.update(min=3.0, max=3.0000001, mean=3.0, mad=0.0, stddev=0.0)
    o["histogram"] = {"edges": [2.5, 3.5], "counts": [o["count"]]}


def outside(o):
    # A histogram over [10, 20] for values in [-2, 2].
    o["histogram"]["edges"] = [10.0, 12.5, 15.0, 17.5, 20.0]


def huge(o):
    # Counts too large to add up exactly in a double.
    o["count"] = 2 ** 53
    o["histogram"]["counts"] = [2 ** 52] * 4


def bins(o):
    # More bins than any calibration writes.
    n = (1 << 20) + 1
    o["histogram"] = {"edges": [-2.0 + 4.0 * i / n for i in range(n + 1)],
                      "counts": [0] * (n - 1) + [o["count"]]}


for name, change in [("zero", zero), ("constant", constant),
                     ("outside", outside), ("huge", huge), ("bins", bins)]:
    variant(name, change)
