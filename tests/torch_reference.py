"""An optimizer's parity table: its cases, torch's runs of them, and how well-conditioned each is.

Not a test module. The parity tests of ``NAdam``, ``RAdam``, ``Adamax`` and
``Adadelta`` (``tests/test_optimizers_<module>.py``) and the scripts that store
torch's trajectories for them (``tests/reference/make_<module>.py``) build the
same table here: every combination of an optimizer's options, on parameters of
several shapes (0-d, 1-D, 2-D, 3-D), in float64 and float32, run on
:mod:`optimizer_parity`'s gradient field. The stored runs let a machine without
PyTorch check parity too.

A float32 run, or a float64 run that bounces around its minimum, amplifies
rounding: two correct implementations that round one operation differently
(NumPy has no fused multiply-add, torch's CPU kernels use one) drift apart, and
torch drifts as far from *itself* when every entry is moved by one ulp after
every step (:func:`torch_run_jittered`). That distance is the floor below which
no tolerance can go; the tests use it where a run is not well-conditioned.

Examples
--------
>>> [case["kwargs"] for case in table({"lr": 0.1}, {"maximize": (False, True)}, float32=False)]
[{'lr': 0.1, 'maximize': False}, {'lr': 0.1, 'maximize': True}]
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from optimizer_parity import gradient, initial_params, optlib_run, torch_run

SHAPES = [(), (3,), (2, 3), (2, 1, 2)]
"""0-d, 1-D, 2-D and 3-D parameters in one run: 16 entries."""
SEED = 1
STEPS = 300
EVERY = 20
"""Stored snapshots: the parameters after steps 20, 40, ..., 300."""
FLOOR = 1e-3
"""Relative errors are taken against max(|torch's value|, FLOOR): parameters are O(1)."""


def table(
    base: dict[str, Any],
    options: dict[str, Sequence[Any]],
    extra: Sequence[dict[str, Any]] = (),
    float32: bool = True,
) -> list:
    """Every combination of ``options`` on top of ``base``, then the ``extra`` settings,
    in float64 (and float32)."""
    names = list(options)
    settings = [
        dict(zip(names, values, strict=True)) for values in itertools.product(*options.values())
    ]
    cases = []
    for dtype in ("float64", "float32") if float32 else ("float64",):
        for setting in [*settings, *extra]:
            cases.append({"kwargs": {**base, **setting}, "dtype": dtype})
    return cases


def assert_stored_table_is_the_scripts(cases: list[dict], module: str) -> None:
    """The stored cases are the table that ``make_<module>.py`` builds today."""
    made = script(module)
    expected = table(made.BASE, made.OPTIONS, getattr(made, "EXTRA", ()))
    stored = [{"kwargs": case["kwargs"], "dtype": case["dtype"]} for case in cases]
    assert stored == json.loads(json.dumps(expected)), f"run tests/reference/make_{module}.py"


def case_id(case: dict) -> str:
    """A short test id: the options that differ from off, and the dtype."""
    parts = [
        key if value is True else f"{key}={value}"
        for key, value in case["kwargs"].items()
        if key != "lr" and value not in (0, 0.0, False)
    ]
    return "-".join([*parts, case["dtype"]]) or case["dtype"]


def start(case: dict) -> list[np.ndarray]:
    """The case's starting parameters."""
    return initial_params(SHAPES, seed=SEED, dtype=case["dtype"])


def torch_optimizer(name: str, kwargs: dict) -> Callable[[list], Any]:
    """``make(tensors)`` for ``torch.optim.<name>``, one implementation (no foreach)."""
    import torch

    return lambda tensors: getattr(torch.optim, name)(tensors, foreach=False, **_torch(kwargs))


def _torch(kwargs: dict) -> dict:
    """Keyword arguments as torch takes them (JSON stores a pair as a list)."""
    return {
        key: tuple(value) if isinstance(value, list) else value for key, value in kwargs.items()
    }


def flat(path: list[list[np.ndarray]]) -> np.ndarray:
    """A run as one array: row ``t`` holds every entry after step ``t + 1``."""
    return np.array([np.concatenate([p.ravel() for p in step]) for step in path])


def relative_error(got: np.ndarray, expected: np.ndarray) -> float:
    """max |got − expected| / max(|expected|, FLOOR), over every step and entry."""
    return float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), FLOOR)))


