"""Figures of a study: labelled, with the guidance where it belongs."""

import numpy as np
import pytest

from sklearn_rnnmemory.indicators import INDICATORS
from sklearn_rnnmemory.plots import (
    plot_capacity_vs_length,
    plot_retention_curves,
    plot_retention_matrix,
)
from sklearn_rnnmemory.study import StudyResult


def row(unit, k, capacity):
    curve = np.linspace(1.0, 0.0, k)
    return {
        "unit": unit,
        "seq_len": k,
        "hidden_size": 16,
        "seed": 0,
        "status": "ok",
        "fit_time": 1.0,
        "n_parameters": 10,
        "retention_curve": curve.tolist(),
        "retention_matrix": np.tril(np.ones((k, k))).tolist(),
        **dict.fromkeys(INDICATORS, 0.5),
        "memory_capacity": capacity,
    }


@pytest.fixture(scope="module")
def result():
    return StudyResult(
        [
            row("rnn", 4, 3.0),
            row("rnn", 8, 5.0),
            row("rnn", 16, 5.1),
            row("gru", 4, 3.5),
            row("gru", 8, 7.0),
            row("gru", 16, 12.0),
        ]
    )


def test_capacity_figure_marks_the_recommended_lengths(result, tmp_path):
    fig = plot_capacity_vs_length(result, tmp_path / "capacity.png")
    assert (tmp_path / "capacity.png").stat().st_size > 0
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training length k (tokens)"
    assert ax.get_ylabel() == "memory capacity (tokens retained)"
    circles = {
        (float(line.get_xdata()[0]), float(line.get_ydata()[0]))
        for line in ax.lines
        if line.get_marker() == "o" and len(line.get_xdata()) == 1
    }
    # saturation: rnn at 8 (5.0 is within 5 % of 5.1), gru at 16
    assert circles == {(8.0, 5.0), (16.0, 12.0)}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "rnn (H=16)" in labels and "ceiling (k tokens)" in labels


def test_retention_curves_one_panel_per_unit(result):
    fig = plot_retention_curves(result)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["rnn (hidden size 16)", "gru (hidden size 16)"]
    assert all(len(ax.lines) == 3 + 1 for ax in fig.axes)  # 3 lengths + 0.5 line
    assert fig.axes[0].get_ylabel() == "retention r(δ)"


def test_retention_matrix_heat_map(result):
    fig = plot_retention_matrix(result.rows[2])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "token position p"
    assert ax.get_images()[0].get_array().shape == (16, 16)
