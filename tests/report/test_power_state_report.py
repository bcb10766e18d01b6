"""The power state in the run report: the header's line (from env.json's power_state snapshot, else from the
rows' schema-6 columns, saying when rows ran in more than one state), the suffix every plot title carries on a
Jetson bundle, and rows whose power state changed while measured shown where throttled rows are."""

from __future__ import annotations

from bench_job.bundle.records import to_frame
from bench_job.host.device_state import read_device_state
from bench_job.report.render.frame import prepare
from bench_job.report.render.plots import PLOT_GROUPS, model_colours, plt, sweep_figure
from bench_job.report.render.statistic import MEDIAN
from bench_job.report.run_report import write_run_report
from bench_job.report.sections.context import Context
from bench_job.report.sections.power_state import power_state_line
from bench_job.report.sections.size_plots import latency_scatter, memory_figure
from tests.host import jetson_trees
from tests.report.synthetic import CONFIG, ENV, measured

MAXN = dict(
    power_mode="MAXN",
    power_mode_id=0,
    jetson_clocks=True,
    cpu_freq_cap_mhz=2201.6,
    gpu_freq_cap_mhz=1300.5,
    emc_freq_cap_mhz=3199.0,
    cpus_online=12,
    power_state_changed=False,
)
MODE_30W = dict(MAXN, power_mode="MODE_30W", power_mode_id=2, jetson_clocks=False, gpu_freq_cap_mhz=624.75)
SWITCHED = "nvpmodel mode changed from MAXN (id 0) to MODE_30W (id 2)"


def orin_env(tmp_path) -> dict:
    """env.json of a Jetson run: its power_state is the device state read as the run started."""
    state = read_device_state(*jetson_trees.orin_maxn_jetson_clocks(tmp_path / "orin"), search_path="")
    return dict(ENV, device_kind="jetson", power_state=state)


def records():
    return [
        measured("tiny", 1, 64, 0.002, **MAXN),
        measured(
            "tiny",
            2,
            64,
            0.004,
            invalid=f"the power state changed during the run ({SWITCHED})",
            **dict(MAXN, power_state_changed=True, power_state_reasons=SWITCHED),
        ),
        measured("tiny", 4, 64, 0.008, **MODE_30W),
    ]


def test_the_header_names_the_start_state_the_states_rows_ran_in_and_the_changes(tmp_path):
    write_run_report(to_frame(records()), CONFIG, orin_env(tmp_path), str(tmp_path))
    report = (tmp_path / "report.md").read_text()
    assert (
        "- power state at the start of the run: nvpmodel MAXN (id 0), jetson_clocks on; CPU cap 2202 MHz, "
        "GPU cap 1300 MHz, EMC cap 3199 MHz; the configurations ran in 2 power state(s): [nvpmodel MAXN (id 0), "
        "jetson_clocks on; CPU cap 2202 MHz, GPU cap 1300 MHz, EMC cap 3199 MHz] (2), "
        "[nvpmodel MODE_30W (id 2), jetson_clocks off; CPU cap 2202 MHz, GPU cap 625 MHz, EMC cap 3199 MHz] (1); "
        "it changed while 1 configuration(s) were measured (not valid: see Validity)"
    ) in report
    # shown as a throttled row is: in the verdict's reasons, the Validity table and What broke the pattern
    assert f"reasons (configurations): the power state changed during the run ({SWITCHED}) (1)" in report
    assert f"| tiny | fp32 | 2 | 64 px | the power state changed during the run ({SWITCHED}) |" in report
    assert "1 configuration(s) saw the power state change while measured: tiny b2/64" in report


def test_without_the_snapshot_the_rows_say_it_and_old_bundles_say_it_is_not_recorded(tmp_path):
    ctx = Context(CONFIG, ENV, str(tmp_path))
    one_state = prepare(to_frame([measured("tiny", b, 64, 0.002 * b, **MAXN) for b in (1, 2)]))
    assert power_state_line(one_state, ctx) == (
        "power state: nvpmodel MAXN (id 0), jetson_clocks on; CPU cap 2202 MHz, GPU cap 1300 MHz, "
        "EMC cap 3199 MHz, 12 CPUs online"
    )
    assert power_state_line(prepare(to_frame(records())), ctx).startswith(
        "power state: not recorded at the start of the run; the configurations ran in 2 power state(s): "
    )
    # all rows in one state, but not the one the run started in (the mode was switched before the first)
    started_in_maxn = Context(CONFIG, orin_env(tmp_path), str(tmp_path))
    all_30w = prepare(to_frame([measured("tiny", b, 64, 0.002 * b, **MODE_30W) for b in (1, 2)]))
    assert power_state_line(all_30w, started_in_maxn).endswith(
        "; the configurations ran in 1 power state(s): [nvpmodel MODE_30W (id 2), jetson_clocks off; CPU cap 2202 MHz, "
        "GPU cap 625 MHz, EMC cap 3199 MHz] (2)"
    )
    assert ";" not in power_state_line(one_state, started_in_maxn).split("EMC cap 3199 MHz")[1]
    blind = read_device_state(str(tmp_path / "empty"), str(tmp_path / "empty"), search_path="")
    old = prepare(to_frame([measured("tiny", 1, 64, 0.002)]))
    assert power_state_line(old, Context(CONFIG, dict(ENV, power_state=blind), "")) == (
        "power state at the start of the run: nothing readable (no nvpmodel, cpufreq or devfreq)"
    )
    assert power_state_line(old, ctx) == "power state: not recorded (this bundle predates it)"


def test_every_plot_title_on_a_jetson_carries_the_power_state(tmp_path):
    ctx = Context(CONFIG, orin_env(tmp_path), str(tmp_path))
    assert ctx.plot_title_suffix == " [MAXN, jetson_clocks on]"
    frame = prepare(to_frame(records()))
    colours = model_colours(frame["model"])
    figures = [
        sweep_figure(frame, "latency", "batch", PLOT_GROUPS[0], colours, MEDIAN, ctx.plot_title_suffix),
        memory_figure(frame, ctx.plot_title_suffix),
        latency_scatter(frame, "params", MEDIAN, ctx.plot_title_suffix),
    ]
    for fig in figures:
        assert fig.axes[0].get_title().endswith(" [MAXN, jetson_clocks on]")
        plt.close(fig)


def test_plot_titles_elsewhere_are_unchanged_and_a_jetson_without_the_snapshot_says_so(tmp_path):
    assert Context(CONFIG, ENV, str(tmp_path)).plot_title_suffix == ""
    bare = Context(CONFIG, dict(ENV, device_kind="jetson"), str(tmp_path))
    assert bare.plot_title_suffix == " [power state not recorded]"
    unnamed = {"jetson_power_mode": None, "jetson_power_mode_id": 7, "jetson_clocks": None}
    assert Context(CONFIG, dict(ENV, device_kind="jetson", power_state=unnamed), "").plot_title_suffix == (
        " [nvpmodel id 7]"
    )
