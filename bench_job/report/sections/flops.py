"""FLOPs and MACs per configuration, the GFLOP/s achieved, and the fraction of the device's measured
matmul peak (env.json peak_gflops) that represents."""

from __future__ import annotations

from bench_job.report.render.document import Heading, Table, Text
from bench_job.report.render.frame import measured
from bench_job.report.render.markdown import ms, num
from bench_job.report.sections.overview import other_share_limit


def achieved(frame, peak):
    """achieved_gflops and peak_fraction per measured row: the recorded ones, else computed the same way
    (FLOPs / median latency) for bundles that predate those columns."""
    ok = measured(frame)
    ok = ok[ok["flops"].notna()].copy()
    computed = ok["flops"] / ok["latency_median_s"] / 1e9
    ok["achieved_gflops"] = ok["achieved_gflops"].fillna(computed)
    if peak:
        ok["peak_fraction"] = ok["peak_fraction"].fillna(ok["achieved_gflops"] / peak)
    return ok


def flops_section(frame, ctx) -> list:
    peak = ctx.env.get("peak_gflops")
    ok = achieved(frame, peak)
    if ok.empty:
        why = "no configuration was measured" if measured(frame).empty else "no measured configuration counted them"
        return [Heading(2, "FLOPs and achieved throughput"), Text(f"No FLOPs were recorded: {why}.")]
    rows = [
        [
            r["model"],
            r["variant"],
            int(r["batch_size"]),
            f"{int(r['input_size'])} {r['input_unit']}",
            f"{r['flops'] / 1e9:.3f}",
            f"{r['macs'] / 1e9:.3f}",
            ms(r["latency_median_s"]) + (" †" if r["valid"] is False else ""),
            num(r["achieved_gflops"]),
            "" if r["peak_fraction"] != r["peak_fraction"] else f"{r['peak_fraction']:.1%}" + over_mark(r),
        ]
        for _, r in ok.iterrows()
    ]
    peak_text = (
        f"The device's fp32 matmul peak, measured before the sweep, is {num(peak)} GFLOP/s."
        if peak
        else "The device peak was not measured, so no fraction is given."
    )
    busy, limit = ctx.env.get("peak_other_cpu_share"), other_share_limit(ctx.config)
    if peak and busy is not None and limit is None:
        peak_text += (
            f" Other processes used {busy:.0%} of the CPU while it was measured (the bundle's config "
            "records no limit on their share to judge that by)."
        )
    elif peak and busy is not None and busy > limit:
        peak_text += (
            f" Other processes used {busy:.0%} of the CPU while it was measured: it is low, and every "
            "fraction of it high."
        )
    return [
        Heading(2, "FLOPs and achieved throughput"),
        Text(
            "FLOPs from `torch.utils.flop_counter.FlopCounterMode` (2 per multiply-add; transformers counted "
            "with eager attention so the attention matmuls are included). MACs are half: tools such as ptflops "
            "and fvcore, and torchvision's documented GFLOPS, report MACs under the name FLOPs. Achieved GFLOP/s "
            "= FLOPs / median latency. " + peak_text
        ),
        Table(
            [
                "model",
                "variant",
                "batch",
                "input",
                "GFLOPs",
                "GMACs",
                "median ms",
                "achieved GFLOP/s",
                "of device peak",
            ],
            rows,
        ),
        extremes(ok),
    ] + over_peak(ok, peak)


OVER_PEAK_MARK = " ‡"


def over_mark(row) -> str:
    return OVER_PEAK_MARK if row["peak_fraction"] > 1 else ""


def over_peak(ok, peak) -> list:
    """A row faster than the device's measured peak is not physical: the peak was measured low (other
    processes busy while it ran, or a run that measured it again on resume), or the row against another
    peak. Said, never left as a silent 134%."""
    if not peak or "peak_fraction" not in ok:
        return []
    over = ok[ok["peak_fraction"] > 1]
    if over.empty:
        return []
    worst = over.loc[over["peak_fraction"].idxmax()]
    return [
        Text(
            f"‡ {len(over)} row(s) exceed the device's measured peak of {num(peak)} GFLOP/s (up to "
            f"{worst['peak_fraction']:.1%}, {worst['model']} at batch {int(worst['batch_size'])}): no "
            "configuration can run faster than the device's peak, so that peak was measured low (other "
            "processes busy while it ran) or these rows were computed against another one. Read their "
            "fractions as unreliable, not as a model beating the hardware."
        )
    ]


def extremes(ok) -> Text:
    """The highest and lowest achieved GFLOP/s among the valid rows (a finding, so never from rows that
    failed a check; † marks those in the table)."""
    valid = ok[ok["valid"] != False]  # noqa: E712 (object column of True/False/None)
    if valid.empty:
        return Text("† every row failed a validity check, so no highest or lowest throughput is named.")
    best = valid.loc[valid["achieved_gflops"].idxmax()]
    worst = valid.loc[valid["achieved_gflops"].idxmin()]
    marked = " († failed a validity check: not compared)" if len(valid) < len(ok) else ""
    return Text(
        f"Highest: {best['model']} at batch {int(best['batch_size'])}, {int(best['input_size'])} "
        f"{best['input_unit']} ({num(best['achieved_gflops'])} GFLOP/s); lowest: {worst['model']} at batch "
        f"{int(worst['batch_size'])}, {int(worst['input_size'])} {worst['input_unit']} "
        f"({num(worst['achieved_gflops'])} GFLOP/s), among the valid rows{marked}. Models far below the peak "
        "are bound by memory traffic or small, poorly parallel layers rather than arithmetic."
    )
