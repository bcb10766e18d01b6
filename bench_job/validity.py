"""Whether a measured configuration's figures can be trusted, and if not, why.

Each reason names a known way benchmarks mislead: too few repetitions, a confidence interval wider
than asked for, other processes competing for the CPU, a throttled or swapping machine, an energy window with too few power samples.
"""

# Other processes taking more than this share of the machine's CPU time during timing make latency
# figures unreliable (they compete for the cores the forward pass uses).
MAX_OTHER_CPU_SHARE = 0.10


def invalid_reasons(record: dict, min_runs: int, target_ci_rel: float, min_power_samples: int) -> list[str]:
    reasons = []
    n = record.get("n_runs") or 0
    if n < min_runs:
        reasons.append(f"only {n} timed runs (< {min_runs})")
    ci = record.get("latency_ci_rel")
    if ci is not None and ci > target_ci_rel:
        # two decimals where one would print the threshold itself ("5.0% (> 5%)")
        shown = f"{ci:.1%}" if round(ci, 3) > target_ci_rel else f"{ci:.2%}"
        reasons.append(f"95% CI half-width {shown} of the mean (> {target_ci_rel:.0%})")
    other = record.get("other_cpu_share")
    if other is not None and other > MAX_OTHER_CPU_SHARE:
        reasons.append(f"other processes used {other:.0%} of the CPU during timing")
    if record.get("throttled"):
        reasons.append("the device throttled" + (f" ({record['throttle_reasons']})" if record.get("throttle_reasons") else ""))
    if record.get("swapped"):
        reasons.append(f"the machine swapped ({record.get('swap_in')} pages in, {record.get('swap_out')} out)")
    samples = record.get("power_samples")
    if record.get("power_source") and record.get("sampling_hz") and samples is not None and samples < min_power_samples:
        reasons.append(f"only {samples} power samples in the energy window (< {min_power_samples})")
    return reasons


def mark_validity(record: dict, min_runs: int, target_ci_rel: float, min_power_samples: int) -> dict:
    """Fill valid / invalid_reasons on a measured (status ok) record; other statuses carry no figures.
    min_power_samples: power.min_samples, the samples an energy window of a sampled source must hold."""
    if record["status"] != "ok":
        return record
    reasons = invalid_reasons(record, min_runs, target_ci_rel, min_power_samples)
    record["valid"] = not reasons
    record["invalid_reasons"] = "; ".join(reasons) or None
    return record
