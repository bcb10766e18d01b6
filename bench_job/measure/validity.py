"""Whether a measured configuration's figures can be trusted, and if not, why.

Each reason names a known way benchmarks mislead: too few repetitions, a confidence interval (of the
median, the figure the report shows) wider than asked for, other processes competing for the CPU during
timing or during the energy window, a throttled or swapping machine, a power state that changed while the
configuration was measured (a Jetson's nvpmodel mode, jetson_clocks, a clock cap, a core), an energy window
with too few power samples, an accuracy scored through a label map that looks reversed (the evaluation found the two
outputs exchanged far more accurate: the figure as scored is known to be wrong), a deployment runtime
whose outputs differ from eager PyTorch's beyond the tolerance of its precision (runtimes/fidelity.py).
"""

from __future__ import annotations

import re

from bench_job.runtimes.fidelity import fidelity_reason


# max_other_cpu_share (measure section): other processes taking more than this share of the machine's
# CPU time during timing make latency figures unreliable (they compete for the cores the forward pass
# uses), and during an energy window they put their own work into a whole-device reading.
def invalid_reasons(
    record: dict, min_runs: int, target_ci_rel: float, min_power_samples: int, max_other_cpu_share: float
) -> list[str]:
    # an MLPerf scenario's row is LoadGen's test, judged by LoadGen (its minimums, its early stopping), not by the
    # sweep's repetitions and interval
    reasons = (
        loadgen_reasons(record)
        if record.get("loadgen_result") is not None
        else timing_reasons(record, min_runs, target_ci_rel)
    )
    other = record.get("other_cpu_share")
    if other is not None and other > max_other_cpu_share:
        reasons.append(f"other processes used {other:.0%} of the CPU during timing")
    disturbed = record.get("rounds_disturbed")
    if disturbed:
        reasons.append(
            f"{disturbed} of {record.get('rounds')} kept rounds disturbed by other processes (no quiet within "
            "measure.patience_s: the least disturbed rounds were kept)"
        )
    energy_other = record.get("energy_other_cpu_share")
    if (
        energy_other is not None
        and energy_other > max_other_cpu_share
        and record.get("energy_per_inference_j") is not None
    ):
        reasons.append(
            f"other processes used {energy_other:.0%} of the CPU during the energy window (their power is in it)"
        )
    idle_other = record.get("idle_other_cpu_share")
    if (
        idle_other is not None
        and idle_other > max_other_cpu_share
        and record.get("energy_net_per_inference_j") is not None
    ):
        reasons.append(
            f"other processes used {idle_other:.0%} of the CPU during the idle baseline (net energy is too small)"
        )
    # a soak (scenario sustained) is run to see the device throttle: that is its finding, not a fault of its figures
    if record.get("throttled") and record.get("scenario") != "sustained":
        reasons.append(
            "the device throttled" + (f" ({record['throttle_reasons']})" if record.get("throttle_reasons") else "")
        )
    if record.get("power_state_changed"):
        reasons.append(
            "the power state changed during the run"
            + (f" ({record['power_state_reasons']})" if record.get("power_state_reasons") else "")
        )
    if record.get("swapped"):
        reasons.append(f"the machine swapped ({record.get('swap_in')} pages in, {record.get('swap_out')} out)")
    samples = record.get("power_samples")
    if record.get("power_source") and record.get("sampling_hz") and samples is not None and samples < min_power_samples:
        reasons.append(f"only {samples} power samples in the energy window (< {min_power_samples})")
    fidelity = fidelity_reason(record)
    if fidelity:
        reasons.append(fidelity)
    if record.get("label_map_swapped"):
        reasons.append("label map looks swapped: " + swapped_figures(record["accuracy"], record["accuracy_swapped"]))
    return reasons


def timing_reasons(record: dict, min_runs: int, target_ci_rel: float) -> list:
    """The sweep's and the soak's: enough timed runs, and the median's interval within the target."""
    reasons = []
    n = record.get("n_runs") or 0
    if n < min_runs:
        reasons.append(f"only {n} timed runs (< {min_runs})")
    # The median is the figure the report shows, so its interval is the one judged.
    ci = record.get("latency_median_ci_rel")
    if ci is None and n:
        reasons.append(f"{n} timed runs are too few for a 95% confidence interval of the median (6 at least)")
    if ci is not None and ci > target_ci_rel:
        # two decimals where one would print the threshold itself ("5.0% (> 5%)")
        shown = f"{ci:.1%}" if round(ci, 3) > target_ci_rel else f"{ci:.2%}"
        reasons.append(f"95% CI half-width {shown} of the median (> {target_ci_rel * 100:g}%)")
    return reasons


