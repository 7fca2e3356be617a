r"""Muon: momentum, orthogonalised by a Newton–Schulz iteration, :class:`Muon`.

The rule, :func:`muon_step`, reads like ``torch.optim.Muon``'s algorithm box; the
orthogonalisation is :func:`newton_schulz`. Unlike the element-wise rules, the
step of a weight matrix is a function of the whole matrix: its momentum with
every singular value pushed near 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib._validation import MUON_CHECKS, refuse_sweeps
from optlib.optimizers.base import Optimizer
from optlib.optimizers.pieces import ema_update, lerp_

__all__ = ["Muon", "bfloat16", "muon_step", "newton_schulz"]


def muon_step(
    param: np.ndarray,
    grad: np.ndarray,
    state: dict[str, Any],
    *,
    lr: float,
    weight_decay: float,
    momentum: float,
    nesterov: bool,
    ns_coefficients: tuple[float, float, float],
    eps: float,
    ns_steps: int,
    adjust_lr_fn: str | None,
) -> None:
    r"""One step of :class:`Muon` on one matrix parameter, in place (no validation).

    ``state`` holds ``"momentum_buffer"`` :math:`v`, starting at zero.

    Examples
    --------
    >>> import numpy as np
    >>> W, state = np.zeros((2, 2)), {}
    >>> muon_step(W, np.diag([3.0, 0.5]), state, lr=0.1, weight_decay=0.0, momentum=0.95,
    ...           nesterov=True, ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7,
    ...           ns_steps=5, adjust_lr_fn=None)
    >>> W  # −α times the orthogonalised gradient: about −α·I, whatever the gradient's scale
    array([[-0.07304687,  0.        ],
           [ 0.        , -0.1046875 ]])
    """
    if not state:
        state["momentum_buffer"] = np.zeros_like(param)
    # v ← ρv + (1 − ρ)g
    velocity = ema_update(state["momentum_buffer"], grad, momentum)
    # B ← (1 − ρ)g + ρv with Nesterov, else v
    blend = lerp_(grad.copy(), velocity, momentum) if nesterov else velocity
    # O ← NS(B): B with its singular values pushed near 1
    orthogonal = newton_schulz(blend, ns_coefficients=ns_coefficients, ns_steps=ns_steps, eps=eps)
    # θ ← θ(1 − αλ)
    param *= 1 - lr * weight_decay
    # θ ← θ − α' O, α' the learning rate adjusted to the matrix's shape
    param -= _adjusted_lr(lr, adjust_lr_fn, param.shape) * orthogonal.astype(param.dtype)


def _adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    """α√max(1, m/n) ("original", and None), or 0.2·α√max(m, n) ("match_rms_adamw")."""
    rows, columns = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / columns))
    else:  # "match_rms_adamw"
        ratio = 0.2 * math.sqrt(max(rows, columns))
    return lr * ratio


def newton_schulz(
    matrix: ArrayLike,
    *,
    ns_coefficients: tuple[float, float, float],
    ns_steps: int,
    eps: float,
) -> np.ndarray:
    r"""Orthogonalise a matrix by ``ns_steps`` quintic Newton–Schulz steps, in bfloat16, as torch.

    :math:`X \leftarrow B / \max(\lVert B \rVert_F, \varepsilon)`, then ``ns_steps``
    times :math:`A \leftarrow X X^\top`, :math:`X \leftarrow (aI + bA + cA^2) X`:
    each singular value :math:`\sigma` of :math:`X` becomes
    :math:`a\sigma + b\sigma^3 + c\sigma^5`, and the singular vectors stay. A tall
    matrix is transposed first, so that :math:`A` is the smaller Gram matrix.
    Every result is rounded to bfloat16 (:func:`~optlib.optimizers.muon.bfloat16`),
    as ``torch.optim.Muon`` computes it: the output holds bfloat16 values, in a
    float32 array.

    Parameters
    ----------
    matrix : array_like, 2-D
        :math:`B`.
    ns_coefficients : (a, b, c)
        The quintic's coefficients; torch's default (3.4445, -4.775, 2.0315).
    ns_steps : int
        How many times to apply it; torch's default 5.
    eps : float
        The floor of :math:`\lVert B \rVert_F` (a zero matrix stays zero).

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[3.0, 0.0], [0.0, 0.01]])  # singular values 3 and 0.01
    >>> newton_schulz(B, ns_coefficients=(3.4445, -4.775, 2.0315), ns_steps=5, eps=1e-7)
    array([[0.6875 , 0.     ],
           [0.     , 1.15625]], dtype=float32)

    Both singular values land near 1, not on it: torch's coefficients trade
    convergence for speed.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    a, b, c = ns_coefficients
    x = bfloat16(matrix)
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    # X ← X / max(‖X‖_F, ε): every singular value at most 1
    norm = bfloat16(np.linalg.norm(x))
    x = bfloat16(x / bfloat16(np.maximum(norm, eps)))
    for _ in range(ns_steps):
        # A ← XXᵀ
        gram = bfloat16(x @ x.T)
        # P ← bA + cA²
        polynomial = bfloat16(b * gram + c * (gram @ gram))
        # X ← aX + PX
        x = bfloat16(a * x + polynomial @ x)
    return x.T if tall else x


