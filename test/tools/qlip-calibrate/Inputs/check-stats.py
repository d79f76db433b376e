"""Checks a stats file against statistics computed here, independently of
qlip, from the .npy data an observer saw (the function input):

    check-stats.py STATS.json OBSERVER_ID DATA.npy [--exact-mad]

count, min and max exactly; mean, stddev (n - 1) and kurtosis
(n M4 / M2^2) to 1e-12 relative, from exact sums (math.fsum); and every
histogram bin's count exactly, by counting the data between the file's
edges. The mad (mean absolute deviation around the mean) to 1e-12 relative
with --exact-mad (qlip-calibrate --exact-mad); else within the bound of a
one-pass calibration: half the count of the histogram bin holding the mean
times the bin width, over the count, as the bins were recounted here. Prints one line per check;
exits 1 on a mismatch. Reads little-endian f32 .npy files only (no numpy).
"""
import ast
import bisect
import json
import math
import struct
import sys

stats_path, observer_id, data_path = sys.argv[1:4]
exact_mad = sys.argv[4:] == ["--exact-mad"]

with open(data_path, "rb") as f:
    raw = f.read()
assert raw[:6] == b"\x93NUMPY", "not an .npy file"
header_length = struct.unpack("<H", raw[8:10])[0]
header = ast.literal_eval(raw[10:10 + header_length].decode("latin1"))
assert header["descr"] == "<f4" and not header["fortran_order"]
count = math.prod(header["shape"])
data = struct.unpack("<%df" % count, raw[10 + header_length:
                                        10 + header_length + 4 * count])

with open(stats_path) as f:
    observers = {o["id"]: o for o in json.load(f)["observers"]}
got = observers[observer_id]

n = len(data)
mean = math.fsum(data) / n
deviations = [x - mean for x in data]
m2 = math.fsum(d * d for d in deviations)
m4 = math.fsum(d ** 4 for d in deviations)
expected = {
    "count": n,
    "min": min(data),
    "max": max(data),
    "mean": mean,
    "mad": math.fsum(abs(d) for d in deviations) / n,
    "stddev": math.sqrt(m2 / (n - 1)),
    "kurtosis": n * m4 / (m2 * m2),
}

edges = got["histogram"]["edges"]
counts = got["histogram"]["counts"]
values = sorted(data)
recount = [bisect.bisect_left(values, hi) - bisect.bisect_left(values, lo)
           for lo, hi in zip(edges, edges[1:])]
mean_bin = bisect.bisect_right(edges, mean) - 1
mad_bound = recount[mean_bin] * (edges[mean_bin + 1] - edges[mean_bin]) / 2 / n

failed = False
for key, value in expected.items():
    exact = key in ("count", "min", "max")
    tolerance = 0 if exact else 1e-12 * max(abs(value), 1e-300)
    if key == "mad" and not exact_mad:
        tolerance = mad_bound + 1e-12 * value
    # The mean's error is relative to the spread, not to a mean near 0.
    if key == "mean":
        tolerance = 1e-12 * (abs(value) + expected["stddev"])
    ok = abs(got[key] - value) <= tolerance
    failed |= not ok
    print("%s %s: %r (expected %r)" % ("ok" if ok else "MISMATCH", key,
                                       got[key], value))

ok = recount == counts and sum(counts) == n
failed |= not ok
print("%s histogram: %d bins over [%r, %r), %d values" %
      ("ok" if ok else "MISMATCH", len(counts), edges[0], edges[-1],
       sum(counts)))
sys.exit(1 if failed else 0)
