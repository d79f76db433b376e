#!/usr/bin/env python3
"""Writes the bundled data of tiny_cnn.mlir: tiny_cnn_calib.npy (64
calibration samples) and tiny_cnn_test.npy (256 test samples), f32 of shape
[N, 8, 8, 1].

The model has random weights and no dataset, so the samples are only
image-like: each is a smooth pattern (a product of two sinusoids and a
Gaussian blob, random frequencies, phases, signs and positions) plus a
little noise, in about [-1.5, 1.5]. The two files come from different
seeds, so the test samples were never seen by calibration. Python's
`random` with an integer seed is the same on every platform and version,
and the values are written as f32 with `struct`, so running this again
gives the same bytes; qlip itself never needs Python (and this needs no
numpy).
"""
import math
import os
import random
import struct


def sample(rng):
    fx, fy = rng.uniform(0.2, 1.2), rng.uniform(0.2, 1.2)
    px, py = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    wave = rng.uniform(0.3, 1.0) * rng.choice([-1.0, 1.0])
    cx, cy = rng.uniform(0, 7), rng.uniform(0, 7)
    radius = rng.uniform(1.0, 3.0)
    blob = rng.uniform(0.2, 0.8) * rng.choice([-1.0, 1.0])
    values = []
    for i in range(8):
        for j in range(8):
            v = wave * math.sin(fx * i + px) * math.cos(fy * j + py)
            v += blob * math.exp(-((i - cx) ** 2 + (j - cy) ** 2) /
                                 (2 * radius ** 2))
            v += rng.gauss(0.0, 0.05)
            values.append(v)
    return values


def write_npy(path, rows):
    shape = (len(rows), 8, 8, 1)
    header = ("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 8, 8, 1), }"
              % shape[0])
    # numpy pads the header with spaces to a multiple of 64 bytes, with a
    # final newline.
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00")
        f.write(struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        for row in rows:
            f.write(struct.pack("<%df" % len(row), *row))


here = os.path.dirname(os.path.abspath(__file__))
write_npy(os.path.join(here, "tiny_cnn_calib.npy"),
          [sample(random.Random(5000 + n)) for n in range(64)])
write_npy(os.path.join(here, "tiny_cnn_test.npy"),
          [sample(random.Random(9000 + n)) for n in range(256)])
