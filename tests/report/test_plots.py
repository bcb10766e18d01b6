"""Sweep plots show the statistic the tables show (the median and its CI, or the mean for older bundles,
saying so) and draw the points that failed a validity check hollow, with a legend entry saying so. The
figures are inspected through sweep_figure (the artists matplotlib holds), not their pixels."""

from __future__ import annotations

from matplotlib.colors import to_rgba

from bench_job.bundle.records import to_frame
from bench_job.report.render.frame import prepare
from bench_job.report.render.plots import INVALID_LABEL, PLOT_GROUPS, model_colours, plt, sweep_figure
from bench_job.report.render.statistic import MEAN, MEDIAN, latency_statistic
from tests.report.synthetic import measured

VISION = PLOT_GROUPS[0]
WHITE = to_rgba("white")


def frame_of(records):
    frame = prepare(to_frame(records))
    return frame, model_colours(frame["model"])


def markers(ax) -> dict:
    """'filled' / 'hollow' -> set of (x, y) drawn with a marker and no line."""
    out = {"filled": set(), "hollow": set()}
    for line in ax.lines:
        if line.get_marker() == "o" and line.get_linestyle() == "None":
            kind = "hollow" if to_rgba(line.get_markerfacecolor()) == WHITE else "filled"
            out[kind] |= {(float(x), round(float(y), 6)) for x, y in zip(line.get_xdata(), line.get_ydata())}
    return out


def test_invalid_points_are_hollow_and_the_legend_says_so():
    frame, colours = frame_of(
        [
            measured("m", 1, 64, 0.010),
            measured("m", 2, 64, 0.030, invalid="the device throttled"),
            measured("m", 4, 64, 0.040),
        ]
    )
    fig = sweep_figure(frame, "latency", "batch", VISION, colours, latency_statistic(frame))
    ax = fig.axes[0]
    assert markers(ax) == {"filled": {(1.0, 10.0), (4.0, 40.0)}, "hollow": {(2.0, 30.0)}}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["m", INVALID_LABEL]
    plt.close(fig)


def test_a_plot_without_invalid_points_has_no_hollow_legend_entry():
    frame, colours = frame_of([measured("m", 1, 64, 0.010), measured("m", 2, 64, 0.020)])
    fig = sweep_figure(frame, "latency", "batch", VISION, colours, latency_statistic(frame))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["m"]
    assert not markers(fig.axes[0])["hollow"]
    plt.close(fig)


def error_bar_ends(ax) -> list:
    """(low, high) in display units for each point, from the error bars' line collection."""
    (bars,) = ax.collections
    return sorted((round(float(seg[:, 1].min()), 6), round(float(seg[:, 1].max()), 6)) for seg in bars.get_segments())


def test_error_bars_are_the_medians_ci():
    frame, colours = frame_of([measured("m", 1, 64, 0.010), measured("m", 2, 64, 0.020)])
    assert latency_statistic(frame) is MEDIAN
    fig = sweep_figure(frame, "latency", "batch", VISION, colours, MEDIAN)
    ax = fig.axes[0]
    # synthetic.measured: median CI at 0.97x and 1.04x the median
    assert error_bar_ends(ax) == [(9.7, 10.4), (19.4, 20.8)]
    assert "median)\nerror bars: its 95% CI, lower and upper ends" in ax.get_ylabel()
    plt.close(fig)


def test_older_bundles_fall_back_to_the_means_ci_and_say_so():
    records = [
        dict(
            measured(
                "m",
                b,
                64,
                0.010 * b,
                latency_mean_s=0.011 * b,
                latency_ci_low_s=0.0105 * b,
                latency_ci_high_s=0.0116 * b,
            ),
            schema_version=2,
            latency_median_ci_low_s=None,
            latency_median_ci_high_s=None,
        )
        for b in (1, 2)
    ]
    frame, colours = frame_of(records)
    assert latency_statistic(frame) is MEAN
    fig = sweep_figure(frame, "latency", "batch", VISION, colours, MEAN)
    ax = fig.axes[0]
    assert error_bar_ends(ax) == [(10.5, 11.6), (21.0, 23.2)]
    assert markers(ax)["filled"] == {(1.0, 11.0), (2.0, 22.0)}
    assert "(ms, mean)" in ax.get_ylabel() and "mean instead" in ax.get_ylabel()
    plt.close(fig)


def test_energy_plots_draw_invalid_points_hollow_too():
    energy = dict(energy_per_inference_j=0.5, power_source="rapl")
    frame, colours = frame_of(
        [
            measured("m", 1, 64, 0.010, **energy),
            measured(
                "m",
                2,
                64,
                0.020,
                invalid="only 4 power samples in the energy window (< 10)",
                **dict(energy, energy_per_inference_j=0.9),
            ),
        ]
    )
    fig = sweep_figure(frame, "energy", "batch", VISION, colours, MEDIAN)
    ax = fig.axes[0]
    assert markers(ax) == {"filled": {(1.0, 0.5)}, "hollow": {(2.0, 0.9)}}
    assert INVALID_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]
    assert not ax.collections  # no interval recorded for energy, so no error bars
    plt.close(fig)


def _log_panel(spread: bool):
    """A panel of log_axis on y over 3-40 and on x over 0.3-5 (about a decade each); spread: plain
    matplotlib log locators instead of log_axis' in-view ones (same scale and formatters)."""
    import numpy as np

    from bench_job.report.render.plots import log_axis

    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    ax.plot([0.3, 5], [3, 40])
    log_axis(ax, "y")
    log_axis(ax, "x")
    ax.grid(True, which="both")
    if spread:
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(axis.get_major_locator().inner)
            axis.set_minor_locator(axis.get_minor_locator().inner)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
    ticks = {name: (len(a.majorTicks), len(a.minorTicks)) for name, a in (("x", ax.xaxis), ("y", ax.yaxis))}
    view = ax.get_ylim()
    minor = ax.yaxis.get_minorticklocs()
    plt.close(fig)
    return pixels, ticks, view, minor


def test_log_axes_make_ticks_only_for_what_is_in_view_and_draw_the_same_image():
    import numpy as np

    pixels, ticks, (low, high), minor = _log_panel(spread=False)
    spread_pixels, spread_ticks, _, spread_minor = _log_panel(spread=True)
    assert np.array_equal(pixels, spread_pixels)
    assert all(low <= v <= high for v in minor) and set(minor) == {v for v in spread_minor if low <= v <= high}
    # matplotlib's locators return whole decades (y: 2-9 and 20-90 minor, 1, 10, 100 major), drawing the ticks
    # in view only
    assert ticks["y"][1] < spread_ticks["y"][1] and ticks["x"][1] < spread_ticks["x"][1]
