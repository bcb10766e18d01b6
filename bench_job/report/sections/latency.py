"""Latency: tables per sweep (the median with its 95% CI, n), the sweep plots, and the configurations
whose timing distribution has a long tail (named, with the ratios). The rule (which statistic, which
interval) is stated once, in the section's opening paragraph."""

from __future__ import annotations

from bench_job.report.render.document import Figure, Heading, Table, Text
from bench_job.report.render.frame import in_sweep, measured
from bench_job.report.render.markdown import missing, ms
from bench_job.report.render.plots import write_sweep_plots
from bench_job.report.render.statistic import MEDIAN, Statistic, latency_statistic

# A tail this long means some runs were disturbed (another process, a page fault storm, a frequency
# change): the mean then over-states the typical latency and the median is the figure to use.
P99_OVER_MEDIAN = 1.5
MAX_OVER_MEDIAN = 2.0


INVALID_MARK = "†"


def latency_cell(row, stat: Statistic) -> str:
    """'12.30 [11.90-12.80] (n=40)', '†' appended where the configuration failed a validity check."""
    low, high = row[stat.low], row[stat.high]
    interval = "no CI recorded" if missing(low) or missing(high) else f"{ms(low)}-{ms(high)}"
    runs = "" if missing(row["n_runs"]) else f" (n={int(row['n_runs'])})"
    mark = f" {INVALID_MARK}" if row["valid"] == False else ""  # noqa: E712 (True/False/None)
    return f"{ms(row[stat.centre])} [{interval}]{runs}{mark}"


def sweep_table(frame, sweep: str, stat: Statistic) -> list:
    rows = in_sweep(measured(frame), sweep)
    column = "batch_size" if sweep == "batch" else "input_size"
    blocks = []
    for family, data in rows.groupby("family", sort=False):
        sizes = sorted(data[column].unique())
        table_rows = []
        for (model, variant), group in data.groupby(["model", "variant"], sort=False):
            cells = {r[column]: latency_cell(r, stat) for _, r in group.iterrows()}
            table_rows.append([model, variant] + [cells.get(s, "") for s in sizes])
        unit = data["input_unit"].iloc[0]
        prefix = "batch " if sweep == "batch" else f"{unit} "
        fixed = (
            f"at input size {int(data['input_size'].mode().iloc[0])} {unit}" if sweep == "batch" else "at batch size 1"
        )
        blocks += [
            Text(f"**{family}** ({fixed})"),
            Table(["model", "variant"] + [f"{prefix}{int(s)}" for s in sizes], table_rows),
        ]
    return blocks


def outliers(frame):
    """Measured rows with a long tail: p99/median or max/median over the thresholds."""
    ok = measured(frame).copy()
    ok["p99_ratio"] = ok["latency_p99_s"] / ok["latency_median_s"]
    ok["max_ratio"] = ok["latency_max_s"] / ok["latency_median_s"]
    return ok[(ok["p99_ratio"] > P99_OVER_MEDIAN) | (ok["max_ratio"] > MAX_OVER_MEDIAN)]


def outlier_blocks(frame) -> list:
    bad = outliers(frame)
    intro = (
        f"Configurations whose slowest runs are far from the typical one (p99/median > {P99_OVER_MEDIAN} or "
        f"max/median > {MAX_OVER_MEDIAN}): a few runs were disturbed, which pulls a mean up but barely moves "
        "a median."
    )
    if bad.empty:
        return [
            Heading(3, "Outliers"),
            Text(intro),
            Text("None: every configuration's p99 and maximum stay within those bounds of its median."),
        ]
    rows = [
        [
            r["model"],
            r["variant"],
            int(r["batch_size"]),
            f"{int(r['input_size'])} {r['input_unit']}",
            ms(r["latency_median_s"]),
            ms(r["latency_p99_s"]),
            ms(r["latency_max_s"]),
            f"{r['p99_ratio']:.2f}",
            f"{r['max_ratio']:.2f}",
        ]
        for _, r in bad.sort_values("max_ratio", ascending=False).iterrows()
    ]
    return [
        Heading(3, "Outliers"),
        Text(intro),
        Table(
            ["model", "variant", "batch", "input", "median ms", "p99 ms", "max ms", "p99/median", "max/median"], rows
        ),
    ]


def rule(stat: Statistic) -> str:
    """The one statement of what the latency figures are, for the section's opening paragraph."""
    if stat is MEDIAN:
        what = (
            "Each figure is the **median** latency of the forward pass in ms, with its 95% confidence interval "
            f"in brackets ({stat.interval}) and the number of timed runs n pooled over the rounds; warm-up "
            "excluded. The median stays with the typical run when other processes disturb a few runs, which "
            "pull the mean up. This one statistic is used throughout: the tables, the plots (error bars: the "
            "same interval) and the discussion."
        )
    else:
        what = (
            "This bundle's records predate the median's confidence interval (results schema before 3), so the "
            "tables and plots show the **mean** latency of the forward pass in ms with its 95% confidence "
            f"interval ({stat.interval}) in brackets and the number of timed runs n; the discussion uses the "
            "median, which every bundle records."
        )
    return (
        what + f" {INVALID_MARK} in a table and a hollow point in a plot: the configuration failed a validity "
        "check (see Validity). The plots use log-log axes: a straight line of slope 1 is latency proportional "
        "to size."
    )


def latency_section(frame, ctx) -> list:
    if measured(frame).empty:
        return [Heading(2, "Latency"), Text("Nothing was measured.")]
    stat = latency_statistic(frame)
    blocks = [Heading(2, "Latency"), Text(rule(stat))]
    for sweep, title in (("batch", "Latency vs batch size"), ("input", "Latency vs input size")):
        tables = sweep_table(frame, sweep, stat)
        if tables:
            blocks += [Heading(3, title)] + tables
    plots = write_sweep_plots(frame, ctx.plot_dir, "latency", ctx.colours, ctx.plot_title_suffix)
    blocks += [Figure(p, p.split("/")[-1][:-4].replace("_", " ")) for p in plots]
    return blocks + outlier_blocks(frame)
