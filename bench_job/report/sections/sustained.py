"""Sustained performance: each soaked configuration's burst against what it held (first and last window medians,
their ratio), when it first throttled, its peak temperature and the energy per inference of its first and last
window, with one time-series figure per soak from its CSV in the bundle, and a verdict line per soak that
throttled. Soak rows (scenario sustained) are set apart from the sweep's before any other section sees the table
(run_report.build_report), so they never enter its tables, plots, correlations or validity counts."""

from __future__ import annotations

import csv
import os

from bench_job.report.render.document import Figure, Heading, Table, Text
from bench_job.report.render.markdown import missing, ms, num
from bench_job.report.render.soak_plot import write_soak_figure

HEADERS = [
    "model",
    "configuration",
    "soak (s)",
    "first window median (ms)",
    "last window median (ms)",
    "held (last / first speed)",
    "first throttle (s)",
    "peak temperature (C)",
    "energy / inference first (J)",
    "energy / inference last (J)",
]


def _label(row) -> str:
    return f"{row['model']} [{row['variant']}]" if row.get("variant") else str(row["model"])


def _configuration(row) -> str:
    return f"batch {int(row['batch_size'])}, {int(row['input_size'])} {row.get('input_unit') or ''}".strip()


def _onset(row) -> str:
    if not missing(row["throttle_onset_s"]):
        return f"{row['throttle_onset_s']:.0f}"
    return "none" if row["status"] == "ok" else ""


def _cell(value, digits=3) -> str:
    return num(value, digits)


def table_row(row) -> list:
    if row["status"] != "ok":
        return [_label(row), _configuration(row), f"{row['status']}: {row.get('reason') or ''}"] + [""] * 7
    return [
        _label(row),
        _configuration(row),
        f"{row['sustained_s']:.0f}",
        ms(row["sustained_first_median_s"]),
        ms(row["sustained_last_median_s"]),
        "" if missing(row["sustained_perf_ratio"]) else f"{row['sustained_perf_ratio']:.0%}",
        _onset(row),
        _cell(row["sustained_peak_temp_c"]),
        _cell(row["sustained_first_energy_j"]),
        _cell(row["sustained_last_energy_j"]),
    ]


def read_series(root: str, member) -> list | None:
    """The soak CSV's rows, or None where the bundle does not hold it."""
    if not isinstance(member, str) or not member:
        return None
    path = os.path.join(root, *member.split("/"))
    if not os.path.isfile(path):
        return None
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def throttle_line(row) -> str | None:
    """'resnet18 (batch 1, 224 px) throttled after 5 s and held 50% of its burst speed' for a soak that throttled."""
    if row["status"] != "ok" or missing(row["throttle_onset_s"]):
        return None
    return (
        f"{_label(row)} ({_configuration(row)}) throttled after {row['throttle_onset_s']:.0f} s of its "
        f"{row['sustained_s']:.0f} s soak and held {row['sustained_perf_ratio']:.0%} of its burst speed"
    )


def sustained_verdicts(soaks) -> list:
    """The verdict's (label, detail) per soak that throttled: the device does not hold its burst figures."""
    if soaks is None:
        return []
    lines = [throttle_line(row) for _, row in soaks.iterrows()]
    return [("soak throttled", f"{line} (see Sustained performance)") for line in lines if line]


def sustained_section(frame, ctx) -> list:
    soaks = ctx.soaks
    if soaks is None or soaks.empty:
        return []
    blocks = [
        Heading(2, "Sustained performance"),
        Text(
            "Each soaked configuration ran back to back for the soak's length after its model's sweep, measured in "
            "windows: the first window is the burst a short benchmark sees, the last what the device holds. Held = "
            "first window median / last window median (100%: no loss). The first throttle is the first window with "
            "a throttle flag (firmware flags, a CPU cap below the soak's start, a zone at its passive trip) or a "
            "clock more than 10% below the first window's. A soak that throttled is a finding, not an invalid row."
        ),
        Table(HEADERS, [table_row(row) for _, row in soaks.iterrows()]),
    ]
    lines = [line for line in (throttle_line(row) for _, row in soaks.iterrows()) if line]
    if lines:
        blocks.append(Text("; ".join(lines) + "."))
    os.makedirs(ctx.plot_dir, exist_ok=True)
    for _, row in soaks[soaks["status"] == "ok"].iterrows():
        rows = read_series(ctx.series_root or ctx.out_dir, row["sustained_series"])
        if not rows:
            blocks.append(
                Text(f"{_label(row)}: the soak's time series `{row['sustained_series']}` is not in this bundle.")
            )
            continue
        name = "sustained_" + os.path.basename(row["sustained_series"]).replace(".csv", ".png")
        title = f"{_label(row)}, {_configuration(row)}: soak" + ctx.plot_title_suffix
        write_soak_figure(rows, os.path.join(ctx.plot_dir, name), title)
        blocks.append(
            Figure(
                f"plots/{name}",
                f"{_label(row)}: latency, temperature, clock and power over the soak; dashed: throttle events",
            )
        )
    return blocks
