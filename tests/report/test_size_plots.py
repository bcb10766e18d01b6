"""Latency against parameters and FLOPs (discussion) and the memory peaks (memory section): log axes,
asymmetric error bars, one style per family, hollow (face 'none') where a check failed, and a plot with
no valid data that says so. Inspected through the artists matplotlib holds."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from bench_job.bundle.records import to_frame
from bench_job.report.render.frame import prepare
from bench_job.report.render.plots import plt
from bench_job.report.run_report import write_run_report
from bench_job.report.sections.size_plots import HOLLOW_LABEL, NO_VALID, latency_scatter, memory_figure
from tests.report.synthetic import CONFIG, ENV, measured

MIB = 1024**2


def records():
    return [
        measured("small", 1, 224, 0.010, params=1e6, flops=1e9),
        measured("mid", 1, 224, 0.030, params=5e6, flops=4e9, invalid="the device throttled"),
        measured("big", 1, 224, 0.050, params=20e6, flops=9e9),
        measured("bert", 1, 128, 0.080, family="transformers", params=110e6, flops=22e9),
    ]


def marker_lines(ax):
    """The data markers (the error bars' caps are lines of '_' markers)."""
    return [line for line in ax.lines if line.get_marker() in ("o", "s") and line.get_linestyle() == "None"]


def test_latency_against_parameters_has_log_axes_and_hollow_invalid_points():
    fig = latency_scatter(prepare(to_frame(records())), "params")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    hollow = [line for line in marker_lines(ax) if line.get_markerfacecolor() == "none"]
    filled = [line for line in marker_lines(ax) if line.get_markerfacecolor() != "none"]
    assert [(list(line.get_xdata()), list(line.get_ydata())) for line in hollow] == [([5.0], [30.0])]
    assert sorted(float(x) for line in filled for x in line.get_xdata()) == [1.0, 20.0, 110.0]
    # one marker per family
    assert {line.get_marker() for line in filled} == {"o", "s"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["torchvision", "transformers", HOLLOW_LABEL]
    assert ax.get_legend().legend_handles[-1].get_markerfacecolor() == "none"
    assert "lower and upper ends" in ax.get_ylabel() and "±" not in ax.get_ylabel()
    plt.close(fig)


def test_error_bars_are_asymmetric_from_the_interval_ends():
    # the lab's skewed interval: 142.42-1175.21 ms around 146.63 ms
    rows = [
        measured("a", 1, 224, 0.14663, params=1e6, latency_median_ci_low_s=0.14242, latency_median_ci_high_s=1.17521),
        measured("b", 1, 224, 0.01, params=2e6),
    ]
    fig = latency_scatter(prepare(to_frame(rows)), "flops")
    ax = fig.axes[0]
    ends = sorted(
        (round(float(seg[:, 1].min()), 2), round(float(seg[:, 1].max()), 2))
        for bars in ax.collections
        for seg in bars.get_segments()
    )
    assert ends == [(9.7, 10.4), (142.42, 1175.21)]
    low, high = ends[1]
    assert round(146.63 - low, 2) != round(high - 146.63, 2)
    plt.close(fig)


def test_a_scatter_with_no_valid_point_says_so():
    rows = [
        measured(m, 1, 224, 0.01 * (i + 1), params=1e6 * (i + 1), invalid="the device throttled")
        for i, m in enumerate(["a", "b", "c"])
    ]
    fig = latency_scatter(prepare(to_frame(rows)), "params")
    assert NO_VALID in [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)


def test_a_scatter_with_valid_points_has_no_such_note():
    fig = latency_scatter(prepare(to_frame(records())), "params")
    assert NO_VALID not in [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)


def split(framework, weights, activations) -> dict:
    return dict(
        framework_rss_bytes=framework * MIB,
        weights_rss_bytes=weights * MIB,
        activations_rss_bytes=activations * MIB,
        peak_rss_bytes=(framework + weights + activations) * MIB,
    )


def test_memory_bars_stack_the_split_and_draw_invalid_configurations_hollow():
    rows = [
        measured("m", 1, 64, 0.01, **split(900, 14, 20)),
        measured("m", 2, 64, 0.02, invalid="the machine swapped (3 pages in, 0 out)", **split(900, 14, 60)),
    ]
    fig = memory_figure(prepare(to_frame(rows)))
    ax = fig.axes[0]
    bars = ax.patches
    assert len(bars) == 6  # two configurations x three parts
    widths = [(round(b.get_x()), round(b.get_width())) for b in bars]
    assert widths == [(0, 900), (900, 14), (914, 20), (0, 900), (900, 14), (914, 60)]
    assert all(to_rgba(b.get_facecolor())[3] == 1 for b in bars[:3])
    assert all(to_rgba(b.get_facecolor())[3] == 0 for b in bars[3:])  # facecolor 'none'
    assert [t.get_text() for t in ax.get_yticklabels()] == ["m b1/64", "m b2/64"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["framework", "weights", "activations", HOLLOW_LABEL]
    plt.close(fig)


def test_memory_plot_of_older_records_draws_the_unsplit_peak():
    fig = memory_figure(prepare(to_frame([measured("m", 1, 64, 0.01)])))
    ax = fig.axes[0]
    assert [round(b.get_width(), 1) for b in ax.patches] == [round(5e8 / MIB, 1)]
    assert "not split" in ax.get_legend().get_texts()[0].get_text()
    plt.close(fig)


def test_the_report_places_the_plots_and_says_when_nothing_is_valid(tmp_path):
    write_run_report(to_frame(records()), CONFIG, ENV, str(tmp_path))
    report = (tmp_path / "report.md").read_text()
    discussion = report.split("\n## Discussion\n")[1]
    assert "![latency vs parameters](plots/latency_vs_params.png)" in discussion
    assert "![latency vs FLOPs](plots/latency_vs_flops.png)" in discussion
    memory = report.split("\n## Memory\n")[1].split("\n## ")[0]
    assert "![memory peaks](plots/memory_peaks.png)" in memory
    for name in ("latency_vs_params.png", "latency_vs_flops.png", "memory_peaks.png"):
        assert (tmp_path / "plots" / name).stat().st_size > 1000

    bad = [
        measured(m, 1, 224, 0.01 * (i + 1), params=1e6 * (i + 1), invalid="the device throttled")
        for i, m in enumerate(["a", "b", "c"])
    ]
    out = tmp_path / "bad"
    write_run_report(to_frame(bad), CONFIG, ENV, str(out))
    report = (out / "report.md").read_text()
    assert "No valid point to plot: every model's row at the common configuration failed a validity check" in report
    assert "No valid bar to plot: every configuration with a memory peak failed a validity check" in report


def test_no_model_with_both_figures_gives_no_scatter_and_says_so(tmp_path):
    rows = [measured("a", 1, 224, 0.01, params=None, flops=None)]
    write_run_report(to_frame(rows), CONFIG, ENV, str(tmp_path))
    assert latency_scatter(prepare(to_frame(rows)), "params") is None
    assert "No scatter of latency against parameters or FLOPs" in (tmp_path / "report.md").read_text()
    assert not np.any([p.name.startswith("latency_vs_params") for p in (tmp_path / "plots").iterdir()])
