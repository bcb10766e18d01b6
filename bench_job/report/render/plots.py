"""Sweep plots (latency and energy against batch size and input size). One colour per model across
every plot of a report (model_colours), log scales because the sweeps double sizes, legends outside
the axes so they never cover data. Points that failed a validity check are drawn hollow, and the legend
says so."""

from __future__ import annotations

import os

import matplotlib
import numpy as np

matplotlib.use("Agg")  # no display in containers and CI
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import ScalarFormatter  # noqa: E402

from bench_job.report.render.frame import in_sweep, measured  # noqa: E402
from bench_job.report.render.statistic import MEDIAN, Statistic, latency_statistic  # noqa: E402


def model_colours(models) -> dict:
    names = sorted(set(models))
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    return {name: cmap(i % cmap.N) for i, name in enumerate(names)}


# (file stem, title, family filter, models excluded): NLP also without Longformer, whose padding to
# 512 tokens dwarfs the others, as the lab plotted it.
PLOT_GROUPS = [
    ("vision", "Vision models", "torchvision", ()),
    ("nlp", "NLP models", "transformers", ()),
    ("nlp_no_longformer", "NLP models without Longformer", "transformers", ("longformer-base-4096",)),
]

INVALID_LABEL = "hollow: failed a validity check"


def metric_columns(metric: str, stat: Statistic) -> tuple:
    """What a sweep plot shows: (column, scale to display units, y label, (low, high) interval columns or None)."""
    if metric == "latency":
        # the bars run to the interval's own ends, which are rarely symmetric about the median
        label = f"latency per forward pass (ms, {stat.name})\nerror bars: its 95% CI, lower and upper ends"
        if stat is not MEDIAN:
            label += "\nno interval of the median recorded: mean instead"
        return stat.centre, 1e3, label, (stat.low, stat.high)
    return "energy_per_inference_j", 1.0, "energy per forward pass (J, gross)", None


def points(ax, x, y, colour, invalid) -> None:
    """Markers at the measured points: filled, or hollow where the configuration failed a validity check."""
    ax.plot(x[~invalid], y[~invalid], "o", color=colour, zorder=3)
    if invalid.any():
        ax.plot(
            x[invalid], y[invalid], "o", markerfacecolor="white", markeredgecolor=colour, markeredgewidth=1.5, zorder=3
        )


def invalid_legend_handle(label: str = INVALID_LABEL) -> Line2D:
    return Line2D(
        [],
        [],
        marker="o",
        linestyle="none",
        markerfacecolor="white",
        markeredgecolor="grey",
        markeredgewidth=1.5,
        label=label,
    )


def x_label(sweep: str, unit: str) -> str:
    if sweep == "batch":
        return "batch size (samples)"
    return f"input size ({'image side, px' if unit == 'px' else 'sequence length, tokens'})"


def log2_axis(ax, values) -> None:
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(values))
    ax.get_xaxis().set_major_formatter(ScalarFormatter())
    ax.get_xaxis().set_minor_formatter(matplotlib.ticker.NullFormatter())


class _PlainLogFormatter(matplotlib.ticker.LogFormatter):
    """matplotlib's choice of which log ticks to label (a subset of minor ticks when the axis spans
    few decades), written as plain numbers: 300 and 0.2, not 3x10^2 and 2e-01."""

    def _num_to_string(self, x, vmin, vmax):
        return f"{x:g}"


# A tick label's extent along its axis, in font sizes, as matplotlib measures DejaVu: digits 0.6 em wide
# (0.64 kept, x axis), a line of them 1.0 em high (y axis). Side by side on an x axis one em is kept clear
# between two labels, or two numbers read as one; stacked on a y axis they only must not touch.
_CHAR_EM, _LINE_EM, _X_GAP_EM, _Y_GAP_EM = 0.64, 1.0, 1.0, 0.1


class _SpacedMinorLogFormatter(_PlainLogFormatter):
    """The minor ticks' labels, less those that would touch a major label or a minor one already kept:
    a panel spanning 0.5-2 decades labels 2, 3, 4, 6 x 10^n, and 3000 and 4000 printed as `30004000` on a
    narrow one. Widths are estimated from the font size (a draw-time measure would cost a render)."""

    def format_ticks(self, values):
        labels = super().format_ticks(values)
        axis = self.axis
        if axis is None or axis.axes is None or not len(values):
            return labels
        vertical = axis.axis_name == "y"
        box = axis.axes.bbox
        length = box.height if vertical else box.width
        scale = axis.get_transform()
        low, high = scale.transform(np.asarray(axis.get_view_interval(), dtype=float))
        if not (length > 0 and np.isfinite(low) and np.isfinite(high) and high != low):
            return labels
        points = length * 72.0 / axis.axes.figure.dpi

        def where(v):  # points along the axis
            return (float(scale.transform(np.asarray([v], dtype=float))[0]) - low) / (high - low) * points

        size = max(axis.get_major_ticks(1)[0].label1.get_fontsize(), axis.get_minor_ticks(1)[0].label1.get_fontsize())

        def extent(centre, text):
            half = ((_LINE_EM + _Y_GAP_EM) if vertical else (_CHAR_EM * len(text) + _X_GAP_EM)) * size / 2
            return centre - half, centre + half

        lo_view, hi_view = sorted(axis.get_view_interval())
        major = self.axis.major.formatter
        taken = [extent(where(v), major(v)) for v in axis.get_majorticklocs() if lo_view <= v <= hi_view]
        kept = []
        for v, text in zip(values, labels):
            if text:
                span = extent(where(v), text)
                if any(span[0] < b and a < span[1] for a, b in taken):
                    text = ""
                else:
                    taken.append(span)
            kept.append(text)
        return kept


