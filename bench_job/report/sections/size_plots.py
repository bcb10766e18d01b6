"""Plots across models: latency against parameters and against FLOPs (for the discussion of what
correlates with latency), and the memory peak of every configuration split into framework, weights and
activations (for the memory section).

As in the sweep plots (plots.py), points and bars of configurations that failed a validity check are
drawn hollow (face 'none') and the legend says so; a plot with no valid data says so on its axes. Error
bars are the interval's own lower and upper ends: a confidence interval of the median is often far from
symmetric, and the legend says the bars are its ends, not a ± half-width."""

from __future__ import annotations

import os

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bench_job.report.render.frame import common_config, measured
from bench_job.report.render.plots import log_axis, plt, save
from bench_job.report.render.statistic import latency_statistic

HOLLOW_LABEL = "hollow: failed a validity check"
NO_VALID = "no valid point: every point here failed a validity check"
MARKERS = {"torchvision": "o", "transformers": "s"}
OTHER_MARKERS = ["^", "D", "v", "P", "X"]
# (column, file stem, axis label, display scale, caption)
SIZES = [
    ("params", "latency_vs_params", "parameters (millions, unique)", 1e-6, "latency vs parameters"),
    ("flops", "latency_vs_flops", "FLOPs per forward pass (GFLOP)", 1e-9, "latency vs FLOPs"),
]
PARTS = [
    ("framework_rss_bytes", "framework", "#7f7f7f"),
    ("weights_rss_bytes", "weights", "#1f77b4"),
    ("activations_rss_bytes", "activations", "#ff7f0e"),
]
UNSPLIT = ("peak_rss_bytes", "peak RSS (not split: older bundle)", "#2ca02c")
MIB = 1024**2


def family_styles(families) -> dict:
    """family -> (colour, marker), stable for a report."""
    cmap = plt.get_cmap("tab10")
    names = sorted(set(families))
    others = iter(OTHER_MARKERS * len(names))
    return {name: (cmap(i % cmap.N), MARKERS.get(name) or next(others)) for i, name in enumerate(names)}


def invalid(rows):
    return (rows["valid"] == False).to_numpy()  # noqa: E712 (True/False/None; None: before the check)


def hollow_handle(kind: str = "marker") -> object:
    if kind == "bar":
        return Patch(facecolor="none", edgecolor="grey", linewidth=1.5, label=HOLLOW_LABEL)
    return Line2D(
        [],
        [],
        marker="o",
        linestyle="none",
        markerfacecolor="none",
        markeredgecolor="grey",
        markeredgewidth=1.5,
        label=HOLLOW_LABEL,
    )


def no_valid_note(ax, text: str = NO_VALID) -> None:
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=10,
        color="#c0392b",
        bbox=dict(facecolor="white", edgecolor="#c0392b"),
    )


def scatter_rows(frame, column: str, stat):
    """One row per model and variant at the common configuration, with the size and the latency known."""
    rows = common_config(frame)
    if rows.empty:
        return rows
    return rows[rows[column].notna() & (rows[column] > 0) & rows[stat.centre].notna() & (rows[stat.centre] > 0)]


