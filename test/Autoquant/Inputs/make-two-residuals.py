"""Writes a small residual network with two residual adds (random
weights; the second add's branch is small) and calibration samples for it, from a fixed seed.

usage: make-two-residuals.py model.mlir calib.npy
"""
import random
import struct
import sys

rng = random.Random(7)
H = W = 6
C = 8


def tensor(*shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def dense(shape, scale):
    def nest(dims):
        if not dims:
            return "%.6e" % rng.gauss(0.0, scale)
        return "[" + ", ".join(nest(dims[1:]) for _ in range(dims[0])) + "]"
    return "dense<%s> : %s" % (nest(list(shape)), tensor(*shape))


lines = []
count = [0]


def conv(value, cin, cout, k, gain=1.0):
    n = count[0]
    count[0] += 1
    pad = k // 2
    lines.append('  %%w%d = "tosa.const"() <{values = %s}> : () -> %s'
                 % (n, dense((cout, k, k, cin),
                          gain * (2.0 / (k * k * cin)) ** 0.5),
                    tensor(cout, k, k, cin)))
    lines.append('  %%b%d = "tosa.const"() <{values = %s}> : () -> %s'
                 % (n, dense((cout,), 0.1 * gain), tensor(cout)))
    lines.append(
        "  %%c%d = tosa.conv2d %s, %%w%d, %%b%d, %%zp, %%zp {acc_type = f32, "
        "dilation = array<i64: 1, 1>, pad = array<i64: %d, %d, %d, %d>, "
        "stride = array<i64: 1, 1>} : (%s, %s, %s, tensor<1xf32>, "
        "tensor<1xf32>) -> %s loc(\"conv%d\")"
        % (n, value, n, n, pad, pad, pad, pad, tensor(1, H, W, cin),
           tensor(cout, k, k, cin), tensor(cout), tensor(1, H, W, cout), n))
    return "%%c%d" % n


def relu(value, name, channels):
    lines.append("  %%%s = tosa.clamp %s {min_val = 0.0 : f32, max_val = "
                 "3.4028235e+38 : f32} : (%s) -> %s loc(\"%s\")"
                 % (name, value, tensor(1, H, W, channels),
                    tensor(1, H, W, channels), name))
    return "%" + name


def add(a, b, name):
    t = tensor(1, H, W, C)
    lines.append("  %%%s = tosa.add %s, %s : (%s, %s) -> %s loc(\"%s\")"
                 % (name, a, b, t, t, t, name))
    return "%" + name


lines.append('  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}>'
             ' : () -> tensor<1xf32>')
x = relu(conv("%x", 4, C, 3), "relu0", C)
x = relu(add(x, conv(x, C, C, 3), "add1"), "relu1", C)
# The second branch adds little to its input: the sum lands on the grid of
# its larger operand, so raising its operands gains little.
x = relu(add(x, conv(x, C, C, 3, gain=0.01), "add2"), "relu2", C)
y = conv(x, C, 4, 1)
with open(sys.argv[1], "w") as f:
    f.write("func.func @main(%%x: %s) -> %s {\n" % (tensor(1, H, W, 4),
                                                   tensor(1, H, W, 4)))
    f.write("\n".join(lines) + "\n")
    f.write("  return %s : %s\n}\n" % (y, tensor(1, H, W, 4)))

rows = 32
values = [rng.gauss(0.0, 1.0) for _ in range(rows * H * W * 4)]
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, 4), }" \
    % (rows, H, W)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(sys.argv[2], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode())
    f.write(struct.pack("<%df" % len(values), *values))
