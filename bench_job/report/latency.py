"""Latency: tables per sweep (mean ± std, n), the sweep plots, and the configurations whose timing
distribution has a long tail (named, with the ratios)."""

from bench_job.report.document import Figure, Heading, Table, Text
from bench_job.report.frame import in_sweep, measured
from bench_job.report.markdown import ms
from bench_job.report.plots import write_sweep_plots

# A tail this long means some runs were disturbed (another process, a page fault storm, a frequency
# change): the mean then over-states the typical latency and the median is the figure to use.
P99_OVER_MEDIAN = 1.5
MAX_OVER_MEDIAN = 2.0


def sweep_table(frame, sweep: str) -> list:
    rows = in_sweep(measured(frame), sweep)
    column = "batch_size" if sweep == "batch" else "input_size"
    blocks = []
    for family, data in rows.groupby("family", sort=False):
        sizes = sorted(data[column].unique())
        table_rows = []
        for (model, variant), group in data.groupby(["model", "variant"], sort=False):
            cells = {r[column]: f"{ms(r['latency_mean_s'])} ± {ms(r['latency_std_s'])} (n={int(r['n_runs'])})"
                     for _, r in group.iterrows()}
            table_rows.append([model, variant] + [cells.get(s, "") for s in sizes])
        unit = data["input_unit"].iloc[0]
        prefix = "batch " if sweep == "batch" else f"{unit} "
        fixed = (f"at input size {int(data['input_size'].mode().iloc[0])} {unit}" if sweep == "batch"
                 else "at batch size 1")
        blocks += [Text(f"**{family}** ({fixed})"),
                   Table(["model", "variant"] + [f"{prefix}{int(s)}" for s in sizes], table_rows)]
    return blocks


def outliers(frame):
    """Measured rows with a long tail: p99/median or max/median over the thresholds."""
    ok = measured(frame).copy()
    ok["p99_ratio"] = ok["latency_p99_s"] / ok["latency_median_s"]
    ok["max_ratio"] = ok["latency_max_s"] / ok["latency_median_s"]
    return ok[(ok["p99_ratio"] > P99_OVER_MEDIAN) | (ok["max_ratio"] > MAX_OVER_MEDIAN)]


def outlier_blocks(frame) -> list:
    bad = outliers(frame)
    intro = (f"Configurations whose slowest runs are far from the typical one (p99/median > {P99_OVER_MEDIAN} or "
             f"max/median > {MAX_OVER_MEDIAN}); their means are pulled up by a few disturbed runs, so read their "
             "medians.")
    if bad.empty:
        return [Heading(3, "Outliers"), Text(intro), Text("None: every configuration's p99 and maximum stay within "
                                                          "those bounds of its median.")]
    rows = [[r["model"], r["variant"], int(r["batch_size"]), f"{int(r['input_size'])} {r['input_unit']}",
             ms(r["latency_median_s"]), ms(r["latency_p99_s"]), ms(r["latency_max_s"]), f"{r['p99_ratio']:.2f}",
             f"{r['max_ratio']:.2f}"] for _, r in bad.sort_values("max_ratio", ascending=False).iterrows()]
    return [Heading(3, "Outliers"), Text(intro),
            Table(["model", "variant", "batch", "input", "median ms", "p99 ms", "max ms", "p99/median",
                   "max/median"], rows)]


def latency_section(frame, ctx) -> list:
    blocks = [Heading(2, "Latency"),
              Text("Mean ± standard deviation of the forward pass in ms (n timed runs), warm-up excluded. The plots "
                   "show the mean with its 95% confidence interval on log-log axes: a straight line of slope 1 is "
                   "latency proportional to size.")]
    for sweep, title in (("batch", "Latency vs batch size"), ("input", "Latency vs input size")):
        tables = sweep_table(frame, sweep)
        if tables:
            blocks += [Heading(3, title)] + tables
    plots = write_sweep_plots(frame, ctx.plot_dir, "latency", ctx.colours)
    blocks += [Figure(p, p.split("/")[-1][:-4].replace("_", " ")) for p in plots]
    if not measured(frame).empty:
        blocks += outlier_blocks(frame)
    return blocks
