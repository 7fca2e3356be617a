"""Write ``tests/reference/losses.npz``: PyTorch's values and gradients for optlib's losses.

Run it from the project root, with PyTorch installed, whenever the cases below change:

    .venv/bin/python tests/reference/make_losses.py

For every loss in ``TORCH_LOSSES``, both dtypes (float64, float32) and each input
set, the file stores the inputs and, for every reduction ("mean", "sum", "none"),
PyTorch's value and its gradient with respect to ``y_pred`` by autograd (for "none",
the gradient of the sum of the per-element losses). The input sets are

``random``
    seeded inputs of a typical kind (an N-d array for the element-wise losses,
    ``(n, C)`` for the categorical ones, soft and hard labels mixed);
``edge``
    the cases the clipping and stability rules are about: probabilities of
    exactly 0 and 1, logits of magnitude up to 1e4, zero residuals, Huber
    residuals of exactly ``delta``. There is none for the two categorical
    losses on probabilities: PyTorch has no clipped version of them to compare
    with (``torch.log(0)`` gives -inf and NaN gradients), so tests/test_losses.py
    checks those edges against closed forms.

Keys read ``"<loss>/<dtype>/<inputs>/<field>"`` with ``<field>`` one of ``y_pred``,
``y_true`` and ``<reduction>/value``, ``<reduction>/grad``; for example
``"bce_logits/float32/edge/mean/grad"``. ``"torch_version"`` records the PyTorch
that wrote the file. tests/test_losses.py compares optlib against this file
without needing torch, and imports ``TORCH_LOSSES`` and ``make_inputs`` from
here to compare against a live PyTorch on fresh inputs when torch is installed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240611
REDUCTIONS = ("mean", "sum", "none")
DTYPES = ("float64", "float32")
OUTPUT = Path(__file__).with_name("losses.npz")


def _reduce(losses: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _cce_from_probabilities(p, y, reduction):
    return _reduce(-(y * torch.log(p)).sum(-1), reduction)


# The PyTorch expression of each loss, keyed by the names tests/test_losses.py uses.
# Each takes (y_pred, y_true, reduction); ``reduction`` is always passed by keyword,
# since the third positional argument of torch's losses is the old ``size_average``.
TORCH_LOSSES = {
    "mse": lambda p, y, r: F.mse_loss(p, y, reduction=r),
    "mae": lambda p, y, r: F.l1_loss(p, y, reduction=r),
    "huber": lambda p, y, r: F.huber_loss(p, y, reduction=r),
    "huber_delta_half": lambda p, y, r: F.huber_loss(p, y, reduction=r, delta=0.5),
    "bce": lambda p, y, r: F.binary_cross_entropy(p, y, reduction=r),
    "bce_logits": lambda z, y, r: F.binary_cross_entropy_with_logits(z, y, reduction=r),
    "cce": _cce_from_probabilities,
    "cce_logits": lambda z, y, r: F.cross_entropy(z, y, reduction=r),  # probability targets
    "sparse_cce": lambda p, k, r: F.nll_loss(torch.log(p), k, reduction=r),
    "sparse_cce_logits": lambda z, k, r: F.cross_entropy(z, k, reduction=r),  # class indices
}


def torch_value_and_grad(
    name: str, y_pred: np.ndarray, y_true: np.ndarray, reduction: str
) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's value and, by autograd, its gradient with respect to ``y_pred``."""
    prediction = torch.tensor(y_pred, requires_grad=True)
    value = TORCH_LOSSES[name](prediction, torch.as_tensor(y_true), reduction)
    value.sum().backward()  # for "none": the gradient of the sum
    return value.detach().numpy(), prediction.grad.numpy()


def _softmax(z: np.ndarray) -> np.ndarray:
    exp_z = np.exp(z - z.max(axis=1, keepdims=True))
    return exp_z / exp_z.sum(axis=1, keepdims=True)


def _soft_and_hard_labels(rng: np.random.Generator, n: int, n_classes: int) -> np.ndarray:
    """Rows summing to 1: soft labels in the first half, one-hot rows in the second."""
    labels = rng.dirichlet(np.ones(n_classes), size=n)
    hard = np.arange(n) >= n // 2
    labels[hard] = np.eye(n_classes)[rng.integers(0, n_classes, hard.sum())]
    return labels


def _edge_inputs(name: str) -> tuple[np.ndarray, np.ndarray] | None:
    if name in ("mse", "mae", "huber", "huber_delta_half"):
        delta = 0.5 if name == "huber_delta_half" else 1.0
        y_true = np.array([0.25, -1.5, 2.0, 0.0, 3.0, -0.75])
        residuals = np.array([0.0, 0.0, delta, -delta, 2.5 * delta, -0.25 * delta])
        return y_true + residuals, y_true  # exact in binary: residuals are exact
    if name == "bce":
        p = np.array([0.0, 1.0, 1e-20, 1e-13, 0.5, 1 - 2**-20])
        y = np.array([0.0, 0.25, 1.0])
        return np.repeat(p, len(y)), np.tile(y, len(p))
    if name == "bce_logits":
        z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
        y = np.array([0.0, 0.5, 1.0])
        return np.repeat(z, len(y)), np.tile(y, len(z))
    z = np.array([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0], [-1e4, 1e4, 1e4], [40.0, -40.0, 0.0]])
    if name == "cce_logits":
        y = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
        return z, y
    if name == "sparse_cce_logits":
        return z, np.array([1, 2, 0, 0])
    return None  # cce, sparse_cce: see the module docstring


def make_inputs(
    name: str, inputs: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray] | None:
    """float64 ``(y_pred, y_true)`` for loss ``name``, or None for a missing edge set."""
    if inputs == "edge":
        return _edge_inputs(name)
    shape, (n, n_classes) = (3, 4, 2), (8, 5)
    if name in ("mse", "mae", "huber", "huber_delta_half"):
        return 2 * rng.standard_normal(shape), 2 * rng.standard_normal(shape)
    if name in ("bce", "bce_logits"):
        y_true = rng.uniform(size=shape)
        y_true[0] = rng.integers(0, 2, shape[1:])  # hard labels too
        if name == "bce":
            return rng.uniform(0.001, 0.999, shape), y_true
        return 4 * rng.standard_normal(shape), y_true
    logits = 3 * rng.standard_normal((n, n_classes))
    y_pred = logits if name.endswith("_logits") else _softmax(logits)
    if name.startswith("sparse"):
        return y_pred, rng.integers(0, n_classes, n)
    return y_pred, _soft_and_hard_labels(rng, n, n_classes)


def main() -> None:
    rng = np.random.default_rng(SEED)
    arrays = {"torch_version": np.array(torch.__version__)}
    for name in TORCH_LOSSES:
        for inputs in ("random", "edge"):
            pair = make_inputs(name, inputs, rng)
            if pair is None:
                continue
            for dtype in DTYPES:
                y_pred = pair[0].astype(dtype)
                y_true = pair[1] if pair[1].dtype.kind == "i" else pair[1].astype(dtype)
                prefix = f"{name}/{dtype}/{inputs}"
                arrays[f"{prefix}/y_pred"], arrays[f"{prefix}/y_true"] = y_pred, y_true
                for reduction in REDUCTIONS:
                    value, grad = torch_value_and_grad(name, y_pred, y_true, reduction)
                    arrays[f"{prefix}/{reduction}/value"] = value
                    arrays[f"{prefix}/{reduction}/grad"] = grad
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
