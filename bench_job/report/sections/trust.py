"""Validity: which figures to distrust, from the records' own `valid` / `invalid_reasons`, and what a
busy machine cost the measurement (rounds set aside and redone, time waited for quiet)."""

from __future__ import annotations

from bench_job.report.render.document import Heading, Table, Text
from bench_job.report.render.frame import measured
from bench_job.report.sections.reasons import redo_why, why_invalid
from bench_job.units import format_duration


def busy_machine_blocks(ok, config: dict = None) -> list:
    """What other processes cost the timing: rounds set aside and redone, single runs set aside because
    the scheduler delayed them, and the time waited for quiet; per configuration where any happened."""
    if "rounds" not in ok or ok["rounds"].isna().all():
        return []  # bundles from before interleaved rounds
    redone, runs = ok["rounds_redone"].fillna(0), ok["runs_set_aside"].fillna(0)
    waited = ok["quiet_wait_s"].fillna(0).sum()
    hit = ok[(redone > 0) | (runs > 0)]
    if hit.empty:
        return [
            Text(
                f"No timing round or run was disturbed by other processes: all {int(ok['rounds'].sum())} rounds "
                "were kept" + (f" (the job waited {format_duration(waited)} for quiet before some)." if waited else ".")
            )
        ]
    rows = [
        [
            r["model"],
            r["variant"],
            int(r["batch_size"]),
            f"{int(r['input_size'])} {r['input_unit']}",
            int(r["rounds"]),
            int(redone[i]),
            int(runs[i]),
            int(r["n_runs"]),
            redo_why(r, config),
        ]
        for i, r in hit.iterrows()
    ]
    return [
        Text(
            f"Other processes disturbed the timing of {len(hit)} configuration(s): {int(redone.sum())} round(s) "
            f"were set aside and redone, and {int(runs.sum())} single run(s) inside kept rounds were set aside "
            "because the scheduler kept a thread of ours waiting for a CPU during them (all stay in "
            f"`rounds_detail`); the job waited {format_duration(waited)} in all for the machine to quieten. "
            "The figures pool the kept runs only."
        ),
        Table(
            [
                "model",
                "variant",
                "batch",
                "input",
                "rounds kept",
                "rounds redone",
                "runs set aside",
                "runs kept",
                "why",
            ],
            rows,
        ),
    ]


def validity_section(frame, ctx) -> list:
    ok = measured(frame)
    blocks = [Heading(2, "Validity: which figures to distrust")]
    if ok.empty:
        return blocks + [Text("Nothing was measured.")]
    blocks += busy_machine_blocks(ok, ctx.config)
    if ok["valid"].isna().all():
        return blocks + [
            Text(
                "Not recorded: this bundle's records predate the validity check; judge by the CI "
                "column (latency_ci_rel) and the swap and throttle flags."
            )
        ]
    bad = ok[ok["valid"] == False]  # noqa: E712
    if bad.empty:
        return blocks + [
            Text(
                f"All {len(ok)} measured configurations passed the checks (enough runs, CI within "
                "target, no throttling, power-state change or swapping, enough power samples)."
            )
        ]
    rows = [
        [
            r["model"],
            r["variant"],
            int(r["batch_size"]),
            f"{int(r['input_size'])} {r['input_unit']}",
            why_invalid(r, ctx.config),
        ]
        for _, r in bad.iterrows()
    ]
    return blocks + [
        Text(f"{len(bad)} of {len(ok)} measured configurations failed a check: read their figures as indicative only."),
        Table(["model", "variant", "batch", "input", "why"], rows),
    ]