def bfloat16(x: ArrayLike) -> np.ndarray:
    r"""Round to the nearest bfloat16, ties to even, as torch's ``.bfloat16()``; float32 out.

    bfloat16 keeps float32's sign and 8-bit exponent and the top 7 bits of its
    23-bit fraction: 8 significant bits, a relative precision of :math:`2^{-8}`.
    The input is rounded to float32 first, as torch converts a float64 tensor.
    NaN stays NaN; values beyond bfloat16's range become infinite, as in torch.

    Examples
    --------
    >>> bfloat16([1.0, 1.00390625, 1.01171875, 3.14159265])  # 1 + 2⁻⁸ is a tie: to even
    array([1.      , 1.      , 1.015625, 3.140625], dtype=float32)
    """
    with np.errstate(over="ignore"):  # beyond float32's range: infinite, as in torch
        x = np.asarray(x, dtype=np.float32)
    bits = x.view(np.uint32).astype(np.uint64)  # room for the carry
    # add half of the 16 dropped bits' unit, minus 1 unless the kept part is odd; truncate
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return np.where(np.isnan(x), np.float32(np.nan), rounded.astype(np.uint32).view(np.float32))


class Muon(Optimizer):
    r"""Muon: momentum, orthogonalised by Newton–Schulz steps, as ``torch.optim.Muon``.

    For the weight matrices of hidden layers only: every parameter must be 2-D,
    as in torch. Optimize biases, embeddings and the output layer with
    :class:`AdamW`.

    Parameters
    ----------
    params : ndarray or list of ndarray
        2-D float arrays, updated in place by :meth:`~optlib.optimizers.Optimizer.step`.
    lr : float, default 1e-3
        Learning rate :math:`\alpha`, adjusted to each matrix's shape (``adjust_lr_fn``).
    weight_decay : float, default 0.1
        :math:`\lambda`, decoupled: :math:`\theta \leftarrow \theta(1 - \alpha\lambda)`
        with the unadjusted :math:`\alpha`, as AdamW.
    momentum : float, default 0.95
        :math:`\rho`, the decay of the momentum average.
    nesterov : bool, default True
        Orthogonalise the Nesterov blend :math:`(1 - \rho) g + \rho v` instead of :math:`v`.
    ns_coefficients : (float, float, float), default (3.4445, -4.775, 2.0315)
        :math:`(a, b, c)`, the quintic :math:`a\sigma + b\sigma^3 + c\sigma^5` of
        :func:`newton_schulz`.
    eps : float, default 1e-7
        :math:`\varepsilon`, the floor of the Frobenius norm the momentum is divided by.
    ns_steps : int, default 5
        :math:`k`, Newton–Schulz steps per update (fewer than 100).
    adjust_lr_fn : {None, "original", "match_rms_adamw"}, default None
        ``"original"`` (also None) multiplies :math:`\alpha` by :math:`\sqrt{\max(1, m/n)}`
        for an :math:`m \times n` matrix (Keller Jordan's); ``"match_rms_adamw"`` by
        :math:`0.2\sqrt{\max(m, n)}` (Moonshot's, Liu et al. 2025), which gives the
        update about the RMS of AdamW's, so that AdamW's ``lr`` and ``weight_decay``
        carry over.

    Notes
    -----
    The update (``muon_step``); :math:`v` is the state entry ``"momentum_buffer"``,
    starting at 0, and :math:`\mathrm{NS}` is :func:`newton_schulz`:

    .. math::
       \begin{aligned}
         &\textbf{input: } \alpha \text{ (lr)},\ \lambda \text{ (weight decay)},
            \ \rho \text{ (momentum)},\ \textit{nesterov},\ (a, b, c) \text{ (ns\_coefficients)},
            \ \varepsilon \text{ (eps)},\ k \text{ (ns\_steps)},
            \ \theta_0 \in \mathbb{R}^{m \times n} \text{ (params)},\ f(\theta) \\
         &\textbf{for } t = 1, 2, \ldots \textbf{ do} \\
         &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
         &\quad v_t \leftarrow \rho v_{t-1} + (1 - \rho) g_t \\
         &\quad B_t \leftarrow (1 - \rho) g_t + \rho v_t \textbf{ if } \textit{nesterov}
            \textbf{ else } v_t \\
         &\quad X \leftarrow B_t / \max(\lVert B_t \rVert_F, \varepsilon)
            \quad (\text{transposed first when } m > n) \\
         &\quad \textbf{repeat } k \textbf{ times}:\ A \leftarrow X X^\top,
            \quad X \leftarrow (a I + b A + c A^2) X \\
         &\quad O_t \leftarrow X \quad (\text{transposed back}) \\
         &\quad \theta_t \leftarrow \theta_{t-1}(1 - \alpha\lambda)
            - \alpha\, s(m, n)\, O_t, \quad s = \sqrt{\max(1, m/n)} \text{ or }
            0.2 \sqrt{\max(m, n)}
       \end{aligned}

    **What the iteration does.** With :math:`B = U \Sigma V^\top` (its SVD), each
    step maps :math:`X = U S V^\top` to :math:`U p(S) V^\top`,
    :math:`p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5`: the singular vectors stay,
    and dividing by the Frobenius norm (at least the largest singular value) puts
    every :math:`\sigma` in (0, 1] first. torch's coefficients make :math:`p` steep
    at 0 (:math:`p'(0) = a = 3.4445`) rather than convergent, so after 5 steps
    the singular values are not 1 but in a band around it: every :math:`\sigma`
    with :math:`\sigma / \lVert B \rVert_F` between 0.01 and 1 lands between 0.68
    and 1.14 (torch's docstring, after Keller Jordan, says roughly 0.5 to 1.5).
    So :math:`O \approx U V^\top`, the orthogonal matrix nearest to :math:`B`.
    Every direction of the momentum then moves the weights by about the same
    amount, however small its singular value.

    **bfloat16.** torch runs the iteration in bfloat16 (as Keller Jordan's
    reference does, for speed on GPUs), and so does optlib, to agree with it:
    :func:`newton_schulz` rounds every intermediate matrix to bfloat16, as torch's
    CPU kernels do (products summed in float32, rounded once), so :math:`O_t`
    has bfloat16's 8 significant bits whatever the parameters' dtype; the
    momentum and the parameters stay in their own dtype. torch sums its matrix
    products in an order of its own: now and then an entry that lies within a
    float32 rounding of a bfloat16 tie rounds the other way, and that step then
    differs by a few bfloat16 units (at most 1.4% of the step in the tests, which
    measure what this does to a whole run).

    **Conventions.** torch's algorithm box writes the momentum as a sum,
    :math:`\rho B + g`, and the Nesterov blend as :math:`g + \rho B`; its code (and
    this class) keeps the average above, which is that sum times :math:`1 - \rho`:
    the normalisation removes the factor, the state holds the average. Keras 3
    (``keras.optimizers.Muon``, read in Keras 3.15.1's source) differs:
    ``learning_rate``, ``muon_a``, ``muon_b``, ``muon_c`` for :math:`\alpha, a, b, c`;
    ``weight_decay`` defaults to 0.004; the momentum is the sum; it divides by
    :math:`\lVert B \rVert_F + 10^{-7}` and iterates in the variables' dtype, not
    bfloat16; the step is scaled by ``rms_rate`` (0.2) times :math:`\sqrt{\max(m, n)}`
    by default (``"match_rms_adamw"``'s rule), or not at all with ``rms_rate=None``;
    and it gives variables that are not 2-D (and embeddings, and ``exclude_layers``)
    an AdamW step of its own instead of refusing them.

    There is no per-coordinate rate (``rates()`` raises), and array
    hyper-parameters are refused: the orthogonalisation mixes all the entries of a
    matrix, so a parameter of shape ``(k, n)`` is not ``k`` independent runs.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.zeros((2, 3))
    >>> opt = Muon(W, lr=0.1, weight_decay=0.0)
    >>> opt.step(np.array([[1.0, 0.0, 0.0], [0.0, 100.0, 0.0]]))
    >>> W.round(3)  # both directions move alike, though their gradients differ 100-fold
    array([[-0.069,  0.   ,  0.   ],
           [ 0.   , -0.069,  0.   ]])
    >>> Muon(np.zeros(3))
    Traceback (most recent call last):
    ...
    ValueError: Muon only supports 2D parameters whereas we found a parameter with size: (3,)
    """

    rule = staticmethod(muon_step)
    # None: the step is a function of the whole matrix (its orthogonalised momentum),
    # not a per-coordinate factor times a direction
    rate = None
    elementwise = False  # matrix products over the whole parameter
    hyperparameter_checks = MUON_CHECKS
    state_names = ("momentum_buffer",)

    def __init__(
        self,
        params: np.ndarray | Sequence[np.ndarray],
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
        eps: float = 1e-7,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        super().__init__(params, locals())

    def _check_together(self, hyperparameters: dict[str, Any]) -> None:
        refuse_sweeps(
            hyperparameters,
            "Muon's step orthogonalises the whole matrix, so a parameter of shape (k, n) "
            "is not k independent runs: build one optimizer per configuration",
        )

    def _check_params(self, params: tuple[np.ndarray, ...]) -> None:
        for param in params:
            if param.ndim != 2:
                raise ValueError(
                    "Muon only supports 2D parameters whereas we found a parameter "
                    f"with size: {param.shape}"
                )

    def _required_state(self, hyperparameters: dict[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",)
