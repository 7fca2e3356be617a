"""Write ``tests/reference/losses.npz``: PyTorch's values and gradients for optlib's losses.

Run it from the project root, with PyTorch installed, whenever the cases below change:

    .venv/bin/python tests/reference/make_losses.py

For every case in ``TORCH_LOSSES`` (a loss with fixed settings), both dtypes
(float64, float32) and each input set, the file stores the inputs and, for
every reduction ("mean", "sum", "none", and "batchmean" for the KL divergence),
PyTorch's value and its gradient with respect to ``y_pred`` by autograd (for
"none", the gradient of the sum of the per-element losses). The input sets are

``random``
    seeded inputs of a typical kind (an N-d array for the element-wise losses,
    ``(n, C)`` for the categorical ones, soft and hard labels mixed);
``edge``
    the cases the clipping and stability rules are about: probabilities of
    exactly 0 and 1, logits of magnitude up to 1e4, zero residuals, Huber
    residuals of exactly ``delta``, targets of 0 in the KL divergence,
    multi-margin violations of exactly 0, huge and tiny log-rates, variances
    of 0 and below ``eps``. There is none for the categorical losses on
    probabilities: PyTorch has no clipped version of them to compare with
    (``torch.log(0)`` gives -inf and NaN gradients), so their tests check
    those edges against closed forms; nor for the focal loss, whose
    torchvision formula loses accuracy at large logits (its tests use closed
    forms there).

Keys read ``"<case>/<dtype>/<inputs>/<field>"`` with ``<field>`` one of ``y_pred``,
``y_true``, ``var`` (the Gaussian NLL's third argument) and ``<reduction>/value``,
``<reduction>/grad``; for example ``"bce_logits/float32/edge/mean/grad"``.
``"torch_version"`` records the PyTorch that wrote the file.

``OPTLIB_LOSSES`` says which optlib loss, with which settings, each case is;
the tests (``tests/loss_parity.py``) build it from there, compare it against
this file without needing torch, and use ``TORCH_LOSSES``, the ``torch_*``
builders and ``make_inputs`` to compare against a live PyTorch on fresh
inputs when torch is installed. Torch is imported only if it is installed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the tests read the cases and inputs without torch
    torch = F = None

SEED = 20240611
REDUCTIONS = ("mean", "sum", "none")
DTYPES = ("float64", "float32")
OUTPUT = Path(__file__).with_name("losses.npz")

#: Class weights of the cases with options (C = 5 classes).
WEIGHT = np.array([0.5, 2.0, 1.0, 0.25, 1.5])
#: The label of the examples to skip, in the cases with ``ignore_index``.
IGNORE = -100


def _ce_options(**options: Any) -> dict[str, Any]:
    return {"weight": WEIGHT, "label_smoothing": 0.1, **options}


#: optlib's side of each case: the class in ``optlib.losses`` and its settings.
OPTLIB_LOSSES: dict[str, tuple[str, dict[str, Any]]] = {
    "mse": ("MeanSquaredError", {}),
    "mae": ("MeanAbsoluteError", {}),
    "huber": ("Huber", {}),
    "huber_delta_half": ("Huber", {"delta": 0.5}),
    "bce": ("BinaryCrossEntropy", {}),
    "bce_logits": ("BinaryCrossEntropy", {"from_logits": True}),
    "cce": ("CategoricalCrossEntropy", {}),
    "cce_logits": ("CategoricalCrossEntropy", {"from_logits": True}),
    "sparse_cce": ("SparseCategoricalCrossEntropy", {}),
    "sparse_cce_logits": ("SparseCategoricalCrossEntropy", {"from_logits": True}),
    "cce_options": ("CategoricalCrossEntropy", _ce_options()),
    "cce_logits_options": ("CategoricalCrossEntropy", _ce_options(from_logits=True)),
    "sparse_cce_options": (
        "SparseCategoricalCrossEntropy",
        _ce_options(ignore_index=IGNORE),
    ),
    "sparse_cce_logits_options": (
        "SparseCategoricalCrossEntropy",
        _ce_options(from_logits=True, ignore_index=IGNORE),
    ),
    "sparse_cce_weight_ignore": (
        "SparseCategoricalCrossEntropy",
        {"weight": WEIGHT, "ignore_index": IGNORE},
    ),
    "sparse_cce_logits_weight_ignore": (
        "SparseCategoricalCrossEntropy",
        {"from_logits": True, "weight": WEIGHT, "ignore_index": IGNORE},
    ),
    "kl_div": ("KLDivergence", {}),
    "kl_div_log_target": ("KLDivergence", {"log_target": True}),
    "sigmoid_focal": ("SigmoidFocalLoss", {}),
    "sigmoid_focal_no_alpha_gamma_half": ("SigmoidFocalLoss", {"alpha": None, "gamma": 0.5}),
    "multi_margin": ("MultiMarginLoss", {}),
    "multi_margin_p2_weight": ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": WEIGHT}),
    "poisson_nll": ("PoissonNLLLoss", {}),
    "poisson_nll_rates_full": ("PoissonNLLLoss", {"log_input": False, "full": True}),
    "gaussian_nll": ("GaussianNLLLoss", {}),
    "gaussian_nll_full_row_var": ("GaussianNLLLoss", {"full": True, "eps": 1e-3}),
}

# The families, by the names of their cases (the test file of each family uses them).
REGRESSION = ("mse", "mae", "huber", "huber_delta_half")
CATEGORICAL = tuple(name for name in OPTLIB_LOSSES if "cce" in name)
KL = ("kl_div", "kl_div_log_target")
FOCAL = ("sigmoid_focal", "sigmoid_focal_no_alpha_gamma_half")
MULTI_MARGIN = ("multi_margin", "multi_margin_p2_weight")
POISSON = ("poisson_nll", "poisson_nll_rates_full")
GAUSSIAN = ("gaussian_nll", "gaussian_nll_full_row_var")


def reductions(name: str) -> tuple[str, ...]:
    """The reductions case ``name`` takes."""
    return (*REDUCTIONS, "batchmean") if name in KL else REDUCTIONS


# --- the PyTorch expressions ------------------------------------------------------


def _reduce(losses: Any, reduction: str) -> Any:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def cross_entropy_of_log_probs(
    log_probs: Any,
    target: Any,
    reduction: str,
    weight: Any = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Any:
    """``F.cross_entropy``'s formula applied to log-probabilities as given.

    ``F.cross_entropy(z, ...)`` is this of ``log_softmax(z)``, as ATen writes it
    (``cross_entropy_loss_prob_target`` for probability targets,
    ``cross_entropy_loss_label_smoothing`` for class indices, in
    aten/src/ATen/native/LossNLL.cpp); the tests check that identity. optlib's
    cross-entropies on probabilities are this of ``log(y_pred)``.
    """
    n_classes = log_probs.shape[1]
    per_class = 1 if weight is None else weight.view(1, n_classes)
    if target.dtype.is_floating_point:  # label probabilities
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        losses = -(log_probs * target * per_class).sum(1)
        if reduction == "mean":
            return losses.sum() / log_probs.shape[0]
        return _reduce(losses, reduction)
    nll = F.nll_loss(
        log_probs, target, weight=weight, ignore_index=ignore_index, reduction=reduction
    )
    if label_smoothing == 0:
        return nll
    ignored = target == ignore_index
    smooth = (-(log_probs * per_class).sum(1)).masked_fill(ignored, 0.0)
    if reduction == "mean":
        kept = target[~ignored]
        total = len(kept) if weight is None else weight.gather(0, kept).sum()
        smooth = smooth.sum() / total
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def torch_cross_entropy(
    from_logits: bool = False,
    weight: Any = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
) -> Callable[..., Any]:
    """``F.cross_entropy`` with optlib's settings; on probabilities, its formula on their log."""

    def loss(y_pred: Any, y_true: Any, reduction: str) -> Any:
        options = {
            "weight": None if weight is None else torch.as_tensor(weight, dtype=y_pred.dtype),
            "ignore_index": -100 if ignore_index is None else ignore_index,
            "label_smoothing": label_smoothing,
        }
        if from_logits:
            return F.cross_entropy(y_pred, y_true, reduction=reduction, **options)
        return cross_entropy_of_log_probs(torch.log(y_pred), y_true, reduction, **options)

    return loss


