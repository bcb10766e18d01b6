"""Whether a measured configuration's figures can be trusted, and if not, why.

Each reason names a known way benchmarks mislead: too few repetitions, a confidence interval (of the
median, the figure the report shows) wider than asked for, other processes competing for the CPU during
timing or during the energy window, a throttled or swapping machine, an energy window with too few
power samples.
"""

# Other processes taking more than this share of the machine's CPU time during timing make latency
# figures unreliable (they compete for the cores the forward pass uses), and during an energy window
# they put their own work into a whole-device reading. measure.max_other_cpu_share overrides it.
MAX_OTHER_CPU_SHARE = 0.10


def invalid_reasons(record: dict, min_runs: int, target_ci_rel: float, min_power_samples: int,
                    max_other_cpu_share: float = MAX_OTHER_CPU_SHARE) -> list[str]:
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
        reasons.append(f"95% CI half-width {shown} of the median (> {target_ci_rel:.0%})")
    other = record.get("other_cpu_share")
    if other is not None and other > max_other_cpu_share:
        reasons.append(f"other processes used {other:.0%} of the CPU during timing")
    energy_other = record.get("energy_other_cpu_share")
    if energy_other is not None and energy_other > max_other_cpu_share and record.get("energy_per_inference_j") is not None:
        reasons.append(f"other processes used {energy_other:.0%} of the CPU during the energy window (their power "
                       f"is in it)")
    idle_other = record.get("idle_other_cpu_share")
    if idle_other is not None and idle_other > max_other_cpu_share and record.get("energy_net_per_inference_j") is not None:
        reasons.append(f"other processes used {idle_other:.0%} of the CPU during the idle baseline (net energy is "
                       f"too small)")
    if record.get("throttled"):
        reasons.append("the device throttled" + (f" ({record['throttle_reasons']})" if record.get("throttle_reasons") else ""))
    if record.get("swapped"):
        reasons.append(f"the machine swapped ({record.get('swap_in')} pages in, {record.get('swap_out')} out)")
    samples = record.get("power_samples")
    if record.get("power_source") and record.get("sampling_hz") and samples is not None and samples < min_power_samples:
        reasons.append(f"only {samples} power samples in the energy window (< {min_power_samples})")
    return reasons


def mark_validity(record: dict, min_runs: int, target_ci_rel: float, min_power_samples: int,
                  max_other_cpu_share: float = MAX_OTHER_CPU_SHARE) -> dict:
    """Fill valid / invalid_reasons on a measured (status ok) record; other statuses carry no figures.
    min_power_samples: power.min_samples, the samples an energy window of a sampled source must hold."""
    if record["status"] != "ok":
        return record
    reasons = invalid_reasons(record, min_runs, target_ci_rel, min_power_samples, max_other_cpu_share)
    record["valid"] = not reasons
    record["invalid_reasons"] = "; ".join(reasons) or None
    return record


# Short names of the reasons above, for counts in summaries: (text every such reason contains, label).
REASON_LABELS = [
    ("timed runs (<", "too few timed runs"),
    ("too few for a 95% confidence", "too few timed runs for a confidence interval"),
    ("CI half-width", "confidence interval too wide"),
    ("CPU during timing", "other processes busy during timing"),
    ("CPU during the energy window", "other processes busy during the energy window"),
    ("CPU during the idle baseline", "other processes busy during the idle baseline"),
    ("throttled", "the device throttled"),
    ("swapped", "the machine swapped"),
    ("power samples", "too few power samples"),
]


def reason_labels(invalid_reasons: str | None) -> list[str]:
    """The short labels of a record's invalid_reasons text (the text itself for a reason not listed)."""
    labels = []
    for reason in (invalid_reasons or "").split("; "):
        if reason:
            labels.append(next((label for text, label in REASON_LABELS if text in reason), reason))
    return labels
