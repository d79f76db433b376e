"""Depthwise convolution in plain Python, the reference for
depthwise_conv2d_strided.test (no numpy):

    depthwise-reference.py X.npy W.npy BIAS STRIDE PAD OUT.npy

X is NHWC f32, W is HWCM f32 (TOSA's layout), BIAS a comma-separated list
of C*M values, STRIDE and PAD one number each (the same for both axes and
all sides). Output channel c*M + m is input channel c times kernel m, as
TOSA defines it. Sums in double, written as f32.
"""
import ast
import struct
import sys


def read_npy(path):
    raw = open(path, "rb").read()
    assert raw[:6] == b"\x93NUMPY", path + ": not an .npy file"
    length = struct.unpack("<H", raw[8:10])[0]
    header = ast.literal_eval(raw[10:10 + length].decode("latin1"))
    assert header["descr"] == "<f4" and not header["fortran_order"]
    shape = header["shape"]
    count = 1
    for d in shape:
        count *= d
    data = struct.unpack("<%df" % count, raw[10 + length:10 + length + 4 * count])
    return shape, data


def write_npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % d for d in shape))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%df" % len(values), *values))


(n, ih, iw, c), x = read_npy(sys.argv[1])
(kh, kw, wc, m), w = read_npy(sys.argv[2])
assert wc == c
bias = [float(v) for v in sys.argv[3].split(",")]
assert len(bias) == c * m
stride, pad = int(sys.argv[4]), int(sys.argv[5])
oh = (ih + 2 * pad - kh) // stride + 1
ow = (iw + 2 * pad - kw) // stride + 1
out = []
for b in range(n):
    for y in range(oh):
        for xo in range(ow):
            for ci in range(c):
                for mi in range(m):
                    acc = bias[ci * m + mi]
                    for ky in range(kh):
                        for kx in range(kw):
                            iy, ix = y * stride - pad + ky, xo * stride - pad + kx
                            if 0 <= iy < ih and 0 <= ix < iw:
                                acc += (x[((b * ih + iy) * iw + ix) * c + ci] *
                                        w[((ky * kw + kx) * c + ci) * m + mi])
                    out.append(acc)
write_npy(sys.argv[6], (n, oh, ow, c * m), out)
print("reference: %d x %d x %d x %d" % (n, oh, ow, c * m))
