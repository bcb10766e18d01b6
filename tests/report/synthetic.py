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


# The quick config's models (configs/quick.yaml): family, parameters, GFLOPs of one input at the family's
# default size (224 px, 128 tokens; longformer: its 512-token attention window, whatever the input) and a
# plausible median latency of that input on a 2-core laptop.
QUICK_MODELS = {
    "bert-base-uncased": ("transformers", 109_482_240, 22.4, 0.150),
    "albert-base-v2": ("transformers", 11_683_584, 22.5, 0.165),
    "distilbert-base-uncased": ("transformers", 66_362_880, 11.2, 0.078),
    "longformer-base-4096": ("transformers", 148_659_456, 92.0, 1.50),
    "resnet18": ("torchvision", 11_689_512, 3.64, 0.042),
    "mobilenet_v2": ("torchvision", 3_504_872, 0.60, 0.016),
    "squeezenet1_1": ("torchvision", 1_235_496, 0.70, 0.009),
    "vgg16": ("torchvision", 138_357_544, 30.9, 0.310),
    "mnasnet1_0": ("torchvision", 4_383_312, 0.63, 0.017),
}
QUICK_PEAK_GFLOPS = 35.7  # the matmul peak such a laptop measures (env.json's peak_gflops)


def quick_points(model: str) -> list:
    """(batch, size, sweeps) of a model under configs/quick.yaml: batch sizes 1, 2 at the default size and
    the two input sizes at batch 1 (the shared point in both sweeps); longformer one configuration."""
    if model == "longformer-base-4096":
        return [(1, 128, "batch+input")]
    size, small = (224, 128) if QUICK_MODELS[model][0] == "torchvision" else (128, 64)
    return [(1, size, "batch+input"), (2, size, "batch"), (1, small, "input")]


def quick_run_records() -> list:
    """The 25 records a quick-config run (9 zoo models) writes on a 2-core laptop, with plausible latencies,
    FLOPs, parameters and memory: a realistic bundle's content without a real run."""
    records = []
    for model, (family, params, gflops, latency) in QUICK_MODELS.items():
        vision = family == "torchvision"
        for batch, size, sweeps in quick_points(model):
            if model == "longformer-base-4096":
                work = 1.0  # padded to the 512-token window
            else:
                work = batch * ((size / 224) ** 2 if vision else size / 128)
            latency_s = latency * (0.1 + 0.9 * work)
            flops = gflops * 1e9 * work
            activations = int(2e7 * work * (3 if vision else 1))
            framework = 4.1e8 if vision else 6.2e8
            records.append(
                measured(
                    model,
                    batch,
                    size,
                    latency_s,
                    sweeps=sweeps,
                    family=family,
                    invalid="95% CI half-width 7.9% of the median (> 5%)" if latency_s > 1 else None,
                    in_zoo=True,
                    published_params=params,
                    params=params,
                    params_effective=params,
                    flops=flops,
                    macs=flops / 2,
                    n_runs=max(6, min(400, int(1.5 / latency_s))),
                    throughput=batch / latency_s,
                    achieved_gflops=flops / 1e9 / latency_s,
                    peak_fraction=flops / 1e9 / latency_s / QUICK_PEAK_GFLOPS,
                    weights_bytes=4 * params,
                    framework_rss_bytes=framework,
                    weights_rss_bytes=4 * params,
                    activations_rss_bytes=activations,
                    model_rss_bytes=framework + 4 * params,
                    peak_rss_bytes=framework + 4 * params + activations,
                )
            )
    return records
