"""Comparison plots that stay readable with a hundred devices: colour says the device kind, never the
device (eight colours already overlap), and no panel draws one labelled line per device.

- ranked bars: per family and metric, one panel per model at its common configuration, devices sorted
  best first, one bar each, labelled on the axis; the figure grows with the device count;
- sweeps as small multiples: one row per model, one column per device kind; every device of the kind is
  a thin line, the kind's median across its devices a bold one, and a row shares its y axis so the kinds
  compare at a glance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bench_job.report.render.frame import in_sweep, measured
from bench_job.report.render.plots import log2_axis, log_axis, log_y, plt, x_label

BAR_HEIGHT_IN = 0.16  # per device: a 7-point label fits beside each bar
BAR_FILL = 0.8  # of a device's row: the bar's height in y units
PANEL_WIDTH_IN = 3.6
MAX_COLUMNS = 3


DPI = 110  # as plots.save
PAD_IN = 0.1  # savefig's pad around a "tight" box (rcParams["savefig.pad_inches"])
# zlib level 3 rather than Pillow's 6: the same pixels, the tall ranked figures encode in half the time (0.6 ->
# 0.26 s for 100 devices) and come out no larger (965 -> 878 kB); the sweeps' panels 8% larger
PNG_COMPRESS_LEVEL = 3
LABEL_FONT_SIZE = 7
SUPTITLE_MAX_IN = 0.25  # below the figure's top: tight_layout's pads (2 x 0.15 in) leave 0.05 in under it


def save(fig, path: str, laid_out: bool = False) -> None:
    """plots.save's image (tight layout, then the tight box around everything, legends outside the axes
    included) with one layout pass fewer: savefig(bbox_inches="tight") lays the figure out once more
    to find the box, which at a hundred devices' labels costs as much as drawing it. laid_out: the caller
    spaced the panels itself (no tight_layout pass)."""
    if not laid_out:
        fig.tight_layout()
    # tight_layout leaves a placeholder layout engine, for which savefig would lay the figure out once more
    fig.set_layout_engine(None)
    fig.set_dpi(DPI)
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(PAD_IN)
    fig.savefig(path, dpi=DPI, bbox_inches=box, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    plt.close(fig)


def suptitle(fig, text: str) -> None:
    """The figure's title, its top 2% of the height below the figure's top as matplotlib places it, but never
    more than SUPTITLE_MAX_IN: tight_layout keeps the title's height and a pad free at the top, not 2% of a
    figure that a hundred devices make 34 inches tall, where the title sat on the first panels' titles."""
    height = fig.get_figheight()
    fig.suptitle(text, fontsize=10, y=1 - min(0.02, SUPTITLE_MAX_IN / height))


def kind_colours(kinds) -> dict:
    cmap = plt.get_cmap("tab10")
    return {kind: cmap(i % cmap.N) for i, kind in enumerate(sorted(set(kinds)))}


def _kind_legend(fig, colours: dict, invalid: bool) -> None:
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour, label=kind) for kind, colour in colours.items()]
    if invalid:
        handles.append(
            plt.Rectangle(
                (0, 0),
                1,
                1,
                facecolor="lightgrey",
                edgecolor="white",
                hatch="///",
                label="hatched: failed a validity check",
            )
        )
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.98), fontsize=8, title="device kind")


class _LabelWidths:
    """A device label's width at the two resolutions a figure is measured at: tight_layout's (the figure's
    dpi) and the saved image's (DPI). Measured on a text of a figure of its own at each dpi: asking the
    figure's own text for its extent at another dpi re-scales the whole figure and back (3 ms a label at a
    hundred devices). Every panel of a figure names the same devices, so each is measured once per figure."""

    def __init__(self, fig):
        self.dpis = sorted({fig.dpi, DPI})
        self.probes = [
            (Figure(dpi=dpi).text(0, 0, "", fontsize=LABEL_FONT_SIZE), RendererAgg(1, 1, dpi)) for dpi in self.dpis
        ]
        self.known = {}

    def __call__(self, name: str) -> tuple:
        if name not in self.known:
            widths = []
            for probe, renderer in self.probes:
                probe.set_text(name)
                widths.append(probe.get_window_extent(renderer).width)
            self.known[name] = tuple(widths)
        return self.known[name]