class _InViewLocator(matplotlib.ticker.Locator):
    """A locator's ticks less those outside the view. A log locator returns a decade beyond each end of the
    view, and the axis makes a Tick (two marks, a grid line, two labels: ~1 ms) for every location it is
    given before it draws only those in view; a panel over 3-40 ms made 16 minor ticks to draw 10. What is
    drawn is unchanged: a small margin keeps the ticks on the view's ends, and the axis' own test still
    decides those."""

    MARGIN = 1e-6  # of the view's span, in the scale's coordinates

    def __init__(self, inner):
        self.inner = inner

    def set_axis(self, axis):
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def __call__(self):
        locs = np.asarray(self.inner(), dtype=float)
        if self.axis is None or not len(locs):
            return locs
        transform = self.axis.get_transform()
        low, high = sorted(transform.transform(np.asarray(self.axis.get_view_interval(), dtype=float)))
        margin = (high - low) * self.MARGIN
        with np.errstate(invalid="ignore", divide="ignore"):
            where = transform.transform(locs)
        return locs[~((where < low - margin) | (where > high + margin))]

    def tick_values(self, vmin, vmax):
        return self.inner.tick_values(vmin, vmax)

    def nonsingular(self, v0, v1):
        return self.inner.nonsingular(v0, v1)

    def view_limits(self, vmin, vmax):
        return self.inner.view_limits(vmin, vmax)


def log_axis(ax, which: str = "y") -> None:
    """A log scale on the x or y axis, labelled in plain numbers; minor labels never overlap."""
    getattr(ax, f"set_{which}scale")("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    for locator, install in (
        (axis.get_major_locator(), axis.set_major_locator),
        (axis.get_minor_locator(), axis.set_minor_locator),
    ):
        if not isinstance(locator, _InViewLocator):  # axes sharing this one share its locators
            install(_InViewLocator(locator))
    axis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
    axis.set_minor_formatter(_SpacedMinorLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))


def log_y(ax) -> None:
    log_axis(ax, "y")


def save(fig, path: str) -> None:
    fig.tight_layout()
    # "tight" keeps legends placed outside the axes inside the image.
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def sweep_figure(frame, metric: str, sweep: str, group: tuple, colours: dict, stat: Statistic, title_suffix: str = ""):
    """One line per model (and variant) against batch size or input size; None if no data. title_suffix: the
    power state on a Jetson (Context.plot_title_suffix)."""
    column, scale, y_label, interval = metric_columns(metric, stat)
    stem, title, family, excluded = group
    rows = in_sweep(measured(frame), sweep)
    rows = rows[(rows["family"] == family) & ~rows["model"].isin(excluded) & rows[column].notna()]
    if rows.empty:
        return None
    x_col = "batch_size" if sweep == "batch" else "input_size"
    unit = rows["input_unit"].iloc[0]
    first_variant = rows["variant"].iloc[0]
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    for (model, variant), data in rows.groupby(["model", "variant"]):
        data = data.sort_values(x_col)
        x, y = data[x_col].to_numpy(), (data[column] * scale).to_numpy()
        err = None
        if interval:
            low, high = interval
            err = [
                (data[column] - data[low]).fillna(0).clip(lower=0) * scale,
                (data[high] - data[column]).fillna(0).clip(lower=0) * scale,
            ]
        label = model if rows["variant"].nunique() == 1 else f"{model} [{variant}]"
        ax.errorbar(
            x,
            y,
            yerr=err,
            capsize=3,
            label=label,
            color=colours[model],
            linestyle="-" if variant == first_variant else "--",
        )
        points(ax, x, y, colours[model], (data["valid"] == False).to_numpy())  # noqa: E712 (True/False/None)
    log2_axis(ax, rows[x_col].unique())
    log_y(ax)
    ax.set_xlabel(x_label(sweep, unit))
    ax.set_ylabel(y_label)
    fixed = "batch size 1" if sweep == "input" else f"input size {int(rows['input_size'].mode().iloc[0])} {unit}"
    ax.set_title(
        f"{title}: {metric} vs {'batch size' if sweep == 'batch' else 'input size'} ({fixed}){title_suffix}",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if (rows["valid"] == False).any():  # noqa: E712
        handles.append(invalid_legend_handle())
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig


def write_sweep_plots(frame, plot_dir: str, metric: str, colours: dict, title_suffix: str = "") -> list[str]:
    """Every sweep plot of one metric that has data; paths relative to the report folder."""
    os.makedirs(plot_dir, exist_ok=True)
    stat = latency_statistic(frame)
    written = []
    for sweep in ("batch", "input"):
        for group in PLOT_GROUPS:
            if group[0] == "nlp_no_longformer" and group[3][0] not in set(frame["model"]):
                continue  # identical to the NLP plot when Longformer did not run
            name = f"{metric}_vs_{sweep}_size_{group[0]}.png"
            fig = sweep_figure(frame, metric, sweep, group, colours, stat, title_suffix)
            if fig is not None:
                save(fig, os.path.join(plot_dir, name))
                written.append(os.path.join(os.path.basename(plot_dir), name))
    return written
