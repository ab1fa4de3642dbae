"""Claims about a case that raised: the student's own exception, explained by a checked variant.

A transposed ``@`` operand or a reduction that dropped its axis (no ``keepdims``) reaches the
student as numpy's own error ("matmul: Input operand 1 has a mismatch ...", "operands could
not be broadcast together ..."). Each ``Variant`` is that mistake written in numpy on the
call's own inputs; its claim holds on a failing case when the case raised, the variant raises
the same exception type with exactly the same message there, and no variant of another cause
does. The hint says only that (the same error as the expression named) and gives the contract's
formula, which is the reference itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
BACK_W1 = N_("The gradient with respect to W1 needs the transpose: dW1 = x.T @ dz1.")
KEEPDIMS = N_("A reduction along axis {axis} (np.max, np.sum) drops that axis, so its result "
              "no longer lines up with x: keep the axis with keepdims=True.")


@dataclass(frozen=True)
class Variant:
    """A mistake written in numpy: ``run`` takes the call's arguments by name and raises
    where the mistake does; ``advice`` (an ``N_()`` msgid) is the contract's formula."""

    name: str          # identifier part, no "@", ":" or ";"
    expression: str    # as shown in the hint
    advice: str
    run: Callable[[dict[str, Any]], Any]


def _hidden(a: dict[str, Any]) -> np.ndarray:
    """The hidden layer's pre-activation (its shape is all a shape error depends on)."""
    return a["x"] @ a["params"]["W1"] + a["params"]["b1"]


def _output_gradient(a: dict[str, Any]) -> np.ndarray:
    """An upstream gradient of the output's shape."""
    return _hidden(a) @ a["params"]["W2"] + a["params"]["b2"]


def _products(name: str, left: str, right: str, advice: str,
              operands: Callable[[dict[str, Any]], tuple[np.ndarray, np.ndarray]]
              ) -> tuple[Variant, ...]:
    """The wrong product written with ``@`` and with ``np.dot`` (their errors differ)."""
    return (Variant(name, f"{left} @ {right}", advice, lambda a: np.matmul(*operands(a))),
            Variant(name + "-dot", f"np.dot({left}, {right})", advice,
                    lambda a: np.dot(*operands(a))))


def _without_keepdims(a: dict[str, Any]) -> Any:
    x = np.asarray(a["x"], dtype=np.float64)
    return x - np.max(x, axis=a["axis"])


VARIANTS: dict[str, tuple[Variant, ...]] = {
    "mlp.linear_forward": _products("Wx", "W", "x", LINEAR, lambda a: (a["W"], a["x"])),
    "mlp.linear_backward": (
        *_products("doutW", "dout", "W", DX, lambda a: (a["dout"], a["W"])),
        *_products("xdout", "x", "dout", DW, lambda a: (a["x"], a["dout"]))),
    "mlp.mlp_forward": (
        *_products("W1x", "W1", "x", FIRST_LAYER, lambda a: (a["params"]["W1"], a["x"])),
        *_products("W2h", "W2", "h", SECOND_LAYER, lambda a: (a["params"]["W2"], _hidden(a)))),
    "mlp.mlp_backward": (
        *_products("doutW2", "dout", "W2", BACK_HIDDEN,
                   lambda a: (_output_gradient(a), a["params"]["W2"])),
        *_products("hdout", "h", "dout", BACK_W2, lambda a: (_hidden(a), _output_gradient(a))),
        *_products("xdz1", "x", "dz1", BACK_W1, lambda a: (a["x"], _hidden(a)))),
    "activations.softmax": (Variant("keepdims", "x - np.max(x, axis=axis)", KEEPDIMS,
                                    _without_keepdims),),
    "activations.log_softmax": (Variant("keepdims", "x - np.max(x, axis=axis)", KEEPDIMS,
                                        _without_keepdims),),
}


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


def _variant_error(check: Check, variant: Variant, failure: Failure) -> str | None:
    """``"Type: message"`` of what the variant raises on the failure's inputs, None if it
    does not raise."""
    from grader.checks.common import arguments

    try:
        named = arguments(check.torch, failure.call)
    except TypeError:
        return None
    try:
        with np.errstate(all="ignore"):
            variant.run(named)
    except Exception as error:  # noqa: BLE001 - the error raised is what is compared
        return _one_line(f"{type(error).__name__}: {error}")
    return None


def _reproduces(check: Check, variant: Variant, failure: Failure) -> bool:
    student = _student_error(failure)
    if student is None:
        return False
    error = _variant_error(check, variant, failure)
    return error is not None and error.partition(":")[0] == student[0] and error in student[1]


def variant_holds(check: Check, name: str, failure: Failure) -> bool:
    """The failure raised exactly the error the variant ``name`` raises there, and no variant
    with other advice raises it too (a coincidence of sizes names no cause)."""
    variants = VARIANTS.get(check.function, ())
    chosen = next((v for v in variants if v.name == name), None)
    if chosen is None or not _reproduces(check, chosen, failure):
        return False
    return not any(v.advice != chosen.advice and _reproduces(check, v, failure)
                   for v in variants)


def raised_claims(check: Check, shown: Failure) -> Iterator[Claim]:
    """The claims of the check's variants (each still to be checked on every failure)."""
    fields = {"axis": "axis"}
    if check.function.startswith("activations."):
        from grader.checks.common import arguments

        try:
            fields = {"axis": arguments(check.torch, shown.call).get("axis", -1)}
        except TypeError:
            pass
    for variant in VARIANTS.get(check.function, ()):
        yield Claim(f"raised-variant:{variant.name}",
                    lambda variant=variant: _(SAME_ERROR).format(
                        expression=variant.expression, advice=_(variant.advice).format(**fields)),
                    lambda f, name=variant.name: variant_holds(check, name, f))
