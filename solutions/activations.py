"""Non-linearities (활성화 함수, activation functions) and their derivatives (미분).

Stacking linear layers without a non-linearity between them gives one linear map again:
activations are what make depth useful. The elementwise functions accept an array of any
shape and float dtype and return a new array of the same shape; `softmax` and
`log_softmax` act along one axis. Never modify ``x`` in place.

The derivatives (`relu_grad`, `sigmoid_grad`, `tanh_grad`) are what backpropagation
(역전파) multiplies by on its way back through an activation. They take the
pre-activation ``x`` (the activation's input), not its output.

Mind the extremes: ``e^x`` overflows for x > 709 in float64 (x > 88 in float32), so
the textbook formulas give ``inf`` or ``nan`` for x = ±1000. Each docstring says which
equivalent form never overflows.
"""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """ReLU (Rectified Linear Unit): ``relu(x) = max(x, 0)`` elementwise.

    Shape: any; the result has the shape of ``x``.

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])

    PyTorch: ``torch.relu(x)`` or ``nn.ReLU()``.
    """
    # BEGIN SOLUTION
    return np.maximum(x, 0.0)
    # END SOLUTION


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid: ``σ(x) = 1 / (1 + e^{-x})`` elementwise, always in [0, 1].

    Shape: any; the result has the shape of ``x``.

    Stability: for x = -1000, ``e^{-x} = e^{1000}`` overflows. Exponentiate only
    non-positive numbers: for x < 0 use the equal form ``σ(x) = e^x / (1 + e^x)``;
    ``np.where`` picks the right form for each element.

    >>> sigmoid(np.array([0.0, 2.0, -1000.0]))
    array([0.5       , 0.88079708, 0.        ])

    PyTorch: ``torch.sigmoid(x)`` or ``nn.Sigmoid()``.
    """
    # BEGIN SOLUTION
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    # END SOLUTION


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent: ``tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x})``, in [-1, 1].

    Shape: any; the result has the shape of ``x``.

    Stability: the quotient above is ``inf / inf = nan`` for x = 1000. ``np.tanh`` is
    stable; so is ``2 σ(2x) - 1`` with a stable sigmoid.

    >>> tanh(np.array([0.0, 1.0, -1000.0]))
    array([ 0.        ,  0.76159416, -1.        ])

    PyTorch: ``torch.tanh(x)`` or ``nn.Tanh()``.
    """
    # BEGIN SOLUTION
    return np.tanh(x)
    # END SOLUTION


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ReLU at ``x``: 1 where x > 0, else 0.

    Shape: any; the result has the shape of ``x``.

    At x = 0 ReLU has no derivative; like PyTorch's autograd, take 0 there.

    >>> relu_grad(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """
    # BEGIN SOLUTION
    return np.where(x > 0, 1.0, 0.0)
    # END SOLUTION


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid at ``x``: ``σ'(x) = σ(x) (1 - σ(x))``.

    Shape: any; the result has the shape of ``x``. Its largest value is 1/4, at x = 0:
    a deep stack of sigmoids shrinks gradients (vanishing gradients, 기울기 소실).

    >>> sigmoid_grad(np.array([0.0, 1000.0]))
    array([0.25, 0.  ])
    """
    # BEGIN SOLUTION
    s = sigmoid(x)
    return s * (1 - s)
    # END SOLUTION


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of tanh at ``x``: ``tanh'(x) = 1 - tanh(x)^2``.

    Shape: any; the result has the shape of ``x``.

    >>> tanh_grad(np.array([0.0, 1000.0]))
    array([1., 0.])
    """
    # BEGIN SOLUTION
    return 1 - np.tanh(x) ** 2
    # END SOLUTION


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``: ``softmax(x)_k = e^{x_k} / Σ_j e^{x_j}``.

    Shape: any; the result has the shape of ``x`` and sums to 1 along ``axis``. For a
    batch of logits ``(N, C)`` the default ``axis=-1`` gives one distribution per row.

    Stability: ``e^{10000}`` overflows. Softmax does not change when the same constant
    is subtracted from every x_j, so subtract the maximum along ``axis`` first
    (``keepdims=True`` keeps the shapes broadcastable): then every exponent is <= 0.

    >>> softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 10000.0]]))
    array([[0.09003057, 0.24472847, 0.66524096],
           [0.        , 0.        , 1.        ]])

    PyTorch: ``torch.softmax(x, dim=axis)``; PyTorch says ``dim`` where numpy says ``axis``.
    """
    # BEGIN SOLUTION
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
    # END SOLUTION


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Log of the softmax along ``axis``: ``x_k - log Σ_j e^{x_j}``.

    Shape: any; the result has the shape of ``x``.

    Stability: ``np.log(softmax(x))`` gives ``log 0 = -inf`` once a probability
    underflows (logits 1e4 apart). With ``z = x - max(x)`` (along ``axis``), use
    ``log_softmax(x) = z - log Σ_j e^{z_j}``: the sum is at least 1, so its log is finite.

    >>> log_softmax(np.array([0.0, 10000.0]))
    array([-10000.,      0.])

    PyTorch: ``torch.log_softmax(x, dim=axis)``, which ``F.cross_entropy`` applies to
    its logits.
    """
    # BEGIN SOLUTION
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    # END SOLUTION