def torch_run_jittered(
    make: Callable[[list], Any], params0: Sequence[np.ndarray], steps: int, seed: int = 0
) -> list[list[np.ndarray]]:
    """torch's run with every entry of the parameters and of the state arrays moved by
    one ulp, in a random direction, after every step: what a correct implementation
    that rounds differently could give. Its distance from the plain run measures how
    much the run amplifies rounding. Scalar state (the step count, NAdam's
    ``mu_product``, which optlib rounds exactly as torch does) is left alone."""
    import torch

    rng = np.random.default_rng(seed)
    tensors = [torch.tensor(np.array(p), requires_grad=True) for p in params0]
    opt = make(tensors)
    path = []
    for _ in range(steps):
        for tensor, grad in zip(tensors, gradient(tensors), strict=True):
            tensor.grad = torch.tensor(grad, dtype=tensor.dtype)
        opt.step()
        with torch.no_grad():
            for tensor in tensors:
                entries = opt.state[tensor].items()
                state = [v for k, v in entries if k not in ("step", "mu_product")]
                for array in (tensor, *state):
                    value = array.numpy()
                    up = rng.uniform(size=value.shape) < 0.5
                    away = np.where(up, np.inf, -np.inf).astype(value.dtype)
                    array.copy_(torch.from_numpy(np.asarray(np.nextafter(value, away))))
        path.append([t.detach().numpy().astype(np.float64) for t in tensors])
    return path


def write(path: Path, name: str, cases: list[dict]) -> None:
    """Run every case in torch and store the snapshots (and torch's jittered distance)."""
    import torch

    arrays: dict[str, Any] = {"torch_version": np.array(torch.__version__)}
    for index, case in enumerate(cases):
        make = torch_optimizer(name, case["kwargs"])
        plain = flat(torch_run(make, start(case), STEPS))
        jittered = flat(torch_run_jittered(make, start(case), STEPS))
        case["torch_jitter"] = relative_error(jittered, plain)
        arrays[f"trajectory_{index:03d}"] = plain[EVERY - 1 :: EVERY]
    arrays["cases"] = np.array(json.dumps(cases))
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(cases)} {name} trajectories to {path} ({path.stat().st_size} bytes)")


def read(path: Path) -> tuple[list[dict], list[np.ndarray]]:
    """The cases and their stored snapshots, as :func:`write` left them."""
    with np.load(path) as data:
        cases = json.loads(str(data["cases"]))
        return cases, [data[f"trajectory_{i:03d}"] for i in range(len(cases))]


# -- the comparisons the parity tests make ---------------------------------------------

TOLERANCE = {"float64": 1e-10, "float32": 1e-6}
"""The contract's float64 tolerance, relative. float32: about 8 ulps, and never below
torch's own distance from its jittered self on the same run (see the module docstring)."""


def tolerance(case: dict) -> float:
    """float64: 1e-10, whatever the run. float32: 1e-6, or torch's jitter distance if larger.

    A float32 run reaches its minimum within the 300 steps and then bounces in a
    band that rounding sets: measured, torch moves by 2e-6 to 2e-3 there when
    one ulp is added to every entry after every step, while optlib's distance from
    torch stayed below half of that on every case.
    """
    if case["dtype"] == "float64":
        return TOLERANCE["float64"]
    return max(TOLERANCE["float32"], case["torch_jitter"])


def optlib_path(opt_class: type, case: dict, handover_at: int | None = None) -> np.ndarray:
    """optlib's run of ``case``: row ``t`` holds every entry after step ``t + 1``."""
    kwargs = _torch(case["kwargs"])
    make = lambda params: opt_class(params, **kwargs)  # noqa: E731
    return flat(optlib_run(make, start(case), STEPS, handover_at=handover_at))


def torch_path(name: str, case: dict, handover_at: int | None = None) -> np.ndarray:
    """torch's run of ``case``, as :func:`optlib_path`."""
    make = torch_optimizer(name, case["kwargs"])
    return flat(torch_run(make, start(case), STEPS, handover_at=handover_at))


def assert_follows_torch_live(name: str, opt_class: type, case: dict) -> float:
    """optlib's run of ``case`` against torch's, at every step; the error found.

    float32 runs measure torch's jittered distance first (see :func:`tolerance`).
    """
    torchs = torch_path(name, case)
    if case["dtype"] == "float32":
        make = torch_optimizer(name, case["kwargs"])
        jittered = flat(torch_run_jittered(make, start(case), STEPS))
        case = {**case, "torch_jitter": relative_error(jittered, torchs)}
    return assert_close_to_torch(optlib_path(opt_class, case), torchs, case)


