"""The 26 functions of the assignment contract (SPEC.md), in grading order.

Grading order matters: a module's callees are graded before its callers, so reference
callees are only ever handed to a child after the student's own versions were graded.
"""

from __future__ import annotations

MODULES: dict[str, tuple[str, ...]] = {
    "activations": (
        "relu", "sigmoid", "tanh", "relu_grad", "sigmoid_grad", "tanh_grad",
        "softmax", "log_softmax",
    ),
    "linear_regression": ("predict", "loss", "gradients", "gd_step", "fit"),
    "mlp": ("linear_forward", "linear_backward", "mlp_forward", "mlp_backward",
            "numerical_gradient"),
    "losses": ("mse", "mse_loss", "cross_entropy", "cross_entropy_loss",
               "gaussian_log_likelihood", "gaussian_nll_loss"),
    "torch_api": ("legacy_reduction", "mse_loss_and_grad"),
}

#: Modules that must be written with numpy only; torch (or scipy, ...) there is a policy violation.
FROM_SCRATCH: frozenset[str] = frozenset({"activations", "linear_regression", "mlp", "losses"})

#: Libraries that compute the answer for the student; forbidden in FROM_SCRATCH modules.
FORBIDDEN_LIBRARIES: tuple[str, ...] = (
    "torch", "scipy", "sklearn", "jax", "jaxlib", "tensorflow", "keras", "autograd",
)

#: Every contract function as ``module.function``, in grading order.
FUNCTIONS: tuple[str, ...] = tuple(f"{m}.{f}" for m, fs in MODULES.items() for f in fs)


def module_of(function: str) -> str:
    """``"losses.mse"`` -> ``"losses"``."""
    return function.split(".", 1)[0]


def name_of(function: str) -> str:
    """``"losses.mse"`` -> ``"mse"``."""
    return function.split(".", 1)[1]
