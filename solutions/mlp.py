"""A multi-layer perceptron (다층 퍼셉트론, MLP) and backpropagation (역전파).

A layer maps a batch of rows: ``x (N, D_in) @ W (D_in, D_out) + b (D_out,)``. This is
the lecture's ``W^T x`` written for every row of ``x`` at once; PyTorch's
``nn.Linear(D_in, D_out)`` stores its ``weight`` as ``(D_out, D_in)``, our ``W.T``.
Two layers with an activation (활성화 함수) between them make the MLP:

    z = x @ W1 + b1,   h = act(z),   out = h @ W2 + b2

``params`` is a dict with keys ``W1 (D_in, H)``, ``b1 (H,)``, ``W2 (H, D_out)``,
``b2 (D_out,)``; ``activation`` is ``"relu"``, ``"sigmoid"`` or ``"tanh"``.

Backpropagation applies the chain rule from the loss back to every parameter, layer by
layer: `linear_backward` does one layer, `mlp_backward` chains them, and
`numerical_gradient` checks the result.

Reuse your activations and their derivatives; any of these imports works:
``from activations import relu``, ``from .activations import relu`` or
``from exercises.activations import relu``.
"""

from collections.abc import Callable

import numpy as np

# BEGIN SOLUTION
from .activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad

_ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
}
# END SOLUTION


def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One fully connected layer: ``x @ W + b``, shape ``(N, D_out)``.

    Shapes: ``x (N, D_in)``, ``W (D_in, D_out)``, ``b (D_out,)``, broadcast over the rows.

    >>> linear_forward(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]),
    ...                np.array([0.0, 0.0, 0.5]))
    array([[1. , 2. , 3.5]])

    PyTorch: ``nn.Linear`` with ``weight = W.T`` and ``bias = b``.
    """
    # BEGIN SOLUTION
    return x @ W + b
    # END SOLUTION


def linear_backward(
    dout: np.ndarray, x: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients ``(dx, dW, db)`` of a scalar loss through ``out = x @ W + b``.

    ``dout = ∂loss/∂out`` has the output's shape ``(N, D_out)``. The chain rule gives

        dx = dout @ W.T          (N, D_in)
        dW = x.T @ dout          (D_in, D_out)
        db = Σ_i dout_i          (D_out,)   (b is added to every row)

    Each gradient has the shape of what it is the gradient of: when unsure where a
    transpose goes, match the shapes.

    >>> dx, dW, db = linear_backward(np.array([[1.0], [2.0]]),
    ...                              np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[3.0], [4.0]]))
    >>> dx
    array([[3., 4.],
           [6., 8.]])
    >>> dW, db
    (array([[1.],
           [2.]]), array([3.]))

    PyTorch: autograd computes the same; ``nn.Linear``'s ``weight.grad`` is ``dW.T``.
    """
    # BEGIN SOLUTION
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)
    # END SOLUTION


def mlp_forward(
    x: np.ndarray, params: dict[str, np.ndarray], activation: str = "relu"
) -> np.ndarray:
    """The two-layer MLP: ``act(x @ W1 + b1) @ W2 + b2``, shape ``(N, D_out)``.

    >>> params = {"W1": np.array([[1.0, -1.0]]), "b1": np.zeros(2),
    ...           "W2": np.array([[1.0], [1.0]]), "b2": np.array([0.5])}
    >>> mlp_forward(np.array([[2.0], [-3.0]]), params)          # relu keeps one unit
    array([[2.5],
           [3.5]])

    PyTorch: ``nn.Sequential(nn.Linear(D_in, H), nn.ReLU(), nn.Linear(H, D_out))``.
    """
    # BEGIN SOLUTION
    act, _ = _ACTIVATIONS[activation]
    h = act(linear_forward(x, params["W1"], params["b1"]))
    return linear_forward(h, params["W2"], params["b2"])
    # END SOLUTION


def mlp_backward(
    x: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray], activation: str = "relu"
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of the MLP: ``(loss, grads)``.

    ``loss`` is the mean over *all* ``N·D_out`` elements of ``(mlp_forward(x) - y)^2``
    (PyTorch's ``nn.MSELoss()``, not the lecture's mean over N); ``y`` is ``(N, D_out)``.
    ``grads`` has the keys and shapes of ``params``. Backpropagate from

        ∂loss/∂out = 2 (out - y) / (N·D_out)

    back through the second layer (`linear_backward`), the activation (multiply
    elementwise by ``act'(z)``, the derivative at the pre-activation ``z = x @ W1 + b1``)
    and the first layer. Taking ``act'`` at the output ``h`` instead of ``z`` goes
    unnoticed with ReLU (both are positive in the same places), not with sigmoid or tanh.

    >>> params = {"W1": np.array([[1.0]]), "b1": np.zeros(1),
    ...           "W2": np.array([[2.0]]), "b2": np.zeros(1)}
    >>> loss, grads = mlp_backward(np.array([[1.0]]), np.array([[1.0]]), params)
    >>> loss, grads["W2"], grads["W1"]          # out = 2, ∂loss/∂out = 2, ∂loss/∂z = 2·2
    (1.0, array([[2.]]), array([[4.]]))

    PyTorch: ``nn.MSELoss()(model(x), y).backward()`` fills every ``.grad``.
    """
    # BEGIN SOLUTION
    act, act_grad = _ACTIVATIONS[activation]
    z = linear_forward(x, params["W1"], params["b1"])
    h = act(z)
    out = linear_forward(h, params["W2"], params["b2"])
    loss = float(np.mean((out - y) ** 2))
    d_out = 2 * (out - y) / out.size
    dh, dW2, db2 = linear_backward(d_out, h, params["W2"])
    dz = dh * act_grad(z)
    _, dW1, db1 = linear_backward(dz, x, params["W1"])
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    # END SOLUTION


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Centred finite differences of the scalar function ``f`` at ``x``, shaped like ``x``.

    For every element ``x_k``, with ``e_k`` the array that is 1 at ``k`` and 0 elsewhere:

        grad_k = (f(x + h e_k) - f(x - h e_k)) / 2h

    The error of this centred difference shrinks like h²; the forward difference
    ``(f(x + h e_k) - f(x)) / h`` is only accurate to about h, which is not enough to
    check a gradient. Nudge one element at a time in a float64 copy of ``x`` and put it
    back: the caller's ``x`` must be unchanged afterwards.

    >>> g = numerical_gradient(lambda v: np.sum(v ** 3), np.array([1.0, 2.0]))
    >>> np.round(g, 6)                          # exactly 3 v^2
    array([ 3., 12.])

    PyTorch: ``torch.autograd.gradcheck`` compares autograd with the same differences.
    """
    # BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        saved = x[k]
        x[k] = saved + h
        f_plus = f(x)
        x[k] = saved - h
        f_minus = f(x)
        x[k] = saved
        grad[k] = (f_plus - f_minus) / (2 * h)
    return grad
    # END SOLUTION
