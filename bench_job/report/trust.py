"""Validity: which figures to distrust, from the records' own `valid` / `invalid_reasons`."""

from bench_job.report.document import Heading, Table, Text
from bench_job.report.frame import measured


def validity_section(frame, ctx) -> list:
    ok = measured(frame)
    blocks = [Heading(2, "Validity: which figures to distrust")]
    if ok.empty:
        return blocks + [Text("Nothing was measured.")]
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
