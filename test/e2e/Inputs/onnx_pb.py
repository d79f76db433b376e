"""TensorProto files (.pb) to .npy, with the standard library only: the
protobuf wire format is decoded here. Shared by onnx-node-tests.py and
onnx-import-tests.py."""

import os
import struct

# TensorProto.DataType -> (.npy descr, struct format of one element).
DTYPES = {
    1: ("<f4", "<f"),  # FLOAT
    2: ("|u1", "<B"),  # UINT8
    3: ("|i1", "<b"),  # INT8
    5: ("<i2", "<h"),  # INT16
    6: ("<i4", "<i"),  # INT32
    7: ("<i8", "<q"),  # INT64
    9: ("|b1", "<?"),  # BOOL
    11: ("<f8", "<d"),  # DOUBLE
}

# TensorProto fields (onnx.proto3).
FIELD_DIMS = 1
FIELD_DATA_TYPE = 2
FIELD_FLOAT_DATA = 4
FIELD_INT32_DATA = 5
FIELD_INT64_DATA = 7
FIELD_RAW_DATA = 9
FIELD_DOUBLE_DATA = 10
FIELD_EXTERNAL_DATA = 13


class DecodeError(Exception):
    pass


def read_varint(data, pos):
    """The varint at data[pos:] and the position after it."""
    value = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise DecodeError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise DecodeError("varint longer than 64 bits")


def read_fields(data):
    """Yields (field number, wire type, value) of a protobuf message; the
    value is an int for varints, bytes for the other wire types."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise DecodeError("unsupported wire type %d" % wire)
        if pos > len(data):
            raise DecodeError("truncated field %d" % field)
        yield field, wire, value


def signed64(value):
    """A varint as the int64 it encodes (two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def read_varints(wire, value):
    """The integers of a repeated varint field: packed or one per field."""
    if wire == 0:
        return [value]
    values = []
    pos = 0
    while pos < len(value):
        v, pos = read_varint(value, pos)
        values.append(v)
    return values


def read_fixed(wire, value, fmt, size):
    """The values of a repeated fixed-size field: packed or one per field."""
    if wire == 2:
        return list(struct.unpack("<%d%s" % (len(value) // size, fmt[1]),
                                  value))
    return [struct.unpack(fmt, value)[0]]


def decode_tensor(data):
    """A TensorProto as (descr, shape, little-endian element bytes)."""
    dims = []
    data_type = None
    raw = None
    floats, ints, doubles = [], [], []
    for field, wire, value in read_fields(data):
        if field == FIELD_DIMS:
            dims += [signed64(v) for v in read_varints(wire, value)]
        elif field == FIELD_DATA_TYPE:
            data_type = value
        elif field == FIELD_FLOAT_DATA:
            floats += read_fixed(wire, value, "<f", 4)
        elif field in (FIELD_INT32_DATA, FIELD_INT64_DATA):
            ints += [signed64(v) for v in read_varints(wire, value)]
        elif field == FIELD_DOUBLE_DATA:
            doubles += read_fixed(wire, value, "<d", 8)
        elif field == FIELD_RAW_DATA:
            raw = bytes(value)
        elif field == FIELD_EXTERNAL_DATA:
            raise DecodeError("external data is not supported")
    if data_type not in DTYPES:
        raise DecodeError("unsupported data type %s" % data_type)
    descr, fmt = DTYPES[data_type]
    count = 1
    for d in dims:
        count *= d
    if raw is None:
        values = floats or doubles or ints
        if data_type == 9:
            values = [bool(v) for v in values]
        raw = b"".join(struct.pack(fmt, v) for v in values)
    if len(raw) != count * struct.calcsize(fmt):
        raise DecodeError("%d bytes for %d elements of %s" %
                          (len(raw), count, descr))
    return descr, dims, raw


def write_npy(path, descr, shape, raw):
    """Writes an .npy file (format 1.0, C order)."""
    if len(shape) == 1:
        shape_text = "(%d,)" % shape[0]
    else:
        shape_text = "(" + ", ".join(str(d) for d in shape) + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        descr, shape_text)
    # Magic (6) + version (2) + length (2) + header + newline, padded to 64.
    padded = (10 + len(header) + 1 + 63) // 64 * 64 - 10
    header = header + " " * (padded - len(header) - 1) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00")
        f.write(struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(raw)


def convert(pb_path, npy_path):
    with open(pb_path, "rb") as f:
        descr, shape, raw = decode_tensor(f.read())
    write_npy(npy_path, descr, shape, raw)


def numbered(directory, prefix):
    """The files prefix_0.pb, prefix_1.pb, ... of a data set, in order."""
    files = []
    while os.path.exists(os.path.join(directory, "%s_%d.pb" %
                                      (prefix, len(files)))):
        files.append(os.path.join(directory, "%s_%d.pb" % (prefix, len(files))))
    return files
