"""Synthetic records for report tests: the real record schema (make_record) with the fields a measured
configuration carries, so a test states only what it is about."""

from __future__ import annotations

from bench_job.bundle.records import make_record

CONFIG = {
    "weights": "random",
    "run": {"accelerator": "cpu"},
    "measure": {
        "warmup_runs": 1,
        "min_runs": 10,
        "confidence": 0.95,
        "target_ci_rel": 0.05,
        "max_time_per_config_s": 1,
        "max_other_cpu_share": 0.10,
        "max_run_delay": 0.02,  # the run-delay limit of the records below (a constant of the code then)
    },
    "power": {"min_samples": 10},
}
ENV = {"device_kind": "laptop", "hostname": "box"}


def measured(
    model: str,
    batch: int,
    size: int,
    latency_s: float,
    sweeps: str = "batch",
    family: str = "torchvision",
    invalid: str | None = None,
    **fields,
) -> dict:
    """An ok record: median latency_s with a tight CI over 40 runs; invalid: the invalid_reasons text."""
    unit = "px" if family == "torchvision" else "tokens"
    values = dict(
        key=f"{model}|fp32|cpu|b{batch}|s{size}",
        model=model,
        family=family,
        variant="fp32",
        precision="fp32",
        accelerator="cpu",
        threads=2,
        batch_size=batch,
        input_size=size,
        input_unit=unit,
        sweeps=sweeps,
        weights="random",
        status="ok",
        params=1e6,
        params_effective=1e6,
        flops=1e9 * batch,
        macs=5e8 * batch,
        latency_mean_s=latency_s,
        latency_std_s=latency_s / 20,
        latency_median_s=latency_s,
        latency_p99_s=latency_s * 1.1,
        latency_max_s=latency_s * 1.2,
        latency_ci_low_s=latency_s * 0.98,
        latency_ci_high_s=latency_s * 1.02,
        latency_median_ci_low_s=latency_s * 0.97,
        latency_median_ci_high_s=latency_s * 1.04,
        latency_median_ci_rel=0.035,
        n_runs=40,
        swapped=False,
        peak_rss_bytes=5e8,
        model_rss_bytes=4e8,
        valid=invalid is None,
        invalid_reasons=invalid,
        energy_reason="no power source: rapl: no readable zone",
    )
    values.update(fields)
    return make_record(**values)


def failed(model: str, batch: int, size: int, status: str, reason: str, family: str = "torchvision") -> dict:
    return make_record(
        key=f"{model}|fp32|cpu|b{batch}|s{size}",
        model=model,
        family=family,
        variant="fp32",
        precision="fp32",
        accelerator="cpu",
        batch_size=batch,
        input_size=size,
        input_unit="px" if family == "torchvision" else "tokens",
        sweeps="batch",
        weights="random",
        status=status,
        reason=reason,
    )
