"""What every loss shares: the class :class:`Loss`, the reductions, the argument checks.

A loss supplies ``_losses_and_grads`` (its formula, value and gradient side by
side) and, when its inputs are not two arrays of one shape, ``_check``;
:class:`Loss` does the rest. The checks here are shared by the loss modules of
the package; each refuses bad input with a ``ValueError`` that names the
argument and the offending shape or value.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optlib._validation import (
    as_float_array,
    check_bool,
    check_finite,
    check_in_interval,
    check_ndim,
    check_nonempty,
    check_same_shape,
    refuse_matrix_and_masked,
)

#: The reductions every loss takes: PyTorch's names.
REDUCTIONS = ("mean", "sum", "none")

#: The instance of each loss class that optlib builds with the default settings.
_INSTANCE_NAMES = {
    "MeanSquaredError": "mse",
    "MeanAbsoluteError": "mae",
    "Huber": "huber",
    "BinaryCrossEntropy": "bce",
    "CategoricalCrossEntropy": "cce",
    "SparseCategoricalCrossEntropy": "sparse_cce",
    "KLDivergence": "kl_div",
    "SigmoidFocalLoss": "sigmoid_focal",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "MultiMarginLoss": "multi_margin",
    "PoissonNLLLoss": "poisson_nll",
    "GaussianNLLLoss": "gaussian_nll",
}

#: The data a loss is called on, where it is not ``y_pred, y_true``.
_CALL_ARGUMENTS = {"GaussianNLLLoss": "y_pred, y_true, var"}


def _class_called_with_data(name: str) -> str:
    """The message for ``MeanSquaredError(y_pred, y_true)``: a class called with the data."""
    arguments = _CALL_ARGUMENTS.get(name, "y_pred, y_true")
    instance = _INSTANCE_NAMES.get(name)
    ready = f", or use the ready-made instance: {instance}({arguments})" if instance else ""
    return (
        f"{name} is a class: build the loss first, then call it on the data, "
        f"{name}()({arguments}){ready}"
    )


def _with_data_hint(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap a loss's ``__init__`` so that data passed to the class gets a hint."""
    signature = inspect.signature(init)
    # The signature as the reader writes the call: no self, no annotations.
    parameters = list(signature.parameters.values())[1:]
    shown = signature.replace(
        parameters=[p.replace(annotation=p.empty) for p in parameters],
        return_annotation=signature.empty,
    )

    @functools.wraps(init)
    def checked_init(self: Loss, *args: Any, **kwargs: Any) -> None:
        try:
            signature.bind(self, *args, **kwargs)
        except TypeError as error:
            name = type(self).__name__
            if args and isinstance(args[0], np.ndarray | list | tuple):  # data, not settings
                raise TypeError(_class_called_with_data(name)) from None
            raise TypeError(f"{name}{shown}: {error}") from None
        init(self, *args, **kwargs)

    return checked_init


class _Setting:
    """A setting of a loss (``from_logits``, ``weight``, ...), checked whenever it is assigned.

    ``check(owner, name, value)`` returns the value to keep or raises a
    ``ValueError``; ``owner`` is the loss's class name, for the messages.
    """

    def __init__(self, check: Callable[[str, str, Any], Any]) -> None:
        self.check = check

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, loss: Loss | None, owner: type | None = None) -> Any:
        return self if loss is None else loss.__dict__[f"_{self.name}"]

    def __set__(self, loss: Loss, value: Any) -> None:
        loss.__dict__[f"_{self.name}"] = self.check(type(loss).__name__, self.name, value)


