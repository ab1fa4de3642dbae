"""Loss functions (손실 함수): the lecture's formulas and PyTorch's versions side by side.

The lecture defines each loss with its own normalisation; PyTorch's loss functions
differ in details that matter when you compare numbers, so each comes twice:

- `mse` (lecture: sum over D, mean over N) and `mse_loss` (PyTorch: mean over N·D);
- `cross_entropy` (lecture: from probabilities) and `cross_entropy_loss` (PyTorch:
  from logits, with class-index or probability targets);
- `gaussian_log_likelihood` (lecture: maximum likelihood estimation, 최대 우도 추정, the
  log-likelihood to maximise) and `gaussian_nll_loss` (PyTorch: the negative, to minimise).

PyTorch's ``reduction`` argument: ``"mean"`` averages the elementwise losses, ``"sum"``
adds them, ``"none"`` returns them unreduced; anything else raises ``ValueError``.
Shapes: batches are rows, ``(N, D)`` for targets and predictions, ``(N, C)`` for C classes.
"""

import numpy as np


def mse(y: np.ndarray, y_hat: np.ndarray) -> float:
    """The lecture's mean squared error ``(1/N) Σ_i Σ_d (y_i^d - ŷ_i^d)^2``, a float.

    Shapes: ``y`` and ``y_hat`` are ``(N, D)``, or ``(N,)`` for D = 1. The squared error
    is summed over the D outputs of an example and averaged over the N examples.

    >>> y = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> mse(y, np.zeros((2, 2)))                # (1 + 4 + 9 + 16) / 2
    15.0

    PyTorch differs: ``nn.MSELoss()`` averages over all N·D elements, giving 7.5 here
    (see `mse_loss`). Both have the same minimiser; their gradients differ by a factor D.
    """
    raise NotImplementedError("implement mse: see the docstring")


def mse_loss(
    input: np.ndarray, target: np.ndarray, reduction: str = "mean"
) -> float | np.ndarray:
    """PyTorch's ``F.mse_loss``: the squared errors ``(input - target)^2``, reduced.

    ``reduction``: ``"mean"`` over all elements (a float), ``"sum"`` (a float) or
    ``"none"`` (the elementwise array, shaped like ``input``); anything else raises
    ``ValueError``. Any shape.

    >>> y_hat = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> mse_loss(y_hat, np.zeros((2, 2))), mse_loss(y_hat, np.zeros((2, 2)), "sum")
    (7.5, 30.0)
    >>> mse_loss(y_hat, np.zeros((2, 2)), reduction="none")
    array([[ 1.,  4.],
           [ 9., 16.]])

    Note the argument order of PyTorch's losses: the prediction first, then the target.
    """
    raise NotImplementedError("implement mse_loss: see the docstring")


def cross_entropy(y: np.ndarray, y_hat: np.ndarray) -> float:
    """The lecture's cross-entropy (교차 엔트로피) ``-(1/N) Σ_i Σ_d y_i^d log ŷ_i^d``.

    Shapes: ``y`` (one-hot or probability targets) and ``y_hat`` (predicted
    probabilities) are ``(N, C)``. A term with ``y = 0`` contributes 0, even where
    ``ŷ = 0`` (the limit of ``p log p`` is 0), although ``0 * np.log(0)`` is ``nan``:
    take the log only where ``y > 0`` (``np.where``), as ``torch.special.xlogy`` does.

    >>> y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    >>> y_hat = np.array([[0.2, 0.5, 0.3], [0.25, 0.75, 0.0]])
    >>> round(cross_entropy(y, y_hat), 6)       # (-log 0.5 - log 0.25) / 2
    1.039721

    PyTorch differs: ``F.cross_entropy`` takes logits, not probabilities, and applies
    log-softmax itself (see `cross_entropy_loss`); feeding it probabilities is a classic
    bug. ``F.nll_loss`` takes log-probabilities.
    """
    raise NotImplementedError("implement cross_entropy: see the docstring")