def assert_close_to_torch(ours: np.ndarray, torchs: np.ndarray, case: dict) -> float:
    """optlib's run against torch's (all steps, or the stored ones); the error found."""
    error = relative_error(ours, torchs)
    assert error <= tolerance(case), f"{case_id(case)}: {error:.3g} > {tolerance(case):.3g}"
    return error


def assert_drawn_run_follows_torch(name: str, opt_class: type, kwargs: dict, steps: int) -> int:
    """A float64 run with drawn hyper-parameters against torch, step by step.

    Where the run amplifies rounding, the tolerance widens to 100 times torch's
    distance from its jittered self at that step, and the comparison stops once
    that distance passes 1e-8 (from there on, which of several nearby paths a
    run follows is chance). At least 10 steps must be compared. Returns how many were.
    """
    case = {"kwargs": kwargs, "dtype": "float64"}
    make = torch_optimizer(name, kwargs)
    params0 = initial_params(SHAPES, seed=SEED, dtype="float64")
    ours = flat(optlib_run(lambda params: opt_class(params, **_torch(kwargs)), params0, steps))
    torchs = flat(torch_run(make, params0, steps))
    jittered = flat(torch_run_jittered(make, params0, steps))
    compared = 0
    for t in range(steps):
        spread = relative_error(jittered[t], torchs[t])
        if spread > 1e-8:
            break
        error = relative_error(ours[t], torchs[t])
        bound = TOLERANCE["float64"] + 100 * spread
        assert error <= bound, f"{case_id(case)}, step {t + 1}: {error:.3g} > {bound:.3g}"
        compared += 1
    assert compared >= min(10, steps), f"{case_id(case)}: torch lost itself at step {compared}"
    return compared


def assert_torch_state_layout(name: str, opt_class: type, kwargs: dict) -> None:
    """After a few steps, optlib's ``state_dict`` has torch's entries and values."""
    import torch

    case = {"kwargs": kwargs, "dtype": "float64"}
    params, tensors = start(case), [torch.tensor(p, requires_grad=True) for p in start(case)]
    ours, theirs = opt_class(params, **_torch(kwargs)), torch_optimizer(name, kwargs)(tensors)
    for _ in range(3):
        ours.step(gradient(params))
        for tensor, grad in zip(tensors, gradient(tensors), strict=True):
            tensor.grad = torch.tensor(grad, dtype=tensor.dtype)
        theirs.step()
    ours_dict, theirs_dict = ours.state_dict(), theirs.state_dict()
    assert ours_dict["state"].keys() == theirs_dict["state"].keys()
    for index, entries in theirs_dict["state"].items():
        assert list(ours_dict["state"][index]) == list(entries), index
        for key, value in entries.items():
            np.testing.assert_allclose(ours_dict["state"][index][key], value.numpy(), rtol=1e-14)
    our_group, their_group = ours_dict["param_groups"][0], theirs_dict["param_groups"][0]
    torch_only = {"foreach", "fused", "capturable", "differentiable"}
    assert set(our_group) == set(their_group) - torch_only
    for key, value in our_group.items():
        assert value == their_group[key], key


def assert_torch_signature(name: str, opt_class: type) -> None:
    """optlib's constructor is torch's, less the options that choose torch's implementation."""
    import inspect

    import torch

    torch_only = {"foreach", "fused", "capturable", "differentiable"}
    theirs = [
        (p.name, p.default, p.kind is p.KEYWORD_ONLY)
        for p in inspect.signature(getattr(torch.optim, name)).parameters.values()
        if p.name not in torch_only
    ]
    ours = [
        (p.name, p.default, p.kind is p.KEYWORD_ONLY)
        for p in inspect.signature(opt_class).parameters.values()
    ]
    assert ours == theirs


def script(module: str) -> Any:
    """``tests/reference/make_<module>.py`` as a module (it imports torch only when run)."""
    import importlib.util

    path = Path(__file__).parent / "reference" / f"make_{module}.py"
    spec = importlib.util.spec_from_file_location(f"make_{module}", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded
