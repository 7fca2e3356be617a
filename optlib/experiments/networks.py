r"""One small classifier network for every (learning rate, seed) pair, trained at once."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib._validation import as_float_array, check_finite, check_ndim

__all__ = ["NetworkSweep", "network_sweep"]


@dataclass(frozen=True, eq=False)
class NetworkSweep:
    r"""The networks of one :func:`network_sweep`: one per (learning rate, seed) pair.

    Attributes
    ----------
    lrs : ndarray, shape (n_lrs,)
    seeds : tuple of int
    params : list of ndarray
        The trained parameters in :class:`optlib.MLP`'s order (``W1, b1, W2, ...``),
        each with two leading axes ``(n_lrs, n_seeds)``; a bias has shape
        ``(n_lrs, n_seeds, 1, width)``.
    epoch_losses : ndarray, shape (n_lrs, n_seeds, epochs)
        The mean mini-batch loss of each epoch (as Keras reports it); ``inf``
        from the epoch a run diverged in.
    diverged : ndarray of bool, shape (n_lrs, n_seeds)
        True when a mini-batch loss, a gradient or a parameter stopped being finite.
    activation : str

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 8); y = np.array([0, 1] * 8)
    >>> result = network_sweep([2, 3, 2], X, y, SGD, [0.1, 1.0], seeds=[0, 1, 2], epochs=2,
    ...                        batch_size=4)
    >>> result.diverged.shape, [p.shape for p in result.params]
    ((2, 3), [(2, 3, 2, 3), (2, 3, 1, 3), (2, 3, 3, 2), (2, 3, 1, 2)])
    """

    lrs: np.ndarray
    seeds: tuple[int, ...]
    params: list[np.ndarray]
    epoch_losses: np.ndarray
    diverged: np.ndarray
    activation: str

    def logits(self, X: Any) -> np.ndarray:
        """The logits of every network on ``X``, shape ``(n_lrs, n_seeds, n, classes)``.

        Examples
        --------
        See :func:`network_sweep`.
        """
        X = as_float_array("X", X, dtype=np.float64)
        check_ndim("X", X, 2, "examples by features")
        if X.shape[1] != self.params[0].shape[-2]:
            raise ValueError(f"X must have {self.params[0].shape[-2]} features, got {X.shape[1]}")
        with np.errstate(all="ignore"):
            return _forward(self.params, X, self.activation)[-1]

    def losses(self, X: Any, y: Any) -> np.ndarray:
        """The mean cross-entropy of every network on ``(X, y)``; ``inf`` for a diverged run.

        Examples
        --------
        See :func:`network_sweep`.
        """
        z = self.logits(X)
        labels = _labels(y, len(X), z.shape[-1])
        with np.errstate(all="ignore"):
            value = _cross_entropy(z, labels).mean(axis=-1)
        return np.where(self.diverged | ~np.isfinite(value), np.inf, value)

    def accuracies(self, X: Any, y: Any) -> np.ndarray:
        """The fraction of ``(X, y)`` every network classifies right; ``nan`` for a diverged run.

        Examples
        --------
        See :func:`network_sweep`.
        """
        z = self.logits(X)
        labels = _labels(y, len(X), z.shape[-1])
        right = (np.argmax(z, axis=-1) == labels).mean(axis=-1)
        return np.where(self.diverged, np.nan, right)

    def best_rate(self, X: Any, y: Any) -> int:
        """The index of the rate whose mean loss over the seeds on ``(X, y)`` is lowest.

        A rate at which any seed diverged has an infinite mean and is not chosen
        (unless every rate diverged somewhere; then the first is returned).

        Examples
        --------
        See :func:`network_sweep`.
        """
        return int(np.argmin(self.losses(X, y).mean(axis=1)))


def _labels(y: Any, n: int, classes: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValueError(f"y must be {n} integer labels, got shape {labels.shape}")
    if labels.size and not (0 <= labels.min() and labels.max() < classes):
        raise ValueError(
            f"y must hold labels in [0, {classes}), got {labels.min()} to {labels.max()}"
        )
    return labels


def _forward(params: list[np.ndarray], X: np.ndarray, activation: str) -> list[np.ndarray]:
    """The inputs of every layer and, last, the logits; batched over the leading axes."""
    outputs = [X]
    layers = len(params) // 2
    for i in range(layers):
        z = outputs[-1] @ params[2 * i] + params[2 * i + 1]
        if i < layers - 1:
            z = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        outputs.append(z)
    return outputs


def _cross_entropy(z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-example softmax cross-entropy of logits ``z`` (..., n, C), labels (n,) or (..., n)."""
    top = z.max(axis=-1, keepdims=True)
    log_sum = np.log(np.exp(z - top).sum(axis=-1)) + top[..., 0]
    picked = np.take_along_axis(z, np.broadcast_to(labels, z.shape[:-1])[..., None], axis=-1)
    return log_sum - picked[..., 0]


