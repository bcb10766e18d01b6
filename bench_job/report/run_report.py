"""The per-run report: report.md and a self-contained report.html, with their plots, built from the
results table, the resolved config, the environment facts and the run's outcome alone (so a bundle can
be re-reported)."""

from __future__ import annotations

import os

from bench_job.bundle import names
from bench_job.bundle.outcome import RunOutcome
from bench_job.bundle.real_clock_member import read_real_clock
from bench_job.report.render import html, markdown
from bench_job.report.render.document import Heading
from bench_job.report.render.frame import loadgen_rows, prepare, sustained_rows, sweep_rows
from bench_job.report.render.plots import model_colours
from bench_job.report.sections.accuracy import accuracy_section
from bench_job.report.sections.context import Context
from bench_job.report.sections.discussion import discussion_section
from bench_job.report.sections.energy import energy_section
from bench_job.report.sections.flops import flops_section
from bench_job.report.sections.latency import latency_section
from bench_job.report.sections.memory import memory_section
from bench_job.report.sections.mlperf import mlperf_section
from bench_job.report.sections.overview import header, models_section
from bench_job.report.sections.params import params_section
from bench_job.report.sections.runtimes import runtime_section
from bench_job.report.sections.sustained import sustained_section
from bench_job.report.sections.trust import validity_section
from bench_job.report.sections.verdict import verdict

# The lab's order of questions.
SECTIONS = [
    models_section,
    params_section,
    latency_section,
    energy_section,
    memory_section,
    flops_section,
    runtime_section,
    mlperf_section,
    sustained_section,
    accuracy_section,
    validity_section,
    discussion_section,
]


def title_of(env: dict) -> str:
    return f"Edge inference benchmark: {env.get('device_kind', '?')} ({env.get('hostname', '?')})"


def build_report(
    frame,
    config_data: dict,
    env: dict,
    out_dir: str,
    outcome: RunOutcome | None = None,
    real_clock: list = (),
    series_root: str | None = None,
) -> list:
    """The report's blocks; plots are written under out_dir/plots as the sections need them. outcome:
    the bundle's outcome.json (None for bundles that predate it); real_clock: its real_clock.json; series_root:
    the bundle's folder, where its soaks' time series are (None: out_dir). The soak rows and the MLPerf
    scenarios' rows are set apart here: every section but Sustained performance and MLPerf scenarios reads the
    sweep's rows only."""
    frame = prepare(frame)
    soaks, loadgen, frame = sustained_rows(frame), loadgen_rows(frame), sweep_rows(frame)
    ctx = Context(
        config_data or {},
        env or {},
        out_dir,
        model_colours(frame["model"]),
        outcome,
        real_clock=list(real_clock),
        soaks=soaks,
        loadgen=loadgen,
        series_root=series_root or out_dir,
    )
    # The verdict comes right under the title: it is what a reader must see before any figure.
    blocks = [Heading(1, title_of(ctx.env)), verdict(frame, ctx)] + header(frame, ctx)
    for section in SECTIONS:
        blocks += section(frame, ctx)
    return blocks


def write_run_report(
    frame,
    config_data: dict,
    env: dict,
    out_dir: str,
    outcome: RunOutcome | None = None,
    real_clock: list | None = None,
    series_root: str | None = None,
) -> tuple[str, str]:
    """Write out_dir/report.md, out_dir/report.html and out_dir/plots/*; returns the two report paths.
    real_clock: the bundle's real_clock.json; None reads it from out_dir (a run reports into its work folder)."""
    os.makedirs(out_dir, exist_ok=True)
    real_clock = read_real_clock(out_dir) if real_clock is None else real_clock
    blocks = build_report(frame, config_data, env, out_dir, outcome, real_clock, series_root)
    md_path, html_path = os.path.join(out_dir, names.REPORT_MD), os.path.join(out_dir, names.REPORT_HTML)
    with open(md_path, "w") as handle:
        handle.write(markdown.render(blocks))
    with open(html_path, "w") as handle:
        handle.write(html.render(blocks, title_of(env or {}), out_dir))
    return md_path, html_path
