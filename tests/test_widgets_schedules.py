"""Tests of optlib.widgets.schedules: a schedule beside the training loss it gives.

References: the drawn rates are each schedule's closed form, written out here;
the drawn losses are those of the same training written in PyTorch (the same
initial weights and mini-batches, torch's Adam and schedulers). The live
update's speed is measured by ``make bench`` (bench_widgets), not here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optlib import MLP, widgets
from optlib.datasets import load_digits
from optlib.optimizers import SGD

PNG = b"\x89PNG\r\n\x1a\n"
FRAME_BUDGET = 25_000  # bytes per static frame: keeps a chapter page under 3 MB

SMALL = dict(peaks=[0.01, 0.1], warmups=[0, 15], steps=45)  # 3 epochs of 15 steps


def _by_hand(kind, peak, w, T):
    """α_t / α_max of each schedule, t = 0 .. T − 1, as the explorer's docstring defines it."""
    t = np.arange(T)
    if kind == "constant":
        return np.ones(T)
    if kind == "step":
        return 0.1 ** ((t >= T // 2).astype(int) + (t >= 3 * T // 4))
    if kind == "exponential":
        return 0.01 ** (t / T)
    if kind == "cosine":
        return (1 + np.cos(np.pi * t / T)) / 2
    if kind == "warmup_cosine":
        if w == 0:
            return (1 + np.cos(np.pi * t / T)) / 2
        return np.where(t < w, t / w, (1 + np.cos(np.pi * (t - w) / (T - w))) / 2)
    raise AssertionError(kind)


@pytest.fixture(scope="module")
def live():
    return widgets.schedule_explorer(**SMALL, mode="live")


@pytest.mark.parametrize("kind", ["constant", "step", "exponential", "cosine", "warmup_cosine"])
@pytest.mark.parametrize("warmup", [0, 15])
def test_the_drawn_rates_are_the_closed_forms(live, kind, warmup):
    live.render(peak=0.1, warmup=warmup, kind=kind)
    line = live.artists["rates"].lines["rate"]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(45))
    np.testing.assert_allclose(line.get_ydata(), _by_hand(kind, 0.1, warmup, 45), rtol=1e-9)


def test_one_cycle_rises_for_the_warm_up(live):
    live.render(peak=0.1, warmup=15, kind="one_cycle")
    rates = live.artists["rates"].lines["rate"].get_ydata()
    # OneCycleLR: from 1/25 up to 1 at step pct·T − 1 = 14, down to 1/25/1e4 at T − 1.
    assert rates[0] == pytest.approx(1 / 25) and int(np.argmax(rates)) == 14
    assert rates[14] == pytest.approx(1.0) and rates[-1] == pytest.approx(1 / 25 / 1e4)
    # the rise is half a cosine: 1/25 + (1 − 1/25)(1 − cos(π t / 14)) / 2
    t = np.arange(15)
    np.testing.assert_allclose(
        rates[:15], 1 / 25 + (1 - 1 / 25) * (1 - np.cos(np.pi * t / 14)) / 2
    )


def test_every_control_moves_the_live_figure(live):
    live.set(peak=0.1, warmup=15, kind="warmup_cosine")
    for change in ({"peak": 0.01}, {"warmup": 0}, {"kind": "constant"}):
        before = live.image.value
        live.set(**change)
        assert live.image.value != before, change
    assert "optlib-live-widget" in live.widget._dom_classes


def test_alt_text_per_frame(live):
    warm = live.alt_text(peak=0.1, warmup=15, kind="warmup_cosine")
    assert warm.startswith(
        "Warm-up + cosine schedule, peak learning rate 0.1, warm-up 15 steps: the rate rises "
        "from 0 to 0.1 at step 15, then falls to "
    )
    assert "Adam training an MLP 64-32-10 on the 1,797 handwritten digits ends at a " in warm
    constant = live.alt_text(peak=0.1, warmup=15, kind="constant")
    assert "(no warm-up: the warm-up control does not change it)" in constant
    assert "the rate stays at 0.1" in constant
    assert live.alt_text(peak=0.1, warmup=0, kind="step") != warm


def test_static_frames_and_their_alt_texts():
    explorer = widgets.schedule_explorer(
        kinds=("constant", "warmup_cosine"), **SMALL, mode="static"
    )
    assert len(explorer.frames) == 2 * 2 * 2
    assert all(frame.startswith(PNG) and len(frame) < FRAME_BUDGET for frame in explorer.frames)
    # product order (peak, warmup, kind): the warm-up changes warmup_cosine's frames only
    frame = {
        (p, w, k): explorer.frames[i * 4 + j * 2 + m]
        for i, p in enumerate([0.01, 0.1])
        for j, w in enumerate([0, 15])
        for m, k in enumerate(["constant", "warmup_cosine"])
    }
    assert frame[(0.1, 0, "warmup_cosine")] != frame[(0.1, 15, "warmup_cosine")]
    assert frame[(0.1, 0, "constant")] == frame[(0.1, 15, "constant")]
    assert frame[(0.01, 15, "warmup_cosine")] != frame[(0.1, 15, "warmup_cosine")]
    texts = explorer.description.children  # one stack of alt texts per control value
    assert len(texts) == 2 and "optlib-static-widget" in explorer.widget._dom_classes
    # the default is the middle peak and warm-up, and warm-up + cosine
    assert [c.index for c in explorer.controls.values()] == [1, 1, 1]


def test_the_default_explorer_fits_the_static_budget():
    explorer = widgets.schedule_explorer(mode="static")
    assert len(explorer.frames) == 6 * 3 * 3 <= 60
    sizes = [len(frame) for frame in explorer.frames]
    assert max(sizes) < FRAME_BUDGET


def test_a_diverging_run_is_labelled():
    explorer = widgets.schedule_explorer(
        kinds=("constant",),
        peaks=[1e4],
        warmups=[0],
        steps=30,
        optimizer=SGD,
        momentum=0.9,
        mode="live",
    )
    status = explorer.artists["status"].get_text()
    assert status.startswith("diverged after ")
    assert status in explorer.alt_text(peak=1e4, warmup=0, kind="constant")
    for ax in explorer.figure.axes:
        for line in ax.get_lines():
            assert np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kinds": ("cosine", "linear")}, "unknown kind 'linear'"),
        ({"kinds": ()}, "kinds must be a non-empty list"),
        ({"peaks": [0.0]}, "peaks must be a non-empty list of learning rates > 0"),
        ({"peaks": [0.1, 0.1]}, "peaks must not repeat"),
        ({"warmups": [-1]}, "warmups must be a non-empty list"),
        ({"warmups": [150]}, "warmups must be below steps=150"),
        ({"steps": 100}, "steps must be a whole number of epochs of 15 steps"),
        ({"steps": 1}, "steps must be an integer >= 2"),
        ({"problem": "mnist"}, "problem must be one of"),
        ({"lr": 0.1}, "lr is on the peak control"),
        ({"defaults": {"rate": 0.1}}, "defaults name unknown controls"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        widgets.schedule_explorer(**kwargs)


def test_too_many_frames_for_the_static_budget():
    with pytest.raises(ValueError, match="max_frames"):
        widgets.schedule_explorer(peaks=[0.01, 0.03, 0.1, 0.3], mode="static")


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "warmup"), [("warmup_cosine", 15), ("step", 0)])
def test_the_drawn_losses_are_torchs_training(live, kind, warmup):
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    try:
        expected = _torch_losses(torch, kind, peak=0.1, warmup=warmup, steps=45)
    finally:
        torch.set_default_dtype(torch.float32)
    live.render(peak=0.1, warmup=warmup, kind=kind)
    np.testing.assert_allclose(live.artists["raw"].get_ydata(), expected, rtol=1e-7)