def _run_slices(stacks: list[np.ndarray], i: int, j: int) -> list[np.ndarray]:
    """Views of run (i, j) in :class:`optlib.MLP`'s shapes: a bias (odd index) as a vector."""
    return [stack[i, j, 0] if k % 2 else stack[i, j] for k, stack in enumerate(stacks)]


# The arguments of network_sweep itself (the others go to the optimizer).
_NETWORK_SWEEP_ARGUMENTS = (
    "layer_sizes", "X", "y", "optimizer", "lrs", "seeds", "epochs", "batch_size", "activation",
)  # fmt: skip


def network_sweep(
    layer_sizes: Sequence[int],
    X: Any,
    y: Any,
    optimizer: Callable[..., Any],
    lrs: Any,
    seeds: Sequence[int],
    *,
    epochs: int,
    batch_size: int = 64,
    activation: str = "tanh",
    **hyperparams: Any,
) -> NetworkSweep:
    r"""Train a classifier network for every (learning rate, seed) pair, all at once.

    Each run is the run :func:`optlib.fit` makes with
    ``MLP(layer_sizes, activation, output="softmax", seed=seed)``, the loss
    ``SparseCategoricalCrossEntropy(from_logits=True)``, ``batch_size``,
    ``shuffle=True``, ``seed=seed`` and ``optimizer(params, lr=lr,
    **hyperparams)``: the seed draws both the initial weights and the order of
    the mini-batches, and every rate sees the same seeds. The runs are stacked
    on two leading axes, so one NumPy matrix product serves them all.

    An element-wise optimizer (every one but ``Adafactor``, ``Muon`` and
    :class:`optlib.tuning.Split`, whose class attribute ``elementwise`` is
    False) is built once on the stacks, with ``lr`` an array of one rate per
    run. The others are built once per run, on views of that run's slices,
    and stepped one after the other (slower, same arithmetic).

    A run diverges when a mini-batch loss or a gradient stops being finite;
    it is then left alone (its parameters are not updated again) and flagged.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden..., n_classes]``.
    X : array_like, shape (n, n_features)
    y : array_like of int, shape (n,)
        Labels in ``[0, n_classes)``.
    optimizer : optimizer class
        From :mod:`optlib.optimizers`, or :class:`optlib.tuning.Split`.
    lrs : array_like, shape (n_lrs,)
        Positive learning rates.
    seeds : sequence of int
        Non-negative, at least one.
    epochs : int
        Passes over the data, at least 1.
    batch_size : int
        In ``[1, n]``; the last batch of an epoch may be smaller.
    activation : {"tanh", "relu"}
    **hyperparams
        The optimizer's other hyper-parameters, the same for every run.

    Returns
    -------
    NetworkSweep

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import Adam
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 4)); y = (X[:, 0] > 0).astype(int)
    >>> result = network_sweep([4, 8, 2], X, y, Adam, [1e-3, 1e-1], seeds=[0, 1], epochs=5,
    ...                        batch_size=16)
    >>> result.epoch_losses.shape, result.losses(X, y).shape
    ((2, 2, 5), (2, 2))
    >>> result.best_rate(X, y), bool(result.accuracies(X, y)[1].min() > 0.9)
    (1, True)
    """
    from optlib.models import MLP
    from optlib.training.arguments import check_optimizer, check_own_names

    check_optimizer(optimizer, "network_sweep(layer_sizes, X, y, {}, lrs, seeds, epochs=...)")
    if "lr" in hyperparams:
        raise ValueError("lr is swept: give the rates as lrs=, not lr=")
    check_own_names("network_sweep", _NETWORK_SWEEP_ARGUMENTS, optimizer, hyperparams)
    if (
        isinstance(layer_sizes, (str, bytes))
        or not isinstance(layer_sizes, Sequence)
        or len(layer_sizes) < 2
    ):
        raise ValueError(f"layer_sizes must be a list of at least two ints, got {layer_sizes!r}")
    X = as_float_array("X", X, dtype=np.float64)
    check_ndim("X", X, 2, "examples by features")
    check_finite("X", X)
    if X.shape[1] != layer_sizes[0]:
        raise ValueError(f"X must have layer_sizes[0]={layer_sizes[0]} features, got {X.shape}")
    n = len(X)
    labels = _labels(y, n, int(layer_sizes[-1]))
    lrs = np.asarray(lrs, dtype=np.float64)
    if lrs.ndim != 1 or not lrs.size or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError(f"lrs must be a 1-D array of positive rates, got {lrs!r}")
    seeds = tuple(seeds) if isinstance(seeds, Sequence | np.ndarray) else ()
    if not seeds or any(
        isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0 for s in seeds
    ):
        raise ValueError(f"seeds must be a non-empty list of non-negative integers, got {seeds!r}")
    seeds = tuple(int(s) for s in seeds)
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or not 1 <= batch_size <= n
    ):
        raise ValueError(f"batch_size must be an integer in [1, n={n}], got {batch_size!r}")
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")

    n_lrs, n_seeds = len(lrs), len(seeds)
    starts = [MLP(list(layer_sizes), activation, "softmax", seed=s).params for s in seeds]
    params = []
    for k in range(len(starts[0])):
        stacked = np.stack([start[k] for start in starts])  # (n_seeds, *shape)
        if stacked.ndim == 2:  # a bias: one row, to broadcast over the examples
            stacked = stacked[:, None, :]
        params.append(np.array(np.broadcast_to(stacked, (n_lrs, *stacked.shape))))
    elementwise = getattr(optimizer, "elementwise", True) is not False
    if elementwise:
        rates = lrs.reshape(n_lrs, 1, 1, 1)
        opts = [optimizer(params, lr=rates, **hyperparams)]
    else:
        opts = [
            optimizer(_run_slices(params, i, j), lr=float(lrs[i]), **hyperparams)
            for i in range(n_lrs) for j in range(n_seeds)
        ]  # fmt: skip
    rngs = [np.random.default_rng(s) for s in seeds]
    diverged = np.zeros((n_lrs, n_seeds), dtype=bool)
    epoch_losses = np.zeros((n_lrs, n_seeds, epochs))
    with np.errstate(all="ignore"):  # the runs whose rate is too large overflow
        for epoch in range(epochs):
            orders = np.stack([rng.permutation(n) for rng in rngs])  # (n_seeds, n)
            total = np.zeros((n_lrs, n_seeds))
            for begin in range(0, n, batch_size):
                batch = orders[:, begin : begin + batch_size]  # (n_seeds, B)
                outputs = _forward(params, X[batch], activation)
                z = outputs[-1]  # (n_lrs, n_seeds, B, C)
                value = _cross_entropy(z, labels[batch]).mean(axis=-1)
                total += value * batch.shape[1]
                # ∂J/∂z: softmax minus one-hot, divided by the batch size
                grad_z = np.exp(z - z.max(axis=-1, keepdims=True))
                grad_z /= grad_z.sum(axis=-1, keepdims=True)
                picked = np.broadcast_to(labels[batch], z.shape[:-1])[..., None]
                np.put_along_axis(grad_z, picked, np.take_along_axis(grad_z, picked, -1) - 1, -1)
                grad_z /= batch.shape[1]
                grads = [np.empty(0)] * len(params)
                for i in reversed(range(len(params) // 2)):
                    a = outputs[i]
                    grads[2 * i] = np.swapaxes(a, -1, -2) @ grad_z
                    grads[2 * i + 1] = grad_z.sum(axis=-2, keepdims=True)
                    if i > 0:
                        grad_a = grad_z @ np.swapaxes(params[2 * i], -1, -2)
                        grad_z = grad_a * (1.0 - a**2 if activation == "tanh" else a > 0)
                bad = ~np.isfinite(value)
                for g in grads:
                    bad |= ~np.isfinite(g).all(axis=(-2, -1))
                diverged |= bad
                for g in grads:  # a diverged run stands still: zero its gradient ...
                    g[diverged] = 0.0
                if elementwise:
                    frozen = [p[diverged].copy() for p in params] if diverged.any() else None
                    opts[0].step(grads)
                    if frozen is not None:  # ... and put back what momentum moved
                        for p, kept in zip(params, frozen, strict=True):
                            p[diverged] = kept
                else:
                    for index, opt in enumerate(opts):
                        i, j = divmod(index, n_seeds)
                        if not diverged[i, j]:
                            opt.step(_run_slices(grads, i, j))
            epoch_losses[:, :, epoch] = np.where(diverged, np.inf, total / n)
    return NetworkSweep(
        lrs=lrs,
        seeds=seeds,
        params=params,
        epoch_losses=epoch_losses,
        diverged=diverged,
        activation=activation,
    )