def _device_ticks(ax, y, devices: list, widths: _LabelWidths) -> None:
    """The devices' names and tick marks beside their bars, pixel for pixel as the y axis would draw them
    (its first tick's marker, pad, colours, alignment and transforms), but as one line of markers and one
    text per device rather than a Tick each (five artists, made and re-laid-out on every one of the three
    passes a save takes). Only the labels that bound their union
    take part in the layout, the first, the last and the widest at each resolution (right-aligned, they all
    end at the axis), so tight_layout and the tight box measure three labels per panel, not a hundred."""
    tick = ax.yaxis.get_major_ticks(1)[0]
    label, mark = tick.label1, tick.tick1line
    ax.set_yticks([])
    zorder = ax.yaxis.get_zorder()  # drawn where the axis would draw them
    ax.add_artist(
        Line2D(
            np.zeros(len(y)),
            y,
            transform=mark.get_transform(),
            linestyle="none",
            marker=mark.get_marker(),
            markersize=mark.get_markersize(),
            markeredgewidth=mark.get_markeredgewidth(),
            color=mark.get_color(),
            markeredgecolor=mark.get_markeredgecolor(),
            zorder=zorder,
            clip_on=False,
            in_layout=False,  # inside the box of the axes and its labels
        )
    )
    texts = [
        ax.text(
            0,
            position,
            device,
            transform=label.get_transform(),
            fontsize=LABEL_FONT_SIZE,
            color=label.get_color(),
            verticalalignment=label.get_verticalalignment(),
            horizontalalignment=label.get_horizontalalignment(),
            zorder=zorder,
        )
        for position, device in zip(y, devices)
    ]
    measured = [widths(device) for device in devices]
    bounding = {0, len(texts) - 1}
    bounding.update(max(range(len(texts)), key=lambda i: measured[i][r]) for r in range(len(widths.dpis)))
    for i, text in enumerate(texts):
        text.set_in_layout(i in bounding)


def _bars(ax, y, values, colours: list, invalid) -> None:
    """What barh draws (bars from 0, centred on y, 0.8 high, white edges; hatched where invalid), pixel for
    pixel, as two collections, the valid bars and the hatched ones, rather than a Rectangle each: nine panels
    of a hundred bars were made in 0.34-0.50 s and drawn in 0.65 s, as collections in 0.05 s and 0.45 s."""
    half = BAR_FILL / 2
    zero = np.zeros(len(values))
    # each bar's corners in a Rectangle's order: bottom left, bottom right, top right, top left
    corners = np.stack(
        [
            np.column_stack([zero, y - half]),
            np.column_stack([values, y - half]),
            np.column_stack([values, y + half]),
            np.column_stack([zero, y + half]),
        ],
        axis=1,
    )
    face = np.array([to_rgba(colour) for colour in colours]).reshape(-1, 4)
    for chosen, hatch in ((~invalid, None), (invalid, "///")):
        if chosen.any():
            ax.add_collection(
                PolyCollection(
                    corners[chosen],
                    facecolors=face[chosen],
                    edgecolors="white",
                    linewidths=plt.rcParams["patch.linewidth"],
                    hatch=hatch,
                ),
                autolim=True,
            )


