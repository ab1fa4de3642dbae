"""Callee substitution: the parent's reference answers contract functions during one call."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.sandbox.session_support import LIMITS, folder, notebook, sandbox  # noqa: F401

WRONG_RELU = """
    import numpy as np
    def relu(x):
        return np.full_like(x, 99.0)
    def tanh(x):
        return np.full_like(x, 99.0)
"""
X = np.array([-1.0, 2.0])


def reference_relu(x):
    return np.maximum(x, 0)


def forward(session, callees):
    return session.call("mlp.mlp_forward", (X, {}), {}, scratch=True, callees=callees)


@pytest.mark.parametrize("mlp", [
    "from activations import relu\ndef mlp_forward(x, params, activation='relu'):\n"
    "    return relu(x)\n",
    "from .activations import relu as act\ndef mlp_forward(x, params, activation='relu'):\n"
    "    return act(x)\n",
    "import activations\ndef mlp_forward(x, params, activation='relu'):\n"
    "    return activations.relu(x)\n",
    "from . import activations as a\ndef mlp_forward(x, params, activation='relu'):\n"
    "    return a.relu(x)\n",
    "from activations import relu, tanh\nACTS = {'relu': relu, 'tanh': tanh}\n"
    "def mlp_forward(x, params, activation='relu'):\n    return ACTS[activation](x)\n",
    "from activations import relu, tanh\nACTS = [relu, tanh]\n"
    "def mlp_forward(x, params, activation='relu'):\n    return ACTS[0](x)\n",
    "from activations import relu, tanh\nACTS = (relu, tanh)\n"
    "def mlp_forward(x, params, activation='relu'):\n    return ACTS[0](x)\n",
    "from activations import relu, tanh\nACTS = {'relu': (relu, tanh), 'tanh': [tanh, relu]}\n"
    "def mlp_forward(x, params, activation='relu'):\n    return ACTS[activation][0](x)\n",
    "def mlp_forward(x, params, activation='relu'):\n    return relu(x)\n",
    # one list seen first too deep to reach relu (inside DEEP), then at the top: walked again
    "from activations import relu\nDEEP = {'a': {'b': [[relu]]}}\nINNER = DEEP['a']['b']\n"
    "def mlp_forward(x, params, activation='relu'):\n    return INNER[0][0](x)\n",
    # a class equal to every type, whose instances cannot be walked: not a container
    "from activations import relu\nclass Meta(type):\n    def __eq__(cls, other):\n"
    "        return True\n    __hash__ = type.__hash__\nclass Odd(metaclass=Meta):\n"
    "    def __iter__(self):\n        raise RuntimeError('walked')\nODD = {'odd': Odd()}\n"
    "def mlp_forward(x, params, activation='relu'):\n    return relu(x)\n",
])
def test_callees_are_substituted_wherever_the_function_sees_them(sandbox, tmp_path, mlp):
    with sandbox.open(folder(tmp_path, activations=WRONG_RELU, mlp=mlp)) as session:
        substituted = forward(session, {"activations.relu": reference_relu})
        assert substituted.value.tolist() == [0.0, 2.0]
        assert substituted.callees_used == ("activations.relu",)
        own = forward(session, {})
        assert own.error or own.value.tolist() == [99.0, 99.0]   # restored after the call


def test_callees_in_a_notebook_and_in_the_same_module(sandbox, tmp_path):
    submission = notebook(tmp_path, WRONG_RELU, """
        def gradients(x, y, w, b):
            return 0.0, 0.0
        def fit(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
            dw, db = gradients(x, y, w0, b0)
            return w0 - lr * dw, b0 - lr * db, [relu(x)]
    """)
    with sandbox.open(submission) as session:
        outcome = session.call("linear_regression.fit", (X, X), {"steps": 1}, scratch=True,
                               callees={"linear_regression.gradients": lambda *a: (1.0, 2.0),
                                        "activations.relu": reference_relu})
        assert outcome.value[:2] == (-0.1, -0.2)
        assert outcome.value[2][0].tolist() == [0.0, 2.0]
        assert set(outcome.callees_used) == {"linear_regression.gradients", "activations.relu"}
        unused = session.call("linear_regression.fit", (X, X), {}, scratch=True,
                              callees={"activations.softmax": reference_relu})
        assert unused.callees_used == () and unused.value[2][0].tolist() == [99.0, 99.0]


def test_a_broken_module_is_answered_through_its_placeholder(sandbox, tmp_path):
    submission = folder(tmp_path, activations="def relu(x)\n", mlp="""
        from activations import relu
        def mlp_forward(x, params, activation="relu"):
            return relu(x)
    """)
    with sandbox.open(submission) as session:
        assert forward(session, {"activations.relu": reference_relu}).value.tolist() == [0, 2]
        assert forward(session, {}).error_type == "ImportError"


def test_errors_of_the_reference_reach_the_student_code(sandbox, tmp_path):
    submission = folder(tmp_path, activations=WRONG_RELU, mlp="""
        from activations import relu
        def mlp_forward(x, params, activation="relu"):
            try:
                return relu(x)
            except ValueError as error:
                return "caught " + str(error)
    """)

    def strict(x):
        raise ValueError("shapes differ")

    with sandbox.open(submission) as session:
        assert forward(session, {"activations.relu": strict}).value == "caught shapes differ"
        refused = forward(session, {"activations.relu": lambda x: object()})
        assert refused.error_type == "TypeError"


@pytest.mark.parametrize("arguments, answered", [
    ("np.ones((100000, 1)), np.ones((1, 1000)), np.zeros(1000)", False),
    ("np.ones((2, 0)), np.ones((0, 10**9)), np.zeros(1)", False),
    ("np.ones((1024, 1, 1)), np.ones((1, 1024, 1024)), np.zeros(1)", False),
    ("[0.0] * 2000, np.ones((1, 1)), np.zeros(1)", False),
    ("np.ones((64, 1024)), np.ones((1024, 16)), np.zeros(16)", True),
], ids=["product", "zero-size", "broadcast", "list", "fine"])
def test_the_parent_answers_only_bounded_arguments(sandbox, tmp_path, arguments, answered):
    submission = folder(tmp_path, mlp=f"""
        import numpy as np
        def linear_forward(x, W, b):
            return x @ W + b
        def mlp_forward(x, params, activation="relu"):
            try:
                return linear_forward({arguments}).shape
            except ValueError as error:
                return str(error)
    """)
    computed = []

    def reference(x, W, b):
        computed.append(np.shape(x))
        return np.asarray(x) @ W + b

    with sandbox.open(submission) as session:
        outcome = session.call("mlp.mlp_forward", (X, {}), {}, scratch=True,
                               callees={"mlp.linear_forward": reference})
    if answered:
        assert outcome.value == (64, 16) and computed == [(64, 1024)]
    else:
        assert computed == []
        assert outcome.value.startswith("the arguments are too large for the reference "
                                        "mlp.linear_forward")


def test_answering_callees_counts_against_the_time_limit(sandbox, tmp_path):
    submission = folder(tmp_path, mlp="""
        def mlp_forward(x, params, activation="relu"):
            while True:
                relu(x)
    """)
    answers = []

    def slow_relu(x):
        answers.append(x)
        time.sleep(0.05)
        return x

    with sandbox.open(submission) as session:
        outcome = forward(session, {"activations.relu": slow_relu})
    assert outcome.fault == "timeout"
    assert len(answers) <= LIMITS.call_seconds / 0.05 + 1  # a busy machine answers fewer
