"""What every optlib optimizer guarantees, as checks that a module's tests run on its own class.

Not a test module. ``tests/test_optimizers.py`` checks these guarantees for the
first five optimizers in its own tables; the test module of each optimizer
added since (``tests/test_optimizers_<module>.py``) runs :data:`CHECKS` on its
class with a few hyper-parameter settings that switch every state entry on:

* a ``state_dict`` hand-over (or a deep copy, or a pickle) continues bitwise;
* ``state_dict`` is a deep copy both ways;
* ``load_state_dict``, ``step`` and hyper-parameter assignments that raise
  change nothing (parameters, state, step counts, hyper-parameters, inputs);
* an empty loaded state starts afresh;
* a large parameter updated block by block gives the same bits;
* float32 stays float32, updated in place; non-finite gradients pass silently;
* a gradient that is the parameter itself is read before the update;
* a 0-d parameter takes a number as its gradient;
* ``rates()`` has the parameter's shape (or says the class defines none).

Expected values come from the optimizer's own uninterrupted run (these are
properties of the machinery around a rule, not of the rule; parity with torch
is checked separately), so exact equality is the right comparison.
"""

from __future__ import annotations

import copy
import pickle
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from optlib.optimizers import blocks


def two_params(shift: float = 0.0) -> list[np.ndarray]:
    return [np.linspace(-1.0, 1.0, 3) + shift, np.array([[0.5, -1.5], [2.0, 0.25]]) - shift]


def field(params: list[np.ndarray]) -> list[np.ndarray]:
    """A smooth gradient field, entry by entry (computed afresh, never a parameter)."""
    return [np.sin(3 * p) + 0.5 * p for p in params]


def started(opt_class: type, kwargs: dict, steps: int = 3, shift: float = 0.0):
    """An optimizer on two parameters of shapes (3,) and (2, 2), ``steps`` steps in."""
    params = two_params(shift)
    opt = opt_class(params, **kwargs)
    for _ in range(steps):
        opt.step(field(params))
    return opt, params


def assert_same(left: Any, right: Any, where: str = "") -> None:
    """Exact equality of nested dicts, lists, arrays (values and dtype) and numbers."""
    assert type(left) is type(right), f"{where}: {type(left)} != {type(right)}"
    if isinstance(left, dict):
        assert list(left) == list(right), f"{where}: keys {list(left)} != {list(right)}"
        for key in left:
            assert_same(left[key], right[key], f"{where}[{key!r}]")
    elif isinstance(left, list | tuple):
        assert len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(left, np.ndarray):
        assert left.dtype == right.dtype and left.shape == right.shape, where
        np.testing.assert_array_equal(left, right, err_msg=where)
    else:
        assert left == right or (left != left and right != right), f"{where}: {left} != {right}"


def snapshot(opt: Any, given: Any = None) -> dict:
    return {
        "params": [p.copy() for p in opt.params],
        "ids": [id(p) for p in opt.params],
        "state_dict": copy.deepcopy(opt.state_dict()),
        "given": copy.deepcopy(given),
    }


def assert_refused_and_unchanged(
    opt: Any, call: Callable[[], Any], given: Any, error: type, fragments: list[str]
) -> None:
    """``call()`` raises ``error`` naming every fragment, and leaves everything as it was."""
    before = snapshot(opt, given)
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
    assert_same(snapshot(opt, given), before)


# -- the checks --------------------------------------------------------------------


def hand_over_continues_bitwise(opt_class: type, kwargs: dict) -> None:
    uninterrupted, _ = started(opt_class, kwargs, steps=40)
    first, params = started(opt_class, kwargs, steps=20)
    resumed_params = [p.copy() for p in params]
    resumed = opt_class(resumed_params)  # default hyper-parameters: loading restores them
    resumed.load_state_dict(first.state_dict())
    assert resumed.hyperparameters.keys() == first.hyperparameters.keys()
    copied = copy.deepcopy(first)
    pickled = pickle.loads(pickle.dumps(first))
    for opt in (resumed, copied, pickled):
        for _ in range(20):
            opt.step(field(list(opt.params)))
        for got, expected in zip(opt.params, uninterrupted.params, strict=True):
            np.testing.assert_array_equal(got, expected)
        assert_same(opt.state_dict(), uninterrupted.state_dict())


def state_dict_is_a_deep_copy(opt_class: type, kwargs: dict) -> None:
    opt, params = started(opt_class, kwargs)
    saved, pristine = opt.state_dict(), copy.deepcopy(opt.state_dict())
    opt.step(field(params))
    assert_same(saved, pristine)  # a later step does not reach a dict taken earlier
    loaded = opt_class(two_params())
    loaded.load_state_dict(saved)
    for entries in saved["state"].values():  # nor does a change to a loaded dict
        for value in entries.values():
            if isinstance(value, np.ndarray):
                value += 1.0
    assert_same(loaded.state_dict()["state"], pristine["state"])


