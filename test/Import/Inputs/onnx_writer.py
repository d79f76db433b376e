"""Writes ONNX models with the standard library only: the few messages of
onnx.proto that the importer's tests need, encoded in the protobuf wire
format here, so that tests can build malformed models (which onnx.helper
and onnx.checker would refuse or fix) without python3-onnx.

    from onnx_writer import FLOAT, INT64, model, node, tensor, value_info
    data = model([node("Relu", ["x"], ["y"], "relu")],
                 [value_info("x", [1, 4])], [value_info("y", [1, 4])])
"""

import struct

# TensorProto.DataType.
FLOAT = 1
INT32 = 6
INT64 = 7

# AttributeProto.AttributeType.
_ATTR_FLOAT, _ATTR_INT, _ATTR_STRING, _ATTR_FLOATS, _ATTR_INTS = 1, 2, 3, 6, 7


def _varint(value):
    value &= (1 << 64) - 1  # int64 as two's complement, as protobuf does
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field, wire):
    return _varint(field << 3 | wire)


def _int(field, value):
    return _key(field, 0) + _varint(value)


def _bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return _key(field, 2) + _varint(len(data)) + data


def _float(field, value):
    return _key(field, 5) + struct.pack("<f", value)


def _attribute(name, value):
    out = _bytes(1, name)
    if isinstance(value, bool) or isinstance(value, int):
        return out + _int(3, int(value)) + _int(20, _ATTR_INT)
    if isinstance(value, float):
        return out + _float(2, value) + _int(20, _ATTR_FLOAT)
    if isinstance(value, str):
        return out + _bytes(4, value) + _int(20, _ATTR_STRING)
    if all(isinstance(v, int) for v in value):
        return out + b"".join(_int(8, v) for v in value) + _int(20, _ATTR_INTS)
    return out + b"".join(_float(7, v) for v in value) + _int(20,
                                                             _ATTR_FLOATS)


def node(op_type, inputs, outputs, name, **attributes):
    """A NodeProto; attributes are ints, floats, strings or lists."""
    out = b"".join(_bytes(1, i) for i in inputs)
    out += b"".join(_bytes(2, o) for o in outputs)
    out += _bytes(3, name) + _bytes(4, op_type)
    for key, value in attributes.items():
        out += _bytes(5, _attribute(key, value))
    return out


def tensor(name, dims, values=None, data_type=FLOAT, external=None):
    """A TensorProto with raw_data (little-endian values), or with
    external data: `external` is a list of (key, value) entries."""
    out = b"".join(_int(1, d) for d in dims) + _int(2, data_type)
    out += _bytes(8, name)
    if external is not None:
        for key, value in external:
            out += _bytes(13, _bytes(1, key) + _bytes(2, value))
        return out + _int(14, 1)  # data_location = EXTERNAL
    fmt = {INT64: "<q", INT32: "<i"}.get(data_type, "<f")
    return out + _bytes(9, b"".join(struct.pack(fmt, v) for v in values))


def value_info(name, shape, elem_type=FLOAT):
    """A ValueInfoProto of a tensor; a str in `shape` is a symbolic dim."""
    dims = b"".join(
        _bytes(1, _bytes(2, d) if isinstance(d, str) else _int(1, d))
        for d in shape)
    tensor_type = _int(1, elem_type) + _bytes(2, dims)
    return _bytes(1, name) + _bytes(2, _bytes(1, tensor_type))


def model(nodes, inputs, outputs, initializers=(), opset=13):
    """The bytes of a ModelProto of one graph."""
    graph = b"".join(_bytes(1, n) for n in nodes) + _bytes(2, "test")
    graph += b"".join(_bytes(5, t) for t in initializers)
    graph += b"".join(_bytes(11, i) for i in inputs)
    graph += b"".join(_bytes(12, o) for o in outputs)
    opset_id = _bytes(1, "") + _int(2, opset)
    return _int(1, 8) + _bytes(8, opset_id) + _bytes(7, graph)
