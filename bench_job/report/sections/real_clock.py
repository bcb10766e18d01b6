"""The real clock in the report (real_clock.json, host/clock_check.py): a header line with the clock the loop
measured at the run's start beside the reported one per core type, and a verdict entry naming every model after
which, and core type on which, the reported clock was not what ran (a gap beyond the run's margin)."""

from __future__ import annotations

from bench_job.host.clock_check import describe_entry, gaps_beyond_margin


def _start(measurements: list) -> dict | None:
    return next((m for m in measurements if m.get("after_model") is None), None)


def real_clock_line(ctx) -> str:
    """'real clock at the start of the run (...): cpu0-3: the loop sees 1800 MHz, cpufreq reports 1800 MHz
    (measured 0% below)', or why there is none."""
    start = _start(ctx.real_clock)
    if start is None:
        return (
            "real clock: not measured (no real_clock.json in the bundle: it predates the check, or "
            "real_clock.enabled was false)"
        )
    entries = start.get("core_types") or []
    text = "; ".join(describe_entry(entry) for entry in entries) or "no online CPU found"
    line = f"real clock at the start of the run (a calibrated loop of dependent adds per core type): {text}"
    beyond = gaps_beyond_margin(start)
    if beyond:
        line += f"; beyond the {start['margin']:.0%} margin on {', '.join(e['cpus'] for e in beyond)}"
    return line


def real_clock_problem(ctx):
    """(label, detail) where any measurement's gap is beyond its margin: when (the start, or after which model)
    and on which core type; None otherwise."""
    flagged = [(m, gaps_beyond_margin(m)) for m in ctx.real_clock]
    flagged = [(m, entries) for m, entries in flagged if entries]
    if not flagged:
        return None
    parts = [
        ("at the start" if m.get("after_model") is None else f"after {m['after_model']}")
        + ": "
        + "; ".join(describe_entry(e) for e in entries)
        for m, entries in flagged
    ]
    return (
        f"the reported CPU clock is not what ran ({len(flagged)} of {len(ctx.real_clock)} checks)",
        " | ".join(parts) + f". The margin was {flagged[0][0]['margin']:.0%}; read clock-dependent comparisons "
        "(against another device, or against cpufreq's figures) with the measured clock.",
    )