def bad_loads_change_nothing(opt_class: type, kwargs: dict) -> None:
    reference, _ = started(opt_class, kwargs, steps=4)
    arrays = [k for k, v in reference.state[1].items() if isinstance(v, np.ndarray)]
    numbers = [k for k in reference.state[1] if k in opt_class.scalar_state]
    cases: list[tuple[Callable[[dict], None], list[str]]] = []
    for key in reference.state[1]:
        cases.append((lambda d, key=key: d["state"][1].pop(key), ["params[1]", f"'{key}'"]))
    for key in arrays:
        for value, fragments in [
            (np.zeros(5), [key, "(5,)", "(2, 2)"]),
            (np.zeros((2, 2), complex), [key, "complex128"]),
            (np.full((2, 2), "a"), [key, "<U1"]),
        ]:
            cases.append((lambda d, k=key, v=value: d["state"][1].__setitem__(k, v), fragments))
    negative = np.array([[1.0, -0.5], [0.0, 2.0]])
    for key in opt_class.nonnegative_state:
        cases.append((lambda d, k=key: d["state"][1].__setitem__(k, negative), [key, "-0.5"]))
    for key in numbers:
        for value, fragments in [
            (np.ones(5), [key, "(5,)"]),
            (float("nan"), [key, "finite"]),
            ("0.5", [key, "<U3"]),
        ]:
            cases.append((lambda d, k=key, v=value: d["state"][1].__setitem__(k, v), fragments))
    cases += [
        (lambda d: d["state"][1].__setitem__("step", -1), ["step must be an int >= 0"]),
        (lambda d: d["state"][1].__setitem__("velocity", 0.0), ["unknown entries"]),
        (lambda d: d["param_groups"][0].__setitem__("lr", -1.0), ["Invalid learning rate"]),
        (lambda d: d["param_groups"][0].__setitem__("foreach", None), ["foreach"]),
        (lambda d: d["param_groups"][0].pop("eps"), ["'eps'"]),
        (lambda d: d.__setitem__("optimizer", "Adam"), ["comes from Adam"]),
    ]
    for corrupt, fragments in cases:
        saved = reference.state_dict()
        corrupt(saved)
        target, _ = started(opt_class, kwargs, steps=2, shift=0.3)
        assert_refused_and_unchanged(
            target, lambda t=target, s=saved: t.load_state_dict(s), saved, ValueError, fragments
        )


def empty_state_starts_afresh(opt_class: type, kwargs: dict) -> None:
    saved = started(opt_class, kwargs, steps=4)[0].state_dict()
    saved["state"] = {0: {}, 1: dict.fromkeys(saved["state"][1])}  # absent, and all None
    params = two_params()
    opt = opt_class(params)
    opt.load_state_dict(saved)
    opt.step(field(params))
    fresh, _ = started(opt_class, kwargs, steps=1)
    for got, expected in zip(params, fresh.params, strict=True):
        np.testing.assert_array_equal(got, expected)


def bad_steps_change_nothing(opt_class: type, kwargs: dict) -> None:
    opt, _ = started(opt_class, kwargs)
    good = [np.ones(3), np.ones((2, 2))]
    for grads, fragments in [
        (good[:1], ["expected 2 gradient(s)"]),
        ([np.ones(3), np.ones((4,))], ["gradient 1 has shape (4,)", "(2, 2)"]),
        ([np.ones(3), np.ones((2, 2), complex)], ["gradient 1", "complex128"]),
        ([np.ones(3), None], ["gradient 1 is None"]),
    ]:
        assert_refused_and_unchanged(
            opt, lambda g=grads: opt.step(g), grads, ValueError, fragments
        )


def bad_assignments_change_nothing(opt_class: type, kwargs: dict) -> None:
    opt, _ = started(opt_class, kwargs)
    for name, value, fragment in [
        ("lr", -1.0, "Invalid learning rate: -1.0"),
        ("lr", float("nan"), "lr must be finite"),
        ("eps", -1.0, "Invalid epsilon value: -1.0"),
        ("weight_decay", -0.5, "Invalid weight_decay value: -0.5"),
        ("maximize", "yes", "maximize must be True or False"),
        ("lr", np.full((3, 1), 0.1), "does not broadcast"),
    ]:
        assert_refused_and_unchanged(
            opt, lambda n=name, v=value: setattr(opt, n, v), value, ValueError, [fragment]
        )
    assert_refused_and_unchanged(
        opt, lambda: setattr(opt, "learning_rate", 0.1), None, AttributeError, ["opt.lr"]
    )