class Loss:
    """Base class of the losses: argument checks and the reduction.

    A subclass supplies two methods:

    ``_check(y_pred, y_true)``
        validates the inputs and returns them as arrays;
    ``_losses_and_grads(y_pred, y_true)``
        returns the per-element (or per-example) losses and the gradient of
        their sum with respect to ``y_pred``, computed side by side.

    and, when ``"mean"`` divides by something other than the number of losses
    (a total class weight), ``_count``.

    Examples
    --------
    A new loss needs only ``_losses_and_grads``; the checks and the three
    reductions come from the base class:

    >>> import numpy as np
    >>> class HalfSquares(Loss):
    ...     def _losses_and_grads(self, y_pred, y_true):
    ...         r = y_pred - y_true
    ...         return 0.5 * r * r, r
    >>> half = HalfSquares()
    >>> half(np.array([1.0, 3.0]), np.zeros(2), reduction="sum")
    np.float64(5.0)
    >>> half.grad(np.array([1.0, 3.0]), np.zeros(2))  # "mean": divided by 2
    array([0.5, 1.5])
    """

    #: The reductions this loss takes (:class:`KLDivergence` adds ``"batchmean"``).
    _reductions: tuple[str, ...] = REDUCTIONS

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _with_data_hint(cls.__init__)  # type: ignore[method-assign]

    def __init__(self) -> None:
        """A loss without settings: ``MeanSquaredError()``."""

    def __call__(
        self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str = "mean"
    ) -> np.floating | np.ndarray:
        """The loss of ``y_pred`` against ``y_true``.

        Parameters
        ----------
        y_pred : array_like
            Predictions: values, probabilities, or logits when the loss was
            built with ``from_logits=True``.
        y_true : array_like
            Targets (class labels for the sparse loss).
        reduction : {"mean", "sum", "none"}
            How the per-element (or per-example) losses are combined.

        Returns
        -------
        numpy.floating or numpy.ndarray
            A scalar of the dtype of ``y_pred`` for ``"mean"`` and ``"sum"``,
            the array of per-element (per-example) losses for ``"none"``.
        """
        return self.value_and_grad(y_pred, y_true, reduction)[0]

    def grad(self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str = "mean") -> np.ndarray:
        """The gradient of the loss with respect to ``y_pred``.

        Takes the same arguments as calling the loss and returns an array of
        the shape and dtype of ``y_pred``. For ``reduction="none"`` it is the
        gradient of the sum of the per-element (per-example) losses.
        """
        return self.value_and_grad(y_pred, y_true, reduction)[1]

    def value_and_grad(
        self, y_pred: ArrayLike, y_true: ArrayLike, reduction: str = "mean"
    ) -> tuple[np.floating | np.ndarray, np.ndarray]:
        """The value and the gradient together, computed once."""
        _check_reduction(reduction, self._reductions)
        y_pred, y_true = self._check(y_pred, y_true)
        # A result too large for the dtype is inf and one too small is 0 (or
        # subnormal): the correctly rounded answers, which PyTorch also gives
        # without a warning. Division by zero and NaN cannot occur.
        with np.errstate(over="ignore", under="ignore"):
            losses, grads = self._losses_and_grads(y_pred, y_true)
            if reduction == "none":
                return losses, grads
            if reduction == "sum":
                return losses.sum(), grads
            count = self._count(reduction, losses, y_true)  # "mean": the number of losses
            return losses.sum() / count, self._mean_grads(y_pred, y_true, grads, count)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _check(self, y_pred: ArrayLike, y_true: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        return _check_pair(y_pred, y_true)

    def _losses_and_grads(
        self, y_pred: np.ndarray, y_true: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _mean_grads(
        self, y_pred: np.ndarray, y_true: np.ndarray, grads: np.ndarray, count: Any
    ) -> np.ndarray:
        """The gradient of the mean: the gradient of the sum, divided by ``count``."""
        return grads / count

    def _count(self, reduction: str, losses: np.ndarray, y_true: np.ndarray) -> Any:
        """What the sum of the losses is divided by for ``reduction`` ("mean")."""
        return losses.size


Loss.__init__ = _with_data_hint(Loss.__init__)  # type: ignore[method-assign]


# --- argument checks ----------------------------------------------------------------

#: Reductions of Keras and of old PyTorch versions, and the optlib name for each.
_OTHER_REDUCTIONS = {
    "sum_over_batch_size": "mean",
    "auto": "mean",
    "elementwise_mean": "mean",
}


def _ndim(value: Any) -> int | None:
    """``np.ndim(value)``, or None for what is not an array (a ragged list)."""
    try:
        return np.ndim(value)
    except ValueError:
        return None


def _check_reduction(reduction: Any, allowed: tuple[str, ...] = REDUCTIONS) -> None:
    """Refuse an unknown reduction, pointing from Keras's names to optlib's."""
    if isinstance(reduction, str) and reduction in allowed:
        return
    names = ", ".join(repr(name) for name in allowed)
    if reduction is None:  # Keras's "no reduction"
        raise ValueError(
            f"reduction must be one of {names}, got None; "
            "for the per-element losses write reduction='none' (a string)"
        )
    if isinstance(reduction, str) and reduction == "batchmean":
        advice = "; only KLDivergence takes 'batchmean' (the sum divided by len(y_pred))"
    else:
        hint = _OTHER_REDUCTIONS.get(reduction) if isinstance(reduction, str) else None
        advice = f"; write reduction={hint!r}" if hint is not None else ""
    raise ValueError(f"reduction must be one of {names}, got {reduction!r}{advice}")


def _refuse_array_setting(owner: str, name: str, value: Any, wanted: str) -> None:
    """An array where a number or flag is expected: the class was probably called on the data."""
    if isinstance(value, np.ndarray | list | tuple):
        raise ValueError(
            f"{name} must be {wanted}, got an array; {_class_called_with_data(owner)}"
        )


def _check_from_logits(owner: str, name: str, from_logits: Any) -> bool:
    """A flag such as ``from_logits`` as a bool; an array means the class was called on data."""
    _refuse_array_setting(owner, name, from_logits, "True or False")
    return check_bool(name, from_logits)


#: What a number setting must be, and how its message says so.
_NUMBER_KINDS: dict[str, tuple[Callable[[float], bool], str]] = {
    "finite": (lambda x: True, "a finite number"),
    "positive": (lambda x: x > 0, "a positive finite number"),
    "non-negative": (lambda x: x >= 0, "a non-negative finite number"),
    "unit": (lambda x: 0 <= x <= 1, "a number in [0, 1]"),
}


def _check_number(owner: str, name: str, value: Any, kind: str = "finite") -> float:
    """A real-number setting as a float: an int, a float, a Fraction, a NumPy scalar."""
    accepts, wanted = _NUMBER_KINDS[kind]
    _refuse_array_setting(owner, name, value, wanted)
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and accepts(number)):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return number


def _number_setting(kind: str = "finite") -> _Setting:
    """A number setting of a loss, checked as ``kind`` (see :func:`_check_number`)."""
    return _Setting(functools.partial(_check_number, kind=kind))


def _check_class_weights(owner: str, name: str, weight: Any) -> np.ndarray | None:
    """None, or one non-negative finite weight per class (a read-only float64 copy)."""
    if weight is None:
        return None
    refuse_matrix_and_masked(name, weight)
    weight = as_float_array(name, weight, np.float64)
    check_ndim(name, weight, 1, "one weight per class")
    check_nonempty(name, weight)
    check_finite(name, weight)
    if (weight < 0).any():
        raise ValueError(
            f"{name} must hold non-negative class weights, found {weight[weight < 0][0].item()!r}"
        )
    weight = weight.copy()
    weight.flags.writeable = False
    return weight


def _weights_for(weight: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The class weights, one per column of ``y_pred``, in its dtype."""
    n_classes = y_pred.shape[1]
    if len(weight) != n_classes:
        raise ValueError(
            f"weight must hold one weight per class: it has {len(weight)}, but y_pred "
            f"{y_pred.shape} has C = {n_classes} classes"
        )
    largest = np.finfo(y_pred.dtype).max
    if weight.max() > largest:
        raise ValueError(
            f"weight holds values too large for the dtype of y_pred ({y_pred.dtype}), "
            f"e.g. {weight.max()!r}"
        )
    return weight.astype(y_pred.dtype)


def _check_ignore_index(owner: str, name: str, value: Any) -> int | None:
    """None, or the integer label that marks an example to skip."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer label or None, got {value!r}")
    return int(value)


def _options_repr(loss: Loss, **defaults: Any) -> str:
    """``", name=value"`` for each setting of ``loss`` that differs from its default."""
    shown = []
    for name, default in defaults.items():
        value = getattr(loss, name)
        changed = (value is None) != (default is None) or (
            value is not None and not np.array_equal(value, default)
        )
        if changed:
            shown.append(f", {name}={value!r}")
    return "".join(shown)


def _check_predictions(y_pred: ArrayLike) -> np.ndarray:
    refuse_matrix_and_masked("y_pred", y_pred)
    y_pred = as_float_array("y_pred", y_pred)
    # float16 is promoted: 1e-12 and the -100 floor do not survive in it.
    y_pred = y_pred.astype(np.promote_types(y_pred.dtype, np.float32), copy=False)
    check_nonempty("y_pred", y_pred)
    check_finite("y_pred", y_pred)
    return y_pred


def _check_targets(name: str, y_true: ArrayLike, y_pred: np.ndarray) -> np.ndarray:
    """Targets (or another array of data) of the shape of ``y_pred``, in its dtype."""
    refuse_matrix_and_masked(name, y_true)
    y_true = as_float_array(name, y_true)
    check_same_shape("y_pred", y_pred, name, y_true)
    check_finite(name, y_true)
    _check_fits_dtype(name, y_true, y_pred.dtype)
    return y_true.astype(y_pred.dtype, copy=False)


def _check_fits_dtype(name: str, array: np.ndarray, dtype: np.dtype) -> None:
    """Refuse finite values that would overflow to inf when cast to ``dtype``."""
    largest = np.finfo(dtype).max
    if array.size and np.abs(array).max() > largest:
        raise ValueError(
            f"{name} holds values too large for the dtype of y_pred ({dtype}, "
            f"largest {largest}), e.g. {np.abs(array).max()!r}"
        )


def _check_pair(y_pred: ArrayLike, y_true: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Predictions and targets of one shape, the targets in the predictions' dtype."""
    y_pred = _check_predictions(y_pred)
    return y_pred, _check_targets("y_true", y_true, y_pred)


def _check_probabilities(y_pred: np.ndarray) -> None:
    try:
        check_in_interval("y_pred", y_pred, 0.0, 1.0, "probabilities")
    except ValueError as error:
        raise ValueError(f"{error} (for logits, pass from_logits=True)") from None


def _check_nonnegative(name: str, array: np.ndarray, what: str) -> None:
    """Refuse negative entries: ``what`` says what the array holds ("counts", ...)."""
    negative = array < 0
    if negative.any():
        raise ValueError(
            f"{name} must hold non-negative {what}, found {int(negative.sum())} negative, "
            f"e.g. {array[negative].flat[0].item()!r}"
        )


def _check_labels(
    y_true: ArrayLike, shape: tuple[int, int], ignore_index: int | None = None
) -> np.ndarray:
    """Class labels: one per row of ``y_pred`` (of ``shape`` (n, C)), integers in [0, C).

    A label equal to ``ignore_index`` is accepted wherever it lies.
    """
    n, n_classes = shape
    refuse_matrix_and_masked("y_true", y_true)
    try:
        labels = np.asarray(y_true)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"y_true must be an array of integer class labels: {error}") from None
    is_integer = np.issubdtype(labels.dtype, np.integer)
    if labels.dtype == bool or not (is_integer or np.issubdtype(labels.dtype, np.floating)):
        raise ValueError(f"y_true must hold integer class labels, got dtype {labels.dtype}")
    check_ndim("y_true", labels, 1, "one integer class label per example")
    if len(labels) != n:
        raise ValueError(
            f"y_true must hold one label per row of y_pred, "
            f"got y_true {labels.shape} and y_pred {shape}"
        )
    if not is_integer:
        check_finite("y_true", labels)
        fractional = labels != np.floor(labels)
        if fractional.any():
            raise ValueError(
                f"y_true must hold integer class labels, found {labels[fractional][0].item()!r}"
            )
    outside = (labels < 0) | (labels >= n_classes)
    if ignore_index is not None:
        outside &= labels != ignore_index
    if outside.any():
        label = labels[outside][0].item()
        hint = (
            f" (to skip the examples labelled {label}, as PyTorch's default "
            f"ignore_index={label} does, build the loss with ignore_index={label})"
            if label == -100 and ignore_index is None
            else ""
        )
        raise ValueError(
            f"y_true holds label {label!r} outside [0, {n_classes}): "
            f"y_pred {shape} has C = {n_classes} classes{hint}"
        )
    return labels.astype(np.intp)


def _check_class_scores(y_pred: ArrayLike, y_true: ArrayLike) -> np.ndarray:
    """``y_pred`` of shape (n, C), with a word when the arguments look swapped."""
    y_pred = _check_predictions(y_pred)
    if y_pred.ndim == 1 and _ndim(y_true) == 2:
        raise ValueError(
            f"y_pred must be 2-D (n examples by C classes), got shape {y_pred.shape}, and "
            f"y_true is 2-D {np.shape(y_true)}: are the arguments swapped? optlib, like "
            "PyTorch, takes loss(y_pred, y_true); Keras takes (y_true, y_pred)"
        )
    check_ndim("y_pred", y_pred, 2, "n examples by C classes")
    return y_pred
