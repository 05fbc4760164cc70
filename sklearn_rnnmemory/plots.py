"""Figures of a memory study.

Every function draws on an ``ax`` (or ``fig``) it is given and returns it. When
none is given it makes a :class:`matplotlib.figure.Figure` directly, without
pyplot: no window opens and the user's backend is never changed, so the
functions work alike in scripts, notebooks, servers and worker processes.
"""

import itertools
import os
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._docstring import Substitution
from .selection import DEFAULT_TOL

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .study import StudyResult

#: The parameters every figure takes.
_fill_docs = Substitution(
    result="result : StudyResult\n    A finished study.",
    path="path : str, path or binary file, default=None\n"
    "    Where to save the PNG (of the figure drawn on); None only draws.",
    ax="ax : matplotlib.axes.Axes, default=None\n"
    "    The axes to draw on; None makes a figure.",
)

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h")
#: Up to this many units, the capacity figure's legend sits inside the axes;
#: beside them, it takes two columns beyond the second number.
_LEGEND_INSIDE_UNITS = 4
_LEGEND_ONE_COLUMN_UNITS = 16
_LINESTYLES = ("-", "--", "-.", ":")


def _new_figure(**kwargs):
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def _save(fig, path):
    if path is None:
        return
    # An open file has no name to read the format from.
    fmt = {} if isinstance(path, str | os.PathLike) else {"format": "png"}
    fig.savefig(path, dpi=120, **fmt)


def _plain(name: Any) -> str:
    """A name from a study's rows as plain text: matplotlib would read what
    stands between two dollar signs as math (and fail on broken math)."""
    return str(name).replace("$", r"\$")


def unit_styles(keys: Iterable[Hashable]) -> dict[Hashable, dict[str, Any]]:
    """Give each key (unit) a distinct colour, marker and line style.

    Eleven or more lines stay apart, even in grey print.

    Parameters
    ----------
    keys : iterable of hashable
        The keys, in the order of the lines.

    Returns
    -------
    styles : dict
        Key -> keyword arguments of ``Axes.plot`` (``color``, ``marker``,
        ``linestyle``).
    """
    from matplotlib import colormaps

    keys = list(keys)
    palette = colormaps["tab10"] if len(keys) <= 10 else colormaps["tab20"]
    styles = {}
    for n, (key, marker, linestyle) in enumerate(
        zip(keys, itertools.cycle(_MARKERS), itertools.cycle(_LINESTYLES))
    ):
        styles[key] = {
            "color": palette(n % palette.N),
            "marker": marker,
            "linestyle": linestyle,
        }
    return styles


def _by_unit(result):
    """The summary of a study's successful rows by (unit, hidden size), each
    list ordered by training length; refused when there is nothing to plot."""
    units = {}
    for entry in result.summary():
        units.setdefault((entry["unit"], entry["hidden_size"]), []).append(entry)
    for entries in units.values():
        entries.sort(key=lambda e: e["seq_len"])
    if not units:
        raise ValueError("The study has no successful row to plot.")
    return units


def _label(key):
    unit, hidden_size = key
    return f"{_plain(unit)} (H={hidden_size})"


