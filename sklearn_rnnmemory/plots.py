"""Figures of a memory study (matplotlib, headless)."""

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path):
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _by_unit(summary):
    units = {}
    for entry in summary:
        units.setdefault((entry["unit"], entry["hidden_size"]), []).append(entry)
    for entries in units.values():
        entries.sort(key=lambda e: e["seq_len"])
    return units


def plot_retention_curves(result, path=None):
    """Retention curve ``r(delta)`` per unit, one line per training length.

    Parameters
    ----------
    result : StudyResult
        A finished study.
    path : str or path, default=None
        Where to save the PNG; ``None`` only returns the figure.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    plt = _pyplot()
    units = _by_unit(result.summary())
    fig, axes = plt.subplots(
        1, len(units), figsize=(4.2 * len(units), 3.6), sharey=True, squeeze=False
    )
    lengths = sorted({e["seq_len"] for entries in units.values() for e in entries})
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, len(lengths)))
    colour = dict(zip(lengths, colours, strict=True))
    for ax, ((unit, hidden_size), entries) in zip(axes[0], units.items(), strict=True):
        for entry in entries:
            curve = np.asarray(entry["retention_curve"], dtype=float)
            ax.plot(
                np.arange(len(curve)),
                curve,
                color=colour[entry["seq_len"]],
                label=f"k = {entry['seq_len']}",
            )
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
        ax.set_title(f"{unit} (hidden size {hidden_size})")
        ax.set_xlabel("lag δ (tokens back from the last step)")
    lowest = min(
        (np.nanmin(e["retention_curve"]) for es in units.values() for e in es),
        default=0.0,
    )
    axes[0, 0].set_ylim(max(-1.0, min(-0.1, lowest - 0.05)), 1.1)
    axes[0, 0].set_ylabel("retention r(δ)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        title="training length",
        loc="center right",
        fontsize="small",
    )
    fig.suptitle("Retention of each past token at the window's last step")
    fig.tight_layout(rect=(0, 0, 0.88, 1))
    return _save(fig, path)


def plot_capacity_vs_length(result, path=None, *, tol=0.05):
    """Memory capacity against training length per unit, guidance marked.

    The dotted diagonal is the ceiling: a window of ``k`` tokens holds at most
    ``k``. A circle marks the ``saturation`` recommendation, a cross the
    ``best`` one.

    Parameters
    ----------
    result : StudyResult
        A finished study.
    path : str or path, default=None
        Where to save the PNG; ``None`` only returns the figure.
    tol : float, default=0.05
        Tolerance of the ``saturation`` rule.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    plt = _pyplot()
    units = _by_unit(result.summary())
    saturation = result.recommendations(rule="saturation", tol=tol)
    best = result.recommendations(rule="best")
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    lengths = sorted({e["seq_len"] for entries in units.values() for e in entries})
    ax.plot(lengths, lengths, color="grey", ls=":", lw=1, label="ceiling (k tokens)")
    # Ten colours repeat past ten lines; tab20 keeps up to twenty apart.
    palette = plt.cm.tab10 if len(units) <= 10 else plt.cm.tab20
    for n, (key, entries) in enumerate(units.items()):
        k = [e["seq_len"] for e in entries]
        capacity = [e["memory_capacity"] for e in entries]
        (line,) = ax.plot(
            k, capacity, marker=".", color=palette(n), label=f"{key[0]} (H={key[1]})"
        )
        for rule, marker, size in ((saturation, "o", 11), (best, "x", 9)):
            if key in rule:
                value = capacity[k.index(rule[key])]
                ax.plot(
                    rule[key],
                    value,
                    marker=marker,
                    ms=size,
                    mfc="none",
                    color=line.get_color(),
                    mew=1.6,
                )
    ax.plot([], [], "ko", mfc="none", label=f"recommended (saturation, {tol:.0%})")
    ax.plot([], [], "kx", label="recommended (best)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths, [str(k) for k in lengths])
    ax.set_xlabel("training length k (tokens)")
    ax.set_ylabel("memory capacity (tokens retained)")
    ax.set_title("Memory capacity against training length")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return _save(fig, path)


def plot_retention_matrix(row, path=None):
    """Heat map of the mean token retention ``a_{t,p}`` of one configuration.

    Parameters
    ----------
    row : dict
        A study row (with ``retention_matrix``).
    path : str or path, default=None
        Where to save the PNG; ``None`` only returns the figure.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    plt = _pyplot()
    matrix = np.asarray(row["retention_matrix"], dtype=float)
    fig, ax = plt.subplots(figsize=(5.4, 4.6))
    extent = (0.5, matrix.shape[1] + 0.5, matrix.shape[0] + 0.5, 0.5)
    image = ax.imshow(
        np.clip(matrix, -0.5, 1.0), cmap="magma", vmin=-0.5, vmax=1.0, extent=extent
    )
    fig.colorbar(image, ax=ax, label="retention a(t, p)")
    ax.set_xlabel("token position p")
    ax.set_ylabel("reading step t")
    ax.set_title(
        f"{row['unit']} (H={row['hidden_size']}), training length {row['seq_len']}"
    )
    fig.tight_layout()
    return _save(fig, path)
