"""Sections whose data this machine cannot produce (energy, accuracy, OOM, invalid rows), rendered
from a synthetic table built with the real record schema."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from bench_job.bundle.records import make_record, to_frame
from bench_job.report.run_report import write_run_report
from bench_job.report.sections.pareto import pareto_mask

CONFIG = {
    "models": ["small", {"name": "mid", "note": "the middle one"}, "big"],
    "notes": {"small": "the tiny one"},
    "weights": "pretrained",
    "run": {"accelerator": "cpu"},
    "measure": {
        "warmup_runs": 1,
        "min_runs": 10,
        "confidence": 0.95,
        "target_ci_rel": 0.05,
        "max_time_per_config_s": 1,
    },
}
ENV = {"device_kind": "rpi", "hostname": "pi5", "peak_gflops": 20.0}
# model -> (params, GFLOPs at batch 1 / 64 px, ms at batch 1, watts, accuracy)
MODELS = {"small": (1e6, 0.2, 10.0, 4.0, 0.55), "mid": (5e6, 1.0, 30.0, 5.0, 0.70), "big": (20e6, 4.0, 25.0, 6.0, 0.65)}


def synthetic_records():
    records = []
    for model, (params, gflops, ms, watts, acc) in MODELS.items():
        points = [(1, 64, "batch+input"), (2, 64, "batch"), (4, 64, "batch"), (1, 32, "input")]
        for batch, size, sweeps in points:
            scale = batch * (size / 64) ** 2
            latency = ms / 1e3 * scale**0.8
            energy = watts * latency
            records.append(
                make_record(
                    key=f"{model}|fp32|cpu|b{batch}|s{size}",
                    model=model,
                    family="torchvision",
                    variant="fp32",
                    precision="fp32",
                    accelerator="cpu",
                    threads=4,
                    batch_size=batch,
                    input_size=size,
                    input_unit="px",
                    sweeps=sweeps,
                    weights="pretrained",
                    status="ok",
                    params=params,
                    params_effective=params,
                    flops=gflops * 1e9 * scale,
                    macs=gflops * 5e8 * scale,
                    latency_mean_s=latency,
                    latency_std_s=latency / 20,
                    latency_median_s=latency,
                    latency_p99_s=latency * 1.1,
                    latency_max_s=latency * (3 if (model, batch, size) == ("mid", 4, 64) else 1.2),
                    latency_ci_low_s=latency * 0.97,
                    latency_ci_high_s=latency * 1.03,
                    latency_median_ci_low_s=latency * 0.96,
                    latency_median_ci_high_s=latency * 1.05,
                    n_runs=20,
                    peak_rss_bytes=params * 4 + 1e8,
                    model_rss_bytes=params * 4 + 9e7,
                    swap_in=0,
                    swap_out=0,
                    swapped=False,
                    avg_power_w=watts,
                    energy_per_inference_j=energy,
                    energy_net_per_inference_j=energy - 2.0 * latency,
                    energy_per_sample_j=energy / batch,
                    idle_power_w=2.0,
                    power_source="rpi-pmic",
                    power_scope="PMIC rails",
                    power_samples=50,
                    sampling_hz=100.0,
                    accuracy=acc,
                    accuracy_10way=acc + 0.2,
                    eval_dataset="frgfm/imagenette",
                    eval_examples=500,
                    weights_source="torchvision",
                    valid=not (model == "big" and batch == 4),
                    invalid_reasons="the device throttled" if (model == "big" and batch == 4) else None,
                    throttled=model == "big" and batch == 4,
                )
            )
    records.append(
        make_record(
            key="big|fp32|cpu|b8|s64",
            model="big",
            family="torchvision",
            variant="fp32",
            batch_size=8,
            input_size=64,
            input_unit="px",
            sweeps="batch",
            status="oom",
            reason="killed by the kernel OOM killer (RSS 3.9 GiB)",
            weights="pretrained",
        )
    )
    return records


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    frame = to_frame(synthetic_records())
    write_run_report(frame, CONFIG, ENV, str(out))
    return out, frame, (out / "report.md").read_text()


def test_energy_section_renders_tables_method_and_plots(written):
    out, frame, report = written
    assert "no power source" not in report
    for text in (
        "power source: rpi-pmic; scope: PMIC rails",
        "sampling rate: 100 Hz",
        "idle baseline: 2 W",
        "### Energy vs batch size",
        "### Energy vs input size",
    ):
        assert text in report, text
    row = frame[(frame["model"] == "mid") & (frame["batch_size"] == 2)].iloc[0]
    assert f"| mid | fp32 | 2 | 64 px | 5 | {row['energy_per_inference_j']:.3g} | " in report
    for name in ("energy_vs_batch_size_vision.png", "energy_vs_input_size_vision.png"):
        assert (out / "plots" / name).is_file() and f"plots/{name}" in report


def test_pareto_front_by_hand():
    cost = pd.Series([10.0, 30.0, 25.0, 40.0])
    accuracy = pd.Series([0.55, 0.70, 0.65, 0.70])
    # 10 (cheapest), 25 (more accurate than 10), 30 (most accurate); 40 is dominated by 30.
    assert list(pareto_mask(cost, accuracy)) == [True, True, True, False]
    assert list(pareto_mask(pd.Series([1.0, None]), pd.Series([0.5, 0.9]))) == [True, False]


def test_accuracy_section_names_the_front_and_draws_it(written):
    out, frame, report = written
    # Latency at batch 1: small 10 ms / 55%, big 25 ms / 65%, mid 30 ms / 70%: all three on the front.
    # Parameters: small 1M / 55%, mid 5M / 70%, big 20M / 65%: big is dominated by mid.
    assert "vs latency: small, mid, big;" in report
    assert "vs parameters: small, mid;" in report
    assert (out / "plots" / "accuracy_vs_efficiency_torchvision.png").is_file()
    assert "| big | fp32 | torchvision | 65 | 85 | frgfm/imagenette | 500 | 25.00 |" in report


def test_validity_oom_and_outliers_are_named(written):
    _, _, report = written
    assert "1 of 12 measured configurations failed a check" in report
    assert "| big | fp32 | 4 | 64 px | the device throttled |" in report
    assert (
        "big [fp32] ran out of memory at batch 8, input 64 px (killed by the kernel OOM killer (RSS 3.9 GiB))" in report
    )
    assert "| mid | fp32 | 4 | 64 px |" in report.split("### Outliers")[1].split("##")[0]
    assert "1 configuration(s) throttled: big b4/64" in report


def test_latency_tracks_energy_claim_matches_scipy(written):
    # Issue 10: the valid rows only (big b4 failed: throttled), and the median, the report's one statistic.
    _, frame, report = written
    ok = frame[(frame["status"] == "ok") & (frame["valid"] == True)]  # noqa: E712
    assert len(ok) == 11
    rho = stats.spearmanr(ok["latency_median_s"].astype(float), ok["energy_per_inference_j"].astype(float)).statistic
    assert f"over 11 valid configurations, median latency and energy per inference: ρ = {rho:.2f}" in report
    assert "average power stays within 4-6 W" in report


def test_html_matches_markdown_headings(written):
    out, _, report = written
    page = (out / "report.html").read_text()
    for line in report.splitlines():
        if line.startswith("## "):
            assert f"<h2>{line[3:].replace('&', '&amp;')}</h2>" in page


def test_a_row_above_the_device_peak_is_flagged_not_shown_silently():
    """VGG16 at 134% of the peak: a peak measured low (or rows against another peak) must be said."""
    from types import SimpleNamespace

    from bench_job.report.sections.flops import flops_section

    from .synthetic import measured

    rows = [
        measured("vgg16", 1, 224, 0.2, flops=31e9, achieved_gflops=155.0, peak_fraction=1.341),
        measured("resnet18", 1, 224, 0.1, flops=3.6e9, achieved_gflops=36.0, peak_fraction=0.311),
    ]
    ctx = SimpleNamespace(env={"peak_gflops": 115.6, "peak_other_cpu_share": 0.0}, config={})
    blocks = flops_section(to_frame(rows), ctx)
    table = next(b for b in blocks if type(b).__name__ == "Table")
    cells = [row[-1] for row in table.rows]
    assert cells == ["134.1% ‡", "31.1%"]
    note = blocks[-1].text
    assert note.startswith("‡ 1 row(s) exceed the device's measured peak") and "134.1%, vgg16" in note
    calm = flops_section(to_frame(rows[1:]), ctx)
    assert not any("‡" in getattr(b, "text", "") for b in calm)
