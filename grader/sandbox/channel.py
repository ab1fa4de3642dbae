"""The narrow channel: framed messages of JSON plus ``.npy`` blobs, strictly decoded.

A frame is ``[4-byte JSON length][8-byte blob length][JSON][blobs]``. The JSON is a message
(a dict of control fields); values inside it are encoded trees: JSON scalars stand for None,
bool, int, float (NaN and infinities included) and str; a JSON list for a list; one-key
objects tag the rest: ``{"t": [...]}`` tuple, ``{"d": {...}}`` dict with str keys,
``{"a": i}`` array and ``{"s": i}`` numpy scalar (blob ``i``, ``.npy`` bytes of a numeric
dtype, never pickled), ``{"f": name}`` a ``ScalarFunction`` (parent to child only) and
``{"r": [type, why]}`` a ``Refused`` value (child to parent, whole results only).

Encoding classifies with ``type(x) is`` and never calls the object's own methods, so an
object that lies about itself (``__eq__``, ``__array__``, ``__len__``) is refused unasked.
Decoding trusts nothing: every tag, index, shape and size is checked, and any violation
raises ``ProtocolError``. Whatever is decoded can be rendered: integers stay within float
range (a larger one is refused when encoded: it is not a number the grader can compare),
strings and dict keys are bounded, and lone surrogates become visible escapes (``valid``), so
every decoded string encodes as UTF-8.
"""

from __future__ import annotations

import io
import json
import math
import struct
import sys
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import numpy.lib.format as npy

from grader.i18n import N_, _
from grader.sandbox.values import Refused, ScalarFunction

HEAD = struct.Struct("!IQ")
NPY_MAGIC = b"\x93NUMPY"
MAX_DEPTH = 32
MAX_STR = 1 << 16
MAX_NODES = 1 << 20
MAX_INT_BITS = 1024
#: The largest integer magnitude that converts to a float (``float(2**1024 - 1)`` overflows).
MAX_INT = int(sys.float_info.max)
_KINDS = "biuf"
NUMPY_SCALARS: frozenset[type] = frozenset(
    np.dtype(code).type for code in np.typecodes["AllInteger"] + np.typecodes["AllFloat"] + "?"
    if np.dtype(code).kind in _KINDS)


class ProtocolError(Exception):
    """The other side sent something that is not a valid frame or value."""


