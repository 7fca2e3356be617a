"""Tests of optlib.widgets.engine: one call, a live widget or its static counterpart."""

from __future__ import annotations

import base64

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from optlib import plotting, widgets
from optlib.optimizers import SGD, Adam

PNG = b"\x89PNG\r\n\x1a\n"


def _wave_setup():
    fig, (ax,) = plotting.side_by_side(1, width=4, height=3)
    (line,) = ax.plot([], [], color=plotting.BLUE)
    label = ax.text(0.05, 0.9, "", transform=ax.transAxes)
    ax.set(xlim=(0, 2 * np.pi), ylim=(-2, 2), title="a k sin(t)")
    return fig, {"line": line, "label": label}


def _wave_update(artists, k, a=1.0):
    t = np.linspace(0, 2 * np.pi, 200)
    artists["line"].set_data(t, a * np.sin(k * t))
    artists["label"].set_text(f"k = {k}, a = {a}")


def _wave(mode, controls=None, **kwargs):
    return widgets.Explorer(
        _wave_setup,
        _wave_update,
        {"k": [1, 2, 3, 4]} if controls is None else controls,
        mode=mode,
        **kwargs,
    )


def _labels(control):
    return tuple(label for label, _ in control.options)


def _line_data(explorer):
    return [
        np.asarray(line.get_xydata(), dtype=float)
        for ax in explorer.figure.axes
        for line in ax.get_lines()
    ]


# --- mode ------------------------------------------------------------------------------


def test_mode_comes_from_argument_then_environment(monkeypatch):
    assert widgets.widget_mode() == "live"
    monkeypatch.setenv(widgets.MODE_ENV, "static")
    assert widgets.widget_mode() == "static"
    assert widgets.widget_mode("live") == "live"
    assert _wave(None).mode == "static"
    monkeypatch.setenv(widgets.MODE_ENV, "statik")
    with pytest.raises(ValueError, match="OPTLIB_WIDGET_MODE"):
        widgets.widget_mode()
    with pytest.raises(ValueError, match="mode must be"):
        widgets.widget_mode("both")


# --- static mode -----------------------------------------------------------------------


def test_static_one_frame_per_value_linked_in_the_browser():
    explorer = _wave("static", defaults={"k": 3})
    control = explorer.controls["k"]
    assert isinstance(control, ipw.SelectionSlider)
    assert _labels(control) == ("1", "2", "3", "4")
    stack = explorer.stack
    assert isinstance(stack, ipw.Stack) and explorer.image is None
    assert len(stack.children) == 4
    assert all(isinstance(child, ipw.Image) for child in stack.children)
    assert [bytes(child.value) for child in stack.children] == explorer.frames
    assert all(frame.startswith(PNG) for frame in explorer.frames)
    assert len(set(explorer.frames)) == 4  # distinct pictures
    (link,) = explorer.links
    assert isinstance(link, Link)
    assert link.source == (control, "index")
    assert link.target == (stack, "selected_index")
    assert control.index == stack.selected_index == 2  # the default, k=3
    assert "optlib-static-widget" in explorer.widget._dom_classes
    assert "optlib-live-widget" not in explorer.widget._dom_classes
    text = " ".join(c.value for c in explorer.widget.children if isinstance(c, ipw.HTML))
    assert "Precomputed: 4 frames computed when this page was built" in text
    assert "run the notebook for the live version" in text


def test_static_frames_show_their_value():
    explorer = _wave("static")
    explorer.render(k=2)
    # rendering a frame again gives the same bytes as the precomputed one
    assert explorer.render(static=True, k=2) == explorer.frames[1]
    assert explorer.render(static=True, k=4) == explorer.frames[3]


def test_static_frames_are_deterministic():
    first = _wave("static").frames
    second = _wave("static").frames
    assert first == second
    for frame in first:  # no timestamp or software chunk that could vary
        assert b"tIME" not in frame and b"tEXt" not in frame


def test_static_two_controls_nest_stacks():
    explorer = _wave("static", {"k": [1, 2, 3], "a": [0.5, 1.0]}, defaults={"a": 1.0})
    k, a = explorer.controls["k"], explorer.controls["a"]
    outer = explorer.stack
    assert len(outer.children) == 3
    assert all(
        isinstance(inner, ipw.Stack) and len(inner.children) == 2 for inner in outer.children
    )
    assert len(explorer.frames) == 6 and len(set(explorer.frames)) == 6
    links = {(link.source[0].description, link.target[0].model_id) for link in explorer.links}
    assert links == {("k", outer.model_id)} | {("a", inner.model_id) for inner in outer.children}
    for link in explorer.links:
        assert link.source[1] == "index" and link.target[1] == "selected_index"
    assert all(inner.selected_index == a.index == 1 for inner in outer.children)
    assert outer.selected_index == k.index == 0
    # frames in product order: frame (i, j) is outer child i, inner child j
    assert bytes(outer.children[2].children[0].value) == explorer.frames[4]
    assert explorer.frames[4] == explorer.render(static=True, k=3, a=0.5)


def test_static_refuses_too_many_frames():
    with pytest.raises(ValueError, match="12 frames"):
        _wave("static", {"k": [1, 2, 3, 4], "a": [0.5, 1.0, 1.5]}, max_frames=10)


