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
from .training import Trajectory, minimize

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
#: CSS classes of the two kinds of container (the browser test looks for them).
LIVE_CLASS = "optlib-live-widget"
STATIC_CLASS = "optlib-static-widget"
#: The visible line that says which kind the reader has in front of them.
LIVE_LABEL = "Live: recomputed in Python as you move the control"
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