class RefusedValue(Exception):
    """Raised by ``Encoder.encode`` for a value that may not cross; carries the ``Refused``."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.type_name)
        self.refused = refused


def type_name(obj: Any) -> str:
    """The class name of ``obj``, without running code the class may define."""
    name = type.__dict__["__name__"].__get__(type(obj))
    return name if type(name) is str else "?"


class Encoder:
    """Encodes values into JSON trees, collecting array blobs, within a byte budget."""

    def __init__(self, limit: int) -> None:
        self.blobs: list[bytes] = []
        self.size = 0
        self.nodes = 0
        self.limit = limit

    def encode(self, value: Any, depth: int = 0) -> Any:
        """The tree for ``value``; raises ``RefusedValue`` for anything but plain data."""
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise RefusedValue(Refused(type_name(value), N_("nested too deeply or too large")))
        kind = type(value)
        if value is None or kind is bool or kind is float:
            return value
        if kind is int:
            if value.bit_length() > MAX_INT_BITS or not -MAX_INT <= value <= MAX_INT:
                raise RefusedValue(Refused("int", N_("integer too large")))
            return value
        if kind is str:
            if len(value) > MAX_STR:
                raise RefusedValue(Refused("str", N_("string too long")))
            return value
        if kind is list:
            return [self.encode(item, depth + 1) for item in value]
        if kind is tuple:
            return {"t": [self.encode(item, depth + 1) for item in value]}
        if kind is dict:
            return {"d": self._dict(value, depth)}
        if kind is np.ndarray:
            return {"a": self._blob(value)}
        if kind in NUMPY_SCALARS:
            return {"s": self._blob(np.asarray(value))}
        if kind is ScalarFunction:
            return {"f": value.name}
        if isinstance(value, np.ndarray):
            raise RefusedValue(Refused(f"ndarray subclass {type_name(value)}",
                                       N_("an ndarray subclass")))
        raise RefusedValue(Refused(type_name(value), N_("not a number, string or numeric array")))

    def _dict(self, value: dict, depth: int) -> dict[str, Any]:
        out = {}
        for key, item in list(value.items()):
            if type(key) is not str:
                raise RefusedValue(Refused("dict", N_("a dict key that is not a string")))
            if len(key) > MAX_STR:
                raise RefusedValue(Refused("dict", N_("a dict key that is too long")))
            out[key] = self.encode(item, depth + 1)
        return out

    def _blob(self, array: np.ndarray) -> int:
        if array.dtype.kind not in _KINDS or array.dtype.fields is not None:
            name = "object array" if array.dtype.kind == "O" else f"{array.dtype} array"
            raise RefusedValue(Refused(name, N_("not a numeric array")))
        self.size += array.nbytes
        if self.size > self.limit:
            raise RefusedValue(Refused("ndarray", N_("too large to return")))
        self.blobs.append(write_array(array))
        return len(self.blobs) - 1


def decode(tree: Any, blobs: list[bytes],
           functions: Callable[[str], Any] | None = None) -> Any:
    """The value of ``tree``; ``functions`` turns ``{"f": name}`` markers into callables.
    Whatever the tree holds, the only exception is ``ProtocolError``."""
    try:
        return _decode(tree, blobs, functions, 0)
    except ProtocolError:
        raise
    except Exception as error:  # noqa: BLE001 - a value no check above foresaw
        raise ProtocolError(f"malformed value ({type(error).__name__})") from None


def _decode(tree: Any, blobs: list[bytes], functions: Callable[[str], Any] | None,
            depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("nested too deeply")
    kind = type(tree)
    if tree is None or kind in (bool, float):
        return tree
    if kind is int:
        if not -MAX_INT <= tree <= MAX_INT:
            raise ProtocolError("integer beyond float range")
        return tree
    if kind is str:
        return _string(tree)
    if kind is list:
        return [_decode(item, blobs, functions, depth + 1) for item in tree]
    if kind is not dict or len(tree) != 1:
        raise ProtocolError("malformed value")
    (tag, body), = tree.items()
    if tag == "t" and type(body) is list:
        return tuple(_decode(item, blobs, functions, depth + 1) for item in body)
    if tag == "d" and type(body) is dict:
        return {_string(key): _decode(item, blobs, functions, depth + 1)
                for key, item in body.items()}
    if tag == "a":
        return read_array(_blob(blobs, body))
    if tag == "s":
        array = read_array(_blob(blobs, body))
        if array.ndim:
            raise ProtocolError("numpy scalar with a shape")
        return array[()]
    if tag == "f" and functions is not None and type(body) is str:
        return functions(body)
    raise ProtocolError(f"unexpected tag {tag!r}")


def valid(text: str) -> str:
    """``text`` with lone surrogates (which no UTF-8 output can hold) as ``\\udXXX`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _string(tree: str) -> str:
    if len(tree) > MAX_STR:
        raise ProtocolError("string too long")
    return valid(tree)


def decode_result(tree: Any, blobs: list[bytes]) -> Any:
    """Like ``decode`` (only ``ProtocolError`` is raised), but a whole result may also be a
    ``Refused``."""
    if type(tree) is dict and len(tree) == 1 and "r" in tree:
        body = tree["r"]
        if type(body) is not list or len(body) != 2 or not all(type(s) is str for s in body):
            raise ProtocolError("malformed refusal")
        return Refused(valid(body[0][:200]), _(valid(body[1][:500])))
    return decode(tree, blobs)


def encode_result(value: Any, limit: int) -> tuple[Any, list[bytes]]:
    """``(tree, blobs)`` for a whole result: a ``Refused`` tree if any part may not cross."""
    encoder = Encoder(limit)
    try:
        return encoder.encode(value), encoder.blobs
    except RefusedValue as refusal:
        return {"r": [refusal.refused.type_name, refusal.refused.why]}, []
    except Exception:  # a class whose very name lookup fails
        return {"r": ["?", N_("not a number, string or numeric array")]}, []


def _blob(blobs: list[bytes], index: Any) -> bytes:
    if type(index) is not int or not 0 <= index < len(blobs):
        raise ProtocolError("bad blob index")
    return blobs[index]


def read_array(blob: bytes) -> np.ndarray:
    """A numeric array from ``.npy`` bytes, checked before anything is allocated: a shape of
    sizes >= 0 (never ``(-1, -1)``) whose elements are exactly the data."""
    wide = len(blob) > 6 and blob[6] != 1
    start = 12 if wide else 10
    if blob[:6] != NPY_MAGIC or len(blob) < start:
        raise ProtocolError("not .npy data")
    size = struct.unpack_from("<I" if wide else "<H", blob, 8)[0]
    if start + size > len(blob):
        raise ProtocolError("array header longer than its data")
    shape, fortran, dtype = _header(bytes(blob[:start + size]))
    count = math.prod(shape)
    if count * dtype.itemsize != len(blob) - start - size:
        raise ProtocolError("array size does not match its data")
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=start + size)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


@lru_cache(maxsize=512)
def _header(header: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Shape, order and dtype of a ``.npy`` header (numpy's own parser, never unpickling)."""
    stream = io.BytesIO(header)
    try:
        version = npy.read_magic(stream)
        reader = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, fortran, dtype = reader(stream)
    except Exception as error:
        raise ProtocolError(f"bad array header: {error}") from None
    if dtype.kind not in _KINDS or dtype.fields is not None or dtype.hasobject \
            or dtype.subdtype is not None:
        raise ProtocolError("not a numeric array")
    if type(shape) is not tuple or len(shape) > MAX_DEPTH \
            or not all(type(n) is int and 0 <= n <= MAX_INT for n in shape):
        raise ProtocolError("bad array shape")
    return shape, fortran is True, dtype


def write_array(array: np.ndarray) -> bytes:
    """``.npy`` (version 1.0) bytes of a numeric array, C order."""
    return _npy_header(npy.dtype_to_descr(array.dtype), array.shape) + array.tobytes()


@lru_cache(maxsize=512)
def _npy_header(descr: str, shape: tuple[int, ...]) -> bytes:
    text = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape!r}, }}"
    padding = -(len(NPY_MAGIC) + 4 + len(text) + 1) % 64
    header = (text + " " * padding + "\n").encode("latin1")
    return NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(header)) + header


def pack(message: dict[str, Any], blobs: list[bytes] = ()) -> bytes:
    """One frame holding ``message`` and ``blobs``."""
    message["_b"] = [len(blob) for blob in blobs]
    head = json.dumps(message, separators=(",", ":")).encode()
    body = b"".join(blobs)
    return HEAD.pack(len(head), len(body)) + head + body


def unpack(head: bytes, body: bytes) -> tuple[dict[str, Any], list[bytes]]:
    """The message and blobs of one frame's parts."""
    try:
        message = json.loads(head)
    except (ValueError, RecursionError) as error:
        raise ProtocolError(f"bad JSON: {error}") from None
    sizes = message.pop("_b", None) if type(message) is dict else None
    if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes) \
            or sum(sizes) != len(body):
        raise ProtocolError("bad frame")
    blobs, start = [], 0
    for size in sizes:
        blobs.append(body[start:start + size])
        start += size
    return message, blobs


class FrameReader:
    """Reassembles frames from a byte stream, refusing any larger than ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def need(self) -> int:
        """How many more bytes the frame being read needs (at least 1)."""
        if len(self.buffer) < HEAD.size:
            return HEAD.size - len(self.buffer)
        head, body = HEAD.unpack_from(self.buffer)
        return max(min(HEAD.size + head + body, HEAD.size + self.limit) - len(self.buffer), 1)

    def next(self) -> tuple[dict[str, Any], list[bytes]] | None:
        """The next complete frame, or None while it is incomplete."""
        if len(self.buffer) < HEAD.size:
            return None
        head, body = HEAD.unpack_from(self.buffer)
        if head + body > self.limit:
            raise ProtocolError(f"frame of {head + body} bytes exceeds the limit")
        end = HEAD.size + head + body
        if len(self.buffer) < end:
            return None
        frame = bytes(self.buffer[:end])
        del self.buffer[:end]
        return unpack(frame[HEAD.size:HEAD.size + head], frame[HEAD.size + head:])

    def read(self, sock: Any) -> tuple[dict[str, Any], list[bytes]] | None:
        """Blocking read of the next frame from ``sock``; None at end of stream."""
        while True:
            frame = self.next()
            if frame is not None:
                return frame
            data = sock.recv(max(self.need(), 1 << 16))
            if not data:
                return None
            self.feed(data)
