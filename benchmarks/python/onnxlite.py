"""Reads an ONNX file's nodes and initializers with no onnx package (protobuf wire format by hand).

Enough for the baselines here: node op types, inputs, outputs and attributes (ints/floats), and
initializers stored as raw_data or float_data (float32) / int64_data.
"""
import struct
import numpy as np


def _varint(b, i):
    x = s = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return x, i


def _fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = _varint(b, i)
        f, t = key >> 3, key & 7
        if t == 0:
            v, i = _varint(b, i)
        elif t == 1:
            v = b[i:i + 8]
            i += 8
        elif t == 5:
            v = b[i:i + 4]
            i += 4
        elif t == 2:
            n, i = _varint(b, i)
            v = b[i:i + n]
            i += n
        else:
            raise ValueError("wire type %d" % t)
        out.append((f, t, v))
    return out


def _packed_varints(v):
    i, xs = 0, []
    while i < len(v):
        x, i = _varint(v, i)
        xs.append(x if x < (1 << 63) else x - (1 << 64))
    return xs


def _tensor(b):
    dims, dtype, name, raw, floats, ints = [], 1, "", None, [], []
    for f, t, v in _fields(b):
        if f == 1:
            dims += _packed_varints(v) if t == 2 else [v]
        elif f == 2:
            dtype = v
        elif f == 8:
            name = v.decode()
        elif f == 9:
            raw = bytes(v)
        elif f == 4:
            floats += list(struct.unpack("<%df" % (len(v) // 4), v)) if t == 2 else [struct.unpack("<f", v)[0]]
        elif f == 7:
            ints += _packed_varints(v) if t == 2 else [v]
    np_type = {1: np.float32, 7: np.int64}[dtype]
    if raw is not None:
        arr = np.frombuffer(raw, dtype=np_type).copy()
    else:
        arr = np.array(floats if dtype == 1 else ints, dtype=np_type)
    return name, arr.reshape(dims)


def _node(b):
    node = {"inputs": [], "outputs": [], "name": "", "op": "", "attrs": {}}
    for f, t, v in _fields(b):
        if f == 1:
            node["inputs"].append(v.decode())
        elif f == 2:
            node["outputs"].append(v.decode())
        elif f == 3:
            node["name"] = v.decode()
        elif f == 4:
            node["op"] = v.decode()
        elif f == 5:
            name, val = None, None
            ints = []
            for af, at, av in _fields(v):
                if af == 1:
                    name = av.decode()
                elif af == 2:
                    val = struct.unpack("<f", av)[0]
                elif af == 3:
                    val = av if av < (1 << 63) else av - (1 << 64)
                elif af == 8:
                    ints += _packed_varints(av) if at == 2 else [av if av < (1 << 63) else av - (1 << 64)]
            node["attrs"][name] = ints if ints else val
    return node


def load(path):
    """Returns (nodes, initializers) of the model's main graph."""
    with open(path, "rb") as fh:
        model = fh.read()
    graph = next(v for f, t, v in _fields(model) if f == 7)
    nodes, inits = [], {}
    for f, t, v in _fields(graph):
        if f == 1:
            nodes.append(_node(v))
        elif f == 5:
            name, arr = _tensor(v)
            inits[name] = arr
    return nodes, inits


if __name__ == "__main__":
    import sys
    nodes, inits = load(sys.argv[1])
    for n in nodes:
        print(n["op"], n["name"], n["inputs"], "->", n["outputs"], n["attrs"])
    for k, v in inits.items():
        print(k, v.shape, v.dtype)