def _torch_losses(torch, kind, peak, warmup, steps, batch_size=128, seed=0):
    """The explorer's run written in torch: same weights, same batches, torch's Adam."""
    digits = load_digits()
    X = torch.tensor(digits.pixels / 16.0)
    y = torch.tensor(digits.labels)
    start = MLP([64, 32, 10], activation="relu", seed=seed).params  # the same initial weights
    layers = [torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)]
    net = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for layer, (W, b) in zip(layers[::2], [start[:2], start[2:]], strict=True):
            layer.weight.copy_(torch.tensor(W.T))
            layer.bias.copy_(torch.tensor(b))
    opt = torch.optim.Adam(net.parameters(), lr=peak)
    sched = torch.optim.lr_scheduler
    if kind == "step":
        scheduler = sched.MultiStepLR(opt, [steps // 2, 3 * steps // 4], gamma=0.1)
    else:
        scheduler = sched.SequentialLR(
            opt,
            [
                sched.LambdaLR(opt, lambda t: t / warmup),
                sched.CosineAnnealingLR(opt, T_max=steps - warmup),
            ],
            milestones=[warmup],
        )
    rng = np.random.default_rng(seed)  # fit's shuffling: a permutation per epoch
    n, losses = len(X), []
    for _ in range(math.ceil(steps / math.ceil(n / batch_size))):
        order = rng.permutation(n)
        for begin in range(0, n, batch_size):
            batch = torch.tensor(order[begin : begin + batch_size])
            loss = torch.nn.functional.cross_entropy(net(X[batch]), y[batch])
            losses.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
            scheduler.step()
    return np.array(losses[:steps])