def torch_kl_div(log_target: bool = False) -> Callable[..., Any]:
    def loss(y_pred: Any, y_true: Any, reduction: str) -> Any:
        with warnings.catch_warnings():  # torch warns that "mean" is not the KL divergence
            warnings.simplefilter("ignore", UserWarning)
            return F.kl_div(y_pred, y_true, reduction=reduction, log_target=log_target)

    return loss


def torchvision_sigmoid_focal_loss(
    inputs: Any, targets: Any, alpha: float = 0.25, gamma: float = 2, reduction: str = "none"
) -> Any:
    """``torchvision.ops.sigmoid_focal_loss``, line by line (torchvision 0.2x)."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return _reduce(loss, reduction)


def torch_sigmoid_focal(alpha: float | None = 0.25, gamma: float = 2.0) -> Callable[..., Any]:
    alpha = -1 if alpha is None else alpha  # torchvision's "no class weighting"
    return lambda z, y, r: torchvision_sigmoid_focal_loss(z, y, alpha, gamma, reduction=r)


def torch_multi_margin(p: int = 1, margin: float = 1.0, weight: Any = None) -> Callable[..., Any]:
    def loss(y_pred: Any, y_true: Any, reduction: str) -> Any:
        w = None if weight is None else torch.as_tensor(weight, dtype=y_pred.dtype)
        return F.multi_margin_loss(
            y_pred, y_true, p=p, margin=margin, weight=w, reduction=reduction
        )

    return loss


def torch_poisson_nll(
    log_input: bool = True, full: bool = False, eps: float = 1e-8
) -> Callable[..., Any]:
    return lambda x, y, r: F.poisson_nll_loss(
        x, y, log_input=log_input, full=full, eps=eps, reduction=r
    )


def torch_gaussian_nll(full: bool = False, eps: float = 1e-6) -> Callable[..., Any]:
    def loss(y_pred: Any, y_true: Any, reduction: str, var: Any) -> Any:
        if var.ndim == 0:  # torch takes a single variance as a Python float
            var = float(var)
        return F.gaussian_nll_loss(y_pred, y_true, var, full=full, eps=eps, reduction=reduction)

    return loss


# The PyTorch expression of each case. Each takes (y_pred, y_true, reduction, *more),
# ``reduction`` always by keyword in torch, since the third positional argument of
# its losses is the old ``size_average``.
TORCH_LOSSES: dict[str, Callable[..., Any]] = {
    "mse": lambda p, y, r: F.mse_loss(p, y, reduction=r),
    "mae": lambda p, y, r: F.l1_loss(p, y, reduction=r),
    "huber": lambda p, y, r: F.huber_loss(p, y, reduction=r),
    "huber_delta_half": lambda p, y, r: F.huber_loss(p, y, reduction=r, delta=0.5),
    "bce": lambda p, y, r: F.binary_cross_entropy(p, y, reduction=r),
    "bce_logits": lambda z, y, r: F.binary_cross_entropy_with_logits(z, y, reduction=r),
    "cce": lambda p, y, r: _reduce(-(y * torch.log(p)).sum(-1), r),
    "cce_logits": lambda z, y, r: F.cross_entropy(z, y, reduction=r),  # probability targets
    "sparse_cce": lambda p, k, r: F.nll_loss(torch.log(p), k, reduction=r),
    "sparse_cce_logits": lambda z, k, r: F.cross_entropy(z, k, reduction=r),  # class indices
    **{
        name: torch_cross_entropy(**OPTLIB_LOSSES[name][1])
        for name in CATEGORICAL
        if name.endswith(("options", "weight_ignore"))
    },
    "kl_div": torch_kl_div(),
    "kl_div_log_target": torch_kl_div(log_target=True),
    **{name: torch_sigmoid_focal(**OPTLIB_LOSSES[name][1]) for name in FOCAL},
    **{name: torch_multi_margin(**OPTLIB_LOSSES[name][1]) for name in MULTI_MARGIN},
    **{name: torch_poisson_nll(**OPTLIB_LOSSES[name][1]) for name in POISSON},
    **{name: torch_gaussian_nll(**OPTLIB_LOSSES[name][1]) for name in GAUSSIAN},
}


def torch_value_and_grad(
    loss: str | Callable[..., Any],
    y_pred: np.ndarray,
    y_true: np.ndarray,
    reduction: str,
    *more: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's value and, by autograd, its gradient with respect to ``y_pred``.

    ``loss`` is a case of ``TORCH_LOSSES`` or a torch expression of the same form.
    """
    expression = TORCH_LOSSES[loss] if isinstance(loss, str) else loss
    prediction = torch.tensor(y_pred, requires_grad=True)
    target, *rest = (torch.as_tensor(np.asarray(array)) for array in (y_true, *more))
    value = expression(prediction, target, reduction, *rest)  # (numbers stay float64)
    value.sum().backward()  # for "none": the gradient of the sum
    return value.detach().numpy(), prediction.grad.numpy()