def cross_entropy_loss(
    logits: np.ndarray, target: np.ndarray, reduction: str = "mean"
) -> float | np.ndarray:
    """PyTorch's ``F.cross_entropy`` for logits ``(N, C)``.

    ``target`` is either integer class indices of shape ``(N,)`` or class probabilities
    of shape ``(N, C)``. The loss of example i is ``-log softmax(logits_i)[target_i]``
    for an index, ``-Σ_c target_ic log softmax(logits_i)_c`` for probabilities; then
    ``reduction`` (``"mean"`` over the N examples, ``"sum"`` or ``"none"``: shape ``(N,)``).

    Stability: logits of size 1e4 overflow ``np.exp``; compute the log-softmax with the
    max-subtraction trick (see ``activations.log_softmax``), never ``log(softmax(x))``.

    >>> logits = np.array([[2.0, 0.0, 0.0]])
    >>> cross_entropy_loss(logits, np.array([0]))                # log(e² + 2) - 2
    0.2395447662218847
    >>> cross_entropy_loss(logits, np.array([[0.5, 0.5, 0.0]]))  # half class 0, half 1
    1.2395447662218846
    >>> cross_entropy_loss(np.array([[0.0, 0.0, 10000.0]]), np.array([0]))
    10000.0

    The lecture's `cross_entropy` of ``softmax(logits)`` and one-hot targets is the
    same number as the mean here, computed less stably.
    """
    raise NotImplementedError("implement cross_entropy_loss: see the docstring")


def gaussian_log_likelihood(y: np.ndarray, y_hat: np.ndarray, var: float = 1.0) -> float:
    """The lecture's MLE objective ``(1/N) Σ_i Σ_d log N(y_i^d; ŷ_i^d, var)``, a float.

    The Gaussian log-density with mean ``ŷ`` and variance ``var`` (분산, σ²) is

        log N(y; ŷ, var) = -½ log(2π var) - (y - ŷ)² / (2 var)

    Summed over the D outputs and averaged over the N examples (``(N, D)`` arrays, or
    ``(N,)`` for D = 1). This is to be *maximised*: for a fixed ``var`` that is the same
    as minimising the squared error, which is why MSE is the maximum-likelihood loss
    for Gaussian noise.

    >>> y = np.array([[0.0], [2.0]])
    >>> round(gaussian_log_likelihood(y, np.zeros((2, 1))), 6)   # -½ log 2π - ½·4/2
    -1.918939

    PyTorch: ``torch.distributions.Normal(y_hat, scale).log_prob(y)`` gives each
    ``log N`` term, with ``scale`` the standard deviation ``sqrt(var)``, not the variance.
    """
    raise NotImplementedError("implement gaussian_log_likelihood: see the docstring")


def gaussian_nll_loss(
    input: np.ndarray,
    target: np.ndarray,
    var: float | np.ndarray,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> float | np.ndarray:
    """PyTorch's ``F.gaussian_nll_loss``: the Gaussian negative log-likelihood.

    Elementwise, with ``v = max(var, eps)`` (a clamp, not ``var + eps``: a variance of
    0 would divide by 0):

        loss = ½ (log v + (input - target)² / v)   (+ ½ log 2π when ``full=True``)

    then ``reduction`` over all elements. ``input`` is the predicted mean ``ŷ`` and
    ``target`` the observation ``y``. ``var`` may be

    - a float: one variance for every element;
    - an array of ``input``'s shape: one variance per element;
    - an array of shape ``input.shape[:-1]``: one variance per row, applied to the last
      axis (reshape it to ``input.shape[:-1] + (1,)`` to broadcast);
    - an array of ``input``'s number of dimensions that differs from its shape in one
      axis only, where it is 1 (e.g. ``input.shape[:-1] + (1,)``), broadcast along it.

    Like PyTorch, raise ``ValueError`` for a negative variance, for any other shape of
    ``var`` and for an invalid ``reduction``.

    >>> y_hat, y = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([[0.0, 0.0], [0.0, 0.0]])
    >>> gaussian_nll_loss(y_hat, y, var=1.0)                     # ½ (0 + 1 + 4 + 9) / 4
    1.75
    >>> gaussian_nll_loss(np.array([1.0]), np.array([1.0]), var=0.0)   # ½ log eps
    -6.907755278982137

    Compared with the lecture, PyTorch drops the constant ``½ log 2π`` unless
    ``full=True``, minimises the negative, and its ``"mean"`` averages over N·D
    elements. With ``full=True`` and ``reduction="sum"``, dividing by N gives exactly
    ``-gaussian_log_likelihood(y, y_hat, var)``.
    """
    raise NotImplementedError("implement gaussian_nll_loss: see the docstring")