def ranked_bars(common: pd.DataFrame, family: str, column: str, scale: float, x_title: str, colours: dict, path: str):
    """One panel per model: its devices' bars, best at the top. False when no device has the figure."""
    rows = common[(common["family"] == family) & common[column].notna()]
    if rows.empty:
        return False
    groups = list(rows.groupby(["model", "variant"], sort=True))
    cols = min(MAX_COLUMNS, len(groups))
    nrows = int(np.ceil(len(groups) / cols))
    most = max(len(data) for _, data in groups)
    fig, axes = plt.subplots(
        nrows, cols, figsize=(PANEL_WIDTH_IN * cols + 1.6, (BAR_HEIGHT_IN * most + 1.2) * nrows), squeeze=False
    )
    several_variants = rows["variant"].nunique() > 1
    widths = _LabelWidths(fig)
    for ax, ((model, variant), data) in zip(axes.flat, groups):
        data = data.sort_values(column, ascending=False)  # barh draws bottom-up: the best ends on top
        y = np.arange(len(data))
        invalid = (data["valid"] == False).to_numpy()  # noqa: E712 (True/False/None)
        _bars(ax, y, (data[column] * scale).to_numpy(float), [colours[k] for k in data["kind"]], invalid)
        _device_ticks(ax, y, list(data["device"]), widths)
        ax.set_ylim(-0.6, len(data) - 0.4)
        log_axis(ax, "x")
        ax.grid(True, axis="x", which="both", alpha=0.3)
        ax.set_xlabel(x_title, fontsize=8)
        first = data.iloc[0]
        title = f"{model} [{variant}]" if several_variants else model
        # y=1.0 where matplotlib would place it anyway (no ticks on top, no offset text): fixed, the title no
        # longer measures every device's tick label again on each of the three passes
        ax.set_title(f"{title}\nbatch {int(first['batch_size'])}, input {int(first['input_size'])}", fontsize=9, y=1.0)
        # the y axis has no label to place beside the tick labels: skip measuring them for it
        ax.yaxis.set_label_coords(0.0, 0.5)
        # a spine's extent is the axes edge plus its tick marks, inside the tick labels' box here (every
        # panel labels both axes), and measuring it re-makes every device's tick: leave spines out of the
        # layout's boxes
        for spine in ax.spines.values():
            spine.set_in_layout(False)
    for ax in list(axes.flat)[len(groups) :]:
        ax.axis("off")
    _kind_legend(fig, colours, bool((rows["valid"] == False).any()))  # noqa: E712
    suptitle(fig, f"{family}: devices ranked by {x_title.split(' (')[0]}, best at the top")
    save(fig, path)
    return True


# The sweeps' spacing, in inches: what their decorations take whatever the data, so the panels need no
# tight_layout pass (0.1-0.25 s a figure of 18-27 panels, as much as drawing it). Between rows a panel's x
# tick labels (7 pt) and the next one's two-line title (8 pt); between columns the shared y axis' tick marks
# only (its labels show in the first column alone); outside, the first column's tick labels and y label,
# the last row's x label, the first row's titles under the figure's title. The saved image is cropped to
# its content, so the outer margins only need to hold it.
SWEEP_HSPACE_IN, SWEEP_WSPACE_IN = 0.62, 0.12
SWEEP_LEFT_IN, SWEEP_RIGHT_IN, SWEEP_BOTTOM_IN, SWEEP_TOP_IN = 0.62, 0.1, 0.42, 0.82


def _space_sweep_panels(fig, rows: int, columns: int) -> None:
    width, height = fig.get_size_inches()
    panel_width = (width - SWEEP_LEFT_IN - SWEEP_RIGHT_IN - SWEEP_WSPACE_IN * (columns - 1)) / columns
    panel_height = (height - SWEEP_BOTTOM_IN - SWEEP_TOP_IN - SWEEP_HSPACE_IN * (rows - 1)) / rows
    fig.subplots_adjust(
        left=SWEEP_LEFT_IN / width,
        right=1 - SWEEP_RIGHT_IN / width,
        bottom=SWEEP_BOTTOM_IN / height,
        top=1 - SWEEP_TOP_IN / height,
        wspace=SWEEP_WSPACE_IN / panel_width,  # matplotlib's spaces are fractions of a panel's size
        hspace=SWEEP_HSPACE_IN / panel_height,
    )


