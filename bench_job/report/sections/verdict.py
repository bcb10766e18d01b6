"""The verdict that opens the report: how far to trust this bundle, from the bundle alone. It names every
reason to distrust the figures (a partial run, nothing measured, accuracy known to be wrong because a label
map looks swapped, invalid rows with their reasons grouped, contention that persisted past the patience
with what helps, a Raspberry Pi that had throttled since boot before the run, models that started hot,
configurations that did not run, random weights where pretrained were asked, a budget overrun, no energy,
validity not recorded, soaks that throttled, LoadGen tests not VALID or not run), or says in one line that the
run is clean. On a Jetson whose GPU was not used, why comes first, above all of that."""

from __future__ import annotations

from bench_job.measure.validity import contention_advice, contention_persisted, reason_groups, swapped_figures
from bench_job.report.render.document import Verdict
from bench_job.report.render.frame import measured, model_variant_label
from bench_job.report.sections.energy import brief_power_reason, has_energy
from bench_job.report.sections.mlperf import mlperf_verdicts
from bench_job.report.sections.real_clock import real_clock_problem
from bench_job.report.sections.reasons import invalid_parts
from bench_job.report.sections.sustained import sustained_verdicts
from bench_job.report.sections.thermal import started_hot, throttled_before_run
from bench_job.report.sections.weights import fetch_problem, model_weights, unavailable_reasons
from bench_job.units import format_duration

TOP_REASONS = 3
NOT_RUN = ("oom", "error", "timeout", "skipped")


def _partial(outcome):
    if outcome is None or outcome.complete:
        return None
    never = outcome.never_measured
    how = f"stopped by {outcome.stopped_by}" if outcome.stopped_by else "it ended before the plan did"
    listed = ", ".join(f"`{key}`" for key in never) or "none listed"
    return (
        "PARTIAL run",
        f"{how}; {len(never)} of {outcome.planned} planned configurations were never measured: "
        f"{listed}. Run the same command again to resume and finish it.",
    )


def _nothing_measured(frame):
    if not measured(frame).empty:
        return None
    return (
        "nothing was measured",
        f"none of the {len(frame)} recorded configurations produced figures"
        if len(frame)
        else "the bundle holds no record",
    )


def _label_map_swapped(frame):
    ok = measured(frame)
    wrong = ok[ok["label_map_swapped"] == True]  # noqa: E712 (True/False/None)
    if wrong.empty:
        return None
    # accuracy belongs to a model variant, not to a configuration: one line each
    models = wrong.groupby(["model", "variant"], sort=False).first().reset_index()
    label = model_variant_label(ok)
    names = ", ".join(dict.fromkeys(label(r["model"], r["variant"]) for _, r in models.iterrows()))
    return (
        f"label map looks swapped for {names}: accuracy wrong",
        "; ".join(
            f"{label(r['model'], r['variant'])} on {r['eval_dataset']}: "
            + swapped_figures(r["accuracy"], r["accuracy_swapped"])
            for _, r in models.iterrows()
        )
        + ". These rows are marked not valid and kept off every Pareto front; fix the checkpoint's label map "
        "(`label_map` in the model's config entry, or the checkpoint's id2label) and run again.",
    )


def _invalid(frame, config: dict = None):
    ok = measured(frame)
    bad = ok[ok["valid"] == False]  # noqa: E712 (object column of True/False/None)
    if bad.empty:
        return None
    label = (
        f"ALL {len(ok)} measured configurations failed a validity check"
        if len(bad) == len(ok)
        else f"{len(bad)} of {len(ok)} measured configurations failed a validity check"
    )
    # as the Validity table states them (a missing reason redone from the figures, an asymmetric interval
    # as its lower/upper distances), in % only so that rows group
    groups = reason_groups("; ".join(invalid_parts(r, config, in_ms=False)) for _, r in bad.iterrows())
    shown = [f"{reason} ({count})" for reason, count in groups[:TOP_REASONS]]
    if len(groups) > TOP_REASONS:
        shown.append(f"{len(groups) - TOP_REASONS} other reason(s)")
    return (
        label,
        "reasons (configurations): " + "; ".join(shown) + ". Read their figures as indicative only: the "
        "plots draw them hollow and the discussion leaves them out (see Validity).",
    )


