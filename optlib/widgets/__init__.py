r"""Live widgets and their static website counterparts, from one call.

Every widget of the book is an :class:`Explorer` (:mod:`optlib.widgets.engine`):
a figure with controls that is live ipywidgets when a kernel runs, and a set
of precomputed frames the browser switches between on the website. The other
modules are the ready-made explorers, one topic each:

======================================  ================================================
:mod:`~optlib.widgets.engine`           the explorer machinery, controls, widget mode
:mod:`~optlib.widgets.descent`          one optimizer's hyper-parameters on sliders
:mod:`~optlib.widgets.adaptive`         one step of an adaptive optimizer, taken apart
:mod:`~optlib.widgets.momentum`         a ball on a curve; the (learning rate, momentum) map
:mod:`~optlib.widgets.losses`           an outlier under several losses; a loss's gradient
:mod:`~optlib.widgets.race`             optimizers raced on one surface, and on every surface
:mod:`~optlib.widgets.schedules`        a learning-rate schedule and the training loss it gives
:mod:`~optlib.widgets.beyond`           RAdam's rectification; Muon's Newton–Schulz iteration
:mod:`~optlib.widgets.comparison`       every optimizer at one shared learning rate
:mod:`~optlib.widgets.progress_bar`     a progress bar for :func:`optlib.fit`
======================================  ================================================

Every name a chapter uses is importable from here (``widgets.race_board``).
Each ready-made explorer shows the path on the surface (contours in 2-D, the
curve in 1-D) and a curve of what changes, with "diverged after k steps" when
a choice blows up.
"""

from optlib.widgets.adaptive import adaptive_step_explorer
from optlib.widgets.beyond import newton_schulz_explorer, radam_explorer
from optlib.widgets.comparison import shared_rate_explorer
from optlib.widgets.descent import learning_rate_explorer, optimizer_explorer
from optlib.widgets.engine import (
    LIVE_CLASS,
    LIVE_LABEL,
    MODE_ENV,
    STATIC_CLASS,
    STATIC_LABEL,
    Explorer,
    FloatRange,
    widget_mode,
)
from optlib.widgets.losses import loss_explorer, outlier_fit_explorer
from optlib.widgets.momentum import ball_explorer, rate_map_explorer
from optlib.widgets.progress_bar import Progress, progress
from optlib.widgets.race import Race, race_board, race_explorer
from optlib.widgets.schedules import schedule_explorer

__all__ = [
    "LIVE_CLASS",
    "LIVE_LABEL",
    "MODE_ENV",
    "STATIC_CLASS",
    "STATIC_LABEL",
    "Explorer",
    "FloatRange",
    "Progress",
    "Race",
    "adaptive_step_explorer",
    "ball_explorer",
    "learning_rate_explorer",
    "loss_explorer",
    "newton_schulz_explorer",
    "optimizer_explorer",
    "outlier_fit_explorer",
    "progress",
    "race_board",
    "race_explorer",
    "radam_explorer",
    "rate_map_explorer",
    "schedule_explorer",
    "shared_rate_explorer",
    "widget_mode",
]