def test_float_range_is_a_slider_live_and_a_grid_static():
    spec = widgets.FloatRange(0.5, 1.5, 0.25)
    live = _wave("live", {"k": [1], "a": spec}, defaults={"a": 0.8})
    assert isinstance(live.controls["a"], ipw.FloatSlider)
    assert live.controls["a"].value == pytest.approx(0.8)
    static = _wave("static", {"k": [1], "a": spec}, defaults={"a": 0.8})
    assert isinstance(static.controls["a"], ipw.SelectionSlider)
    assert _labels(static.controls["a"]) == ("0.5", "0.75", "1", "1.25", "1.5")
    assert static.controls["a"].index == 1  # nearest grid value to 0.8
    with pytest.raises(ValueError, match="min < max"):
        widgets.FloatRange(1.0, 0.0, 0.1)


def test_non_numeric_values_give_a_dropdown():
    def setup():
        fig, (ax,) = plotting.side_by_side(1, width=3, height=2)
        return fig, ax.text(0.5, 0.5, "")

    def update(text, optimizer):
        text.set_text(optimizer.__name__)

    explorer = widgets.Explorer(
        setup, update, {"optimizer": {"SGD": SGD, "Adam": Adam}}, mode="static"
    )
    control = explorer.controls["optimizer"]
    assert isinstance(control, ipw.Dropdown) and _labels(control) == ("SGD", "Adam")
    assert len(set(explorer.frames)) == 2


def test_bad_specifications_are_refused():
    with pytest.raises(ValueError, match="non-empty"):
        _wave("static", {})
    with pytest.raises(ValueError, match="no values"):
        _wave("static", {"k": []})
    with pytest.raises(ValueError, match="not one of its values"):
        _wave("static", defaults={"k": 7})
    with pytest.raises(ValueError, match="unknown controls"):
        _wave("static", defaults={"q": 1})
    with pytest.raises(ValueError, match="list of values"):
        _wave("static", {"k": "123"})
    with pytest.raises(ValueError, match=r"setup\(\) must return"):
        widgets.Explorer(lambda: plt.figure(), _wave_update, {"k": [1]}, mode="static")


# --- live mode --------------------------------------------------------------------------


def test_live_update_changes_the_image():
    explorer = _wave("live")
    image = explorer.image
    assert isinstance(image, ipw.Image) and explorer.stack is None
    assert bytes(image.value).startswith(PNG)
    assert "optlib-live-widget" in explorer.widget._dom_classes
    text = " ".join(c.value for c in explorer.widget.children if isinstance(c, ipw.HTML))
    assert "Live: recomputed in Python as you move the control" in text
    first = image.value
    explorer.set(k=3)
    assert image.value != first
    assert explorer.values == {"k": 3}
    np.testing.assert_allclose(
        _line_data(explorer)[0][:, 1], np.sin(3 * _line_data(explorer)[0][:, 0])
    )
    explorer.set(k=1)
    assert image.value == first  # the same value gives the same picture
    with pytest.raises(ValueError, match="unknown control"):
        explorer.set(q=2)


def test_live_redraws_only_the_moving_artists():
    explorer = _wave("live")
    ax = explorer.figure.axes[0]
    assert explorer.artists["line"].get_animated() and explorer.artists["label"].get_animated()
    assert not ax.title.get_animated()  # what setup did not return stays static
    first = explorer.image.value
    # The static parts are drawn once and cached: a change to one of them is
    # not shown while update moves only the artists it returned.
    ax.set_title("changed behind the explorer's back")
    explorer.set(k=2)
    explorer.set(k=1)
    assert explorer.image.value == first


def test_update_may_ask_for_a_full_redraw():
    def setup():
        fig, (ax,) = plotting.side_by_side(1, width=3, height=2)
        (line,) = ax.plot([], [])
        return fig, {"line": line, "ax": ax}

    def update(artists, scale):
        artists["line"].set_data([0, 1], [0, scale])
        artists["ax"].set_ylim(0, scale)
        return True

    explorer = widgets.Explorer(setup, update, {"scale": [1, 10]}, mode="live")
    small = explorer.image.value
    explorer.set(scale=10)
    assert explorer.figure.axes[0].get_ylim() == (0, 10)
    explorer.set(scale=1)
    assert explorer.image.value == small


def test_explorer_figure_is_not_left_to_pyplot():
    plt.close("all")
    _wave("live")
    assert plt.get_fignums() == []


def test_display_bundle_has_widget_and_png_fallback():
    explorer = _wave("live", alt="A sine wave.", caption="Move k.")
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(PNG)
    assert bundle["text/plain"] == "A sine wave."
    assert ">A sine wave.</span>" in explorer.description.value
    assert "optlib-alt" in explorer.description.value
    assert any("Move k." in c.value for c in explorer.widget.children if isinstance(c, ipw.HTML))


def test_callable_alt_describes_each_frame():
    static = _wave("static", alt=lambda k: f"sin({k} t)")
    texts = static.description
    assert isinstance(texts, ipw.Stack)
    assert len(texts.children) == 4
    assert all(
        f">sin({k} t)<" in c.value for k, c in zip((1, 2, 3, 4), texts.children, strict=True)
    )
    image_link, text_link = static.links
    assert image_link.target == (static.stack, "selected_index")
    assert text_link.source == image_link.source and text_link.target == (texts, "selected_index")
    live = _wave("live", alt=lambda k: f"sin({k} t)")
    assert ">sin(1 t)<" in live.description.value
    live.set(k=3)
    assert ">sin(3 t)<" in live.description.value


def test_images_carry_no_tooltip():
    # A tooltip on an Image breaks its view in the website's widget manager
    # (measured: "Could not create a view"), so the alt text lives elsewhere.
    for mode in ("live", "static"):
        explorer = _wave(mode, alt="text")
        images = [explorer.image] if mode == "live" else list(explorer.stack.children)
        assert all(image.tooltip is None for image in images)