def kind_sweeps(
    merged: pd.DataFrame,
    kinds: dict,
    family: str,
    sweep: str,
    column: str,
    scale: float,
    y_title: str,
    colours: dict,
    path: str,
) -> bool:
    """Small multiples: rows are models, columns device kinds. False when there is nothing to draw."""
    rows = in_sweep(measured(merged), sweep)
    rows = rows[(rows["family"] == family) & rows[column].notna()].copy()
    if rows.empty:
        return False
    rows["kind"] = rows["device"].map(kinds)
    x_col = "batch_size" if sweep == "batch" else "input_size"
    models = sorted(rows["model"].unique())
    kind_names = sorted(rows["kind"].unique())
    fig, axes = plt.subplots(
        len(models),
        len(kind_names),
        figsize=(3.4 * len(kind_names) + 0.6, 2.7 * len(models)),
        squeeze=False,
        sharey="row",
    )
    for r, model in enumerate(models):
        for c, kind in enumerate(kind_names):
            ax = axes[r][c]
            data = rows[(rows["model"] == model) & (rows["kind"] == kind)]
            if data.empty:
                ax.set_title(f"{model}\n{kind}: not run", fontsize=8)
                ax.axis("off")
                continue
            # every device's thin line in one collection: a Line2D each cost ~10 ms to make and draw per
            # device at a hundred devices, and they share colour and width anyway
            ordered = data.sort_values(x_col, kind="stable")
            # one split of the sorted points rather than a frame per device: groups numbered in order of
            # first appearance (as groupby(sort=False) yields them), rows without a key dropped as it does
            group = ordered.groupby(["device", "variant"], sort=False).ngroup().to_numpy(float)
            points = np.column_stack([ordered[x_col].to_numpy(float), ordered[column].to_numpy(float) * scale])
            keep = ~np.isnan(group)
            group, points = group[keep], points[keep]
            order = np.argsort(group, kind="stable")  # stable: each line's points stay sorted by x
            lines = np.split(points[order], np.flatnonzero(np.diff(group[order])) + 1) if len(group) else []
            ax.add_collection(
                LineCollection(
                    lines, colors=[colours[kind]], alpha=0.35, linewidths=0.9, capstyle="projecting", joinstyle="round"
                ),
                autolim=True,
            )
            median = data.groupby(x_col)[column].median().sort_index()
            ax.plot(median.index, median * scale, color="black", linewidth=2, marker="o", markersize=3)
            log2_axis(ax, data[x_col].unique())
            log_y(ax)
            ax.tick_params(labelsize=7)
            ax.grid(True, which="both", alpha=0.3)
            ax.set_title(f"{model}\n{kind}: {data['device'].nunique()} device(s)", fontsize=8, y=1.0)
            # an axis without a label has nothing to place beside its tick labels: fixed coordinates skip
            # measuring them for it on every layout pass
            if r == len(models) - 1:
                ax.set_xlabel(x_label(sweep, data["input_unit"].iloc[0]), fontsize=7)
            else:
                ax.xaxis.set_label_coords(0.5, 0.0)
            if c == 0:
                ax.set_ylabel(y_title, fontsize=7)
            else:
                ax.yaxis.set_label_coords(0.0, 0.5)
            # measuring a spine re-makes its axis' ticks, and only a left one right of the first column can
            # reach past the box of the axes and its tick labels (tick marks whose labels the shared y axis
            # hides): the others lie on the axes' edge (top, right: no ticks) or inside the tick labels' box
            # (bottom: every panel labels its x ticks; the first column's left: a log axis labels one of its
            # ticks whenever one is in view, and without ticks the spine is the axes' edge)
            for side in ("top", "right", "bottom") + (("left",) if c == 0 else ()):
                ax.spines[side].set_in_layout(False)
    _space_sweep_panels(fig, len(models), len(kind_names))
    suptitle(
        fig,
        f"{family}: {y_title.split(' (')[0]} vs {'batch size' if sweep == 'batch' else 'input size'}; "
        "thin: one device, bold: the kind's median",
    )
    save(fig, path, laid_out=True)
    return True
