"""Validity: which figures to distrust, from the records' own `valid` / `invalid_reasons`, and what a
busy machine cost the measurement (rounds set aside and redone, time waited for quiet)."""

from bench_job.report.document import Heading, Table, Text
from bench_job.report.frame import measured
from bench_job.units import format_duration


def busy_machine_blocks(ok) -> list:
    """The rounds other processes disturbed: how many were redone, per configuration, and the waiting."""
    if "rounds" not in ok or ok["rounds"].isna().all():
        return []  # bundles from before interleaved rounds
    redone = ok[ok["rounds_redone"].fillna(0) > 0]
    waited = ok["quiet_wait_s"].fillna(0).sum()
    kept = int(ok["rounds"].fillna(0).sum())
    if redone.empty:
        return [Text(f"No timing round was disturbed by other processes: all {kept} rounds were kept"
                     + (f" (the job waited {format_duration(waited)} for quiet before some)." if waited else "."))]
    rows = [[r["model"], r["variant"], int(r["batch_size"]), f"{int(r['input_size'])} {r['input_unit']}",
             int(r["rounds"]), int(r["rounds_redone"]), r["redo_reasons"] or ""]
            for _, r in redone.iterrows()]
    return [Text(f"Other processes disturbed {int(redone['rounds_redone'].sum())} timing round(s) of "
                 f"{len(redone)} configuration(s); those rounds were set aside (they stay in `rounds_detail`) and "
                 f"redone, and the job waited {format_duration(waited)} in all for the machine to quieten. The "
                 "figures pool the kept rounds only."),
            Table(["model", "variant", "batch", "input", "rounds kept", "rounds redone", "why"], rows)]


def validity_section(frame, ctx) -> list:
    ok = measured(frame)
    blocks = [Heading(2, "Validity: which figures to distrust")]
    if ok.empty:
        return blocks + [Text("Nothing was measured.")]
    blocks += busy_machine_blocks(ok)
    if ok["valid"].isna().all():
        return blocks + [Text("Not recorded: this bundle's records predate the validity check; judge by the CI "
                              "column (latency_ci_rel) and the swap and throttle flags.")]
    bad = ok[ok["valid"] == False]  # noqa: E712
    if bad.empty:
        return blocks + [Text(f"All {len(ok)} measured configurations passed the checks (enough runs, CI within "
                              "target, no throttling or swapping, enough power samples).")]
    rows = [[r["model"], r["variant"], int(r["batch_size"]), f"{int(r['input_size'])} {r['input_unit']}",
             r["invalid_reasons"]] for _, r in bad.iterrows()]
    return blocks + [Text(f"{len(bad)} of {len(ok)} measured configurations failed a check: read their figures as "
                          "indicative only."),
                     Table(["model", "variant", "batch", "input", "why"], rows)]
