"""A compact binary file of named arrays for the browser (the "bundle" format).

Scripts on the site (the explorer, the drawing pad) need arrays: 70,000 map
positions, network weights. JSON would be several times larger and slow to
parse, so the build writes them as one binary file that ``static/lib/bundle.js``
turns into typed arrays without copying:

    bytes 0-3   b"MNRB"
    bytes 4-7   header length H, uint32 little-endian
    bytes 8..   H bytes of UTF-8 JSON: {"version": 1, "meta": {...},
                "arrays": {name: {"dtype", "shape", "offset", "bytes"}}}
    then        each array's little-endian bytes at its ``offset`` (from the
                start of the file), every offset a multiple of 8

dtypes: uint8, int8, uint16, int16, uint32, int32, float16, float32.
"""

from __future__ import annotations

import json
import struct
from typing import Any, Mapping

import numpy as np

MAGIC = b"MNRB"
VERSION = 1
ALIGN = 8
DTYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "float16", "float32")


def _aligned(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def encode_bundle(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any] | None = None) -> bytes:
    """The bundle bytes for ``arrays`` (kept in their dtype) and a JSON-able ``meta``."""
    prepared = {}
    for name, array in arrays.items():
        array = np.asarray(array)
        if array.dtype.name not in DTYPES:
            raise ValueError(f"bundle array {name!r}: dtype {array.dtype} is not one of {', '.join(DTYPES)}")
        prepared[name] = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    # The header holds the offsets, and its length moves them: lay out with a
    # provisional length until the header stops growing.
    header_len = 0
    while True:
        offset = _aligned(8 + header_len)
        table = {}
        for name, array in prepared.items():
            table[name] = {"dtype": array.dtype.name, "shape": list(array.shape), "offset": offset,
                           "bytes": int(array.nbytes)}
            offset = _aligned(offset + array.nbytes)
        header = json.dumps({"version": VERSION, "meta": dict(meta or {}), "arrays": table},
                            separators=(",", ":"), ensure_ascii=False).encode()
        if len(header) == header_len:
            break
        header_len = len(header)
    out = bytearray(offset)
    out[0:8] = MAGIC + struct.pack("<I", header_len)
    out[8:8 + header_len] = header
    for name, array in prepared.items():
        start = table[name]["offset"]
        out[start:start + array.nbytes] = array.tobytes()
    return bytes(out)


def decode_bundle(data: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(meta, arrays) from bundle bytes: the inverse of :func:`encode_bundle` (for tests and tools)."""
    if data[:4] != MAGIC:
        raise ValueError(f"not a bundle: expected magic {MAGIC!r}, found {bytes(data[:4])!r}")
    (header_len,) = struct.unpack("<I", data[4:8])
    header = json.loads(data[8:8 + header_len].decode())
    arrays = {}
    for name, info in header["arrays"].items():
        dtype = np.dtype(info["dtype"]).newbyteorder("<")
        raw = np.frombuffer(data, dtype=dtype, count=info["bytes"] // dtype.itemsize, offset=info["offset"])
        arrays[name] = raw.reshape(info["shape"])
    return header["meta"], arrays