def blocked_update_is_bitwise(opt_class: type, kwargs: dict) -> None:
    for dtype in (np.float64, np.float32):
        start = np.linspace(-3, 3, 1000, dtype=dtype).reshape(20, 50)

        def run(start=start) -> tuple[np.ndarray, dict]:
            theta = start.copy()
            opt = opt_class(theta, **kwargs)
            for _ in range(20):
                opt.step(np.sin(3 * theta) + 0.5 * theta)
            return theta, opt.state_dict()

        whole, whole_state = run()
        size = blocks.BLOCK_SIZE
        blocks.BLOCK_SIZE = 64  # 16 blocks, the last one short
        try:
            blocked, blocked_state = run()
        finally:
            blocks.BLOCK_SIZE = size
        np.testing.assert_array_equal(blocked, whole)
        assert_same(blocked_state, whole_state)
        assert blocked.dtype == dtype


def float32_stays_float32_in_place(opt_class: type, kwargs: dict) -> None:
    params = [p.astype(np.float32) for p in two_params()]
    ids = [id(p) for p in params]
    opt = opt_class(params, **kwargs)
    for _ in range(3):
        grads = [g.astype(np.float64) for g in field(params)]
        opt.step(grads)  # float64 gradients: the parameters keep their dtype
    assert [id(p) for p in opt.params] == ids
    assert all(p.dtype == np.float32 for p in params)
    for entries in opt.state:
        assert all(v.dtype == np.float32 for v in entries.values() if isinstance(v, np.ndarray))


def non_finite_gradients_pass_silently(opt_class: type, kwargs: dict) -> None:
    theta = np.array([1.0, 2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt_class(theta, **kwargs).step(np.array([np.nan, np.inf, 1.0]))
    assert not np.isfinite(theta[:2]).any()
    assert np.isfinite(theta[2])


def gradient_aliasing_its_parameter(opt_class: type, kwargs: dict) -> None:
    # f(θ) = ½‖θ‖² has ∇f = θ: the gradient may be the parameter itself.
    theta, reference = np.array([1.0, -2.0, 3.0]), np.array([1.0, -2.0, 3.0])
    opt, reference_opt = opt_class(theta, **kwargs), opt_class(reference, **kwargs)
    for _ in range(5):
        opt.step(theta)
        reference_opt.step(reference.copy())
    np.testing.assert_array_equal(theta, reference)


def zero_dimensional_parameter(opt_class: type, kwargs: dict) -> None:
    scalar, vector = np.array(1.5), np.array([1.5])
    opt, reference = opt_class(scalar, **kwargs), opt_class(vector, **kwargs)
    for _ in range(5):
        opt.step(float(np.sin(scalar)))
        reference.step(np.sin(vector))
    assert scalar.shape == ()
    np.testing.assert_array_equal(scalar, vector[0])


def rates_have_the_parameters_shape(opt_class: type, kwargs: dict) -> None:
    opt, params = started(opt_class, kwargs)
    if opt_class.rate is None:
        message = f"{opt_class.__name__} defines no per-coordinate learning rate"
        with pytest.raises(ValueError, match=re.escape(message)):
            opt.rates(1)
        return
    rates = opt.rates(1)
    assert rates.shape == params[1].shape
    assert np.all(np.isfinite(rates)) and np.all(rates >= 0)
    fresh = opt_class(two_params(), **kwargs)
    with pytest.raises(ValueError, match="call step"):
        fresh.rates(0)


CHECKS = [
    hand_over_continues_bitwise,
    state_dict_is_a_deep_copy,
    bad_loads_change_nothing,
    empty_state_starts_afresh,
    bad_steps_change_nothing,
    bad_assignments_change_nothing,
    blocked_update_is_bitwise,
    float32_stays_float32_in_place,
    non_finite_gradients_pass_silently,
    gradient_aliasing_its_parameter,
    zero_dimensional_parameter,
    rates_have_the_parameters_shape,
]
"""Each check takes ``(opt_class, kwargs)``; run them with ``pytest.mark.parametrize``."""


def sweep_equals_separate_runs(opt_class: type, fixed: dict, swept: dict) -> None:
    """Array hyper-parameters of shape (3, 1) on parameters of shape (3, 2) run three
    configurations at once: row i equals a run with the scalars of row i (to 1e-13:
    NumPy may take another path for an array operation than for a scalar one)."""

    def values(row: int | None) -> dict:
        def pick(v: list) -> Any:
            return float(v[row]) if row is not None else np.array(v, dtype=float)[:, None]

        return {
            name: tuple(pick(v) for v in value) if isinstance(value, tuple) else pick(value)
            for name, value in swept.items()
        }

    starts = np.array([[1.0, 2.0], [-1.5, 0.5], [0.2, -2.0]])
    thetas = starts.copy()
    batched = opt_class(thetas, **fixed, **values(None))
    for _ in range(150):
        batched.step(field([thetas])[0])
    for row in range(3):
        theta = starts[row].copy()
        single = opt_class(theta, **fixed, **values(row))
        for _ in range(150):
            single.step(field([theta])[0])
        np.testing.assert_allclose(thetas[row], theta, rtol=1e-13, atol=1e-15)