def loadgen_reasons(record: dict) -> list:
    """LoadGen's verdict: a row it judged INVALID is not valid, with its reasons."""
    if record.get("loadgen_result") == "VALID":
        return []
    # only what was not met, in one clause: invalid_reasons is "; "-joined and grouped by wording
    parts = (record.get("loadgen_reasons") or "").split("; ")
    early_missed = "early stopping NOT met" in parts
    why = [p for p in parts if "NOT met" in p or (early_missed and p.startswith("early stopping:"))]
    return [f"LoadGen judged the run {record.get('loadgen_result')}" + (f" ({', '.join(why)})" if why else "")]


# The reasons that say other processes competed for the CPU while the row was timed, and went on doing so
# after the patience was spent (a row is only kept disturbed once nothing more could be redone).
_CONTENTION = re.compile(r"of the CPU during timing$|kept rounds disturbed by other processes")


def contention_persisted(record) -> bool:
    """Whether a row is not valid because other processes kept competing for the CPU while it was timed."""
    text = record.get("invalid_reasons")
    if not isinstance(text, str):
        return False
    return any(_CONTENTION.search(reason.strip()) for reason in text.split("; "))


def contention_advice(records) -> str | None:
    """What helps when other processes kept competing for the CPU while rows were timed (records: dicts
    or frame rows with invalid_reasons and threads), or None where no row says so. --threads 1 is offered
    where a contended row ran on more threads: a multi-threaded pass slows far more than the share taken
    (PyTorch's OpenMP threads wait for each other at every layer: 12x with two threads and one core taken)."""
    contended = [r for r in records if contention_persisted(r)]
    if not contended:
        return None
    threads = {r.get("threads") for r in contended}
    many = [t for t in threads if isinstance(t, (int, float)) and t == t and t > 1]
    helps = ["run again when the machine is quiet (the same command resumes)"]
    if many:
        helps.insert(0, f"--threads 1 (they ran on {int(max(many))} threads, which wait for each other on a busy core)")
    helps.append("`make lab` on a quiet machine for the full timing budget")
    return (
        f"other processes kept competing for the CPU while {len(contended)} configuration(s) were timed, beyond "
        "what measure.patience_s waits for: their latencies are inflated. What helps: " + "; ".join(helps)
    )


def swapped_figures(accuracy: float, swapped_accuracy: float) -> str:
    """'13% accuracy as scored, 87% with the two outputs exchanged': what a swapped label map did."""
    return f"{accuracy:.0%} accuracy as scored, {swapped_accuracy:.0%} with the two outputs exchanged"


def mark_validity(
    record: dict, min_runs: int, target_ci_rel: float, min_power_samples: int, max_other_cpu_share: float
) -> dict:
    """Fill valid / invalid_reasons on a measured (status ok) record; other statuses carry no figures.
    min_power_samples: power.min_samples, the samples an energy window of a sampled source must hold."""
    if record["status"] != "ok":
        return record
    reasons = invalid_reasons(record, min_runs, target_ci_rel, min_power_samples, max_other_cpu_share)
    record["valid"] = not reasons
    record["invalid_reasons"] = "; ".join(reasons) or None
    return record


def mark_validity_as_configured(record: dict, measure, power) -> dict:
    """mark_validity with the thresholds of the run's config: its measure and power sections."""
    return mark_validity(
        record, measure.min_runs, measure.target_ci_rel, power.min_samples, measure.max_other_cpu_share
    )


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def reason_groups(reason_texts) -> list:
    """(reason, configurations) for the "; "-joined invalid_reasons of rows, grouped by wording with the
    figures taken out and most frequent first. A group shows the range of each figure, so 26 rows whose
    contention varied read as one reason: 'other processes used 45-70% of the CPU during timing'."""
    groups = {}
    for text in reason_texts:
        for reason in str(text).split("; "):
            if reason.strip():
                groups.setdefault(tuple(_NUMBER.split(reason.strip())), []).append(_NUMBER.findall(reason))
    out = []
    for parts, figures in groups.items():
        slots = []
        for values in zip(*figures):
            low, high = min(values, key=float), max(values, key=float)
            slots.append(low if float(low) == float(high) else f"{low}-{high}")
        out.append((parts[0] + "".join(slot + part for slot, part in zip(slots, parts[1:])), len(figures)))
    return sorted(out, key=lambda group: -group[1])
