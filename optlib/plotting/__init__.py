r"""The book's figures, in one style.

Every figure in the book is drawn by the builders here, so that the chapters
share one palette, one type size and one way of showing a run that diverged.
Each module holds one kind of figure:

=======================================  ===============================================
:mod:`~optlib.plotting.theme`            palette, sizes, the style context, new figures
:mod:`~optlib.plotting.surfaces`         a surface as contours (2-D) or a curve (1-D)
:mod:`~optlib.plotting.paths`            a run's path over a surface
:mod:`~optlib.plotting.curves`           curves against the step: losses, series, per coordinate
:mod:`~optlib.plotting.panels`           figures of several panels, and what they return
:mod:`~optlib.plotting.learning_rates`   figures over a range of learning rates
:mod:`~optlib.plotting.schedules`        learning-rate schedules, and the range test
:mod:`~optlib.plotting.maps`             heat maps over two hyper-parameters
:mod:`~optlib.plotting.beyond`           panel grids, singular values, optimizer state sizes
:mod:`~optlib.plotting.comparison`       optimizers compared over seeds, one row each
:mod:`~optlib.plotting.loss_figures`     fits with an outlier, loss curves, decision regions
:mod:`~optlib.plotting.loss_families`    a loss over one of its settings; predicted intervals
:mod:`~optlib.plotting.finite`           the cuts and clips that keep NaN and inf out
:mod:`~optlib.plotting.words`            numbers and runs put into words, for alt texts
=======================================  ===============================================

Every name a chapter uses is importable from here (``plotting.contour_plot``).

Builders
    Each returns ``(figure, artists)``: the Figure and an object holding the
    artists a widget moves (``.artists``), a ``set_data``-like method to move
    them, and ``.alt()``, a one-sentence description of what is drawn, for the
    figure's alt text. A builder draws on ``ax`` when given one, else on a new
    figure.

Nothing passed to Matplotlib is ever NaN or infinite: a run that diverged is
drawn up to its last finite point and labelled "diverged after k steps".

Examples
--------
>>> from optlib.functions import Rosenbrock
>>> fig, (left, right) = side_by_side(2)
>>> _, surface = contour_plot(Rosenbrock(), ax=left)
>>> _, path = trajectory_plot(surface, [[-1.5, 2.0], [-1.0, 1.5], [0.0, 0.5]])
>>> _, losses = loss_plot([[5.0, 2.0, 1.0]], ax=right, min_value=0.0)
>>> path.alt()
'Path of 3 points from (-1.5, 2) to (0, 0.5).'
"""

from optlib.plotting.beyond import (
    SingularValuePlot,
    StateSizePlot,
    panel_grid,
    singular_value_plot,
    state_size_plot,
)
from optlib.plotting.comparison import comparison_plot
from optlib.plotting.curves import (
    CoordinatePlot,
    LossPlot,
    SeriesPlot,
    coordinate_plot,
    loss_plot,
    series_plot,
)
from optlib.plotting.learning_rates import final_loss_vs_lr_plot, rate_plot
from optlib.plotting.loss_families import FamilyPlot, IntervalPlot, family_plot, interval_plot
from optlib.plotting.loss_figures import (
    DecisionPlot,
    FitLinesPlot,
    LossCurvesPlot,
    decision_plot,
    fit_lines_plot,
    loss_curve,
    loss_curves_plot,
)
from optlib.plotting.maps import RateMap, loss_map_plot, rate_map_plot
from optlib.plotting.panels import Panels, history_plot, landscape_plot, runs_side_by_side
from optlib.plotting.paths import TrajectoryOverlay, trajectory_plot
from optlib.plotting.schedules import (
    RangeTestPlot,
    RateCurvePlot,
    range_test_plot,
    rate_curve_plot,
)
from optlib.plotting.surfaces import (
    ContourPlot,
    CurvePlot,
    contour_plot,
    curve_plot,
    surface_plot,
)
from optlib.plotting.theme import (
    BLACK,
    BLUE,
    COLORS,
    DPI,
    GREEN,
    HEIGHT,
    OKABE_ITO,
    ORANGE,
    PURPLE,
    RC,
    SKY_BLUE,
    SURFACE_CMAP,
    VERMILLION,
    WIDTH,
    YELLOW,
    side_by_side,
    style,
)
from optlib.plotting.words import diverged_text

__all__ = [
    "BLACK",
    "BLUE",
    "COLORS",
    "DPI",
    "GREEN",
    "HEIGHT",
    "OKABE_ITO",
    "ORANGE",
    "PURPLE",
    "RC",
    "SKY_BLUE",
    "SURFACE_CMAP",
    "VERMILLION",
    "WIDTH",
    "YELLOW",
    "ContourPlot",
    "CoordinatePlot",
    "CurvePlot",
    "DecisionPlot",
    "FamilyPlot",
    "FitLinesPlot",
    "IntervalPlot",
    "LossCurvesPlot",
    "LossPlot",
    "Panels",
    "RangeTestPlot",
    "RateCurvePlot",
    "RateMap",
    "SeriesPlot",
    "SingularValuePlot",
    "StateSizePlot",
    "TrajectoryOverlay",
    "comparison_plot",
    "contour_plot",
    "coordinate_plot",
    "curve_plot",
    "decision_plot",
    "diverged_text",
    "family_plot",
    "final_loss_vs_lr_plot",
    "fit_lines_plot",
    "history_plot",
    "interval_plot",
    "landscape_plot",
    "loss_curve",
    "loss_curves_plot",
    "loss_map_plot",
    "loss_plot",
    "panel_grid",
    "range_test_plot",
    "rate_curve_plot",
    "rate_map_plot",
    "rate_plot",
    "runs_side_by_side",
    "series_plot",
    "side_by_side",
    "singular_value_plot",
    "state_size_plot",
    "style",
    "surface_plot",
    "trajectory_plot",
]
