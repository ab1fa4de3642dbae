"""Claims about a case that raised: the student's own exception, explained by a checked variant.

A transposed ``@`` operand or a reduction that dropped its axis (no ``keepdims``) reaches the
student as numpy's own error ("matmul: Input operand 1 has a mismatch ...", "shapes (5,4) and
(7,5) not aligned ...", "operands could not be broadcast together ..."). The variants are
written in numpy on the call's own inputs: every product of the arrays the function's right
products multiply (either order, either operand transposed, ``@`` and ``np.dot``), and the
reduction along the axis asked for without keepdims. A claim holds on a failing case when the
case raised, some variant raises the same exception type with exactly the same message there,
and every variant that does has the claim's advice: numpy's matmul error names only two sizes,
so ``dout @ W`` and ``dout @ x.T`` raise the same one, and then no cause is named. The hint says
only what was checked (the same error as the expression named) and gives the contract's
formula, which is the reference itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from grader.checks.spec import Check
from grader.compare.claims import Claim, Failure
from grader.compare.verdict import Raises
from grader.i18n import N_, _

SAME_ERROR = N_("On every failing case, your function raised the same error as {expression} "
                "raises on those inputs. {advice}")
LINEAR = N_("The operands of the product are in the wrong order: the layer computes "
            "x @ W + b, with x of shape (N, D) and W of shape (D, D_out).")
DX = N_("The gradient with respect to x needs the transpose: dx = dout @ W.T.")
DW = N_("The gradient with respect to W needs the transpose: dW = x.T @ dout.")
FIRST_LAYER = N_("The operands of the product are in the wrong order: the first layer "
                 "computes x @ W1 + b1.")
SECOND_LAYER = N_("The operands of the product are in the wrong order: the second layer "
                  "computes h @ W2 + b2, with h the hidden layer of shape (N, H).")
BACK_HIDDEN = N_("Backpropagating through the second layer needs the transpose: the gradient "
                 "with respect to h is dout @ W2.T.")
BACK_W2 = N_("The gradient with respect to W2 needs the transpose: dW2 = h.T @ dout.")
KEEPDIMS = N_("A reduction along axis {axis} (np.max, np.sum) drops that axis, so its result "
              "no longer lines up with x: keep the axis with keepdims=True.")


#: The arrays a function's products are made of: its inputs and the right intermediates.
Pool = Callable[[dict[str, Any]], dict[str, np.ndarray]]


def _layers(a: dict[str, Any]) -> dict[str, np.ndarray]:
    """x, the weights and the hidden layer h (N, H) of the right forward pass."""
    p = a["params"]
    return {"x": a["x"], "W1": p["W1"], "W2": p["W2"], "h": a["x"] @ p["W1"] + p["b1"]}


def _backward_pool(a: dict[str, Any]) -> dict[str, np.ndarray]:
    """The layers, the upstream gradient dout (N, D_out) and dz1 (N, H) of the right pass."""
    layers = _layers(a)
    return {**layers, "dout": layers["h"] @ a["params"]["W2"] - a["y"], "dz1": layers["h"]}


#: Per function: its arrays, the pairs its right products multiply, and the wrong products
#: a hint names with their advice. The variants checked are every product of a pair, in
#: either order, either operand transposed or not, with ``@`` and ``np.dot``: numpy's error
#: names only two sizes, so an error that a variant with other advice (or none) raises too
#: names no cause.
PRODUCTS: dict[str, tuple[Pool, tuple[tuple[str, str], ...], dict[str, str]]] = {
    "mlp.linear_forward": (lambda a: {"x": a["x"], "W": a["W"]}, (("x", "W"),),
                           {"W @ x": LINEAR, "np.dot(W, x)": LINEAR}),
    "mlp.linear_backward": (lambda a: {k: a[k] for k in ("dout", "x", "W")},
                            (("dout", "W"), ("x", "dout")),
                            {"dout @ W": DX, "np.dot(dout, W)": DX,
                             "x @ dout": DW, "np.dot(x, dout)": DW}),
    "mlp.mlp_forward": (_layers, (("x", "W1"), ("h", "W2")),
                        {"W1 @ x": FIRST_LAYER, "np.dot(W1, x)": FIRST_LAYER,
                         "W2 @ h": SECOND_LAYER, "np.dot(W2, h)": SECOND_LAYER}),
    "mlp.mlp_backward": (_backward_pool,
                         (("x", "W1"), ("h", "W2"), ("dout", "W2"), ("h", "dout"),
                          ("dz1", "W1"), ("x", "dz1")),
                         {"W1 @ x": FIRST_LAYER, "np.dot(W1, x)": FIRST_LAYER,
                          "W2 @ h": SECOND_LAYER, "np.dot(W2, h)": SECOND_LAYER,
                          "dout @ W2": BACK_HIDDEN, "np.dot(dout, W2)": BACK_HIDDEN,
                          "h @ dout": BACK_W2, "np.dot(h, dout)": BACK_W2}),
}

#: Broadcasting: the reduction of x along the axis asked for, without keepdims.
KEEPDIMS_EXPRESSION = "x - np.max(x, axis=axis)"
BROADCASTS = ("activations.softmax", "activations.log_softmax")


def _products(pool: dict[str, np.ndarray], pairs: tuple[tuple[str, str], ...]
              ) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every product of each pair, in either order, transposed or not, with @ and np.dot."""
    for pair in pairs:
        for left, right in (pair, pair[::-1]):
            for ta, tb in itertools.product((False, True), repeat=2):
                a, b = pool[left], pool[right]
                first, second = a.T if ta else a, b.T if tb else b
                names = left + ".T" * ta, right + ".T" * tb
                yield f"{names[0]} @ {names[1]}", lambda x=first, y=second: np.matmul(x, y)
                yield f"np.dot({names[0]}, {names[1]})", lambda x=first, y=second: np.dot(x, y)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _student_error(failure: Failure) -> tuple[str, str] | None:
    """The type name and the one-line text of the student's exception (None: it did not
    raise). The grader keeps its text in ``failure.message``; a bare exception its own."""
    got = failure.got
    if isinstance(got, BaseException):
        return type(got).__name__, _one_line(f"{type(got).__name__}: {got}")
    if isinstance(got, Raises) and failure.message:
        return got.exception, _one_line(failure.message)
    return None


