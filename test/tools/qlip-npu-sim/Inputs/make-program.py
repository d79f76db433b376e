# Writes a tiny npu program in the byte format of docs/npu-command-stream.md
# (written from the document, not from qlip's writer): one rescale layer
# that doubles a [2, 3] f32 input (batch 2), tiled as one vector_tile.
#
#   make-program.py OUT [--magic M] [--version V] [--trailing N]
#                       [--truncate N] [--no-wait] [--store-at A]
#                       [--flip BYTE] [--bad-checksum]
import argparse
import struct
import zlib

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--magic", default="QNPU")
parser.add_argument("--version", type=int, default=2)
parser.add_argument("--trailing", type=int, default=0,
                    help="zero bytes to append")
parser.add_argument("--truncate", type=int, help="keep the first N bytes")
parser.add_argument("--no-wait", action="store_true",
                    help="drop the wait for the input's DMA")
parser.add_argument("--store-at", type=int, default=8,
                    help="DRAM address of the output's store")
parser.add_argument("--flip", type=int,
                    help="flip the low bit of byte N after the checksum")
parser.add_argument("--keep-checksum", action="store_true",
                    help="with --trailing or --truncate, the checksum of "
                    "the stream before the change")
args = parser.parse_args()

def i64(*values):
    return struct.pack("<%dq" % len(values), *values)

def u32(*values):
    return struct.pack("<%dI" % len(values), *values)

def boundary(offset, shape, scale):
    return (i64(offset) + u32(len(shape)) + i64(*shape) +
            struct.pack("<d", scale) + i64(0, -128, 127))

def command(opcode, *operands):
    operands = list(operands) + [0] * (9 - len(operands))
    return u32(opcode, 0) + i64(*operands)

RESCALE = 6
name = b"double"
# x2: apply_scale_32(a, 2^30, 29).
layer = (u32(RESCALE, len(name)) + name +
         i64(1, 1, 2, 3) + i64(1, 1, 2, 3) +        # input, output
         i64(1, 1) + i64(1, 1) + i64(1, 1) +        # kernel, stride, dilation
         i64(0, 0, 0, 0) +                          # pad
         i64(1, 8, 0, 0, -128, 127, 0) +            # multiplier .. params
         i64(1 << 30, 29, 0, 0, 0, 0, 0))           # rescale

commands = [
    command(1, 0),                                  # configure layer 0
    command(2, 0, 0, 0, 1, 6, 6, 6, 0),             # dma_load dram@0 -> spad@0
    command(4, 0),                                  # wait 0
    command(7, 0, 0, 1, 0, 0, 1, 0, 3, 8),          # vector_tile -> spad@8
    command(3, 0, args.store_at, 8, 1, 6, 6, 6, 1), # dma_store spad@8
    command(4, 1),                                  # wait 1
]
if args.no_wait:
    del commands[2]

data = i64(4, 4, 64, 0, 8, 500)                     # target
data += u32(1) + i64(8)                             # widths
data += i64(16)                                     # dram_size
data += u32(0, 1, 1, 1, len(commands))
data += boundary(0, [2, 3], 0.5) + boundary(8, [2, 3], 0.5)
data += layer + b"".join(commands)

# The header: magic, version, CRC-32 (zlib's) of every byte after it. The
# checksum is computed last, over what is written, unless --keep-checksum
# keeps the one of the stream before --trailing and --truncate.
def header(payload):
    return args.magic.encode() + u32(args.version, zlib.crc32(payload))
original = header(data)
data = header(data) + data + b"\0" * args.trailing
if args.truncate is not None:
    data = data[:args.truncate]
if len(data) >= 12:
    data = (original if args.keep_checksum else header(data[12:])) + data[12:]
if args.flip is not None:
    data = bytearray(data)
    data[args.flip] ^= 1
    data = bytes(data)
with open(args.out, "wb") as f:
    f.write(data)