@_fill_docs
def plot_retention_curves(
    result: "StudyResult",
    path: str | os.PathLike | None = None,
    *,
    fig: "Figure | None" = None,
    ncols: int | None = None,
) -> "Figure":
    """Retention curve ``r(delta)`` per unit, one line per training length.

    One panel per unit and hidden size, in a grid; every curve is measured on
    windows of the study's evaluation length and averaged over seeds. The grey
    band marks the retention over which a lag's count toward the memory span
    rises from 0 to 1, the dotted line the threshold, where it counts one half.

    Parameters
    ----------
    %(result)s
    %(path)s
    fig : matplotlib.figure.Figure, default=None
        The figure to draw on (cleared first); None makes one.
    ncols : int, default=None
        Panels per row; None: up to 4.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure drawn on.
    """
    units = _by_unit(result)
    ncols = ncols or min(len(units), 4)
    nrows = -(-len(units) // ncols)
    if fig is None:
        fig = _new_figure(figsize=(3.6 * ncols + 1.4, 3.0 * nrows + 0.6))
    else:
        fig.clear()
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    lengths = sorted({e["seq_len"] for entries in units.values() for e in entries})
    from matplotlib import colormaps

    threshold = (result.settings or {}).get("threshold", 0.5)
    colours = colormaps["viridis"](np.linspace(0.0, 0.9, len(lengths)))
    colour = dict(zip(lengths, colours, strict=True))
    lowest = 0.0
    for ax, (key, entries) in zip(axes.flat, units.items(), strict=False):
        for entry in entries:
            curve = np.asarray(entry["retention_curve"], dtype=float)
            if curve.size:
                lowest = min(lowest, float(np.nanmin(curve)))
            ax.plot(
                np.arange(curve.size),
                curve,
                color=colour[entry["seq_len"]],
                label=f"k = {entry['seq_len']}",
            )
        # Where a lag's count toward the span rises from 0 to 1 (for r <= 1,
        # credit is r), one half at the threshold.
        ax.axhspan(threshold**1.5, threshold**0.5, color="grey", alpha=0.12, lw=0)
        ax.axhline(threshold, color="grey", lw=0.8, ls=":")
        ax.axhline(0.0, color="grey", lw=0.6)
        ax.set_title(_label(key), fontsize="medium")
    for ax in axes.flat[len(units) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("lag δ (tokens back)")
    for ax in axes[:, 0]:
        ax.set_ylabel("retention r(δ)")
    axes[0, 0].set_ylim(max(-1.0, lowest - 0.05), 1.1)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, title="training length", loc="outside right center")
    fig.suptitle("Retention of each past token at the window's last step")
    _save(fig, path)
    return fig


@_fill_docs
def plot_capacity_vs_length(
    result: "StudyResult",
    path: str | os.PathLike | None = None,
    *,
    ax: "Axes | None" = None,
    tol: float = DEFAULT_TOL,
) -> "Axes":
    """Memory capacity against training length per unit, guidance marked.

    Capacities are measured on windows of the study's common evaluation length
    ``L`` (the dotted ceiling); the band is the 95 % interval of the mean over
    seeds. A circle marks the ``saturation`` recommendation, a cross the
    ``best`` one.

    Parameters
    ----------
    %(result)s
    %(path)s
    %(ax)s
    tol : float, default=0.05
        Tolerance of the ``saturation`` rule.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    units = _by_unit(result)
    # Beyond a few units a legend inside the axes covers lines: on a figure of
    # its own it goes beside (on the caller's axes it could cover a neighbour).
    beside = ax is None and len(units) > _LEGEND_INSIDE_UNITS
    columns = 1 if len(units) <= _LEGEND_ONE_COLUMN_UNITS else 2
    if ax is None:
        width = 6.8 + 2.2 * columns if beside else 6.8
        ax = _new_figure(figsize=(width, 4.6)).subplots()
    saturation = result.recommendations(rule="saturation", tol=tol)
    best = result.recommendations(rule="best")
    lengths = sorted({e["seq_len"] for entries in units.values() for e in entries})
    eval_lens = {e["eval_len"] for entries in units.values() for e in entries}
    if len(eval_lens) == 1:
        ceiling = eval_lens.pop()
        ax.axhline(
            ceiling, color="grey", ls=":", lw=1, label=f"ceiling (L = {ceiling})"
        )
    styles = unit_styles(units)
    for key, entries in units.items():
        k = [e["seq_len"] for e in entries]
        capacity = np.array([e["memory_capacity"] for e in entries])
        low = np.array([e.get("memory_capacity_low", np.nan) for e in entries])
        high = np.array([e.get("memory_capacity_high", np.nan) for e in entries])
        style = styles[key]
        ax.plot(k, capacity, label=_label(key), ms=5, **style)
        if np.isfinite(low).any():
            ax.fill_between(k, low, high, color=style["color"], alpha=0.15, lw=0)
        for rule, marker, size in ((saturation, "o", 12), (best, "x", 10)):
            if key in rule and rule[key].seq_len in k:
                value = capacity[k.index(rule[key].seq_len)]
                ax.plot(
                    rule[key].seq_len,
                    value,
                    marker=marker,
                    ms=size,
                    mfc="none",
                    color=style["color"],
                    mew=1.6,
                    linestyle="none",
                )
    ax.plot([], [], "ko", mfc="none", label=f"recommended (saturation, {tol:.0%})")
    ax.plot([], [], "kx", label="recommended (best)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths, [str(k) for k in lengths])
    ax.minorticks_off()
    ax.set_xlabel("training length k (tokens)")
    ax.set_ylabel("memory capacity at L (tokens retained)")
    ax.set_title("Memory capacity against training length (mean, 95 % over seeds)")
    if beside:
        ax.legend(
            fontsize="small",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            ncols=columns,
        )
    else:
        ax.legend(fontsize="small", loc="best")
    _save(ax.figure, path)
    return ax


@_fill_docs
def plot_retention_matrix(
    row: Mapping[str, Any],
    path: str | os.PathLike | None = None,
    *,
    ax: "Axes | None" = None,
) -> "Axes":
    """Heat map of the retention ``r_t(t - p)`` of one configuration.

    The colour range is fitted to the matrix's own values.

    Parameters
    ----------
    row : dict
        A study row (with ``retention_matrix``).
    %(path)s
    %(ax)s

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    matrix = np.asarray(row["retention_matrix"], dtype=float)
    if matrix.ndim != 2 or not np.isfinite(matrix).any():
        raise ValueError("The row holds no retention matrix to plot.")
    if ax is None:
        ax = _new_figure(figsize=(5.6, 4.6)).subplots()
    extent = (0.5, matrix.shape[1] + 0.5, matrix.shape[0] + 0.5, 0.5)
    low, high = float(np.nanmin(matrix)), float(np.nanmax(matrix))
    if low == high:
        low, high = low - 0.5, high + 0.5
    image = ax.imshow(matrix, cmap="magma", vmin=low, vmax=high, extent=extent)
    ax.figure.colorbar(image, ax=ax, label="retention r_t(t − p)")
    ax.set_xlabel("token position p")
    ax.set_ylabel("reading step t")
    ax.set_title(
        f"{_plain(row['unit'])} (H={row['hidden_size']}), trained at k = "
        f"{row['seq_len']}",
        fontsize="medium",
    )
    _save(ax.figure, path)
    return ax


__all__ = [
    "plot_capacity_vs_length",
    "plot_retention_curves",
    "plot_retention_matrix",
    "unit_styles",
]
