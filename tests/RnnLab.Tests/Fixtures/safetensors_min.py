"""Minimal safetensors reader and writer (struct + json + numpy), so the fixture scripts need no
safetensors package. Format: 8-byte little-endian header length N, N bytes of JSON
{name: {dtype, shape, data_offsets}, "__metadata__": {...}} padded with spaces to 8 bytes, then the data."""
import json
import struct

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4", "U8": "u1"}
NUMPY_NAMES = {"float64": "F64", "float32": "F32", "float16": "F16", "int64": "I64", "int32": "I32", "uint8": "U8"}


def write(path, tensors, metadata=None):
    """tensors: list of (name, numpy array) or (name, array, dtype). Without a dtype, float64, float16, int64,
    int32 and uint8 arrays keep their own dtype and anything else is stored F32; "BF16" takes uint16 bit patterns."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    # F64 first so every tensor stays aligned to its item size.
    for entry in sorted(tensors, key=lambda nt: -np.asarray(nt[1]).dtype.itemsize):
        name, arr = entry[0], np.asarray(entry[1])
        dtype = entry[2] if len(entry) > 2 else NUMPY_NAMES.get(arr.dtype.name, "F32")
        data = np.ascontiguousarray(arr, dtype=DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read(path):
    """Returns ({name: numpy array}, metadata)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).copy()
    return tensors, metadata
