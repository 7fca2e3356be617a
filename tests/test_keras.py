"""Tests for optlib.keras.

Expected values come from Keras itself (its documentation and the values in
its own test suite, keras/src/optimizers/*_test.py), from the update formulas
written out here by hand, or from the relations to optlib's PyTorch-style
optimizers that hold exactly; never from optlib.keras's own output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import optlib
from optlib import keras
from optlib.functions import Quadratic, Rosenbrock

KERAS_INPUT = np.array([1.0, 2.0, 3.0, 4.0])
KERAS_GRADIENT = np.array([1.0, 6.0, 7.0, 2.0])


def run(cls, gradients, x0=0.0, **hyperparameters):
    """The iterates of ``cls`` fed ``gradients`` (one per step) from ``x0``."""
    theta = np.atleast_1d(np.array(x0, dtype=float))
    opt = cls(theta, **hyperparameters)
    path = [theta.copy()]
    for g in gradients:
        opt.step(np.broadcast_to(np.asarray(g, dtype=float), theta.shape).copy())
        path.append(theta.copy())
    return np.array(path)


GRADIENTS = [3.0, -1.0, 0.5, 0.5, 2.0, -0.25, 1e-3, 4.0]


# ---------------------------------------------------------------------------
# Keras's own numbers
# ---------------------------------------------------------------------------


def test_rmsprop_reproduces_keras_documentation_example():
    # keras.optimizers.RMSprop's docstring: learning_rate=0.1 on J = θ²/2 from θ = 10.
    theta = np.array([10.0])
    keras.RMSprop(theta, learning_rate=0.1).step(theta.copy())
    assert f"{theta[0]:.6f}" == "9.683772"


@pytest.mark.parametrize(
    ("cls", "expected"),
    [  # test_single_step of keras/src/optimizers/*_test.py, learning_rate=0.5
        (keras.SGD, [0.5, -1.0, -0.5, 3.0]),
        (keras.RMSprop, [-0.5811, 0.4189, 1.4189, 2.4189]),
        (keras.Adagrad, [0.5233, 1.5007, 2.5005, 3.5061]),
        (keras.Adam, [0.5, 1.5, 2.5, 3.5]),
        (keras.AdamW, [0.4980, 1.4960, 2.494, 3.492]),
    ],
)
def test_single_step_matches_keras_test_suite(cls, expected):
    variable = KERAS_INPUT.copy()
    cls(variable, learning_rate=0.5).step(KERAS_GRADIENT)
    np.testing.assert_allclose(variable, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("cls", [keras.SGD, keras.RMSprop, keras.Adagrad, keras.Adam])
def test_weight_decay_matches_keras_test_suite(cls):
    # Keras's test_weight_decay: three decays of 0.004 at learning_rate 1, zero gradients.
    variable = np.array([2.0])
    for _ in range(3):
        cls(variable, learning_rate=1.0, weight_decay=0.004).step(np.zeros(1))
    assert variable[0] == pytest.approx(1.9760959, abs=1e-6)


# ---------------------------------------------------------------------------
# The formulas, written out by hand
# ---------------------------------------------------------------------------


def test_sgd_steps_by_hand():
    lr, mu, (g1, g2) = 0.1, 0.9, (2.0, -1.0)
    assert run(keras.SGD, [g1], 1.0, learning_rate=lr)[-1] == pytest.approx(1.0 - lr * g1)
    v1 = -lr * g1
    v2 = mu * v1 - lr * g2
    path = run(keras.SGD, [g1, g2], 1.0, learning_rate=lr, momentum=mu)
    np.testing.assert_allclose(path[:, 0], [1.0, 1.0 + v1, 1.0 + v1 + v2], rtol=1e-15)
    nesterov = run(keras.SGD, [g1, g2], 1.0, learning_rate=lr, momentum=mu, nesterov=True)
    first = 1.0 + mu * v1 - lr * g1
    np.testing.assert_allclose(nesterov[:, 0], [1.0, first, first + mu * v2 - lr * g2])


def test_rmsprop_steps_by_hand():
    lr, rho, eps, mu = 0.01, 0.8, 1e-3, 0.5
    g1, g2 = 2.0, -0.5
    s1 = (1 - rho) * g1**2
    s2 = rho * s1 + (1 - rho) * g2**2
    plain = run(keras.RMSprop, [g1, g2], 0.0, learning_rate=lr, rho=rho, epsilon=eps)
    expected = [0.0, -lr * g1 / math.sqrt(s1 + eps)]
    expected.append(expected[-1] - lr * g2 / math.sqrt(s2 + eps))
    np.testing.assert_allclose(plain[:, 0], expected, rtol=1e-14)

    a1 = (1 - rho) * g1
    a2 = rho * a1 + (1 - rho) * g2
    d1 = lr * g1 / math.sqrt(s1 - a1**2 + eps)
    d2 = lr * g2 / math.sqrt(s2 - a2**2 + eps)
    m1, m2 = d1, mu * d1 + d2
    both = run(
        keras.RMSprop,
        [g1, g2],
        0.0,
        learning_rate=lr,
        rho=rho,
        epsilon=eps,
        momentum=mu,
        centered=True,
    )
    np.testing.assert_allclose(both[:, 0], [0.0, -m1, -m1 - m2], rtol=1e-14)


def test_adagrad_steps_by_hand():
    lr, start, eps, (g1, g2) = 0.2, 0.3, 1e-6, (0.01, 0.5)
    path = run(
        keras.Adagrad,
        [g1, g2],
        1.0,
        learning_rate=lr,
        initial_accumulator_value=start,
        epsilon=eps,
    )
    first = 1.0 - lr * g1 / math.sqrt(start + g1**2 + eps)
    second = first - lr * g2 / math.sqrt(start + g1**2 + g2**2 + eps)
    np.testing.assert_allclose(path[:, 0], [1.0, first, second], rtol=1e-15)
    # Keras's defaults: G₀ = 0.1, so a small gradient's first step is about α g / √0.1.
    assert run(keras.Adagrad, [1e-3])[1, 0] == pytest.approx(-1e-3 * 1e-3 / math.sqrt(0.1), 1e-4)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_steps_by_hand(amsgrad):
    lr, b1, b2, eps = 0.1, 0.9, 0.99, 1e-3
    g = [4.0, 0.5, 0.5]  # v falls after the large gradient: amsgrad keeps the maximum
    m = v = v_max = 0.0
    theta, expected = 0.0, [0.0]
    for t, gt in enumerate(g, start=1):
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt**2
        v_max = max(v_max, v)
        alpha_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        theta -= alpha_t * m / (math.sqrt(v_max if amsgrad else v) + eps)
        expected.append(theta)
    path = run(
        keras.Adam, g, 0.0, learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps, amsgrad=amsgrad
    )
    np.testing.assert_allclose(path[:, 0], expected, rtol=1e-13)


def test_adamw_shrinks_before_the_adam_step():
    lr, wd = 0.1, 0.5
    # A zero gradient: only the decay acts, by 1 − αλ per step.
    path = run(keras.AdamW, [0.0] * 5, 2.0, learning_rate=lr, weight_decay=wd)
    np.testing.assert_allclose(path[:, 0], 2.0 * (1 - lr * wd) ** np.arange(6), rtol=1e-15)
    # With a gradient: the decayed θ, then Adam's first step α·g/(|g| + ε̂/√(1 − β₂)) ...
    g = 3.0
    step = lr * math.sqrt(1 - 0.999) / (1 - 0.9) * (0.1 * g) / (math.sqrt(0.001) * g + 1e-7)
    assert run(keras.AdamW, [g], 2.0, learning_rate=lr, weight_decay=wd)[1, 0] == (
        pytest.approx(2.0 * (1 - lr * wd) - step, rel=1e-14)
    )
    # ... the same as Keras's Adam with weight_decay, which is decoupled too.
    np.testing.assert_array_equal(
        run(keras.AdamW, GRADIENTS, 2.0, learning_rate=lr, weight_decay=wd),
        run(keras.Adam, GRADIENTS, 2.0, learning_rate=lr, weight_decay=wd),
    )


def test_a_new_learning_rate_applies_to_new_gradients_only():
    # A steady gradient 1, α = 0.1 for 20 steps, then 0.01. Keras's velocity keeps the
    # old steps: the first step after the cut is μ·v + 0.01, not 0.01·(μ·v/0.1 + 1).
    mu, theta = 0.9, np.zeros(1)
    opt = keras.SGD(theta, learning_rate=0.1, momentum=mu)
    for _ in range(20):
        opt.step(np.ones(1))
    velocity = -0.1 * sum(mu**k for k in range(20))
    before = theta.copy()
    opt.learning_rate = 0.01
    opt.step(np.ones(1))
    assert (theta - before)[0] == pytest.approx(mu * velocity - 0.01, rel=1e-12)


def test_float32_stays_float32():
    for cls in (keras.SGD, keras.RMSprop, keras.Adagrad, keras.Adam, keras.AdamW):
        theta = np.ones(3, dtype=np.float32)
        opt = cls(theta, learning_rate=0.1)
        opt.step(np.full(3, 0.5, dtype=np.float32))
        assert theta.dtype == np.float32
        assert all(value.dtype == np.float32 for value in opt.state[0].values())


# ---------------------------------------------------------------------------
# Exact relations to optlib's PyTorch-style optimizers
# ---------------------------------------------------------------------------

RAVINE = Quadratic()


def both_paths(keras_cls, torch_cls, keras_args, torch_args, surface=RAVINE, steps=80):
    start = [1.5, -0.8]
    ours = optlib.minimize(surface, start, keras_cls, steps=steps, **keras_args)
    theirs = optlib.minimize(surface, start, torch_cls, steps=steps, **torch_args)
    return ours.xs, theirs.xs


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("surface", [RAVINE, Rosenbrock()], ids=["ravine", "rosenbrock"])
def test_sgd_momentum_is_pytorchs_at_a_constant_rate(nesterov, surface):
    ours, theirs = both_paths(
        keras.SGD,
        optlib.SGD,
        {"learning_rate": 1e-3, "momentum": 0.9, "nesterov": nesterov},
        {"lr": 1e-3, "momentum": 0.9, "nesterov": nesterov},
        surface=surface,
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_sgd_decoupled_decay_is_l2_without_momentum():
    ours, theirs = both_paths(
        keras.SGD,
        optlib.SGD,
        {"learning_rate": 0.05, "weight_decay": 0.3},
        {"lr": 0.05, "weight_decay": 0.3},
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("momentum", "centered"), [(0.0, False), (0.5, False), (0.5, True)])
def test_rmsprop_is_pytorchs_without_epsilon(momentum, centered):
    ours, theirs = both_paths(
        keras.RMSprop,
        optlib.RMSprop,
        {
            "learning_rate": 0.01,
            "rho": 0.9,
            "epsilon": 0.0,
            "momentum": momentum,
            "centered": centered,
        },
        {"lr": 0.01, "alpha": 0.9, "eps": 0.0, "momentum": momentum, "centered": centered},
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_adagrad_is_pytorchs_without_epsilon():
    ours, theirs = both_paths(
        keras.Adagrad,
        optlib.Adagrad,
        {"learning_rate": 0.3, "initial_accumulator_value": 0.2, "epsilon": 0.0},
        {"lr": 0.3, "initial_accumulator_value": 0.2, "eps": 0.0},
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_and_adamw_are_pytorchs_without_epsilon(amsgrad):
    common = {"amsgrad": amsgrad}
    ours, theirs = both_paths(
        keras.Adam,
        optlib.Adam,
        {"learning_rate": 0.05, "epsilon": 0.0, **common},
        {"lr": 0.05, "eps": 0.0, **common},
        surface=Rosenbrock(),
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-11, atol=1e-14)
    ours, theirs = both_paths(
        keras.AdamW,
        optlib.AdamW,
        {"learning_rate": 0.05, "epsilon": 0.0, "weight_decay": 0.2},
        {"lr": 0.05, "eps": 0.0, "weight_decay": 0.2},
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_keras_adam_epsilon_is_pytorchs_divided_by_the_correction():
    # At step t Keras's ε̂ acts as PyTorch's ε = ε̂ / √(1 − β₂ᵗ): run PyTorch's rule
    # with that ε as a schedule and compare, with gradients small enough for ε to matter.
    epsilon, beta_2 = 1e-3, 0.99
    gradients = 1e-3 * np.array([1.0, -2.0, 0.5, 3.0, -1.0, 0.2] * 5)
    ours = run(keras.Adam, gradients, 0.0, learning_rate=0.1, beta_2=beta_2, epsilon=epsilon)
    theta = np.zeros(1)
    opt = optlib.Adam(theta, lr=0.1, betas=(0.9, beta_2))
    theirs = [theta.copy()]
    for t, g in enumerate(gradients, start=1):
        opt.eps = epsilon / math.sqrt(1 - beta_2**t)
        opt.step(np.array([g]))
        theirs.append(theta.copy())
    np.testing.assert_allclose(ours, np.array(theirs), rtol=1e-12, atol=1e-16)


# ---------------------------------------------------------------------------
# The translator
# ---------------------------------------------------------------------------

EXACT = [  # PyTorch settings whose Keras translation takes the same steps
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.3, "eps": 0.0}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 0.0, "momentum": 0.5, "centered": True}),
    ("Adam", {"lr": 0.05, "eps": 0.0, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "eps": 0.0, "weight_decay": 0.2}),
]


@pytest.mark.parametrize(("name", "settings"), EXACT, ids=[name for name, _ in EXACT])
def test_exact_translations_take_the_same_steps(name, settings):
    translated = keras.equivalent(name, **settings)
    assert translated.exact and translated.library == "keras"
    ours = run(lambda theta, **_: translated.build(theta), GRADIENTS, 1.0)
    theirs = run(getattr(optlib, name), GRADIENTS, 1.0, **settings)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    # ... and the way back gives PyTorch's settings again.
    back = keras.torch_equivalent(translated.optimizer, **translated.arguments)
    assert back.exact
    again = run(lambda theta, **_: back.build(theta), GRADIENTS, 1.0)
    np.testing.assert_allclose(again, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop"])
def test_epsilon_inside_the_root_changes_a_step_by_at_most_root_two(name):
    # One step with gradient g from a zero sum (Adagrad) or average (RMSprop, ρ = 0):
    # PyTorch divides by |g| + eps, Keras by √(g² + eps²).
    eps = 1e-4
    extra = {"alpha": 0.0} if name == "RMSprop" else {}
    translated = keras.equivalent(name, lr=1.0, eps=eps, **extra)
    assert not translated.exact and "√2" in translated.note
    sizes = np.geomspace(1e-8, 1e2, 201)
    ratios = []
    for g in sizes:
        ours = translated.build(theta := np.zeros(1))
        ours.step(np.array([g]))
        keras_step = -theta[0]
        theirs = getattr(optlib, name)(theta := np.zeros(1), lr=1.0, eps=eps, **extra)
        theirs.step(np.array([g]))
        ratios.append(keras_step / -theta[0])
    ratios = np.array(ratios)
    assert np.all((ratios >= 1 - 1e-9) & (ratios <= math.sqrt(2) + 1e-9))
    at_eps = np.argmin(np.abs(sizes - eps))
    assert ratios[at_eps] == pytest.approx(math.sqrt(2), rel=1e-2)  # the worst case
    assert np.all(ratios[sizes >= 100 * eps] < 1.01)  # "within 1% at √s ≥ 100·eps"


def test_adam_note_gives_the_measured_warm_up():
    note = keras.equivalent("Adam", eps=1e-8).note
    # Keras's ε̂ acts as ε̂/√(1 − β₂ᵗ): 31.6 times at step 1, within 1% from step ...
    factor = [1 / math.sqrt(1 - 0.999**t) for t in range(1, 10_000)]
    first_within = next(t for t, f in enumerate(factor, start=1) if f <= 1.01)
    assert f"{factor[0]:.3g} times" in note and f"from step {first_within} on" in note


def test_translation_of_adagrad_lr_decay_names_the_keras_schedule():
    with pytest.raises(ValueError, match="InverseTimeDecay") as error:
        keras.equivalent("Adagrad", lr=0.3, lr_decay=0.1, eps=0.0)
    assert "decay_steps=1, decay_rate=0.1" in str(error.value)
    # InverseTimeDecay gives lr / (1 + decay_rate · iterations), iterations = t − 1 at step t:
    # set as Keras's schedule does, the steps are PyTorch's lr_decay.
    theta = np.ones(1)
    opt = keras.Adagrad(theta, learning_rate=0.3, initial_accumulator_value=0.0, epsilon=0.0)
    ours = [theta.copy()]
    for iterations, g in enumerate(GRADIENTS):
        opt.learning_rate = 0.3 / (1 + 0.1 * iterations)
        opt.step(np.array([g]))
        ours.append(theta.copy())
    theirs = run(optlib.Adagrad, GRADIENTS, 1.0, lr=0.3, lr_decay=0.1, eps=0.0)
    np.testing.assert_allclose(np.array(ours), theirs, rtol=1e-13)


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("SGD", {"maximize": True}, "maximize"),
        ("SGD", {"momentum": 0.9, "dampening": 0.5}, "dampening"),
        ("SGD", {"momentum": 0.9, "weight_decay": 0.1}, "velocity"),
        ("Adagrad", {"weight_decay": 0.1}, "L2"),
        ("RMSprop", {"weight_decay": 0.1}, "L2"),
        ("Adam", {"weight_decay": 0.1}, "AdamW"),
    ],
)
def test_untranslatable_settings_say_why(name, settings, message):
    with pytest.raises(ValueError, match=message):
        keras.equivalent(name, **settings)


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("SGD", {"momentum": 0.9, "weight_decay": 0.1}, "velocity"),
        ("Adagrad", {"weight_decay": 0.1}, "decoupled"),
        ("RMSprop", {"weight_decay": 0.1}, "decoupled"),
    ],
)
def test_untranslatable_keras_settings_say_why(name, settings, message):
    with pytest.raises(ValueError, match=message):
        keras.torch_equivalent(name, **settings)


def test_keras_adam_weight_decay_becomes_pytorchs_adamw():
    translated = keras.torch_equivalent("Adam", learning_rate=0.05, epsilon=0.0, weight_decay=0.2)
    assert (translated.optimizer, translated.exact) == ("AdamW", True)
    ours = run(keras.Adam, GRADIENTS, 1.0, learning_rate=0.05, epsilon=0.0, weight_decay=0.2)
    theirs = run(lambda theta, **_: translated.build(theta), GRADIENTS, 1.0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_translator_accepts_names_classes_and_built_optimizers():
    by_name = keras.equivalent("rmsprop", lr=0.1)
    by_class = keras.equivalent(optlib.RMSprop, lr=0.1)
    built = keras.equivalent(optlib.RMSprop(np.zeros(2), lr=0.1))
    assert by_name == by_class == built
    assert str(by_name).startswith("keras.optimizers.RMSprop(learning_rate=0.1, rho=0.99")
    assert keras.torch_equivalent(keras.Adam(np.zeros(1), epsilon=0.0)).exact
    with pytest.raises(TypeError, match="not both"):
        keras.equivalent(optlib.SGD(np.zeros(1)), lr=0.1)
    with pytest.raises(ValueError, match="one of SGD"):
        keras.equivalent("Nadam")
    with pytest.raises(TypeError, match="optimizer must be"):
        keras.equivalent(keras.SGD)  # a Keras class, where PyTorch's is expected
    with pytest.raises(TypeError, match="learning_rate"):
        keras.torch_equivalent("SGD", lr=0.1)  # PyTorch's name, where Keras's is expected


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "settings", "message"),
    [
        (keras.SGD, {"learning_rate": -0.1}, "learning_rate must be >= 0, got -0.1"),
        (keras.SGD, {"momentum": 1.5}, r"momentum must be in \[0, 1\], got 1.5"),
        (keras.SGD, {"nesterov": "yes"}, "nesterov must be True or False"),
        (keras.SGD, {"weight_decay": -1}, "weight_decay must be >= 0"),
        (keras.RMSprop, {"rho": 1.0}, r"rho must be in \[0, 1\), got 1.0"),
        (keras.RMSprop, {"epsilon": -1e-7}, "epsilon must be >= 0"),
        (keras.RMSprop, {"centered": 1}, "centered must be True or False"),
        (keras.Adagrad, {"initial_accumulator_value": -0.1}, "initial_accumulator_value"),
        (keras.Adam, {"beta_1": 1.0}, r"beta_1 must be in \[0, 1\)"),
        (keras.Adam, {"beta_2": -0.1}, r"beta_2 must be in \[0, 1\)"),
        (keras.Adam, {"learning_rate": "0.1"}, "learning_rate must be a number"),
        (keras.Adam, {"learning_rate": np.inf}, "learning_rate must be finite"),
        (keras.AdamW, {"weight_decay": None}, "weight_decay must be a number for AdamW"),
    ],
)
def test_bad_hyperparameters_are_refused_by_name(cls, settings, message):
    with pytest.raises(ValueError, match=message):
        cls(np.zeros(2), **settings)


def test_a_hyperparameter_set_later_is_checked_too():
    opt = keras.Adam(np.zeros(2))
    with pytest.raises(ValueError, match="beta_2"):
        opt.beta_2 = 1.0
    assert opt.beta_2 == 0.999
    with pytest.raises(ValueError, match="does not broadcast"):
        opt.learning_rate = np.ones(3)


@pytest.mark.parametrize(
    ("cls", "key", "hint"),
    [
        (keras.SGD, "lr", "write learning_rate=0.5"),
        (keras.RMSprop, "alpha", "write rho=0.5"),
        (keras.Adam, "eps", "write epsilon=0.5"),
        (keras.Adam, "betas", "beta_1=..., beta_2=..."),
        (keras.SGD, "momentun", "did you mean momentum=0.5"),
        (keras.Adagrad, "dampening", "its arguments are"),
    ],
)
def test_pytorchs_names_get_a_hint(cls, key, hint):
    with pytest.raises(TypeError, match=hint):
        cls(np.zeros(2), **{key: 0.5})


def test_bad_variables_are_refused():
    with pytest.raises(ValueError, match="must be a NumPy array"):
        keras.SGD([[1.0, 2.0]])
    with pytest.raises(ValueError, match="floating array"):
        keras.SGD(np.arange(3))
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        keras.SGD(frozen)
    shared = np.zeros(4)
    with pytest.raises(ValueError, match="share memory"):
        keras.SGD([shared[:3], shared[2:]])
    with pytest.raises(ValueError, match="empty"):
        keras.SGD([])


def test_bad_gradients_are_refused_before_anything_moves():
    w, b = np.ones(2), np.zeros(1)
    opt = keras.Adam([w, b], learning_rate=0.1, weight_decay=0.1)
    with pytest.raises(ValueError, match="1 gradient"):
        opt.step([np.ones(2)])
    with pytest.raises(ValueError, match=r"grads\[1\] has shape \(2,\)"):
        opt.step([np.ones(2), np.ones(2)])
    with pytest.raises(ValueError, match="real"):
        opt.step([np.ones(2), np.array([1j])])
    assert w.tolist() == [1.0, 1.0] and b.tolist() == [0.0]  # not even decayed
    assert opt.iterations == 0 and opt.state == [{}, {}]


# ---------------------------------------------------------------------------
# With optlib's loops
# ---------------------------------------------------------------------------


def test_sweep_runs_keras_rules_like_separate_minimize_calls():
    rates = np.array([0.01, 0.1, 0.5])
    swept = optlib.sweep(
        Rosenbrock(), [-1.5, 2.0], keras.Adam, steps=50, learning_rate=rates[:, None]
    )
    for k, rate in enumerate(rates):
        alone = optlib.minimize(
            Rosenbrock(), [-1.5, 2.0], keras.Adam, steps=50, learning_rate=rate
        )
        np.testing.assert_allclose(swept.xs[:, k], alone.xs, rtol=1e-12, atol=1e-15)


def test_minimize_passes_pytorchs_names_to_the_keras_class_which_explains():
    with pytest.raises(TypeError, match=r"write learning_rate=0\.1"):
        optlib.minimize(Rosenbrock(), [-1.5, 2.0], keras.RMSprop, steps=5, lr=0.1)
