"""Figures of a study: labelled, readable, with the guidance where it belongs."""

import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from sklearn_rnnmemory._torch.registry import UNITS
from sklearn_rnnmemory.indicators import INDICATORS
from sklearn_rnnmemory.plots import (
    plot_capacity_vs_length,
    plot_retention_curves,
    plot_retention_matrix,
    unit_styles,
)
from sklearn_rnnmemory.study import StudyResult


def row(unit, k, capacity, seed=0):
    curve = np.linspace(1.0, 0.0, 16)
    return {
        "unit": unit,
        "seq_len": k,
        "eval_len": 16,
        "hidden_size": 16,
        "seed": seed,
        "status": "ok",
        "converged": True,
        "fit_time": 1.0,
        "n_parameters": 10,
        "retention_curve": curve.tolist(),
        "retention_matrix": (0.2 + 0.5 * np.tril(np.ones((16, 16)))).tolist(),
        **dict.fromkeys(INDICATORS, 0.5),
        "memory_capacity": capacity + 0.1 * seed,
    }


@pytest.fixture(scope="module")
def result():
    rows = []
    for seed in (0, 1, 2):
        rows += [
            row("rnn", 4, 3.0, seed),
            row("rnn", 8, 5.0, seed),
            # 16 beats 8 by 0.1 on average, but not in every seed: tied
            row("rnn", 16, (5.3, 4.9, 5.1)[seed], seed),
            row("gru", 4, 3.5, seed),
            row("gru", 8, 7.0, seed),
            row("gru", 16, 12.0, seed),
        ]
    return StudyResult(rows)


def test_importing_the_plots_leaves_the_backend_alone():
    code = (
        "import matplotlib; matplotlib.use('svg'); "
        "import sklearn_rnnmemory.plots, sklearn_rnnmemory.cli; "
        "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()"
    )
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


def test_capacity_figure_marks_the_guidance_and_the_seed_bands(result, tmp_path):
    ax = plot_capacity_vs_length(result, tmp_path / "capacity.png")
    assert (tmp_path / "capacity.png").stat().st_size > 0
    assert ax.get_xlabel() == "training length k (tokens)"
    assert ax.get_ylabel() == "memory capacity at L (tokens retained)"
    circles = {
        (float(line.get_xdata()[0]), round(float(line.get_ydata()[0]), 6))
        for line in ax.lines
        if line.get_marker() == "o" and len(line.get_xdata()) == 1
    }
    # saturation: rnn at 8 (5.1 is within 5 % of 5.2), gru at 16; seed means
    assert circles == {(8.0, 5.1), (16.0, 12.1)}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "rnn (H=16)" in labels and "ceiling (L = 16)" in labels
    # one band per unit: the 95 % interval over the three seeds
    assert len(ax.collections) == 2


def test_every_function_draws_on_the_axes_it_is_given(result):
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plot_capacity_vs_length(result, ax=left) is left
    assert plot_retention_matrix(result.rows[2], ax=right) is right
    assert left.figure is fig and right.get_images()
    other = Figure()
    assert plot_retention_curves(result, fig=other) is other


def test_retention_curves_one_panel_per_unit_in_a_grid(result):
    fig = plot_retention_curves(result)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["rnn (H=16)", "gru (H=16)"]
    assert fig.axes[0].get_ylabel() == "retention r(δ)"
    rows = []
    for n, unit in enumerate(UNITS):
        rows += [row(unit, 4, 3.0 + n), row(unit, 8, 4.0 + n)]
    many = plot_retention_curves(StudyResult(rows))
    visible = [ax for ax in many.axes if ax.get_visible()]
    assert len(visible) == 11
    positions = {
        (round(ax.get_position().x0, 2), round(ax.get_position().y0, 2))
        for ax in visible
    }
    assert len({y for _, y in positions}) == 3  # 4 + 4 + 3 panels


def test_eleven_units_are_told_apart():
    styles = unit_styles(list(UNITS))
    looks = {(tuple(s["color"]), s["marker"], s["linestyle"]) for s in styles.values()}
    assert len(looks) == 11
    assert len({s["marker"] for s in styles.values()}) == 11


def _inside(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # as savefig draws it
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    for artist in [*fig.axes, *fig.legends, *fig.texts]:
        if not artist.get_visible():
            continue
        extent = artist.get_tightbbox(renderer)
        if extent is None:
            continue
        assert extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1, artist
        assert extent.y0 >= box.y0 - 1 and extent.y1 <= box.y1 + 1, artist


def test_eleven_units_legend_beside_the_capacity_lines_not_over_them():
    rows = []
    for n, unit in enumerate(UNITS):
        rows += [row(unit, 4, 3.0 + n), row(unit, 8, 4.0 + n)]
    ax = plot_capacity_vs_length(StudyResult(rows))
    _inside(ax.figure)
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 > ax.get_window_extent(renderer).x1
    assert len(ax.get_legend().get_texts()) == 11 + 3  # units, ceiling, two marks
    many = [row(f"unit{n}", k, 1.0 + n) for n in range(25) for k in (4, 8)]
    _inside(plot_capacity_vs_length(StudyResult(many)).figure)
    # On the caller's axes the legend stays inside them.
    fig = Figure(layout="constrained")
    left, right = fig.subplots(1, 2)
    plot_capacity_vs_length(StudyResult(rows), ax=left)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend = left.get_legend().get_window_extent(renderer)
    assert legend.x1 <= left.get_window_extent(renderer).x1 + 1


def test_a_one_unit_figure_has_nothing_cut_off():
    one = StudyResult([row("gru", 4, 3.0), row("gru", 8, 5.0), row("gru", 16, 6.0)])
    _inside(plot_retention_curves(one))
    _inside(plot_capacity_vs_length(one).figure)
    _inside(plot_retention_matrix(one.rows[0]).figure)


def test_the_heat_map_colour_range_fits_its_data(result):
    ax = plot_retention_matrix(result.rows[2])
    image = ax.get_images()[0]
    assert image.get_array().shape == (16, 16)
    assert image.get_clim() == (pytest.approx(0.2), pytest.approx(0.7))


def test_a_study_without_a_successful_row_has_no_figure():
    failed = StudyResult([{**row("rnn", 4, 1.0), "status": "failed"}])
    with pytest.raises(ValueError, match="no successful row"):
        plot_capacity_vs_length(failed)
    with pytest.raises(ValueError, match="no successful row"):
        plot_retention_curves(failed)
