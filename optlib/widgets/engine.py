r"""The explorer engine: a figure with controls, live in a kernel, precomputed on the website.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import ipywidgets as ipw
import numpy as np
from ipywidgets.widgets.widget_link import Link
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from optlib._validation import check_positive_int
from optlib.plotting.theme import style

__all__ = [
    "LIVE_CLASS",
    "LIVE_LABEL",
    "MODE_ENV",
    "STATIC_CLASS",
    "STATIC_LABEL",
    "Explorer",
    "FloatRange",
    "value_label",
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


def value_label(value: Any) -> str:
    """How a control shows a value: a number in 4 significant digits, else its name.

    Examples
    --------
    >>> from optlib.optimizers import Adam
    >>> value_label(0.1), value_label(1 / 3), value_label(Adam), value_label("tanh")
    ('0.1', '0.3333', 'Adam', 'tanh')
    """
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
            labels = [value_label(v) for v in spec.grid()]
            values: list[Any] = spec.grid()
        elif isinstance(spec, Mapping):
            labels = [str(label) for label in spec]
            values = list(spec.values())
        elif isinstance(spec, Sequence | np.ndarray) and not isinstance(spec, str):
            values = [v.item() if isinstance(v, np.generic) else v for v in spec]
            labels = [value_label(v) for v in values]
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
        with style():
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
    css = (
        "position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
        "clip:rect(0,0,0,0);white-space:nowrap;border:0"
    )
    return f'<span class="optlib-alt" style="{css}">{html.escape(text)}</span>'


def _release_from_pyplot(fig: Figure) -> None:
    """Stop pyplot (and so the inline backend) from also showing the explorer's figure."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:  # a figure made without pyplot is not pyplot's to show
        pyplot.close(fig)
