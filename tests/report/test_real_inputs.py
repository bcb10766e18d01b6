from __future__ import annotations

import pytest

from bench_job.bundle.records import make_record, to_frame
from bench_job.report.sections.real_inputs import real_inputs_section, real_vs_synthetic


def row(batch, size, median, **extra):
    return make_record(
        key=f"m|fp32|cpu|b{batch}|s{size}",
        status="ok",
        model="m",
        variant="fp32",
        family="transformers",
        batch_size=batch,
        input_size=size,
        input_unit="tokens",
        latency_median_s=median,
        **extra,
    )


def test_real_latency_is_set_beside_the_nearest_synthetic_configuration():
    real = dict(real_latency_per_batch_s=0.030, real_batch_size=8, real_mean_seq_len=27.5, accuracy=0.9)
    frame = to_frame([row(8, 128, 0.120, **real), row(8, 32, 0.040, **real), row(1, 32, 0.010, **real)])
    (only,) = real_vs_synthetic(frame)
    assert only[:5] == ["m", "fp32", 8, "27.5", "30.00"]
    assert only[5] == "batch 8, 32 tokens" and only[6] == "40.00"
    assert float(only[7]) == pytest.approx(0.030 / 0.040, abs=0.005)


def test_no_real_measurement_no_section():
    assert real_inputs_section(to_frame([row(1, 32, 0.01)])) == []


def test_real_energy_is_set_beside_the_nearest_synthetic_energy():
    real = dict(real_latency_per_batch_s=0.030, real_batch_size=8, real_mean_seq_len=27.5, real_energy_per_batch_j=0.6)
    frame = to_frame(
        [row(8, 128, 0.120, energy_per_inference_j=2.4, **real), row(8, 32, 0.040, energy_per_inference_j=0.8, **real)]
    )
    (only,) = real_vs_synthetic(frame, with_energy=True)
    assert only[5] == "batch 8, 32 tokens"
    assert only[8:] == ["0.6", "0.8", "0.75"]
    section = real_inputs_section(frame)
    assert "real J/batch" in section[-1].headers


def test_without_real_energy_the_table_has_no_energy_columns():
    real = dict(real_latency_per_batch_s=0.030, real_batch_size=8, real_mean_seq_len=27.5)
    section = real_inputs_section(to_frame([row(8, 32, 0.040, **real)]))
    assert "real J/batch" not in section[-1].headers and len(section[-1].rows[0]) == 8