def _contention(frame):
    ok = measured(frame)
    bad = [dict(row) for _, row in ok[ok["valid"] == False].iterrows()]  # noqa: E712 (True/False/None)
    contended = [row for row in bad if contention_persisted(row)]
    if not contended:
        return None
    return (
        f"contention persisted for {len(contended)} configuration(s)",
        contention_advice(contended) + ".",
    )


def _not_run(frame):
    counts = {status: int((frame["status"] == status).sum()) for status in NOT_RUN}
    total = sum(counts.values())
    if not total:
        return None
    return (
        f"{total} configuration(s) did not run",
        ", ".join(f"{n} {status}" for status, n in counts.items() if n) + " (see What did not run, and why)",
    )


def _random_weights(frame, config):
    uses = model_weights(frame, config)
    names = [u.model for u in uses if u.downgraded]
    if not names:
        return None
    return (
        "random weights where pretrained were asked",
        f"{', '.join(names)}: {unavailable_reasons(uses)}; their accuracy was not measured",
    )


def _over_budget(outcome):
    if outcome is None or not outcome.over_budget_s:
        return None
    return (
        f"over budget by {format_duration(outcome.over_budget_s)}",
        f"the run took {format_duration(outcome.elapsed_s)} against a budget of {format_duration(outcome.budget_s)}",
    )


def _no_energy(frame):
    if measured(frame).empty or has_energy(frame):
        return None
    return ("no energy figures", brief_power_reason(frame))


def _validity_unknown(frame):
    ok = measured(frame)
    if ok.empty or not ok["valid"].isna().all():
        return None
    return (
        "validity not recorded",
        "this bundle's records predate the validity checks: judge by the CI column and the swap and throttle flags",
    )


def problems(frame, ctx) -> list:
    """(short label, detail) for each reason to distrust the bundle, the most serious first."""
    found = [
        _partial(ctx.outcome),
        _nothing_measured(frame),
        _label_map_swapped(frame),
        _invalid(frame, ctx.config),
        _contention(frame),
        throttled_before_run(ctx.env),
        started_hot(frame),
        _not_run(frame),
        _random_weights(frame, ctx.config),
        fetch_problem(ctx.env),
        _over_budget(ctx.outcome),
        real_clock_problem(ctx),
        _no_energy(frame),
        _validity_unknown(frame),
    ] + sustained_verdicts(ctx.soaks)
    found += mlperf_verdicts(ctx.loadgen)  # LoadGen's INVALID tests and scenario tests that did not run
    return [problem for problem in found if problem]


def clean_line(frame, outcome) -> str:
    line = (
        f"Verdict: clean. All {len(frame)} configurations were measured and passed the validity checks, with "
        "the weights asked for and energy measured"
    )
    if outcome is None:
        return line + "; whether the run finished is not recorded (no outcome.json in the bundle)."
    if outcome.budget_s is None:
        return line + f"; the run finished in {format_duration(outcome.elapsed_s)} (no budget set)."
    return line + (
        f"; the run finished in {format_duration(outcome.elapsed_s)}, within its budget of "
        f"{format_duration(outcome.budget_s)}."
    )


def gpu_unused(env: dict) -> str | None:
    """The verdict's first line on a Jetson whose GPU was not used (env.json's gpu_unused_reason; bundles
    written before it have none): every figure below is the CPU's, whatever else the verdict says."""
    reason = env.get("gpu_unused_reason")
    return f"**GPU not used**: {reason}." if reason else None


def verdict(frame, ctx) -> Verdict:
    found = problems(frame, ctx)
    lead = gpu_unused(ctx.env)
    if not found:
        return Verdict(clean_line(frame, ctx.outcome), [], clean=True, lead=lead)
    return Verdict(
        "Verdict: " + "; ".join(label for label, _ in found) + ".",
        [f"**{label}**: {detail}" for label, detail in found],
        clean=False,
        lead=lead,
    )
