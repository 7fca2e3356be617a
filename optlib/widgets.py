r"""Live widgets and their static website counterparts, from one call.

A chapter builds a widget from two functions and a description of its controls::

    explorer = Explorer(setup, update, controls={"lr": [0.01, 0.1, 0.5]},
                        caption="...", alt="...")
    explorer.show()                 # or display(explorer), or leave it last in the cell

``setup()`` draws the static parts once (contours, axes, legends) and returns
``(figure, artists)``; ``update(artists, **values)`` moves only what changes
(``set_data`` on lines, ``set_text`` on texts). The same call works two ways:

Live (a kernel runs; the default)
    ipywidgets controls drive Python: each change calls ``update`` and redraws
    only the moving artists over a cached picture of the static ones
    (blitting on Matplotlib's Agg canvas), encoded as a PNG into an
    ``ipywidgets.Image``. One persistent figure, no ipympl. The container has
    the CSS class ``optlib-live-widget`` and says so in a visible line.
Static (the book's build sets ``OPTLIB_WIDGET_MODE=static``)
    Every control value (every combination, for several controls) is rendered
    once into a small PNG, the frames sit in an ``ipywidgets.Stack`` whose
    ``selected_index`` is ``jslink``\ ed to the control's ``index``: on the
    website, with no kernel, moving the slider switches the picture in the
    browser. Several controls nest one ``Stack`` per control. The container has
    the CSS class ``optlib-static-widget`` and says how many frames it holds.

Controls are given by value: a list of numbers gives a ``SelectionSlider`` with
readable labels, a list of other things (or a ``{label: value}`` dict) a
``Dropdown``, and a :class:`FloatRange` a continuous ``FloatSlider`` when live
(its grid of values when static).

Frames are deterministic (the same call gives the same bytes: no timestamps)
and small: static frames are quantised to a 64-colour palette, about 15-20 KB
for a two-panel figure at book size. The explorer's display also carries the
default frame as a plain ``image/png``, which viewers without widget support
(GitHub, nbconvert without widget state) show instead.

Ready-made explorers: :func:`optimizer_explorer` (any optimizer, one or two
hyper-parameters on sliders), :func:`learning_rate_explorer`, and
:func:`race_explorer` (several optimizers from one start, a slider over the
steps). Each shows the path on the surface (contours in 2-D, the curve in 1-D)
and the loss curve, with "diverged after k steps" when a choice blows up.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import math
import numbers
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import ipywidgets as ipw
import numpy as np
from ipywidgets.widgets.widget_link import Link
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from . import plotting
from ._validation import as_float_array, check_finite, check_positive_int
from .training import StateRecord, Trajectory, minimize, record_state

__all__ = [
    "LIVE_CLASS",
    "LIVE_LABEL",
    "MODE_ENV",
    "STATIC_CLASS",
    "STATIC_LABEL",
    "Explorer",
    "FloatRange",
    "learning_rate_explorer",
    "optimizer_explorer",
    "race_explorer",
    "widget_mode",
]

#: The environment variable the book's build sets to ``"static"``.
MODE_ENV = "OPTLIB_WIDGET_MODE"
#: CSS class of a live widget's container (the browser test looks for it).
LIVE_CLASS = "optlib-live-widget"
#: CSS class of a static widget's container (the browser test moves its controls).
STATIC_CLASS = "optlib-static-widget"
#: The visible line that says a widget is live.
LIVE_LABEL = "Live: recomputed in Python as you move the control"
#: The visible line that says a widget is precomputed (``{n}`` is its number of frames).
STATIC_LABEL = (
    "Precomputed: {n} frames computed when this page was built; "
    "run the notebook for the live version"
)

Mode = Literal["live", "static"]
Values = dict[str, Any]


def widget_mode(mode: str | None = None) -> Mode:
    """The mode a widget is built in: ``mode`` if given, else ``$OPTLIB_WIDGET_MODE``, else live.

    Examples
    --------
    >>> widget_mode("static")
    'static'
    """
    if mode is None:
        mode = os.environ.get(MODE_ENV) or "live"
        where = f"${MODE_ENV}"
    else:
        where = "mode"
    if mode not in ("live", "static"):
        raise ValueError(f"{where} must be 'live' or 'static', got {mode!r}")
    return mode  # type: ignore[return-value]


# --- controls ---------------------------------------------------------------------


@dataclass(frozen=True)
class FloatRange:
    """A continuous range for a control: a ``FloatSlider`` when live.

    Static frames cannot cover a continuum, so in static mode the range
    becomes the grid ``min, min + step, ..., max`` on a ``SelectionSlider``.

    Examples
    --------
    >>> FloatRange(0.0, 1.0, 0.25).grid()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """

    min: float
    max: float
    step: float

    def __post_init__(self) -> None:
        for name in ("min", "max", "step"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"FloatRange {name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"FloatRange {name} must be finite, got {value!r}")
        if not self.max > self.min:
            raise ValueError(f"FloatRange needs min < max, got min={self.min!r}, max={self.max!r}")
        if not self.step > 0:
            raise ValueError(f"FloatRange step must be > 0, got {self.step!r}")

    def grid(self) -> list[float]:
        """The values a static widget offers: ``min`` to ``max`` by ``step``."""
        n = math.floor((self.max - self.min) / self.step + 1e-9)
        digits = max(0, -math.floor(math.log10(self.step)) + 3)
        return [round(self.min + k * self.step, digits) for k in range(n + 1)]


def _label(value: Any) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{float(value):.4g}"
    return getattr(value, "__name__", None) or str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class _Control:
    """One named control: its labelled values (or range) and its default."""

    def __init__(self, name: str, spec: Any, default: Any, has_default: bool):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"control names must be Python identifiers, got {name!r}")
        self.name = name
        self.range: FloatRange | None = None
        if isinstance(spec, FloatRange):
            self.range = spec
            labels = [_label(v) for v in spec.grid()]
            values: list[Any] = spec.grid()
        elif isinstance(spec, Mapping):
            labels = [str(label) for label in spec]
            values = list(spec.values())
        elif isinstance(spec, Sequence | np.ndarray) and not isinstance(spec, str):
            values = [v.item() if isinstance(v, np.generic) else v for v in spec]
            labels = [_label(v) for v in values]
        else:
            raise ValueError(
                f"control {name!r} must be a list of values, a {{label: value}} dict or a "
                f"FloatRange, got {spec!r}"
            )
        if not values:
            raise ValueError(f"control {name!r} has no values")
        self.labels, self.values = labels, values
        self.numeric = all(_is_number(v) for v in values)
        self.default_index = 0
        self.default: Any = values[0]
        if has_default:
            self.default_index = self._index_of(default)
            self.default = default if self.range is not None else values[self.default_index]

    def _index_of(self, value: Any) -> int:
        for i, candidate in enumerate(self.values):
            if candidate is value or (
                _is_number(candidate) and _is_number(value) and math.isclose(candidate, value)
            ):
                return i
            if not _is_number(candidate) and candidate == value:
                return i
        if self.range is not None and _is_number(value):
            if not self.range.min <= value <= self.range.max:
                raise ValueError(
                    f"default {value!r} of control {self.name!r} is outside "
                    f"[{self.range.min}, {self.range.max}]"
                )
            return int(np.argmin(np.abs(np.asarray(self.values) - value)))
        raise ValueError(
            f"default {value!r} of control {self.name!r} is not one of its values {self.labels}"
        )

    def widget(self, live: bool) -> ipw.ValueWidget:
        common = {
            "description": self.name,
            "style": {"description_width": "initial"},
            "layout": ipw.Layout(width="min(100%, 32em)"),
        }
        if live and self.range is not None:
            return ipw.FloatSlider(
                value=float(self.default),
                min=self.range.min,
                max=self.range.max,
                step=self.range.step,
                readout_format=".4g",
                continuous_update=True,
                **common,
            )
        options = list(zip(self.labels, self.values, strict=True))
        if self.numeric:
            return ipw.SelectionSlider(
                options=options, index=self.default_index, continuous_update=True, **common
            )
        return ipw.Dropdown(options=options, index=self.default_index, **common)


# --- figure machinery -----------------------------------------------------------------


def _moving_artists(obj: Any, found: list[Artist], seen: set[int]) -> None:
    """Collect the Matplotlib artists in what ``setup`` returned (dicts, lists, ``.artists``)."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Artist):
        found.append(obj)
    elif isinstance(obj, Mapping):
        for value in obj.values():
            _moving_artists(value, found, seen)
    elif isinstance(obj, list | tuple):
        for value in obj:
            _moving_artists(value, found, seen)
    elif isinstance(getattr(obj, "artists", None), list):
        for value in obj.artists:
            _moving_artists(value, found, seen)


def _png(rgba: np.ndarray, colors: int | None) -> bytes:
    """Encode an RGBA buffer as PNG: fast for live frames, small (palette) for static ones."""
    height, width = rgba.shape[:2]
    image = PILImage.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
    image = image.convert("RGB")
    out = io.BytesIO()
    if colors is None:
        image.save(out, format="png", compress_level=1)
    else:
        image = image.quantize(
            colors, method=PILImage.Quantize.FASTOCTREE, dither=PILImage.Dither.NONE
        )
        image.save(out, format="png", optimize=True)
    return out.getvalue()


