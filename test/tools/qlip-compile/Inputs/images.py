"""Writes test images and checks qlip's preprocessing of them, in pure Python.

  images.py write DIR          a.png (8x8 RGB), b.pgm (16x16 gray),
                               c.ppm (4x4 RGB), with solid.jpg copied in
  images.py check NPY MEAN STD [RESIZE]
                               compares NPY ([4, 8, 8, 1], what qlip-compile
                               feeds tiny_cnn) with the reference: luminance,
                               bilinear resize with half-pixel centres to 8x8
                               (or of the shorter side to RESIZE, then the
                               centre 8x8), x / 255, then (x - MEAN) / STD
"""
import os
import shutil
import struct
import sys
import zlib


def png(path, width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(
            ">I", zlib.crc32(body) & 0xffffffff)
    raw = b"".join(b"\0" + bytes(v for px in row for v in px) for row in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                           0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw)))
        f.write(chunk(b"IEND", b""))


def netpbm(path, magic, width, height, samples):
    with open(path, "wb") as f:
        f.write(b"%s\n# a comment\n%d %d\n255\n" % (magic, width, height))
        f.write(bytes(samples))


def images():
    """name -> (width, height, channels, pixels row-major interleaved)."""
    a = [((x * 31 + y * 7) % 256, (y * 29) % 256, (x * y * 5) % 256)
         for y in range(8) for x in range(8)]
    b = [(x * 16 + y * 3) % 256 for y in range(16) for x in range(16)]
    c = [((x * 60) % 256, (y * 70) % 256, ((x + y) * 20) % 256)
         for y in range(4) for x in range(4)]
    return {"a.png": (8, 8, 3, a), "b.pgm": (16, 16, 1, b),
            "c.ppm": (4, 4, 3, c),
            "solid.jpg": (12, 16, 3, [(200, 100, 50)] * (12 * 16))}


def write(directory):
    os.makedirs(directory, exist_ok=True)
    data = images()
    w, h, _, a = data["a.png"]
    png(os.path.join(directory, "a.png"), w, h,
        [a[y * w:(y + 1) * w] for y in range(h)])
    w, h, _, b = data["b.pgm"]
    netpbm(os.path.join(directory, "b.pgm"), b"P5", w, h, b)
    w, h, _, c = data["c.ppm"]
    netpbm(os.path.join(directory, "c.ppm"), b"P6", w, h,
           [v for px in c for v in px])
    shutil.copy(os.path.join(os.path.dirname(__file__), "solid.jpg"),
                directory)
    with open(os.path.join(directory, "notes.txt"), "w") as f:
        f.write("not an image: ignored\n")


def gray(px):
    if isinstance(px, tuple):
        return 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2]
    return float(px)


def resized(width, height, pixels, shorter=0, out=8):
    scaled_w, scaled_h = out, out
    if shorter:
        ratio = shorter / min(width, height)
        scaled_w = shorter if width <= height else round(width * ratio)
        scaled_h = shorter if height < width else round(height * ratio)
    left, top = (scaled_w - out) // 2, (scaled_h - out) // 2
    values = []
    for y in range(out):
        for x in range(out):
            sx = (x + left + 0.5) * width / scaled_w - 0.5
            sy = (y + top + 0.5) * height / scaled_h - 0.5
            sx = min(max(sx, 0), width - 1)
            sy = min(max(sy, 0), height - 1)
            x0, y0 = int(sx), int(sy)
            x1, y1 = min(x0 + 1, width - 1), min(y0 + 1, height - 1)
            fx, fy = sx - x0, sy - y0

            def at(px, py):
                return gray(pixels[py * width + px])
            upper = at(x0, y0) * (1 - fx) + at(x1, y0) * fx
            lower = at(x0, y1) * (1 - fx) + at(x1, y1) * fx
            values.append(upper * (1 - fy) + lower * fy)
    return values


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + length].decode()
    assert "'<f4'" in header, header
    payload = data[10 + length:]
    return list(struct.unpack("<%df" % (len(payload) // 4), payload)), header


def check(npy, mean, std, shorter):
    actual, header = read_npy(npy)
    expected = []
    for name in sorted(images()):
        w, h, _, pixels = images()[name]
        expected += [(v / 255 - mean) / std for v in resized(w, h, pixels, shorter)]
    assert len(actual) == len(expected), (len(actual), len(expected), header)
    # Bilinear weights in float and the JPEG's rounding: a level in 255,
    # divided by STD.
    rows = [max(abs(a - e) for a, e in zip(actual[i * 64:(i + 1) * 64],
                                           expected[i * 64:(i + 1) * 64]))
            for i in range(len(actual) // 64)]
    tolerance = [1e-5 / std] * 3 + [2.5 / 255 / std]
    for name, error, limit in zip(sorted(images()), rows, tolerance):
        print("%s: max error %.3g %s" % (name, error,
                                          "ok" if error <= limit else "BAD"))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        check(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]),
              int(sys.argv[5]) if len(sys.argv) > 5 else 0)
