r"""Comparing distributions: the KL divergence, entropy and cross-entropy.

:class:`KLDivergence` is PyTorch's ``kl_div`` as a loss, its first argument
the log-probabilities :math:`\log q` of the model. :func:`entropy` and
:func:`cross_entropy` are the two quantities it is the difference of,
:math:`D_{\mathrm{KL}}(p \,\|\, q) = H(p, q) - H(p)`, for distributions along
the last axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib._validation import (
    as_float_array,
    check_finite,
    check_in_interval,
    check_nonempty,
    refuse_matrix_and_masked,
)
from optlib.losses.base import (
    REDUCTIONS,
    Loss,
    _check_from_logits,
    _check_pair,
    _Setting,
)


class KLDivergence(Loss):
    r"""Kullback-Leibler divergence, PyTorch's ``kl_div``: how far the model's q is from p.

    ``y_pred`` holds log-probabilities :math:`\log q` (a log-softmax, say:
    **not** probabilities), ``y_true`` the target probabilities :math:`p`, or
    their logarithms :math:`\log p` when ``log_target=True``; both of one
    shape, each distribution usually a row. For each element:

    .. math::

        \ell = p \,(\log p - \log q),
        \qquad
        \frac{\partial \ell}{\partial \log q} = -p,

    with :math:`0 \log 0 = 0`, so that an element of target 0 contributes 0
    whatever ``y_pred`` is (PyTorch computes :math:`p \log p` as
    ``xlogy(p, p)``). With ``log_target=True`` the target's logarithm is
    given, :math:`\ell = e^{\log p} (\log p - \log q)`, which is exact for
    tiny probabilities whose logarithm a probability would not survive.

    The elements are *not* summed per distribution: ``reduction="none"``
    gives one :math:`\ell` per element, of either sign. Summed over a row
    they make :math:`D_{\mathrm{KL}}(p \,\|\, q) \ge 0`, which is 0 only for
    :math:`q = p`.

    **Reductions.** Besides ``"sum"`` and ``"none"``, ``"batchmean"`` divides
    the sum by ``len(y_pred)``, the number of distributions (rows): the mean
    KL divergence of the batch, the one that matches the mathematical
    definition and that PyTorch recommends. ``"mean"``, the default as in
    PyTorch, divides by the number of *elements*, n times the number of
    classes C, so it is the KL divergence divided by C as well; PyTorch
    warns that it will become ``"batchmean"``. optlib does not warn: prefer
    ``"batchmean"``. (For a 0-d ``y_pred`` ``"batchmean"`` divides by 1, as
    in PyTorch.)

    PyTorch: ``torch.nn.functional.kl_div(y_pred, y_true, reduction=...,
    log_target=log_target)`` (``torch.nn.KLDivLoss``). Keras:
    ``keras.losses.KLDivergence()`` takes *probabilities* in both arguments
    (and the target first), clips them to :math:`[10^{-7}, 1]` and sums over
    the last axis: ``kl_div(np.log(q), p, reduction="batchmean")`` on rows.

    Parameters
    ----------
    log_target : bool
        Whether ``y_true`` holds log-probabilities rather than probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import kl_div
    >>> p, q = np.array([[0.5, 0.5, 0.0]]), np.array([[0.25, 0.25, 0.5]])
    >>> kl_div(np.log(q), p, reduction="batchmean")  # 0.5 log 2 + 0.5 log 2 + 0
    np.float64(0.6931471805599453)
    >>> kl_div.grad(np.log(q), p, reduction="batchmean")
    array([[-0.5, -0.5, -0. ]])
    >>> kl_div(np.log(q), p, reduction="none")  # per element; the 0 of p gives 0
    array([[0.34657359, 0.34657359, 0.        ]])
    """

    _reductions = (*REDUCTIONS, "batchmean")

    log_target = _Setting(_check_from_logits)

    def __init__(self, log_target: bool = False) -> None:
        self.log_target = log_target

    def __repr__(self) -> str:
        return f"KLDivergence(log_target={self.log_target})"

    def _check(self, y_pred, y_true):
        y_pred, y_true = _check_pair(y_pred, y_true)
        _check_log_probabilities("y_pred", y_pred)
        if self.log_target:
            _check_log_probabilities("y_true", y_true)
        else:
            check_in_interval("y_true", y_true, 0.0, 1.0, "probabilities")
        return y_pred, y_true

    def _losses_and_grads(self, y_pred, y_true):
        log_q = y_pred
        if self.log_target:
            log_p = y_true
            p = np.exp(log_p)
            return p * (log_p - log_q), -p
        p = y_true
        return _xlogy(p, p) - p * log_q, -p

    def _count(self, reduction, losses, y_true):
        """``"batchmean"`` divides by the number of rows, ``"mean"`` by the number of elements."""
        if reduction == "batchmean":
            return len(losses) if losses.ndim else 1
        return losses.size


def entropy(p: ArrayLike) -> np.floating | np.ndarray:
    r"""The entropy :math:`H(p) = -\sum_c p_c \log p_c` of each distribution along the last axis.

    In nats (natural logarithm), with :math:`0 \log 0 = 0`. It is largest,
    :math:`\log C`, for the uniform distribution over C outcomes, and 0 for
    a certain outcome. The probabilities are taken as given, not
    renormalised.

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1]; each distribution is a slice along the last
        axis (a row of a 2-D array).

    Returns
    -------
    numpy.floating or numpy.ndarray
        One entropy per distribution: the shape of ``p`` without its last axis.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import entropy
    >>> entropy(np.array([0.25, 0.25, 0.25, 0.25]))  # log 4
    np.float64(1.3862943611198906)
    >>> entropy(np.array([[1.0, 0.0], [0.5, 0.5]]))  # certain; a fair coin, log 2
    array([0.        , 0.69314718])
    """
    p = _check_distributions("p", p)
    return 0.0 - _xlogy(p, p).sum(axis=-1)  # 0.0 - : a certain outcome gives 0, not -0


def cross_entropy(p: ArrayLike, q: ArrayLike) -> np.floating | np.ndarray:
    r"""The cross-entropy :math:`H(p, q) = -\sum_c p_c \log q_c` of each pair of distributions.

    The expected code length, in nats, of outcomes drawn from :math:`p` when
    coded for :math:`q`: at least :math:`H(p)`, with equality only for
    :math:`q = p`, and :math:`H(p, q) - H(p)` is
    :math:`D_{\mathrm{KL}}(p \,\|\, q)` (:class:`KLDivergence`). A term with
    :math:`p_c = 0` counts 0, even where :math:`q_c = 0`; a :math:`q_c = 0`
    where :math:`p_c > 0` makes it infinite (without a warning). It is the
    loss :class:`CategoricalCrossEntropy` computes from probabilities,
    without the clipping.

    Parameters
    ----------
    p, q : array_like
        Probabilities in [0, 1] of one shape; each distribution is a slice
        along the last axis. ``p`` is the true one, ``q`` the model's.

    Returns
    -------
    numpy.floating or numpy.ndarray
        One cross-entropy per pair: the shape of ``p`` without its last axis.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib.losses import cross_entropy, entropy
    >>> p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    >>> cross_entropy(p, q)  # 0.5 log 4 + 0.5 log(4/3)
    np.float64(0.8369882167858358)
    >>> cross_entropy(p, q) - entropy(p)  # the KL divergence, > 0
    np.float64(0.1438410362258905)
    """
    p = _check_distributions("p", p)
    q = _check_distributions("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got p {p.shape} and q {q.shape}")
    dtype = np.promote_types(p.dtype, q.dtype)
    return -_xlogy(p.astype(dtype), q.astype(dtype)).sum(axis=-1)


# --- shared pieces -----------------------------------------------------------------


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x log y``, 0 wherever ``x = 0`` (even for ``y = 0``), as ``torch.xlogy``.

    Where ``x > 0 = y`` it is ``-inf``, without a warning.
    """
    log_y = np.full_like(y, -np.inf)
    np.log(y, out=log_y, where=y > 0)
    product = np.zeros_like(y)
    np.multiply(x, log_y, out=product, where=x != 0)
    return product


def _check_log_probabilities(name: str, array: np.ndarray) -> None:
    """Refuse positive entries: a log-probability is at most 0."""
    positive = array > 0
    if positive.any():
        raise ValueError(
            f"{name} must hold log-probabilities (<= 0), found {int(positive.sum())} positive, "
            f"e.g. {array[positive].flat[0].item()!r}: KLDivergence takes log q, such as "
            "np.log(q) or a log-softmax, not the probabilities q"
            + ("; pass log_target=False for target probabilities" if name == "y_true" else "")
        )


def _check_distributions(name: str, value: Any) -> np.ndarray:
    """Probabilities in [0, 1], at least 1-D, as a float array (float32 or wider)."""
    refuse_matrix_and_masked(name, value)
    p = as_float_array(name, value)
    p = p.astype(np.promote_types(p.dtype, np.float32), copy=False)
    if p.ndim == 0:
        raise ValueError(f"{name} must be at least 1-D: a distribution along the last axis")
    check_nonempty(name, p)
    check_finite(name, p)
    check_in_interval(name, p, 0.0, 1.0, "probabilities")
    return p