class Explorer:
    r"""A figure with controls: live ipywidgets with a kernel, precomputed frames without.

    Parameters
    ----------
    setup : callable
        ``setup() -> (fig, artists)``. Draws the static parts once and returns
        the figure and whatever ``update`` needs (a dict of artists, or the
        objects :mod:`optlib.plotting` builders return). Every Matplotlib
        artist found in ``artists`` (through dicts, lists, tuples and objects
        with an ``.artists`` list) is marked animated: it is redrawn on each
        change, over a cached picture of everything else.
    update : callable
        ``update(artists, **values)`` moves the animated artists to show
        ``values`` (one keyword per control). It must set everything that
        depends on the values, so a frame depends on the values only. Return
        ``True`` if it also changed a static part (axis limits, contours): the
        whole figure is then redrawn, which is slower.
    controls : dict
        ``{name: spec}`` in display order; ``spec`` is a list of values
        (numbers: a ``SelectionSlider``; anything else: a ``Dropdown``), a
        ``{label: value}`` dict, or a :class:`FloatRange`.
    defaults : dict, optional
        Initial value per control (default: each control's first value).
    caption : str
        Shown under the figure.
    alt : str or callable
        Alt text of the picture: screen-reader text beside the image (an
        ``ipywidgets.Image`` has no ``alt`` attribute) and the plain-text
        display. A callable gets the values as keywords, so each frame can
        say what it shows.
    mode : {"live", "static"}, optional
        Default: ``$OPTLIB_WIDGET_MODE``, else live.
    max_frames : int
        Static mode refuses more frames than this (page weight).
    colors : int
        Palette size of static frames.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The container to display.
    controls : dict of str to ipywidgets widget
    image : ipywidgets.Image or None
        Live mode: the picture that updates.
    stack : ipywidgets.Stack or None
        Static mode: the outer stack of frames.
    description : ipywidgets.HTML or ipywidgets.Stack
        The alt text, visually hidden (a stack of them, linked like the frames,
        when ``alt`` is callable in static mode).
    frames : list of bytes
        Static mode: every PNG, in the order of ``itertools.product`` over the
        controls' values.
    links : list of ipywidgets.Link
        Static mode: the browser-side links from controls to stacks.
    figure : Figure
    artists : object
        What ``setup`` returned.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import plotting
    >>> def setup():
    ...     fig, (ax,) = plotting.side_by_side(1, width=4, height=3)
    ...     (line,) = ax.plot([], [])
    ...     ax.set(xlim=(0, 2 * np.pi), ylim=(-1, 1), title="sin(k t)")
    ...     return fig, {"line": line}
    >>> def update(artists, k):
    ...     t = np.linspace(0, 2 * np.pi, 200)
    ...     artists["line"].set_data(t, np.sin(k * t))
    >>> explorer = Explorer(setup, update, {"k": [1, 2, 3]}, mode="static")
    >>> len(explorer.frames), explorer.links[0].source[1], explorer.links[0].target[1]
    (3, 'index', 'selected_index')
    """

    def __init__(
        self,
        setup: Callable[[], tuple[Figure, Any]],
        update: Callable[..., bool | None],
        controls: Mapping[str, Any],
        *,
        defaults: Mapping[str, Any] | None = None,
        caption: str = "",
        alt: str | Callable[..., str] = "",
        mode: str | None = None,
        max_frames: int = 60,
        colors: int = 64,
    ):
        self.mode: Mode = widget_mode(mode)
        if not isinstance(controls, Mapping) or not controls:
            raise ValueError(
                f"controls must be a non-empty dict {{name: values}}, got {controls!r}"
            )
        defaults = dict(defaults or {})
        unknown = set(defaults) - set(controls)
        if unknown:
            raise ValueError(f"defaults name unknown controls {sorted(unknown)}")
        self._specs = [
            _Control(name, spec, defaults.get(name), name in defaults)
            for name, spec in controls.items()
        ]
        self._update = update
        self._alt = alt
        self._caption = caption
        self._colors = check_positive_int("colors", colors)
        max_frames = check_positive_int("max_frames", max_frames)

        result = setup()
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Figure)):
            raise ValueError("setup() must return (figure, artists)")
        self.figure, self.artists = result
        _release_from_pyplot(self.figure)
        self._canvas = FigureCanvasAgg(self.figure)
        found: list[Artist] = []
        _moving_artists(self.artists, found, set())
        order = {id(ax): i for i, ax in enumerate(self.figure.axes)}
        self._moving = self._draw_order(found, order)
        for artist in self._moving:
            artist.set_animated(True)
        self._background: Any = None

        self.controls: dict[str, ipw.ValueWidget] = {
            spec.name: spec.widget(live=self.mode == "live") for spec in self._specs
        }
        self.image: ipw.Image | None = None
        self.stack: ipw.Stack | None = None
        self.frames: list[bytes] = []
        self.links: list[Link] = []
        self.description: ipw.HTML | ipw.Stack
        default_values = {spec.name: spec.default for spec in self._specs}
        if self.mode == "live":
            first = self.render(**default_values)
            # The plain-image fallback of the display is a small static frame.
            self._fallback_png = _png(np.asarray(self._canvas.buffer_rgba()), self._colors)
            self.image = ipw.Image(value=first, format="png", layout=_image_layout())
            self.description = ipw.HTML(_hidden_text(self.alt_text(**default_values)))
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
            shown: ipw.Widget = self.image
            label = LIVE_LABEL
        else:
            n_frames = math.prod(len(spec.values) for spec in self._specs)
            if n_frames > max_frames:
                sizes = " x ".join(str(len(spec.values)) for spec in self._specs)
                raise ValueError(
                    f"static mode would precompute {n_frames} frames ({sizes}), more than "
                    f"max_frames={max_frames}; offer fewer values (each frame adds ~20 KB to "
                    "the page)"
                )
            shown = self.stack = self._build_stacks()
            # The website's build (_ext/optlib_lean.py) pairs each frame with its
            # description by these classes, and gives it as the frame's alt text.
            self.stack.add_class("optlib-frames")
            self.description.add_class("optlib-alts")
            default_index = tuple(spec.default_index for spec in self._specs)
            self._fallback_png = self.frames[self._flat_index(default_index)]
            label = STATIC_LABEL.format(n=len(self.frames))
        self._mode_label = ipw.HTML(
            f'<span class="optlib-mode-label" style="font-size:0.85em;opacity:0.8">'
            f"<em>{html.escape(label)}</em></span>"
        )
        children: list[ipw.Widget] = [ipw.VBox(list(self.controls.values())), shown]
        children += [self.description, self._mode_label]
        if caption:
            children.append(ipw.HTML(f'<div class="optlib-caption">{html.escape(caption)}</div>'))
        self.widget = ipw.VBox(children)
        self.widget.add_class("optlib-widget")
        self.widget.add_class(LIVE_CLASS if self.mode == "live" else STATIC_CLASS)

    @staticmethod
    def _draw_order(found: list[Artist], order: dict[int, int]) -> list[Artist]:
        """Artists sorted as Matplotlib draws them: by axes, then zorder, then age."""
        keyed = [
            (order.get(id(artist.axes), -1), artist.get_zorder(), i)
            for i, artist in enumerate(found)
        ]
        return [found[i] for _, _, i in sorted(keyed)]

    # -- rendering --

    def render(self, *, static: bool = False, **values: Any) -> bytes:
        """Show ``values`` and return the figure as PNG bytes.

        Parameters
        ----------
        static : bool
            Encode as a static frame (palette, smallest file) instead of a
            live one (fastest encoding).
        **values
            One value per control.
        """
        missing = [spec.name for spec in self._specs if spec.name not in values]
        if missing:
            raise ValueError(f"render() needs a value for every control, missing {missing}")
        with plotting.style():
            changed_static = self._update(self.artists, **values)
            if self._background is None or changed_static:
                self._draw_background()
            self._canvas.restore_region(self._background)
            for artist in self._moving:
                self.figure.draw_artist(artist)
            rgba = np.asarray(self._canvas.buffer_rgba())
            return _png(rgba, self._colors if static else None)

    def _draw_background(self) -> None:
        self._canvas.draw()
        # Freeze the layout: later redraws must not move the axes under the
        # cached background (and constrained layout is the slow part of a draw).
        self.figure.set_layout_engine("none")
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)

    def alt_text(self, **values: Any) -> str:
        """The alt text for ``values`` (the ``alt`` argument, called if callable)."""
        return self._alt(**values) if callable(self._alt) else self._alt

    # -- live mode --

    @property
    def values(self) -> Values:
        """The controls' current values."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> None:
        """Move controls to new values (live mode redraws, as when the reader moves them)."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"unknown control {name!r}; controls are {list(self.controls)}")
            self.controls[name].value = value

    def _on_change(self, change: Mapping[str, Any]) -> None:
        values = self.values
        assert self.image is not None
        self.image.value = self.render(**values)
        if callable(self._alt):
            assert isinstance(self.description, ipw.HTML)
            self.description.value = _hidden_text(self.alt_text(**values))

    # -- static mode --

    def _flat_index(self, index: tuple[int, ...]) -> int:
        flat = 0
        for spec, i in zip(self._specs, index, strict=True):
            flat = flat * len(spec.values) + i
        return flat

    def _build_stacks(self) -> ipw.Stack:
        """Render every frame and nest one Stack per control, each jslinked to its control.

        Sets ``self.description`` too: one hidden text per frame, stacked and
        linked the same way, when ``alt`` depends on the values.
        """
        images, texts = [], []
        for index in itertools.product(*(range(len(spec.values)) for spec in self._specs)):
            values = {
                spec.name: spec.values[i] for spec, i in zip(self._specs, index, strict=True)
            }
            png = self.render(static=True, **values)
            self.frames.append(png)
            images.append(ipw.Image(value=png, format="png", layout=_image_layout()))
            if callable(self._alt):
                texts.append(ipw.HTML(_hidden_text(self.alt_text(**values))))
        stack = self._nest(images, 0)
        if texts:
            self.description = self._nest(texts, 0)
        else:
            self.description = ipw.HTML(_hidden_text(self.alt_text()))
        return stack

    def _nest(self, items: list[ipw.Widget], depth: int) -> ipw.Stack:
        spec = self._specs[depth]
        control = self.controls[spec.name]
        if depth + 1 < len(self._specs):
            size = len(items) // len(spec.values)
            children = [
                self._nest(items[k * size : (k + 1) * size], depth + 1)
                for k in range(len(spec.values))
            ]
        else:
            children = items
        stack = ipw.Stack(children, selected_index=spec.default_index)
        self.links.append(ipw.jslink((control, "index"), (stack, "selected_index")))
        return stack

    # -- display --

    def show(self) -> None:
        """Display the widget in the notebook (same as ``display(explorer)``)."""
        from IPython.display import display

        display(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["image/png"] = base64.b64encode(self._fallback_png).decode("ascii")
        alt = self.alt_text(**{spec.name: spec.default for spec in self._specs})
        bundle["text/plain"] = alt or self._caption or "optlib widget"
        return bundle


def _image_layout() -> ipw.Layout:
    return ipw.Layout(max_width="100%", height="auto")


def _hidden_text(text: str) -> str:
    """HTML read by screen readers but not shown (the usual visually-hidden pattern).

    An ``ipywidgets.Image`` cannot carry ``alt``, and its ``tooltip`` breaks the
    image's view in the website's widget manager, so the description sits here.
    """
    style = (
        "position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
        "clip:rect(0,0,0,0);white-space:nowrap;border:0"
    )
    return f'<span class="optlib-alt" style="{style}">{html.escape(text)}</span>'


def _release_from_pyplot(fig: Figure) -> None:
    """Stop pyplot (and so the inline backend) from also showing the explorer's figure."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:  # a figure made without pyplot is not pyplot's to show
        pyplot.close(fig)


# --- ready-made explorers ------------------------------------------------------------


def _point(x: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(v):.3g}" for v in x) + ")"


def _start_point(fn: Any, x0: Any) -> np.ndarray:
    """``x0`` checked against the surface: a finite float64 point of shape (d,)."""
    x_start = as_float_array("x0", x0, dtype=np.float64)
    x_start = x_start.reshape(1) if x_start.ndim == 0 else x_start
    check_finite("x0", x_start)
    dim = plotting._check_surface(fn)
    if x_start.shape != (dim,):
        raise ValueError(f"x0 must have shape ({dim},) for {fn!r}, got {x_start.shape}")
    return x_start


def _loss_limits(runs: Sequence[Trajectory], min_value: float) -> tuple[float, float]:
    """Fixed log-axis limits (whole decades) that hold every run's gap J - J*."""
    tops, bottoms = [], []
    for traj in runs:
        gaps = np.asarray(traj.losses, dtype=np.float64) - min_value
        positive = gaps[gaps > 0]
        if positive.size:
            # A diverged run's last, recorded step can be astronomically large:
            # it may only stretch the axis to twelve decades above its start.
            top = positive.max()
            tops.append(min(top, positive[0] * 1e12) if traj.diverged else top)
            bottoms.append(positive.min())
    top = float(max(tops, default=1.0))
    bottom = max(float(min(bottoms, default=top)), top * 1e-14)
    return (
        10.0 ** math.floor(math.log10(bottom) - 0.3),
        10.0 ** math.ceil(math.log10(top) + 0.3),
    )


def _label_values(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={_label(value)}" for name, value in values.items())


def _grid_values(specs: Mapping[str, Any]) -> Iterator[Values]:
    names = list(specs)
    grids = []
    for name in names:
        spec = specs[name]
        if isinstance(spec, FloatRange):
            grids.append(spec.grid())
        elif isinstance(spec, Mapping):
            grids.append(list(spec.values()))
        else:
            grids.append(list(spec))
    for combo in itertools.product(*grids):
        yield dict(zip(names, combo, strict=True))


def optimizer_explorer(
    fn: Any,
    x0: Any,
    controls: Mapping[str, Any],
    *,
    optimizer: type | None = None,
    steps: int = 100,
    defaults: Mapping[str, Any] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
    **hyperparams: Any,
) -> Explorer:
    r"""Move an optimizer's hyper-parameters and watch its path and loss curve.

    Left, the surface (contours in 2-D, the curve in 1-D) with the path of
    :func:`optlib.minimize` from ``x0``; right, :math:`J(\theta_t) - J^*` on a
    log axis. A choice that blows up shows "diverged after k steps" instead of
    a blank plot. The loss axis is fixed, from the runs over every control
    value, so frames can be compared.

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (d,)
        Starting point.
    controls : dict
        Hyper-parameters on controls, e.g. ``{"lr": [...], "momentum": [...]}``
        (see :class:`Explorer`).
    optimizer : optimizer class
        Default :class:`optlib.optimizers.SGD`.
    steps : int
        Step budget of each run.
    defaults, caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.
    **hyperparams
        Hyper-parameters held fixed, e.g. ``momentum=0.9``; also
        :func:`optlib.minimize`'s own ``tol``, ``ftol`` and ``blowup`` (a
        smaller ``blowup`` stops diverging runs sooner and so keeps the loss
        axis shorter).

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> from optlib.optimizers import SGD
    >>> explorer = optimizer_explorer(
    ...     Quadratic(), [2.5, 1.0], {"lr": [0.05, 0.1], "momentum": [0.0, 0.5, 0.9]},
    ...     optimizer=SGD, steps=50, mode="static")
    >>> len(explorer.frames), [len(stack.children) for stack in explorer.stack.children]
    (6, [3, 3])
    >>> explorer.alt_text(lr=0.5, momentum=0.0).split(": ")[-1]
    'the run diverged after 9 steps.'
    """
    if optimizer is None:
        from .optimizers import SGD

        optimizer = SGD
    steps = check_positive_int("steps", steps)
    x_start = _start_point(fn, x0)
    overlap = set(hyperparams) & set(controls)
    if overlap:
        raise ValueError(f"{sorted(overlap)} are both fixed and on a control")
    name = getattr(optimizer, "__name__", str(optimizer))
    surface_name = getattr(fn, "name", type(fn).__name__)
    min_value = plotting._min_value(fn)

    last: dict[str, Any] = {}

    def run(values: Mapping[str, Any]) -> Trajectory:
        """The run for ``values``; the last one is kept, so the alt text reuses it."""
        if last.get("values") != values:
            last["values"] = dict(values)
            last["traj"] = minimize(fn, x_start, optimizer, steps=steps, **hyperparams, **values)
        return last["traj"]

    # Fix the loss axis from the runs over every offered value (a FloatRange
    # contributes its grid): frames are comparable and no redraw is needed.
    ylim = _loss_limits([run(values) for values in _grid_values(controls)], min_value)

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1.15, 1))
        _, surface = plotting.surface_plot(fn, ax=left, title=f"{name} on {surface_name}")
        _, path = plotting.trajectory_plot(surface, color=plotting.VERMILLION)
        _, losses = plotting.loss_plot(
            n_runs=1,
            ax=right,
            colors=[plotting.VERMILLION],
            min_value=min_value,
            steps=steps,
            ylim=ylim,
        )
        return fig, {"path": path, "losses": losses, "title": right.title}

    def update(artists: Values, **values: Any) -> None:
        traj = run(values)
        artists["path"].set_data(traj)
        artists["losses"].set_run(0, traj)
        # A diverged run is labelled in the panel's corner; a finished one here.
        text = "Loss"
        if not traj.diverged:
            gap = max(float(traj.losses[-1]) - min_value, 0.0)
            text = f"Loss: $J - J^*$ = {gap:.2g} after {traj.steps} steps"
        artists["title"].set_text(text)

    def describe(**values: Any) -> str:
        traj = run(values)
        head = (
            f"{name} on the {surface_name} surface from {_point(x_start)}, "
            f"{_label_values(values)}: "
        )
        if traj.diverged:
            return head + f"the run {plotting.diverged_text(traj.steps)}."
        gap = max(float(traj.losses[-1]) - min_value, 0.0)
        return (
            head + f"after {traj.steps} steps it is at {_point(traj.xs[-1])}, J - J* = {gap:.2g}."
        )

    if caption is None:
        fixed = f" ({_label_values(hyperparams)})" if hyperparams else ""
        caption = (
            f"{name}{fixed} on the {surface_name} surface for {steps} steps: the path "
            "(left) and the loss gap on a log scale (right)."
        )
    return Explorer(
        setup,
        update,
        controls,
        defaults=defaults,
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def learning_rate_explorer(
    fn: Any,
    x0: Any,
    lrs: Sequence[float] | FloatRange,
    *,
    optimizer: type | None = None,
    steps: int = 100,
    default: float | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
    **hyperparams: Any,
) -> Explorer:
    r"""A slider for the learning rate :math:`\alpha`: path on the surface and loss curve.

    :func:`optimizer_explorer` with one control, ``lr``. Include rates that
    diverge: their frames say "diverged after k steps".

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (d,)
        Starting point.
    lrs : list of float or FloatRange
        The rates on the slider.
    optimizer : optimizer class
        Default :class:`optlib.optimizers.SGD` (gradient descent).
    steps : int
        Step budget of each run.
    default : float, optional
        The rate shown first (default: the first of ``lrs``).
    caption, alt, mode
        As for :class:`Explorer`.
    **hyperparams
        Other hyper-parameters, held fixed (``momentum=0.9``).

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> explorer = learning_rate_explorer(Quadratic(), [2.5, 1.0], [0.02, 0.1, 0.25],
    ...                                   default=0.1, mode="static")
    >>> explorer.controls["lr"].index, len(explorer.frames)
    (1, 3)
    """
    return optimizer_explorer(
        fn,
        x0,
        {"lr": lrs},
        optimizer=optimizer,
        steps=steps,
        defaults=None if default is None else {"lr": default},
        caption=caption,
        alt=alt,
        mode=mode,
        **hyperparams,
    )


def race_explorer(
    fn: Any,
    x0: Any,
    optimizers: Mapping[str, tuple[type, Mapping[str, Any]]],
    *,
    steps: int = 200,
    shown_steps: Sequence[int] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Several optimizers from one start on one surface, with a slider over the steps.

    Each optimizer runs once, when the widget is built; the ``step`` slider
    shows every path and loss curve up to step :math:`t`, like scrubbing an
    animation. A run that diverged says so once the slider passes its end.

    Parameters
    ----------
    fn : surface
        A 1-D or 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (d,)
        The common starting point.
    optimizers : dict
        ``{label: (optimizer_class, hyper_parameters)}``, e.g.
        ``{"SGD": (SGD, {"lr": 1e-3}), "Adam": (Adam, {"lr": 0.05})}``.
    steps : int
        Step budget of each run.
    shown_steps : list of int, optional
        The slider's values (default: 11 evenly spaced from 0 to ``steps``);
        the last is shown first.
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Rosenbrock
    >>> from optlib.optimizers import SGD, Adam
    >>> explorer = race_explorer(
    ...     Rosenbrock(), [-1.5, 2.0],
    ...     {"SGD": (SGD, {"lr": 1e-3}), "Adam": (Adam, {"lr": 0.05})},
    ...     steps=100, mode="static")
    >>> explorer.controls["step"].value, len(explorer.frames)
    (100, 11)
    """
    steps = check_positive_int("steps", steps)
    x_start = _start_point(fn, x0)
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError("optimizers must be a non-empty {label: (class, hyper-parameters)} dict")
    runs: dict[str, Trajectory] = {}
    for label, entry in optimizers.items():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Mapping)):
            raise ValueError(
                f"optimizers[{label!r}] must be (optimizer_class, {{hyper-parameters}}), "
                f"got {entry!r}"
            )
        optimizer, hyperparams = entry
        runs[str(label)] = minimize(fn, x_start, optimizer, steps=steps, **hyperparams)
    if shown_steps is None:
        shown_steps = sorted({round(steps * k / 10) for k in range(11)})
    shown = [check_positive_int("shown_steps", int(s), allow_zero=True) for s in shown_steps]
    surface_name = getattr(fn, "name", type(fn).__name__)
    min_value = plotting._min_value(fn)
    ylim = _loss_limits([traj for traj in runs.values()], min_value)
    labels = list(runs)

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1.15, 1))
        _, surface = plotting.surface_plot(fn, ax=left)
        paths = [
            plotting.trajectory_plot(surface, label=label, markers=False)[1] for label in labels
        ]
        _, losses = plotting.loss_plot(
            n_runs=len(labels),
            ax=right,
            labels=labels,
            min_value=min_value,
            steps=steps,
            ylim=ylim,
        )
        return fig, {"paths": paths, "losses": losses, "title": right.title}

    def update(artists: Values, step: int) -> None:
        for i, traj in enumerate(runs.values()):
            k = min(int(step), traj.steps)
            ended = traj.diverged and step >= traj.steps
            artists["paths"][i].set_data(
                traj.xs[: k + 1], losses=traj.losses[: k + 1], diverged=ended, steps=traj.steps
            )
            artists["losses"].set_run(i, traj.losses[: k + 1], diverged=ended, steps=traj.steps)
        artists["title"].set_text(f"Loss up to step {int(step)}")

    def describe(step: int) -> str:
        parts = []
        for label, traj in runs.items():
            if traj.diverged and step >= traj.steps:
                parts.append(f"{label} {plotting.diverged_text(traj.steps)}")
            else:
                k = min(int(step), traj.steps)
                gap = max(float(traj.losses[k]) - min_value, 0.0)
                parts.append(f"{label} is at {_point(traj.xs[k])} with J - J* = {gap:.2g}")
        return f"{surface_name} surface, step {int(step)}: " + "; ".join(parts) + "."

    if caption is None:
        caption = (
            f"{', '.join(labels)} from the same start on the {surface_name} surface: the "
            "paths (left) and the loss gaps on a log scale (right) up to the chosen step."
        )
    return Explorer(
        setup,
        update,
        {"step": shown},
        defaults={"step": shown[-1]},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


# --- adaptive optimizers: the state behind one step ------------------------------------
# Added for the Adagrad and RMSProp chapters.

__all__ += ["adaptive_step_explorer"]

from matplotlib.lines import Line2D  # noqa: E402


def adaptive_step_explorer(
    fn: Any,
    x0: Any,
    optimizers: Mapping[str, tuple[type, Mapping[str, Any]]],
    *,
    steps: int = 100,
    shown_steps: Sequence[int] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""One step of an adaptive optimizer, taken apart: gradient, per-coordinate rate, step.

    Left, the surface with the path up to the chosen step :math:`t` and, at
    :math:`\theta_{t-1}`, two arrows of equal length: the direction of plain
    gradient descent, :math:`-g_t`, and the direction of the step the optimizer
    actually took, :math:`\theta_t - \theta_{t-1}`. The angle between them is
    what the per-coordinate scaling does. Right, on a log axis and per
    coordinate, the sizes behind that step: :math:`|g_t|`, the learning rate
    of each coordinate (:math:`\alpha/(\sqrt{G_t} + \varepsilon)` for Adagrad,
    :math:`\alpha/(\sqrt{s_t} + \varepsilon)` for RMSprop, see
    :func:`optlib.training.record_state`) and the step :math:`|\Delta\theta|`.
    A slider chooses :math:`t`; with several optimizers a drop-down chooses one.

    Parameters
    ----------
    fn : surface
        A 2-D surface from :mod:`optlib.functions`.
    x0 : array_like, shape (2,)
        Starting point.
    optimizers : dict
        ``{label: (optimizer_class, hyper_parameters)}``, e.g.
        ``{"Adagrad": (Adagrad, {"lr": 0.5})}``.
    steps : int
        Steps of each run.
    shown_steps : list of int, optional
        The slider's values, each in ``[1, steps]`` (default: about ten,
        spaced evenly on a log scale).
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import Quadratic
    >>> from optlib.optimizers import Adagrad
    >>> explorer = adaptive_step_explorer(
    ...     Quadratic(), [2.5, 1.0], {"Adagrad": (Adagrad, {"lr": 0.5})},
    ...     steps=50, shown_steps=[1, 10, 50], mode="static")
    >>> len(explorer.frames), list(explorer.controls)
    (3, ['step'])
    >>> explorer.alt_text(step=1).split(": ")[1][:45]
    'at theta_0 = (2.5, 1) the gradient is (2.5, 1'
    """
    steps = check_positive_int("steps", steps)
    x_start = _start_point(fn, x0)
    if plotting._check_surface(fn) != 2:
        raise ValueError("adaptive_step_explorer needs a 2-D surface")
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError("optimizers must be a non-empty {label: (class, hyper-parameters)} dict")
    records: dict[str, StateRecord] = {}
    for label, entry in optimizers.items():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Mapping)):
            raise ValueError(
                f"optimizers[{label!r}] must be (optimizer_class, {{hyper-parameters}}), "
                f"got {entry!r}"
            )
        optimizer, hyperparams = entry
        records[str(label)] = record_state(fn, x_start, optimizer, steps=steps, **hyperparams)
    if shown_steps is None:
        shown_steps = sorted({round(float(v)) for v in np.geomspace(1, steps, 10)})
    shown = [check_positive_int("shown_steps", int(s)) for s in shown_steps]
    if max(shown) > steps:
        raise ValueError(f"shown_steps must lie in [1, steps={steps}], got {max(shown)}")
    labels = list(records)
    surface_name = getattr(fn, "name", type(fn).__name__)
    low, high = np.asarray(fn.bounds, dtype=np.float64).T
    span = high - low

    def at(label: str, step: int) -> tuple[int, bool]:
        """The step actually shown (a run may have stopped early) and whether it diverged."""
        record = records[label]
        return min(int(step), record.steps), record.diverged and step > record.steps

    # One fixed log axis for every frame, in whole decades.
    sizes = []
    for label in labels:
        record = records[label]
        for step in shown:
            k, _ = at(label, step)
            if k >= 1:
                row = k - 1
                sizes += [record.grads[row], record.rates[row], record.updates[row]]
    values = np.abs(np.concatenate(sizes)) if sizes else np.ones(1)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        values = np.ones(1)
    # At most ten decades: smaller values sit on the floor, their size written above.
    bar_top = 10.0 ** math.ceil(math.log10(values.max()) + 0.3)
    bar_floor = max(10.0 ** math.floor(math.log10(values.min()) - 0.3), bar_top * 1e-10)
    categories = ["gradient $|g_t|$", "learning rate", r"step $|\Delta\theta|$"]

    def arrow(vector: np.ndarray) -> np.ndarray:
        """``vector`` rescaled to 18% of the axes, direction as seen on the plot."""
        on_screen = vector / span
        norm = float(np.hypot(*on_screen))
        if not norm or not math.isfinite(norm):
            return np.zeros(2)
        return on_screen / norm * 0.18 * span

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(
            2, width_ratios=(1.15, 1), height=plotting.HEIGHT + 0.5
        )
        _, surface = plotting.contour_plot(fn, ax=left)
        _, path = plotting.trajectory_plot(surface, color=plotting.BLACK, markers=False)
        with plotting.style():
            gradient_arrow = left.quiver(
                [0.0],
                [0.0],
                [0.0],
                [0.0],
                angles="xy",
                scale_units="xy",
                scale=1,
                color=plotting.BLUE,
                width=0.012,
                zorder=8,
            )
            step_arrow = left.quiver(
                [0.0],
                [0.0],
                [0.0],
                [0.0],
                angles="xy",
                scale_units="xy",
                scale=1,
                color=plotting.VERMILLION,
                width=0.012,
                zorder=9,
            )
            # The arrows' legend sits under both panels, where no path can cover it.
            fig.legend(
                handles=[
                    Line2D([], [], color=plotting.BLUE, linewidth=3),
                    Line2D([], [], color=plotting.VERMILLION, linewidth=3),
                ],
                labels=[r"direction of $-g_t$ (gradient descent)", "direction of the step taken"],
                loc="outside lower center",
                ncols=2,
            )
            centers = np.arange(len(categories), dtype=np.float64)
            width = 0.38
            coordinate_colors = ("#777777", "#bbbbbb")  # grey: not to be confused with the arrows
            bars = [
                right.bar(
                    centers + (j - 0.5) * width,
                    [0.0] * len(categories),
                    width * 0.92,
                    bottom=bar_floor,
                    color=coordinate_colors[j],
                )
                for j in range(2)
            ]
            positions = [c + (j - 0.5) * width for c in centers for j in range(2)]
            right.set(yscale="log", ylim=(bar_floor, bar_top))
            right.set_xticks(positions, [r"$\theta_1$", r"$\theta_2$"] * len(categories))
            right.set_xlim(-0.6, len(categories) - 0.4)
            for c, name in zip(centers, categories, strict=True):
                right.text(
                    c,
                    -0.16,
                    name,
                    transform=right.get_xaxis_transform(),
                    ha="center",
                    va="top",
                    fontsize=10,
                )
            right.grid(True, axis="y", which="major", color="#dddddd", linewidth=0.6)
            texts = [
                right.text(
                    c + (j - 0.5) * width,
                    bar_floor,
                    "",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    zorder=5,
                )
                for j in range(2)
                for c in centers
            ]
        return fig, {
            "path": path,
            "gradient": gradient_arrow,
            "step": step_arrow,
            "bars": [patch for container in bars for patch in container],
            "texts": texts,
            "left_title": left.title,
            "right_title": right.title,
        }

    def values_at(label: str, step: int) -> dict[str, Any]:
        record = records[label]
        k, ended = at(label, step)
        row = max(k - 1, 0)
        return {
            "record": record,
            "k": k,
            "ended": ended,
            "point": record.xs[row],
            "grad": record.grads[row] if record.steps else np.zeros(2),
            "rate": record.rates[row] if record.steps else np.zeros(2),
            "update": record.updates[row] if record.steps else np.zeros(2),
        }

    def angle(grad: np.ndarray, update: np.ndarray) -> float:
        a, b = -grad / span, update / span  # as drawn on the plot
        norms = float(np.hypot(*a) * np.hypot(*b))
        if not norms:
            return 0.0
        return math.degrees(math.acos(max(-1.0, min(1.0, float(a @ b) / norms))))

    def update(artists: Values, step: int, optimizer: str = labels[0]) -> None:
        now = values_at(optimizer, step)
        record, k = now["record"], now["k"]
        artists["path"].set_data(record.xs[: k + 1], diverged=now["ended"], steps=record.steps)
        point = now["point"]
        for key, vector in (("gradient", -now["grad"]), ("step", now["update"])):
            artists[key].set_offsets([point])
            u, v = arrow(vector)
            artists[key].set_UVC([u], [v])
        heights = [now["grad"], now["rate"], now["update"]]
        for j in range(2):
            for c, quantity in enumerate(heights):
                value = abs(float(quantity[j]))
                shown_value = min(max(value, bar_floor), bar_top)
                artists["bars"][j * len(categories) + c].set_height(shown_value - bar_floor)
                text = artists["texts"][j * len(categories) + c]
                text.set_text(f"{value:.2g}")
                text.set_y(shown_value)
        artists["left_title"].set_text(f"{optimizer} on {surface_name}, step {k}")
        artists["right_title"].set_text(
            f"turned {angle(now['grad'], now['update']):.0f}° from $-g_t$"
        )

    def describe(step: int, optimizer: str = labels[0]) -> str:
        now = values_at(optimizer, step)
        k = now["k"]
        head = f"{optimizer} on the {surface_name} surface, step {k}: "
        if now["ended"]:
            return head + f"the run {plotting.diverged_text(now['record'].steps)}."
        return head + (
            f"at theta_{k - 1} = {_point(now['point'])} the gradient is {_point(now['grad'])}, "
            f"the per-coordinate learning rates are {_point(now['rate'])} and the step taken "
            f"is {_point(now['update'])}, turned "
            f"{angle(now['grad'], now['update']):.0f} degrees from the descent direction."
        )

    controls: dict[str, Any] = {}
    defaults: dict[str, Any] = {"step": shown[0]}
    if len(labels) > 1:
        controls["optimizer"] = labels
        defaults["optimizer"] = labels[0]
    controls["step"] = shown
    if caption is None:
        caption = (
            f"{', '.join(labels)} on the {surface_name} surface: at the chosen step, the "
            "direction of gradient descent and of the step taken (arrows of equal length), "
            "and per coordinate the gradient, the learning rate and the step (log scale)."
        )
    return Explorer(
        setup,
        update,
        controls,
        defaults=defaults,
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


# --- momentum chapter: the ball in a 1-D landscape, the (lr, momentum) map ------------------

__all__ += ["ball_explorer", "rate_map_explorer"]


def _nearest_minimum(fn: Any, x: float) -> tuple[str, float]:
    """Which minimum of a 1-D surface is nearest to ``x``: ("global" or "local", where)."""
    candidates = [("global", float(m)) for m in np.ravel(getattr(fn, "minima", []))]
    candidates += [("local", float(m)) for m in np.ravel(getattr(fn, "local_minima", []))]
    if not candidates:
        return "", float("nan")
    return min(candidates, key=lambda item: abs(item[1] - x))


def ball_explorer(
    fn: Any,
    x0: Any,
    momenta: Sequence[float] | FloatRange,
    *,
    lr: float,
    optimizer: type | None = None,
    steps: int = 150,
    default: float | None = None,
    settled: float = 1e-3,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
    **hyperparams: Any,
) -> Explorer:
    r"""A ball released on a 1-D landscape, with a slider for the momentum :math:`\rho`.

    Left, the curve :math:`J(\theta)` with the run's points on it (global
    minimum starred, local minimum circled); right, the position
    :math:`\theta_t` against the step, with dashed lines at the minima and at
    the barrier between them (``fn.barrier``, when the surface has one). The
    title says where the ball came to rest: in which minimum, or that it is
    still moving after ``steps`` steps (its last step longer than ``settled``),
    or that it diverged.

    Parameters
    ----------
    fn : surface
        A 1-D surface, such as :class:`optlib.functions.DoubleWell`.
    x0 : array_like, shape (1,)
        Where the ball is released (at rest).
    momenta : list of float or FloatRange
        The values on the slider.
    lr : float
        The learning rate, held fixed.
    optimizer : optimizer class
        Default :class:`optlib.optimizers.SGD`.
    steps : int
        Step budget.
    default : float, optional
        The momentum shown first.
    settled : float
        A run whose last step is shorter than this has come to rest.
    caption, alt, mode
        As for :class:`Explorer`.
    **hyperparams
        Other hyper-parameters, held fixed (``nesterov=True``), and
        :func:`optlib.minimize`'s ``blowup``.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> from optlib.functions import DoubleWell
    >>> explorer = ball_explorer(DoubleWell(), [2.0], [0.3, 0.7], lr=0.05, mode="static")
    >>> len(explorer.frames)
    2
    >>> explorer.alt_text(momentum=0.3).split(": ")[-1]
    'the ball comes to rest in the local minimum at θ = 0.96.'
    """
    if optimizer is None:
        from .optimizers import SGD

        optimizer = SGD
    steps = check_positive_int("steps", steps)
    x_start = _start_point(fn, x0)
    if x_start.shape != (1,):
        raise ValueError(f"ball_explorer needs a 1-D surface, got {fn!r}")
    if "momentum" in hyperparams:
        raise ValueError("momentum is on the slider; do not also fix it")
    name = getattr(optimizer, "__name__", str(optimizer))
    surface_name = getattr(fn, "name", type(fn).__name__)
    runs: dict[float, Trajectory] = {}

    def run(momentum: float) -> Trajectory:
        key = float(momentum)
        if key not in runs:
            runs[key] = minimize(
                fn, x_start, optimizer, steps=steps, lr=lr, momentum=key, **hyperparams
            )
        return runs[key]

    def verdict(traj: Trajectory) -> str:
        if traj.diverged:
            return f"the ball {plotting.diverged_text(traj.steps)}"
        last = float(traj.xs[-1, 0])
        moving = len(traj.xs) > 1 and abs(float(traj.xs[-1, 0] - traj.xs[-2, 0])) > settled
        if moving:
            return f"the ball is still moving after {traj.steps} steps, at θ = {last:.3g}"
        kind, where = _nearest_minimum(fn, last)
        if not kind:
            return f"the ball comes to rest at θ = {last:.3g}"
        return f"the ball comes to rest in the {kind} minimum at θ = {where:.3g}"

    grid = momenta.grid() if isinstance(momenta, FloatRange) else list(momenta)
    all_runs = [run(m) for m in grid]
    finite_xs = np.concatenate([np.asarray(t.xs[:, 0], dtype=np.float64) for t in all_runs])
    ((b_lo, b_hi),) = np.asarray(fn.bounds, dtype=np.float64)
    y_lo = max(float(finite_xs.min()), b_lo - (b_hi - b_lo))
    y_hi = min(float(finite_xs.max()), b_hi + (b_hi - b_lo))
    pad = 0.06 * (y_hi - y_lo)
    references: dict[str, float] = {}
    for m in np.ravel(getattr(fn, "minima", [])):
        references.setdefault("global minimum", float(m))
    for m in np.ravel(getattr(fn, "local_minima", [])):
        references.setdefault("local minimum", float(m))
    for b in np.ravel(getattr(fn, "barrier", [])):
        references.setdefault("barrier", float(b))

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1, 1.1))
        _, curve = plotting.curve_plot(fn, ax=left, title=f"{name} on {surface_name}")
        _, path = plotting.trajectory_plot(curve, color=plotting.VERMILLION)
        # The ball's positions matter, not the chords between them.
        path.path.set(linestyle="none", markersize=4)
        _, positions = plotting.series_plot(
            {"θ_t": []},
            ax=right,
            references=references,
            colors=[plotting.VERMILLION],
            ylabel=r"position $\theta_t$",
            markers=False,
            ylim=(y_lo - pad, y_hi + pad),
        )
        right.set_xlim(0, steps)
        return fig, {"path": path, "positions": positions, "title": right.title}

    def update(artists: Values, momentum: float) -> None:
        traj = run(momentum)
        artists["path"].set_data(traj)
        artists["positions"].set_series(0, traj.xs[:, 0])
        text = verdict(traj)
        artists["title"].set_text(text[0].upper() + text[1:].split(", at")[0].split(" at θ")[0])

    def describe(momentum: float) -> str:
        return (
            f"{name} with lr={lr:g}, momentum={float(momentum):.4g}, released at "
            f"θ = {float(x_start[0]):.3g} on the {surface_name} curve: "
            f"{verdict(run(momentum))}."
        )

    if caption is None:
        caption = (
            f"{name} (lr = {lr:g}) released at θ = {float(x_start[0]):.3g} on the "
            f"{surface_name} curve for {steps} steps: the points on the curve (left) and the "
            "position against the step (right)."
        )
    return Explorer(
        setup,
        update,
        {"momentum": momenta},
        defaults=None if default is None else {"momentum": default},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def _grid_index(grid: np.ndarray, value: float, name: str) -> int:
    matches = np.flatnonzero(np.isclose(grid, value, rtol=1e-9, atol=1e-12))
    if not matches.size:
        raise ValueError(f"{name}={value!r} is not one of the swept values")
    return int(matches[0])


def rate_map_explorer(
    fn: Any,
    result: Any,
    lrs: Any,
    momenta: Any,
    factors: Any,
    *,
    shown_lrs: Sequence[float],
    shown_momenta: Sequence[float],
    defaults: Mapping[str, float] | None = None,
    lines: Mapping[str, tuple[Any, Any]] | None = None,
    points: Mapping[str, tuple[float, float]] | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Pick (learning rate, momentum) on the rate map and see that run's path.

    Everything comes from one :func:`optlib.sweep` over the grid
    ``lr=lrs[:, None, None], momentum=momenta[None, :, None]``: left, the map of
    ``factors`` (:func:`optlib.plotting.rate_map_plot`) with a ring on the
    chosen cell; right, the chosen run's path on the surface, with its
    measured factor, or "diverged after k steps". Nothing is recomputed when a
    control moves.

    Parameters
    ----------
    fn : surface
        The 2-D surface that was swept.
    result : SweepResult
        The sweep, with batch shape ``(len(lrs), len(momenta))``.
    lrs, momenta : array_like
        The swept values.
    factors : array_like, shape (len(lrs), len(momenta))
        The factor per step of each run, as measured from ``result``.
    shown_lrs, shown_momenta : sequence of float
        The values on the two sliders; each must be one of the swept values.
    defaults : dict, optional
        ``{"lr": ..., "momentum": ...}`` shown first.
    lines, points
        Drawn over the map, as in :func:`optlib.plotting.rate_map_plot`.
    caption, alt, mode
        As for :class:`Explorer`.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Quadratic, sweep
    >>> lrs, momenta = np.array([0.05, 0.1, 0.3]), np.array([0.0, 0.5])
    >>> result = sweep(Quadratic(), [2.5, 1.0], SGD, steps=40,
    ...                lr=lrs[:, None, None], momentum=momenta[None, :, None])
    >>> factors = (result.final_losses / result.losses[0]) ** (1 / 80)
    >>> explorer = rate_map_explorer(Quadratic(), result, lrs, momenta, factors,
    ...                              shown_lrs=[0.1, 0.3], shown_momenta=[0.0, 0.5],
    ...                              mode="static")
    >>> len(explorer.frames), explorer.alt_text(lr=0.3, momentum=0.0).split(": ")[-1]
    (4, 'the run diverged after 18 steps.')
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    momenta = np.asarray(momenta, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    xs = np.asarray(result.xs)
    expected = (len(lrs), len(momenta))
    if xs.ndim != 4 or xs.shape[1:3] != expected or factors.shape != expected:
        raise ValueError(
            f"result and factors must have batch shape (len(lrs), len(momenta)) = {expected}, "
            f"got result.xs {xs.shape} and factors {factors.shape}"
        )
    lr_index = {float(v): _grid_index(lrs, v, "shown_lrs") for v in shown_lrs}
    momentum_index = {float(v): _grid_index(momenta, v, "shown_momenta") for v in shown_momenta}
    surface_name = getattr(fn, "name", type(fn).__name__)
    steps_taken = np.asarray(result.steps_taken)
    diverged = np.asarray(result.diverged)

    def cell(lr: float, momentum: float) -> tuple[int, int]:
        return lr_index[float(lr)], momentum_index[float(momentum)]

    def setup() -> tuple[Figure, Values]:
        fig, (left, right) = plotting.side_by_side(2, width_ratios=(1.2, 1), height=3.6)
        _, rate_map = plotting.rate_map_plot(
            lrs,
            momenta,
            factors,
            ax=left,
            lines=lines,
            points=points,
            colorbar=False,
            title="Factor per step (darker: faster)",
        )
        _, surface = plotting.contour_plot(fn, ax=right, title=surface_name)
        _, path = plotting.trajectory_plot(surface, color=plotting.VERMILLION)
        return fig, {"map": rate_map, "path": path, "title": right.title}

    def verdict(lr: float, momentum: float) -> str:
        i, j = cell(lr, momentum)
        if diverged[i, j]:
            return plotting.diverged_text(int(steps_taken[i, j]))
        return f"factor {factors[i, j]:.3f} per step"

    def update(artists: Values, lr: float, momentum: float) -> None:
        i, j = cell(lr, momentum)
        k = int(steps_taken[i, j])
        artists["map"].set_point(lr, momentum)
        artists["path"].set_data(xs[: k + 1, i, j], diverged=bool(diverged[i, j]), steps=k)
        artists["title"].set_text(f"α = {lr:.3g}, ρ = {momentum:.3g}: {verdict(lr, momentum)}")
        artists["title"].set_fontsize(10)

    def describe(lr: float, momentum: float) -> str:
        i, j = cell(lr, momentum)
        k = int(steps_taken[i, j])
        where = (
            "the run " + plotting.diverged_text(k)
            if diverged[i, j]
            else f"after {k} steps the run is at {_point(xs[k, i, j])}, a {verdict(lr, momentum)}"
        )
        return (
            f"Rate map with a ring at lr = {lr:.3g}, momentum = {momentum:.3g}; the path of that "
            f"run on the {surface_name} surface: {where}."
        )

    def labelled(values: Sequence[float]) -> dict[str, float]:
        return {f"{float(v):.3g}": float(v) for v in values}

    if caption is None:
        caption = (
            f"Left, the measured factor per step of heavy-ball momentum on the {surface_name} "
            "surface over the swept grid; right, the path of the run the ring marks."
        )
    return Explorer(
        setup,
        update,
        {"lr": labelled(shown_lrs), "momentum": labelled(shown_momenta)},
        defaults=None if defaults is None else {k: float(v) for k, v in defaults.items()},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


# --- the loss-functions chapter: an outlier under two losses, a loss explorer ---

__all__ += ["loss_explorer", "outlier_fit_explorer"]


def outlier_fit_explorer(
    x: Any,
    y: Any,
    outlier: int,
    outlier_ys: Sequence[float],
    fits: Mapping[str, Any],
    *,
    default: float | None = None,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Move one data point up and down and watch the line each loss fits follow it.

    The fits are computed beforehand (one per slider position, e.g. with
    :func:`optlib.fit`), so live and static frames show the same lines and a
    live frame costs one redraw. The control is ``outlier_y``.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The data; ``y[outlier]`` is replaced by each value of ``outlier_ys``.
    outlier : int
        Index of the point on the slider.
    outlier_ys : list of float
        The heights the slider offers.
    fits : dict of str to array_like, shape (len(outlier_ys), 2)
        ``{label: rows of (slope, intercept)}``: each loss's line for each height.
    default : float, optional
        The height shown first (default: the first of ``outlier_ys``).
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(4.0); y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> heights = [3.0, 7.0]
    >>> fits = {"MSE": [(1.0, 0.0), (2.2, -0.8)], "MAE": [(1.0, 0.0), (1.0, 0.0)]}
    >>> explorer = outlier_fit_explorer(x, y, 3, heights, fits, mode="static")
    >>> len(explorer.frames), explorer.controls["outlier_y"].index
    (2, 0)
    >>> print(explorer.alt_text(outlier_y=7.0).replace("; ", ";\n"))
    Outlier at y = 7: the MSE line has slope 2.20 and intercept -0.80;
    the MAE line has slope 1.00 and intercept 0.00.
    """
    x = as_float_array("x", x, dtype=np.float64)
    y = as_float_array("y", y, dtype=np.float64)
    heights = [float(h) for h in outlier_ys]
    if not heights:
        raise ValueError("outlier_ys must offer at least one height")
    table: dict[str, np.ndarray] = {}
    for label, rows in fits.items():
        rows = as_float_array(f"fits[{label!r}]", rows, dtype=np.float64)
        if rows.shape != (len(heights), 2):
            raise ValueError(
                f"fits[{label!r}] must hold one (slope, intercept) per height: shape "
                f"({len(heights)}, 2), got {rows.shape}"
            )
        check_finite(f"fits[{label!r}]", rows)
        table[str(label)] = rows
    if not table:
        raise ValueError("fits must hold at least one {label: rows of (slope, intercept)}")

    def lines_at(height: float) -> dict[str, tuple[float, float]]:
        i = int(np.argmin(np.abs(np.asarray(heights) - height)))
        return {label: (float(rows[i, 0]), float(rows[i, 1])) for label, rows in table.items()}

    # Fixed limits that hold every frame: all heights and every line at both ends.
    ends = np.array([x.min(), x.max()])
    values = [y, np.asarray(heights)] + [
        (rows[:, :1] * ends + rows[:, 1:]).ravel() for rows in table.values()
    ]
    low = float(min(v.min() for v in values))
    high = float(max(v.max() for v in values))
    span = high - low if high > low else 1.0
    ylim = (low - 0.08 * span, high + 0.08 * span + 0.08 * len(table) * span)

    def setup() -> tuple[Figure, Any]:
        start = heights[0] if default is None else default
        y_start = y.copy()
        y_start[outlier] = start
        fig, plot = plotting.fit_lines_plot(
            x,
            y_start,
            lines_at(start),
            outlier=outlier,
            ylim=ylim,
            title="The fitted lines as one point moves",
        )
        return fig, plot

    def update(plot: Any, outlier_y: float) -> None:
        plot.set_data(outlier_y, lines_at(outlier_y))

    def describe(outlier_y: float) -> str:
        parts = "; ".join(
            f"the {label} line has slope {slope:.2f} and intercept {intercept:.2f}"
            for label, (slope, intercept) in lines_at(outlier_y).items()
        )
        return f"Outlier at y = {outlier_y:.3g}: {parts}."

    if caption is None:
        caption = (
            f"{len(x)} points and the straight lines fitted by {' and '.join(table)}; the "
            "slider moves the outlier (the diamond) up and down."
        )
    return Explorer(
        setup,
        update,
        {"outlier_y": heights},
        defaults=None if default is None else {"outlier_y": default},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


def loss_explorer(
    curves: Mapping[str, Any],
    grid: Any,
    points: Sequence[float],
    *,
    name: str = "y_pred",
    symbol: str = "\\hat y",
    xlabel: str | None = None,
    default: float | None = None,
    legend_loc: tuple[str, str] = ("upper center", "upper center"),
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Move a prediction (or a logit) and read each loss and its gradient there.

    Left, the value of every loss over ``grid``; right, its derivative; the
    slider marks one point on every curve, and a line above the panels gives
    every value and derivative there.
    Built on :func:`optlib.plotting.loss_curves_plot`.

    Parameters
    ----------
    curves : dict of str to callable
        ``{label: curve}``, ``curve(points) -> (values, derivatives)``;
        :func:`optlib.plotting.loss_curve` makes one from an ``optlib`` loss.
    grid : array_like, shape (k,)
        The x axis of the curves.
    points : list of float
        The values the slider offers.
    name : str
        The control's name (a Python identifier): ``"y_pred"`` or ``"z"``.
    symbol, xlabel, legend_loc
        As for :func:`optlib.plotting.loss_curves_plot`.
    default : float, optional
        The point shown first (default: the first of ``points``).
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import plotting
    >>> from optlib.losses import mae, mse
    >>> curves = {"MSE": plotting.loss_curve(mse), "MAE": plotting.loss_curve(mae)}
    >>> explorer = loss_explorer(curves, np.linspace(-2, 2, 81), [-1.0, 0.0, 1.0],
    ...                          default=1.0, mode="static")
    >>> len(explorer.frames), explorer.controls["y_pred"].index
    (3, 2)
    >>> explorer.alt_text(y_pred=0.0).split(": ")[-1]
    'MSE is 0 with derivative 0; MAE is 0 with derivative 0.'
    """
    grid = as_float_array("grid", grid, dtype=np.float64)
    offered = [float(p) for p in points]
    if not offered:
        raise ValueError("points must offer at least one value")
    if not all(grid[0] <= p <= grid[-1] for p in offered):
        raise ValueError(f"points must lie on the grid [{grid[0]}, {grid[-1]}], got {offered}")

    built: dict[str, Any] = {}

    def setup() -> tuple[Figure, Any]:
        fig, plot = plotting.loss_curves_plot(
            curves,
            grid,
            point=offered[0] if default is None else default,
            symbol=symbol,
            xlabel=xlabel,
            legend_loc=legend_loc,
        )
        built["plot"] = plot
        return fig, plot

    def update(plot: Any, **values: float) -> None:
        plot.set_point(values[name])

    def describe(**values: float) -> str:
        return built["plot"].describe(values[name])

    if caption is None:
        caption = (
            f"{', '.join(curves)} (left) and their derivatives (right); the slider moves "
            f"the point {plotting._loss_plain_symbol(symbol)} at which they are read."
        )
    return Explorer(
        setup,
        update,
        {name: offered},
        defaults=None if default is None else {name: default},
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )


# --- closing chapter: every optimizer on every surface; a progress bar for fit ----------

__all__ += ["Progress", "Race", "progress", "race_board"]


@dataclass(frozen=True, eq=False)
class Race:
    r"""Every optimizer on one 2-D surface, from each start, at every rate of a grid.

    What :func:`race_board` shows for one surface. Each optimizer's runs come
    from one :func:`optlib.sweep` over ``x0=starts[:, None, :]`` and
    ``lr=lrs[None, :, None]``, so its result has batch shape
    ``(len(starts), len(lrs))``; ``tuned`` says which rate of the grid was
    chosen for each start.

    Attributes
    ----------
    fn : surface
        A 2-D surface from :mod:`optlib.functions`.
    starts : ndarray, shape (n_starts, 2)
    lrs : ndarray, shape (n_lrs,)
        Positive and increasing, geometrically spaced (a constant ratio), so
        that a factor on the learning rate is a shift along the grid.
    results : dict of str to SweepResult
        One per optimizer label, in the order of the legend.
    tuned : dict of str to ndarray of int, shape (n_starts,)
        For each label, the index into ``lrs`` of the tuned rate at each start.

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Adam, Quadratic, sweep
    >>> starts, lrs = np.array([[2.5, 1.0], [-2.0, -1.0]]), np.geomspace(0.01, 1.0, 5)
    >>> results = {name: sweep(Quadratic(), starts[:, None, :], opt, steps=20,
    ...                        lr=lrs[None, :, None])
    ...            for name, opt in [("SGD", SGD), ("Adam", Adam)]}
    >>> race = Race(Quadratic(), starts, lrs, results, {"SGD": [2, 2], "Adam": [4, 4]})
    >>> xs, losses, diverged, steps = race.run("SGD", start=0, lr_index=2)
    >>> xs.shape, bool(diverged), steps
    ((21, 2), False, 20)
    """

    fn: Any
    starts: np.ndarray
    lrs: np.ndarray
    results: Mapping[str, Any]
    tuned: Mapping[str, Any]

    def __post_init__(self) -> None:
        if plotting._check_surface(self.fn) != 2:
            raise ValueError(f"a race needs a 2-D surface, got {self.fn!r}")
        starts = np.asarray(self.starts, dtype=np.float64)
        lrs = np.asarray(self.lrs, dtype=np.float64)
        if starts.ndim != 2 or starts.shape[1] != 2 or not len(starts):
            raise ValueError(f"starts must have shape (n_starts, 2), got {starts.shape}")
        if lrs.ndim != 1 or len(lrs) < 2 or not (np.all(lrs > 0) and np.all(np.diff(lrs) > 0)):
            raise ValueError("lrs must be a 1-D grid of at least two positive, increasing rates")
        ratios = lrs[1:] / lrs[:-1]
        if not np.allclose(ratios, ratios[0], rtol=1e-6):
            raise ValueError("lrs must be geometrically spaced, e.g. np.geomspace(1e-4, 10, 21)")
        if not self.results or set(self.results) != set(self.tuned):
            raise ValueError("results and tuned must name the same optimizers (at least one)")
        shape = (len(starts), len(lrs))
        tuned = {}
        for label, result in self.results.items():
            if np.shape(getattr(result, "final_losses", None)) != shape:
                raise ValueError(
                    f"results[{label!r}] must be a SweepResult of batch shape (n_starts, n_lrs) "
                    f"= {shape}: sweep(fn, starts[:, None, :], ..., lr=lrs[None, :, None])"
                )
            index = np.asarray(self.tuned[label])
            if (
                index.shape != (len(starts),)
                or not np.issubdtype(index.dtype, np.integer)
                or index.min() < 0
                or index.max() >= len(lrs)
            ):
                raise ValueError(
                    f"tuned[{label!r}] must hold one index into lrs per start, "
                    f"shape ({len(starts)},), got {self.tuned[label]!r}"
                )
            tuned[str(label)] = index.astype(np.int64)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "lrs", lrs)
        object.__setattr__(self, "results", {str(k): v for k, v in self.results.items()})
        object.__setattr__(self, "tuned", tuned)

    @property
    def labels(self) -> list[str]:
        """The optimizers, in order."""
        return list(self.results)

    @property
    def ratio(self) -> float:
        """The constant ratio between neighbouring rates of the grid."""
        return float(self.lrs[1] / self.lrs[0])

    def run(
        self, label: str, start: int, lr_index: int
    ) -> tuple[np.ndarray, np.ndarray, bool, int]:
        """One run: ``(xs, losses, diverged, steps_taken)``, cut after its last recorded step."""
        result = self.results[label]
        steps = int(np.asarray(result.steps_taken)[start, lr_index])
        xs = np.asarray(result.xs)[: steps + 1, start, lr_index]
        losses = np.asarray(result.losses)[: steps + 1, start, lr_index]
        return xs, losses, bool(np.asarray(result.diverged)[start, lr_index]), steps


def _shift(race: Race, factor: float) -> int:
    """The number of grid steps that multiplies a rate by ``factor``."""
    exact = math.log(factor) / math.log(race.ratio)
    shift = round(exact)
    if abs(exact - shift) > 0.02:
        raise ValueError(
            f"lr factor {factor:g} is not a whole number of steps of the learning-rate grid "
            f"(ratio {race.ratio:.4g} between neighbours); use powers of the ratio"
        )
    return shift


def race_board(
    races: Mapping[str, Race],
    *,
    shown_steps: Sequence[int] | None = None,
    lr_factors: Sequence[float] | None = None,
    play: bool = True,
    caption: str | None = None,
    alt: str | Callable[..., str] | None = None,
    mode: str | None = None,
) -> Explorer:
    r"""Every optimizer on every surface, side by side: the paths and the loss curves.

    Left, the chosen surface with one path per optimizer, up to the chosen
    step; right, each optimizer's gap :math:`J(\theta_t) - J^*` on a log axis.
    Every run was computed beforehand (one :class:`Race` per surface), so
    nothing is recomputed when a control moves. A run that diverged says
    "diverged after k steps" once the step slider passes its end.

    Live, four controls: the surface, the start, a factor on every tuned
    learning rate (a shift along the grid; the rate stops at the grid's ends),
    and the step. Static, two: the surface and the step, from the first start
    at the tuned rates. A ``Play`` button moves the step slider in both modes
    (in the browser, with no kernel, on the website).

    Parameters
    ----------
    races : dict of str to Race
        One per surface, in the order of the drop-down; every race must have
        the same number of starts and the same optimizer labels.
    shown_steps : list of int, optional
        The step slider's values (default: 0 and ten steps up to the budget);
        the last is shown first.
    lr_factors : list of float, optional
        The live factors on the tuned rates, each a power of the grid's ratio
        (default: the ratio to the powers -4, -2, 0, 2, 4).
    play : bool
        Add the ``Play`` button.
    caption, alt, mode
        As for :class:`Explorer`; ``alt`` defaults to a description of each frame.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, Adam, Quadratic, Saddle, sweep
    >>> lrs = np.geomspace(0.01, 1.0, 9)
    >>> def race(fn, starts):
    ...     starts = np.asarray(starts, dtype=float)
    ...     results = {name: sweep(fn, starts[:, None, :], opt, steps=30, lr=lrs[None, :, None])
    ...                for name, opt in [("SGD", SGD), ("Adam", Adam)]}
    ...     return Race(fn, starts, lrs, results, {"SGD": [4], "Adam": [6]})
    >>> board = race_board({"Quadratic": race(Quadratic(), [[2.5, 1.0]]),
    ...                     "Saddle": race(Saddle(), [[1.5, 0.01]])},
    ...                    shown_steps=[0, 10, 30], mode="static")
    >>> list(board.controls), len(board.frames)
    (['surface', 'step'], 6)
    >>> board.alt_text(surface="Saddle", step=30)[:60]
    'Saddle surface from (1.5, 0.01), step 30: SGD (lr = 0.1) is '
    """
    if not isinstance(races, Mapping) or not races:
        raise ValueError("races must be a non-empty dict {surface name: Race}")
    for name, race in races.items():
        if not isinstance(race, Race):
            raise ValueError(f"races[{name!r}] must be a Race, got {type(race).__name__}")
    names = [str(name) for name in races]
    races = dict(zip(names, races.values(), strict=True))
    first = races[names[0]]
    labels = first.labels
    n_starts = len(first.starts)
    for name, race in races.items():
        if race.labels != labels or len(race.starts) != n_starts:
            raise ValueError(
                f"every race needs the optimizers {labels} and {n_starts} start(s); "
                f"races[{name!r}] has {race.labels} and {len(race.starts)}"
            )
    budget = max(int(r.steps) for race in races.values() for r in race.results.values())
    if shown_steps is None:
        shown_steps = sorted({round(budget * k / 10) for k in range(11)})
    shown = [check_positive_int("shown_steps", int(s), allow_zero=True) for s in shown_steps]
    if lr_factors is None:
        lr_factors = [first.ratio**k for k in (-4, -2, 0, 2, 4)]
    factors = [float(f) for f in lr_factors]
    for race in races.values():
        for factor in factors:
            _shift(race, factor)
    live = widget_mode(mode) == "live"
    colors = [plotting.COLORS[i % len(plotting.COLORS)] for i in range(len(labels))]

    def lr_index(race: Race, label: str, start: int, lr_factor: float) -> int:
        index = int(race.tuned[label][start]) + _shift(race, lr_factor)
        return min(max(index, 0), len(race.lrs) - 1)

    def ylim(race: Race) -> tuple[float, float]:
        """Whole decades from the lowest gap of the tuned runs to ten times the highest start.

        A transient spike of a run that recovers runs off the top for a few steps
        rather than squashing every curve into the bottom of the panel.
        """
        min_value = plotting._min_value(race.fn)
        tops, bottoms = [], []
        for label in labels:
            for start in range(n_starts):
                _, losses, _, _ = race.run(label, start, int(race.tuned[label][start]))
                gaps = np.asarray(losses, dtype=np.float64) - min_value
                positive = gaps[gaps > 0]
                if positive.size:
                    tops.append(positive[0])
                    bottoms.append(positive.min())
        top = 10 * float(max(tops, default=1.0))
        bottom = max(float(min(bottoms, default=top / 1e3)), top * 1e-16)
        return (
            10.0 ** math.floor(math.log10(bottom) - 0.3),
            10.0 ** math.ceil(math.log10(top) + 0.3),
        )

    # The axes stay out of what setup returns: every artist found there is animated.
    state: dict[str, Any] = {"surface": None, "axes": {}}

    def setup() -> tuple[Figure, Values]:
        fig = plotting._new_figure(plotting.WIDTH, 3.6)
        with plotting.style():
            grid = fig.add_gridspec(1, 2, width_ratios=(1.1, 1))
        panels = {}
        for name, race in races.items():
            with plotting.style():
                left, right = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
            _, surface = plotting.contour_plot(race.fn, ax=left, title=name)
            paths = [
                plotting.trajectory_plot(surface, label=label, color=color, markers=False)[1]
                for label, color in zip(labels, colors, strict=True)
            ]
            _, losses = plotting.loss_plot(
                n_runs=len(labels),
                ax=right,
                labels=labels,
                colors=colors,
                min_value=plotting._min_value(race.fn),
                steps=budget,
                ylim=ylim(race),
            )
            state["axes"][name] = (left, right)
            panels[name] = {
                "paths": paths,
                "losses": losses,
                "titles": (left.title, right.title),
            }
        # Lay out every panel now, while all are visible, and keep that layout:
        # the surfaces take turns in the same place.
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")
        return fig, {"panels": panels}

    def show_surface(artists: Values, surface: str) -> bool:
        if state["surface"] == surface:
            return False
        for name, panel in artists["panels"].items():
            visible = name == surface
            for ax in state["axes"][name]:
                ax.set_visible(visible)
            for part in [*panel["paths"], panel["losses"]]:
                for artist in part.artists:
                    artist.set_visible(visible)
            for title in panel["titles"]:
                title.set_visible(visible)
        state["surface"] = surface
        return True

    def update(
        artists: Values, surface: str, step: int, start: int = 0, lr_factor: float = 1.0
    ) -> bool:
        changed = show_surface(artists, surface)
        race, panel = races[surface], artists["panels"][surface]
        step = int(step)
        for i, label in enumerate(labels):
            xs, losses, diverged, steps = race.run(
                label, start, lr_index(race, label, start, lr_factor)
            )
            k = min(step, steps)
            ended = diverged and step >= steps
            panel["paths"][i].set_data(xs[: k + 1], diverged=ended, steps=steps)
            panel["losses"].set_run(i, losses[: k + 1], diverged=ended, steps=steps)
        left_title, right_title = panel["titles"]
        left_title.set_text(f"{surface} from {_point(race.starts[start])}")
        factor = "" if math.isclose(lr_factor, 1.0) else f", every rate x {lr_factor:.3g}"
        right_title.set_text(f"Loss up to step {step}{factor}")
        return changed

    def describe(surface: str, step: int, start: int = 0, lr_factor: float = 1.0) -> str:
        race = races[surface]
        min_value = plotting._min_value(race.fn)
        parts = []
        for label in labels:
            index = lr_index(race, label, start, lr_factor)
            xs, losses, diverged, steps = race.run(label, start, index)
            who = f"{label} (lr = {race.lrs[index]:.3g})"
            if diverged and step >= steps:
                parts.append(f"{who} {plotting.diverged_text(steps)}")
            else:
                k = min(int(step), steps)
                gap = max(float(losses[k]) - min_value, 0.0)
                parts.append(f"{who} is at {_point(xs[k])} with J - J* = {gap:.2g}")
        return (
            f"{surface} surface from {_point(race.starts[start])}, step {int(step)}: "
            + "; ".join(parts)
            + "."
        )

    controls: dict[str, Any] = {"surface": names}
    if live:
        controls["start"] = {f"start {k + 1}": k for k in range(n_starts)}
        controls["lr_factor"] = factors
    controls["step"] = shown
    defaults: dict[str, Any] = {"step": shown[-1]}
    if live:
        defaults["lr_factor"] = min(factors, key=lambda f: abs(math.log(f)))
    if caption is None:
        caption = (
            f"{', '.join(labels)} on the {', '.join(names)} surfaces, each at its tuned "
            "learning rate: the paths (left) and the loss gaps on a log scale (right) up "
            "to the chosen step."
        )
    explorer = Explorer(
        setup,
        update,
        controls,
        defaults=defaults,
        caption=caption,
        alt=describe if alt is None else alt,
        mode=mode,
    )
    if play:
        slider = explorer.controls["step"]
        player = ipw.Play(
            value=len(shown) - 1,
            min=0,
            max=len(shown) - 1,
            step=1,
            interval=700,
            description="play",
            style={"description_width": "initial"},
        )
        explorer.play = player
        explorer.play_link = ipw.jslink((player, "value"), (slider, "index"))
        box = explorer.widget.children[0]
        box.children = (*box.children, player)
    return explorer


class Progress:
    """A :func:`optlib.fit` callback that shows training progress (built by :func:`progress`).

    Live, a bar and a line of text under the cell advance after every epoch;
    static (the website's build), nothing is shown and each call does nothing,
    so the page carries no widget and the build no output.

    Attributes
    ----------
    total : int
        Epochs expected in all.
    done : int
        Epochs reported so far.
    widget : ipywidgets.HBox or None
        The bar and its text (None in static mode).

    Examples
    --------
    >>> bar = progress(2, mode="static")
    >>> isinstance(bar, Progress), bar.total, bar.widget is None
    (True, 2, True)
    """

    def __init__(self, total: int, description: str, live: bool) -> None:
        self.total = check_positive_int("total", total)
        self.done = 0
        self.description = description
        self.widget: ipw.HBox | None = None
        self._bar: ipw.IntProgress | None = None
        self._text: ipw.HTML | None = None
        if live:
            self._bar = ipw.IntProgress(
                value=0,
                min=0,
                max=self.total,
                description=description,
                style={"description_width": "initial"},
            )
            self._text = ipw.HTML("")
            self.widget = ipw.HBox([self._bar, self._text])

    def run(self, label: str) -> Callable[[int, Any], None]:
        """A callback for one :func:`optlib.fit` run, reported as ``label``."""

        def callback(epoch: int, history: Any) -> None:
            self.done += 1
            if self._bar is None or self._text is None:
                return
            self._bar.value = min(self.done, self.total)
            losses = getattr(history, "epoch_losses", ())
            loss = f", loss {float(losses[-1]):.3g}" if len(losses) else ""
            finished = self.done >= self.total
            self._bar.bar_style = "success" if finished else ""
            what = "done" if finished else f"{self.done}/{self.total} epochs"
            self._text.value = html.escape(f"{what} · {label}: epoch {epoch + 1}{loss}")

        return callback

    def __call__(self, epoch: int, history: Any) -> None:
        """Use the object itself as a callback (no label)."""
        self.run(self.description)(epoch, history)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self.widget is not None:
            display(self.widget)


def progress(total: int, *, description: str = "Training", mode: str | None = None) -> Progress:
    """A progress bar for :func:`optlib.fit`: pass ``bar.run(label)`` as ``callback``.

    Display the returned object (leave it last in a cell, or ``display(bar)``)
    to see the bar in a live notebook; in static mode it shows nothing and
    costs nothing. ``fit`` calls the callback once per epoch with
    ``(epoch, history_so_far)``; the bar advances by one epoch per call, so
    ``total`` is the number of epochs over all the runs it follows.

    Parameters
    ----------
    total : int
        Epochs expected in all.
    description : str
        The bar's label.
    mode : {"live", "static"}, optional
        Default: ``$OPTLIB_WIDGET_MODE``, else live.

    Returns
    -------
    Progress

    Examples
    --------
    >>> import numpy as np
    >>> from optlib import SGD, LinearRegression, fit, mse
    >>> X = np.linspace(0, 1, 8)[:, None]; y = 2 * X[:, 0]
    >>> bar = progress(6, mode="live")
    >>> for lr in (0.1, 0.5):
    ...     history = fit(LinearRegression(1), mse, X, y, SGD, epochs=3, lr=lr,
    ...                   callback=bar.run(f"lr={lr}"))
    >>> bar.done, bar.widget.children[0].value, bar.widget.children[0].bar_style
    (6, 6, 'success')
    >>> progress(6, mode="static").widget is None
    True
    """
    return Progress(total, description, widget_mode(mode) == "live")