def _error_of(run: Callable[[], Any]) -> str | None:
    """``"Type: message"`` (one line) of what ``run`` raises, None if it does not raise."""
    try:
        with np.errstate(all="ignore"):
            run()
    except Exception as error:  # noqa: BLE001 - the error raised is what is compared
        return _one_line(f"{type(error).__name__}: {error}")
    return None


def _same(error: str | None, student: tuple[str, str]) -> bool:
    return error is not None and error.partition(":")[0] == student[0] and error in student[1]


def reproducing(check: Check, failure: Failure) -> list[str]:
    """The expressions that raise exactly the student's error on the failure's inputs: every
    product of the function's arrays, or the reduction without keepdims."""
    from grader.checks.common import arguments

    student = _student_error(failure)
    if student is None:
        return []
    try:
        named = arguments(check.torch, failure.call)
    except TypeError:
        return []
    if check.function in BROADCASTS:
        def dropped() -> Any:
            x = np.asarray(named["x"], dtype=np.float64)
            return x - np.max(x, axis=named["axis"])
        return [KEEPDIMS_EXPRESSION] if _same(_error_of(dropped), student) else []
    if check.function not in PRODUCTS:
        return []
    build, pairs, _named = PRODUCTS[check.function]
    try:
        pool = {k: np.asarray(v, dtype=np.float64) for k, v in build(named).items()}
    except Exception:  # noqa: BLE001 - inputs the pool cannot be built from: no claim
        return []
    return [expression for expression, run in _products(pool, pairs)
            if _same(_error_of(run), student)]


def _advice(check: Check, expression: str) -> str | None:
    if check.function in BROADCASTS:
        return KEEPDIMS if expression == KEEPDIMS_EXPRESSION else None
    return PRODUCTS[check.function][2].get(expression) if check.function in PRODUCTS else None


def variant_holds(check: Check, key: str, failure: Failure) -> bool:
    """The failure raised an error that some named product (or the reduction without
    keepdims) raises on its inputs, and every expression that raises it has the advice
    ``key``: an error another product explains too names no cause."""
    found = reproducing(check, failure)
    return bool(found) and all(_key(_advice(check, e)) == key for e in found)


def _key(advice: str | None) -> str | None:
    return None if advice is None else KEYS[advice]


#: Identifier parts of the advice (no "@", ":" or ";").
KEYS = {LINEAR: "operand-order", DX: "dx-transpose", DW: "dw-transpose",
        FIRST_LAYER: "first-layer-order", SECOND_LAYER: "second-layer-order",
        BACK_HIDDEN: "dh-transpose", BACK_W2: "dw2-transpose",
        KEEPDIMS: "keepdims"}


def raised_claims(check: Check, shown: Failure) -> Iterator[Claim]:
    """The claim of the advice every expression reproducing the shown error has (each still
    to be checked on every failure)."""
    found = reproducing(check, shown)
    advice = {_advice(check, e) for e in found}
    if not found or len(advice) != 1 or None in advice:
        return
    (chosen,) = advice
    fields: dict[str, Any] = {}
    if check.function in BROADCASTS:
        from grader.checks.common import arguments

        fields = {"axis": arguments(check.torch, shown.call).get("axis", -1)}
    key = KEYS[chosen]
    yield Claim(f"raised-variant:{key}",
                lambda: _(SAME_ERROR).format(expression=found[0],
                                             advice=_(chosen).format(**fields)),
                lambda f: variant_holds(check, key, f))
