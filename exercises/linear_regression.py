"""A linear neural network (선형 신경망) trained by gradient descent (경사 하강법).

One input, one output, two parameters: the model is ``ŷ = w x + b``. The loss (손실
함수) is the mean squared error over the N data points, and gradient descent walks
``w`` and ``b`` downhill along the loss's partial derivatives (기울기).

Shapes: ``x`` and ``y`` are arrays of shape ``(N,)``; ``w``, ``b``, the learning rate
``lr``, the loss and the gradients are Python floats.
"""

import numpy as np


def predict(x: np.ndarray, w: float, b: float) -> np.ndarray:
    """The model's predictions ``ŷ_i = w x_i + b``, shape ``(N,)``.

    >>> predict(np.array([0.0, 1.0, 2.0]), 2.0, 1.0)
    array([1., 3., 5.])

    PyTorch: ``nn.Linear(1, 1)`` computes the same for inputs of shape ``(N, 1)``.
    """
    raise NotImplementedError("implement predict: see the docstring")


def loss(x: np.ndarray, y: np.ndarray, w: float, b: float) -> float:
    """The mean squared error ``L(w, b) = (1/N) Σ_i (y_i - (w x_i + b))^2``, a float.

    >>> x = np.array([0.0, 1.0, 2.0])
    >>> y = np.array([1.0, 3.0, 5.0])          # y = 2x + 1 exactly
    >>> loss(x, y, 2.0, 1.0)
    0.0
    >>> loss(x, y, 0.0, 0.0)                   # (1 + 9 + 25) / 3
    11.666666666666666

    PyTorch: ``nn.MSELoss()(y_hat, y)``; here the data are one-dimensional, so its mean
    over all elements is the same mean over N.
    """
    raise NotImplementedError("implement loss: see the docstring")


def gradients(x: np.ndarray, y: np.ndarray, w: float, b: float) -> tuple[float, float]:
    """The partial derivatives ``(dw, db) = (∂L/∂w, ∂L/∂b)`` of `loss`, as floats.

    With ``ŷ_i = w x_i + b`` the chain rule gives, since ``∂(y_i - ŷ_i)/∂w = -x_i`` and
    ``∂(y_i - ŷ_i)/∂b = -1``:

        dw = -(2/N) Σ_i x_i (y_i - ŷ_i)
        db = -(2/N) Σ_i (y_i - ŷ_i)

    Mind the sign. The lecture's slide writes ``∂L/∂b = -(1/N) Σ -2(y - wx - b)``: two
    minus signs, so it equals ``+(2/N) Σ (y_i - ŷ_i)``, the opposite of the true
    gradient. The inner derivative contributes one minus sign, once. With the wrong sign,
    gradient descent climbs the loss instead of descending it. Check a derivative with
    centred differences: ``(L(b + h) - L(b - h)) / 2h`` for a small h.

    >>> x = np.array([0.0, 1.0, 2.0])
    >>> y = np.array([1.0, 3.0, 5.0])          # y = 2x + 1 exactly
    >>> gradients(x, y, 2.0, 1.0) == (0.0, 0.0)   # at the minimum, both are 0
    True
    >>> gradients(x, y, 0.0, 0.0)              # negative: increase w and b
    (-8.666666666666666, -6.0)

    PyTorch: ``loss.backward()`` leaves these in ``w.grad`` and ``b.grad``.
    """
    raise NotImplementedError("implement gradients: see the docstring")


def gd_step(w: float, b: float, dw: float, db: float, lr: float) -> tuple[float, float]:
    """One gradient-descent update ``(w - lr·dw, b - lr·db)``.

    Each parameter moves against its gradient, by the learning rate ``lr`` (학습률)
    times that gradient.

    >>> gd_step(0.0, 0.0, -8.0, -6.0, 0.1)
    (0.8, 0.6000000000000001)

    PyTorch: ``torch.optim.SGD(params, lr=lr).step()`` (no momentum) does exactly this
    with the gradients stored in each parameter's ``.grad``.
    """
    raise NotImplementedError("implement gd_step: see the docstring")


def fit(
    x: np.ndarray,
    y: np.ndarray,
    lr: float = 0.1,
    steps: int = 100,
    w0: float = 0.0,
    b0: float = 0.0,
) -> tuple[float, float, list[float]]:
    """Train from ``(w0, b0)`` with ``steps`` gradient-descent updates.

    Returns ``(w, b, losses)``: the final parameters and the loss history, a list of
    ``steps`` floats where ``losses[k]`` is the loss at the parameters *before* update
    ``k`` (so ``losses[0] == loss(x, y, w0, b0)``, and the final parameters' loss is not
    in the list). Reuse `loss`, `gradients` and `gd_step`.

    >>> x = np.array([0.0, 1.0, 2.0])
    >>> y = np.array([1.0, 3.0, 5.0])          # y = 2x + 1 exactly
    >>> w, b, losses = fit(x, y, lr=0.1, steps=500)
    >>> round(w, 6), round(b, 6), len(losses), losses[0]
    (2.0, 1.0, 500, 11.666666666666666)

    PyTorch: the usual training loop records ``loss.item()`` after the forward pass
    and before ``optimizer.step()``, which is the same history.
    """
    raise NotImplementedError("implement fit: see the docstring")
