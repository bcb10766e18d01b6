"""The comparison plots' short cuts draw what matplotlib's own way draws, pixel for pixel: the ranked bars
(two collections, not a Rectangle each), their device names (a text and a tick mark each, not a Tick) and the
sweeps' spines left out of the layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.spines import Spine
from PIL import Image

from bench_job.bundle.records import to_frame
from bench_job.report.comparison import plots
from bench_job.report.render.frame import prepare
from tests.report.synthetic import quick_run_records

# The widest name in the middle of a panel and a tall figure's labels: leaving the widest out of the layout,
# or measuring it at the wrong resolution, moves every panel.
NAMES = ["pi", "laptop-a", "a-much-longer-device-name @MAXN", "jetson-orin", "rpi-2"]


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGBA"))


def _ranked_figure(name_devices, path) -> None:
    fig, axes = plots.plt.subplots(1, 2, figsize=(6, 2.5), squeeze=False)
    widths = plots._LabelWidths(fig)
    for ax, names in zip(axes.flat, (NAMES, NAMES[1:4])):  # the second panel names some of the devices
        y = np.arange(len(names))
        ax.barh(y, np.arange(1, len(names) + 1), height=0.8)
        name_devices(ax, y, names, widths)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.set_xlabel("median latency (ms)", fontsize=8)
    fig.suptitle("ranked", fontsize=10)
    plots.save(fig, str(path))


def _as_tick_labels(ax, y, names, widths) -> None:
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=plots.LABEL_FONT_SIZE)


def test_ranked_device_names_are_drawn_as_the_y_axis_draws_its_tick_labels(tmp_path):
    _ranked_figure(_as_tick_labels, tmp_path / "ticks.png")
    _ranked_figure(plots._device_ticks, tmp_path / "texts.png")
    ticks, texts = _pixels(tmp_path / "ticks.png"), _pixels(tmp_path / "texts.png")
    assert ticks.shape == texts.shape
    assert np.array_equal(ticks, texts), f"{int((ticks != texts).any(axis=2).sum())} pixels differ"


def test_ranked_device_names_in_the_layout_are_the_first_last_and_widest():
    fig, ax = plots.plt.subplots()
    plots._device_ticks(ax, np.arange(len(NAMES)), NAMES, plots._LabelWidths(fig))
    in_layout = [text.get_text() for text in ax.texts if text.get_in_layout()]
    assert in_layout == ["pi", "a-much-longer-device-name @MAXN", "rpi-2"]
    assert [text.get_text() for text in ax.texts] == NAMES
    plots.plt.close(fig)


def _barh(ax, y, values, colours, invalid) -> None:
    bars = ax.barh(y, values, color=colours, edgecolor="white", height=plots.BAR_FILL)
    for bar, bad in zip(bars, invalid):
        if bad:
            bar.set_hatch("///")


def _bar_panel(draw_bars, path) -> None:
    fig, ax = plots.plt.subplots(figsize=(4, 3))
    values = np.array([900.0, 420.0, 35.0, 33.0, 8.5, 0.9])  # three decades on the log axis
    kinds = ["rpi", "jetson", "laptop", "rpi", "laptop", "jetson"]
    colours = plots.kind_colours(kinds)
    draw_bars(ax, np.arange(len(values)), values, [colours[k] for k in kinds], np.array([0, 1, 0, 0, 1, 0], bool))
    ax.set_ylim(-0.6, len(values) - 0.4)
    plots.log_axis(ax, "x")
    plots.save(fig, str(path))


def test_ranked_bars_are_drawn_as_barh_draws_them_hatched_where_invalid(tmp_path):
    _bar_panel(_barh, tmp_path / "barh.png")
    _bar_panel(plots._bars, tmp_path / "collections.png")
    barh, collections = _pixels(tmp_path / "barh.png"), _pixels(tmp_path / "collections.png")
    assert barh.shape == collections.shape
    assert np.array_equal(barh, collections), f"{int((barh != collections).any(axis=2).sum())} pixels differ"


def _sweep_frame() -> tuple:
    frame = prepare(to_frame(quick_run_records())).copy()  # one block: assign below copies it per device
    kinds = {f"{kind}-{i}": kind for i, kind in enumerate(("laptop", "rpi", "jetson", "laptop", "rpi"))}
    merged = pd.concat(
        [
            frame.assign(device=device, latency_median_s=frame["latency_median_s"] * (1 + i / 4))
            for i, device in enumerate(kinds)
        ],
        ignore_index=True,
    )
    return merged, kinds


def test_sweep_panels_lay_out_as_with_every_spine_measured(tmp_path, monkeypatch):
    merged, kinds = _sweep_frame()
    colours = plots.kind_colours(kinds.values())

    def draw(path) -> None:
        assert plots.kind_sweeps(
            merged, kinds, "torchvision", "batch", "latency_median_s", 1e3, "median latency (ms)", colours, str(path)
        )

    draw(tmp_path / "short.png")
    with monkeypatch.context() as patch:
        patch.setattr(Spine, "set_in_layout", lambda self, value: None)  # every spine measured, as matplotlib does
        draw(tmp_path / "measured.png")
    short, measured = _pixels(tmp_path / "short.png"), _pixels(tmp_path / "measured.png")
    assert short.shape == measured.shape
    assert np.array_equal(short, measured)


def test_a_tall_ranked_figure_keeps_its_title_off_the_panels_titles(tmp_path, monkeypatch):
    # 100 devices made the ranked figure 34 inches tall, and the title, 2% of that below the top, sat on
    # the first row's panel titles; 60 devices in two rows (22 inches) overlapped as well.
    rows = [
        dict(
            model=model,
            variant="fp32",
            family="torchvision",
            batch_size=1,
            input_size=224,
            device=f"device-{i:02d}",
            kind=("laptop", "rpi", "jetson")[i % 3],
            latency_median_s=0.01 * (1 + i / 10),
            valid=True,
        )
        for model in ("alexnet", "mobilenet_v2", "resnet18", "squeezenet1_1")
        for i in range(60)
    ]
    boxes = {}

    def keep(fig, path):
        fig.tight_layout()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        title = fig._suptitle  # the figure's title Text: Figure.get_suptitle is matplotlib 3.8+, the old stack has 3.7
        boxes["suptitle"] = title.get_window_extent(renderer)
        boxes["titles"] = [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.title.get_text()]
        plots.plt.close(fig)

    monkeypatch.setattr(plots, "save", keep)
    colours = plots.kind_colours(("laptop", "rpi", "jetson"))
    assert plots.ranked_bars(
        pd.DataFrame(rows),
        "torchvision",
        "latency_median_s",
        1e3,
        "median latency (ms)",
        colours,
        str(tmp_path / "r.png"),
    )
    assert len(boxes["titles"]) == 4
    for title in boxes["titles"]:
        assert not boxes["suptitle"].overlaps(title)


def test_sweep_panels_spaced_without_tight_layout_keep_their_texts_apart(tmp_path, monkeypatch):
    # The sweeps' fixed spacing replaced tight_layout: a row's x tick labels and x label must clear the next
    # row's two-line titles, and the figure's title the first row's.
    merged, kinds = _sweep_frame()
    colours = plots.kind_colours(kinds.values())
    boxes = {}

    def keep(fig, path, laid_out=False):
        assert laid_out
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        title = fig._suptitle  # the figure's title Text: Figure.get_suptitle is matplotlib 3.8+, the old stack has 3.7
        texts = [title.get_window_extent(renderer)]
        for ax in fig.axes:
            texts.append(ax.title.get_window_extent(renderer))
            texts.append(ax.xaxis.get_tightbbox(renderer))
        boxes["texts"] = [box for box in texts if box is not None and box.width > 0]
        plots.plt.close(fig)

    monkeypatch.setattr(plots, "save", keep)
    assert plots.kind_sweeps(
        merged, kinds, "torchvision", "batch", "latency_median_s", 1e3, "median latency (ms)", colours, "unused.png"
    )
    texts = boxes["texts"]
    assert len(texts) > 10
    for i, box in enumerate(texts):
        for other in texts[i + 1 :]:
            assert not box.overlaps(other), (box, other)