def latency_scatter(frame, column: str, stat=None, title_suffix: str = ""):
    """Latency (the report's statistic, bars: its 95% CI's lower and upper ends) against column, one colour
    and marker per family, log-log; None when no model has both figures. title_suffix: the power state on a
    Jetson (Context.plot_title_suffix)."""
    stat = stat or latency_statistic(frame)
    rows = scatter_rows(frame, column, stat)
    if rows.empty:
        return None
    _, _, x_label, x_scale, _ = next(size for size in SIZES if size[0] == column)
    styles = family_styles(rows["family"])
    fig, ax = plt.subplots(figsize=(8.5, 5.0))
    handles = []
    for family, data in rows.groupby("family", sort=True):
        colour, marker = styles[family]
        x, y = data[column].to_numpy(float) * x_scale, data[stat.centre].to_numpy(float) * 1e3
        below = ((data[stat.centre] - data[stat.low]).clip(lower=0).fillna(0) * 1e3).to_numpy(float)
        above = ((data[stat.high] - data[stat.centre]).clip(lower=0).fillna(0) * 1e3).to_numpy(float)
        bad = invalid(data)
        for mask, face in ((~bad, colour), (bad, "none")):
            if mask.any():
                ax.errorbar(
                    x[mask],
                    y[mask],
                    yerr=[below[mask], above[mask]],
                    fmt=marker,
                    color=colour,
                    markerfacecolor=face,
                    markeredgecolor=colour,
                    markeredgewidth=1.5,
                    markersize=7,
                    capsize=3,
                    elinewidth=1,
                    zorder=3,
                )
        for (_, r), xi, yi in zip(data.iterrows(), x, y):
            ax.annotate(r["model"], (xi, yi), xytext=(5, 4), textcoords="offset points", fontsize=7)
        handles.append(Line2D([], [], marker=marker, linestyle="none", color=colour, markersize=7, label=family))
    log_axis(ax, "x")
    log_axis(ax, "y")
    ax.set_xlabel(x_label)
    ax.set_ylabel(f"latency per forward pass (ms, {stat.name})\nerror bars: its 95% CI, lower and upper ends")
    ax.set_title(
        f"Latency vs {'parameters' if column == 'params' else 'FLOPs'}: each model at batch 1 and its "
        f"family's fixed input size{title_suffix}",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    if invalid(rows).any():
        handles.append(hollow_handle())
    if invalid(rows).all():
        no_valid_note(ax)
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig


def write_latency_scatters(frame, plot_dir: str, title_suffix: str = "") -> list:
    """(path relative to the report folder, caption) of each scatter that has data."""
    os.makedirs(plot_dir, exist_ok=True)
    stat = latency_statistic(frame)
    written = []
    for column, stem, _, _, caption in SIZES:
        fig = latency_scatter(frame, column, stat, title_suffix)
        if fig is not None:
            save(fig, os.path.join(plot_dir, stem + ".png"))
            written.append((os.path.join(os.path.basename(plot_dir), stem + ".png"), caption))
    return written


def memory_rows(frame):
    ok = measured(frame)
    rows = ok[ok["peak_rss_bytes"].notna()]
    return rows.sort_values(["model", "variant", "batch_size", "input_size"], kind="stable")


def memory_figure(frame, title_suffix: str = ""):
    """Horizontal bars, one per measured configuration: its peak stacked as framework + weights +
    activations (or the unsplit peak for older records), in MiB; hollow where the configuration failed a
    validity check. None when no configuration recorded a peak."""
    rows = memory_rows(frame)
    if rows.empty:
        return None
    several = rows["variant"].nunique() > 1
    labels = [
        f"{r['model']}{f' [{r.variant}]' if several else ''} b{int(r['batch_size'])}/{int(r['input_size'])}"
        for _, r in rows.iterrows()
    ]
    fig, ax = plt.subplots(figsize=(8.5, max(2.5, 0.3 * len(rows) + 1.2)))
    bad = invalid(rows)
    used = set()
    for position, ((_, r), hollow) in enumerate(zip(rows.iterrows(), bad)):
        split = all(r[column] == r[column] for column, _, _ in PARTS)
        left = 0.0
        for column, name, colour in PARTS if split else [UNSPLIT]:
            width = max(float(r[column]), 0.0) / MIB
            ax.barh(
                position,
                width,
                left=left,
                height=0.7,
                edgecolor=colour,
                linewidth=1.5,
                facecolor="none" if hollow else colour,
            )
            left += width
            used.add(name)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("peak resident memory of the worker (MiB)")
    ax.set_title(f"Memory peak per configuration (model, batch / input size){title_suffix}", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    handles = [
        Patch(facecolor=colour, edgecolor=colour, label=name) for _, name, colour in PARTS + [UNSPLIT] if name in used
    ]
    if bad.any():
        handles.append(hollow_handle("bar"))
    if bad.all():
        no_valid_note(ax, "no valid bar: every configuration here failed a validity check")
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig


def write_memory_plot(frame, plot_dir: str, title_suffix: str = ""):
    """The memory plot's path relative to the report folder, or None without data."""
    fig = memory_figure(frame, title_suffix)
    if fig is None:
        return None
    os.makedirs(plot_dir, exist_ok=True)
    save(fig, os.path.join(plot_dir, "memory_peaks.png"))
    return os.path.join(os.path.basename(plot_dir), "memory_peaks.png")