# --- the inputs -------------------------------------------------------------------


def _softmax(z: np.ndarray) -> np.ndarray:
    exp_z = np.exp(z - z.max(axis=1, keepdims=True))
    return exp_z / exp_z.sum(axis=1, keepdims=True)


def _soft_and_hard_labels(rng: np.random.Generator, n: int, n_classes: int) -> np.ndarray:
    """Rows summing to 1: soft labels in the first half, one-hot rows in the second."""
    labels = rng.dirichlet(np.ones(n_classes), size=n)
    hard = np.arange(n) >= n // 2
    labels[hard] = np.eye(n_classes)[rng.integers(0, n_classes, hard.sum())]
    return labels


def _edge_inputs(name: str) -> tuple[np.ndarray, ...] | None:
    if name in REGRESSION:
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
    # Five classes, as the weights: huge logits, ties, and ignored examples.
    z5 = np.array(
        [
            [1e4, -1e4, 0.0, 5.0, -5.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [-1e4, 1e4, 1e4, 0.0, -1e4],
            [40.0, -40.0, 0.0, 1e4, 3.0],
        ]
    )
    if name == "cce_logits_options":
        y = np.eye(5)[[1, 4, 0, 3]]
        y[1] = [0.2, 0.2, 0.2, 0.2, 0.2]
        return z5, y
    if name in ("sparse_cce_logits_options", "sparse_cce_logits_weight_ignore"):
        return z5, np.array([1, IGNORE, 0, 3])
    if name == "kl_div":  # targets of 0 (0 log 0 = 0), inputs far below 0
        log_q = np.array([[-1e4, -0.5, -40.0], [-1e-12, -30.0, -1e4], [-1.0, -1.0, -1.0]])
        p = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
        return log_q, p
    if name == "kl_div_log_target":  # targets whose exp underflows or is tiny
        log_q = np.array([[-1e4, -0.5, -40.0], [-1e-12, -30.0, -1e4], [-1.0, -1.0, -1.0]])
        log_p = np.array([[-1e4, -0.1, -800.0], [0.0, -745.0, -1e4], [-40.0, -1e-9, -2.0]])
        return log_q, log_p
    if name in MULTI_MARGIN:  # violations of exactly 0 (the kink) and ties
        margin = OPTLIB_LOSSES[name][1].get("margin", 1.0)
        s = np.array(
            [
                [2.0, 2.0 - margin, 0.0, -3.0, 2.0 - margin],  # class 0: kinks at 1 and 4
                [0.0, 0.0, 0.0, 0.0, 0.0],  # all tied: every violation is the margin
                [1e4, -1e4, 0.0, 5.0, 1e4],
                [-2.0, 3.0, 3.0 + margin, 1.0, 0.5],
            ]
        )
        return s, np.array([0, 2, 4, 1])
    if name == "poisson_nll":  # huge and tiny log-rates, counts of 0, 1, and large
        x = np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 700.0])
        y = np.array([0.0, 1.0, 1.5, 100.0])
        return np.repeat(x, len(y)), np.tile(y, len(x))
    if name == "poisson_nll_rates_full":  # rates of 0, Stirling at and around 1
        rate = np.array([0.0, 1e-8, 0.5, 1.0, 3.0, 1e6])
        y = np.array([0.0, 1.0, 1.0 + 2**-40, 2.0, 1e6])
        return np.repeat(rate, len(y)), np.tile(y, len(rate))
    if name == "gaussian_nll":  # variances of 0, tiny (0 in float32), eps, huge; residuals 0
        mu = np.array([0.0, 1.0, -2.0, 3.0, 0.5, 1e3])
        y = np.array([0.0, 0.0, -2.0, 1e-3, 0.25, -1e3])
        var = np.array([0.0, 1e-300, 1e-6, 1e-9, 1e30, 2.0])
        return mu, y, var
    if name == "gaussian_nll_full_row_var":  # one variance per row, below eps = 1e-3 too
        mu = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [-1.0, 0.0, 5.0]])
        y = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
        return mu, y, np.array([0.0, 1e-3, 1e-5])
    return None  # cce, sparse_cce and their options on probabilities, focal: see above


