"""Reading PyTorch's loss API (손실 함수 API): its classes, arguments and source.

Here torch is the point: build the ``torch.nn`` loss objects and let autograd do the
work. PyTorch's loss classes (``nn.MSELoss``, ``nn.CrossEntropyLoss``, ...) take a
``reduction`` argument: ``"mean"``, ``"sum"`` or ``"none"``. Older code used two
boolean arguments instead, ``size_average`` and ``reduce``, which PyTorch still accepts
(deprecated) and translates into a ``reduction``: reading that translation in PyTorch's
own source is the first exercise. Find the source with
``python -c "import torch.nn._reduction as r; print(r.__file__)"``.
"""

import numpy as np
import torch


def legacy_reduction(size_average: bool | None = None, reduce: bool | None = None) -> str:
    """The ``reduction`` PyTorch derives from the deprecated ``size_average``/``reduce``.

    Returns ``"mean"``, ``"sum"`` or ``"none"``, as ``nn.MSELoss(size_average=...,
    reduce=...)`` does. ``None`` means "not given" and takes the old default. Read
    ``legacy_get_string`` in ``torch/nn/_reduction.py`` and write it yourself (calling
    it is not the exercise).

    >>> legacy_reduction()
    'mean'
    >>> legacy_reduction(size_average=False)
    'sum'

    Try all nine combinations of ``None``, ``True`` and ``False``: in one of them an
    argument is ignored.
    """
    # BEGIN SOLUTION
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"
    # END SOLUTION


def mse_loss_and_grad(
    input: np.ndarray, target: np.ndarray, reduction: str = "mean"
) -> tuple[float | np.ndarray, np.ndarray]:
    """``nn.MSELoss(reduction=reduction)`` applied to numpy arrays, and its gradient.

    Steps: turn ``input`` into a float64 tensor that requires grad (``torch.tensor(...,
    dtype=torch.float64, requires_grad=True)`` copies, so the array is left alone) and
    ``target`` into a float64 tensor; build the loss object and apply it; back-propagate
    (``loss.sum().backward()`` for ``"none"``, whose loss is not a scalar); return
    ``(loss, grad)``: the loss as a float (the array of shape ``input.shape`` for
    ``"none"``) and ``input``'s gradient as a numpy array of ``input``'s shape.
    An invalid ``reduction`` raises ``ValueError`` (PyTorch does that for you).

    >>> loss, grad = mse_loss_and_grad(np.array([1.0, 2.0]), np.zeros(2))
    >>> loss, grad                              # (1 + 4) / 2 and 2 (input - target) / 2
    (2.5, array([1., 2.]))
    """
    # BEGIN SOLUTION
    x = torch.tensor(input, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.MSELoss(reduction=reduction)(x, torch.tensor(target, dtype=torch.float64))
    loss.sum().backward()
    value = loss.detach().numpy() if reduction == "none" else loss.item()
    return value, x.grad.numpy()
    # END SOLUTION
