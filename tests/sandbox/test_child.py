"""The child's own pieces that need no process: the copy its mutation check compares with."""

import numpy as np

from grader.sandbox.child import changed, copied


def test_copied_arguments_share_no_array_with_the_originals():
    args = [np.arange(3.0), (np.ones(2), [np.zeros(1)]), {"w": np.full(2, 2.0)}, 1.5, "s"]
    kwargs = {"deep": {"list": [np.eye(2)]}}
    before = copied(args), copied(kwargs)
    assert changed(args, kwargs, *before) == []
    args[0][1] = 7.0
    args[1][1][0][0] = 7.0
    kwargs["deep"]["list"][0][0, 0] = 7.0
    assert changed(args, kwargs, *before) == ["0", "1", "deep"]
    assert before[0][0][1] == 1.0 and before[1]["deep"]["list"][0][0, 0] == 1.0


def test_copied_keeps_types_shapes_and_dtypes():
    value = ([np.zeros((2, 3), np.float32)], (np.int64(3), None, True), {"k": np.arange(4)})
    copy = copied(value)
    assert type(copy) is tuple and type(copy[0]) is list and type(copy[2]) is dict
    assert copy[0][0].dtype == np.float32 and copy[0][0].shape == (2, 3)
    assert copy[0][0] is not value[0][0] and copy[2]["k"] is not value[2]["k"]
    assert changed(list(value), {}, list(copy), {}) == []