def make_inputs(name: str, inputs: str, rng: np.random.Generator) -> tuple[np.ndarray, ...] | None:
    """float64 ``(y_pred, y_true[, var])`` for case ``name``, or None for a missing edge set."""
    if inputs == "edge":
        return _edge_inputs(name)
    shape, (n, n_classes) = (3, 4, 2), (8, 5)
    if name in REGRESSION:
        return 2 * rng.standard_normal(shape), 2 * rng.standard_normal(shape)
    if name in ("bce", "bce_logits"):
        y_true = rng.uniform(size=shape)
        y_true[0] = rng.integers(0, 2, shape[1:])  # hard labels too
        if name == "bce":
            return rng.uniform(0.001, 0.999, shape), y_true
        return 4 * rng.standard_normal(shape), y_true
    if name in CATEGORICAL:
        logits = 3 * rng.standard_normal((n, n_classes))
        y_pred = logits if "logits" in name else _softmax(logits)
        if name.startswith("sparse"):
            labels = rng.integers(0, n_classes, n)
            if "ignore" in OPTLIB_LOSSES[name][1]:
                labels[[1, 5]] = IGNORE
            return y_pred, labels
        return y_pred, _soft_and_hard_labels(rng, n, n_classes)
    if name in KL:
        log_q = np.log(rng.dirichlet(np.ones(n_classes), n))
        p = rng.dirichlet(np.full(n_classes, 0.5), n)
        p[0, :2] = 0.0  # targets of 0
        p[0] /= p[0].sum()
        return log_q, (np.log(rng.dirichlet(np.ones(n_classes), n)) if "log" in name else p)
    if name in FOCAL:  # |z| <= 6, where torchvision's 1 - p_t is accurate
        y = rng.uniform(size=shape)
        y[0] = rng.integers(0, 2, shape[1:])
        return np.clip(3 * rng.standard_normal(shape), -6, 6), y
    if name in MULTI_MARGIN:
        return 1.5 * rng.standard_normal((n, n_classes)), rng.integers(0, n_classes, n)
    if name in POISSON:
        counts = rng.poisson(3.0, shape).astype(float)
        counts[0, 0, :] = [0.5, 1.5]  # counts need not be whole
        if OPTLIB_LOSSES[name][1].get("log_input", True):
            return rng.normal(1.0, 1.5, shape), counts
        return rng.uniform(0.0, 6.0, shape), counts
    if name == "gaussian_nll":
        return rng.standard_normal(shape), rng.standard_normal(shape), rng.uniform(0, 2, shape)
    if name == "gaussian_nll_full_row_var":
        return rng.standard_normal(shape), rng.standard_normal(shape), rng.uniform(0, 2, (3, 4))
    raise KeyError(name)


def main() -> None:
    rng = np.random.default_rng(SEED)
    arrays = {"torch_version": np.array(torch.__version__)}
    for name in TORCH_LOSSES:
        for inputs in ("random", "edge"):
            made = make_inputs(name, inputs, rng)
            if made is None:
                continue
            for dtype in DTYPES:
                y_pred, y_true, *more = (
                    array if array.dtype.kind == "i" else array.astype(dtype) for array in made
                )
                prefix = f"{name}/{dtype}/{inputs}"
                arrays[f"{prefix}/y_pred"], arrays[f"{prefix}/y_true"] = y_pred, y_true
                for field, array in zip(("var",), more, strict=False):
                    arrays[f"{prefix}/{field}"] = array
                for reduction in reductions(name):
                    value, grad = torch_value_and_grad(name, y_pred, y_true, reduction, *more)
                    arrays[f"{prefix}/{reduction}/value"] = value
                    arrays[f"{prefix}/{reduction}/grad"] = grad
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
