"""The narrow channel: plain data round-trips, everything else is refused or rejected."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from grader.sandbox import Refused, ScalarFunction
from grader.sandbox.channel import (Encoder, FrameReader, ProtocolError, RefusedValue, decode,
                                    decode_result, encode_result, pack, read_array,
                                    write_array)


def round_trip(value, functions=None):
    encoder = Encoder(1 << 20)
    tree = encoder.encode(value)
    reader = FrameReader(1 << 20)
    reader.feed(pack({"v": tree}, encoder.blobs))
    message, blobs = reader.next()
    return decode(message["v"], blobs, functions)


@pytest.mark.parametrize("value", [
    None, True, 0, -7, 2**80, 1.5, float("inf"), -0.0, "text", "한국어", [], (), {},
    [1, (2.0, "x")], {"a": {"b": [None]}}, (np.float64(1.5), np.int64(-3), np.bool_(True)),
])
def test_plain_values_round_trip(value):
    got = round_trip(value)
    assert got == value and type(got) is type(value)


def test_nan_and_numpy_scalars_keep_their_type():
    got = round_trip([float("nan"), np.float32(2.5), np.uint8(7)])
    assert np.isnan(got[0])
    assert type(got[1]) is np.float32 and got[1] == 2.5
    assert type(got[2]) is np.uint8


@pytest.mark.parametrize("array", [
    np.arange(6.0).reshape(2, 3), np.arange(6, dtype=np.int32)[::2], np.zeros((3, 2), order="F"),
    np.array(2.5, dtype=">f8"), np.array([True, False]), np.ones((0, 4), dtype=np.float32),
])
def test_arrays_round_trip_exactly(array):
    got = round_trip(array)
    assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
    assert np.array_equal(got, array) and got.flags.writeable


def test_npy_bytes_are_standard():
    array = np.arange(12.0).reshape(3, 4)[:, ::2]
    loaded = np.load(io.BytesIO(write_array(array)), allow_pickle=False)
    assert np.array_equal(loaded, array)


class MyFloat(float):
    def __eq__(self, other):
        return True


class Tricky(np.ndarray):
    pass


class Liar:
    def __array_ufunc__(self, *args, **kwargs):
        return True


@pytest.mark.parametrize("value, name", [
    (MyFloat(1.0), "MyFloat"),
    (np.array([1, "a"], dtype=object), "object array"),
    (np.zeros(3).view(Tricky), "ndarray subclass Tricky"),
    (np.zeros(2, dtype=[("a", "f8")]), "[('a', '<f8')] array"),
    (np.array([1 + 2j]), "complex128 array"),
    ((1.0, Liar()), "Liar"),
    ({1: 2.0}, "dict"),
    ({"k" * 70000: 2.0}, "dict"),
    (lambda x: x, "function"),
    (2**1024 - 1, "int"),
    ((1.0, -(2**1024 - 1)), "int"),
])
def test_other_objects_are_refused(value, name):
    tree, blobs = encode_result(value, 1 << 20)
    refused = decode_result(tree, blobs)
    assert isinstance(refused, Refused) and refused.type_name == name


def test_size_and_depth_are_bounded():
    with pytest.raises(RefusedValue):
        Encoder(100).encode(np.zeros(100))
    nested: list = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(RefusedValue):
        Encoder(1 << 20).encode(nested)


def test_scalar_functions_cross_by_name():
    f = ScalarFunction("cubic_sin")
    got = round_trip([f], functions=lambda name: ("fn", name))
    assert got == [("fn", "cubic_sin")]
    with pytest.raises(ProtocolError):
        round_trip(f)  # the parent never accepts a function from the child
    assert f(np.zeros(3)) == 0.0


@pytest.mark.parametrize("tree", [
    {"x": 1}, {"a": 0, "t": []}, {"t": 5}, {"a": 3}, {"s": "0"}, {"r": ["x", "y"]},
    [{"d": {"k": {"a": -1}}}], 2**1024 - 1, [-(2**1030)], {"d": {"k" * 70000: 1}},
])
def test_malformed_trees_are_protocol_errors(tree):
    with pytest.raises(ProtocolError):
        decode(tree, [write_array(np.zeros(2))])


def test_decoded_strings_always_encode():
    """A lone surrogate (in a value, a key, a refusal) is decoded as a visible escape."""
    got = decode({"d": {"W1\ud800": ["x\udfff"]}}, [])
    assert got == {"W1\\ud800": ["x\\udfff"]}
    refused = decode_result({"r": ["Bad\udcff", "why"]}, [])
    assert refused.type_name == "Bad\\udcff"


@pytest.mark.parametrize("blob", [
    pickle.dumps(np.zeros(2)),
    write_array(np.zeros(4))[:-8],
    write_array(np.zeros(4)) + b"\0" * 8,
    b"\x93NUMPY\x01\x00" + b"\x46\x00" + b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    + b" " * 13 + b"\n" + pickle.dumps([1]),
    b"\x93NUMPY\x01\x00" + b"\x46\x00" + b"{'descr': '<f8', 'fortran_order': False, "
    b"'shape': (99999999999,), }" + b" " * 1 + b"\n",
])
def test_bad_arrays_are_rejected_before_allocating(blob):
    with pytest.raises(ProtocolError):
        read_array(blob)


def test_frames_reassemble_and_respect_the_limit():
    frame = pack({"op": "x"}, [b"abc"])
    reader = FrameReader(1 << 10)
    for byte in frame[:-1]:
        reader.feed(bytes([byte]))
        assert reader.next() is None
    reader.feed(frame[-1:])
    assert reader.next() == ({"op": "x"}, [b"abc"])
    small = FrameReader(8)
    small.feed(frame)
    with pytest.raises(ProtocolError):
        small.next()


def _npy(shape: str, data: bytes, descr: str = "<f8") -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (-(10 + len(header) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + data


@pytest.mark.parametrize("blob", [
    _npy("(-1, -1)", b"\0" * 8), _npy("(-2, -4)", b"\0" * 64), _npy("(2, -1)", b""),
    _npy("(1.5,)", b"\0" * 8), _npy("('a',)", b""), _npy("(2**70, 0)", b""),
    b"\x93NUMPY\x02\x00\xff", b"\x93NUMPY\x01\x00\xff\xff{", b"\x93NUMPY"])
def test_a_forged_array_is_a_protocol_error_never_another(blob: bytes) -> None:
    """The child's own code can write on its channel (tests/adversarial/forged_reply)."""
    with pytest.raises(ProtocolError):
        decode({"a": 0}, [blob])


def test_any_bytes_decode_to_an_array_or_a_protocol_error() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=200), st.sampled_from(["(-1, -1)", "(3,)", "()", "(0, -0)"]))
    def check(tail: bytes, shape: str) -> None:
        for blob in (tail, b"\x93NUMPY" + tail, _npy(shape, tail)):
            try:
                decode({"a": 0}, [blob])
            except ProtocolError:
                pass

    check()
