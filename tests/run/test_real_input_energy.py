"""Energy on real inputs: the worker's callback for evaluate_model, with fake meters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench_job.power.meter import EnergyWindow, SourceEnergy
from bench_job.run.accuracy import real_input_energy
from tests.settings import power_settings

TASK = power_settings(min_window_s=1.0, min_samples=10, max_window_s=30.0)


class Meter:
    def __init__(self, result=None, error=None):
        self.result, self.error, self.runs = result, error, 0

    def measure(self, run_once, min_window_s, min_samples, max_window_s):
        if self.error:
            raise self.error
        for _ in range(4):
            run_once()
            self.runs += 1
        return self.result


def window(energy_j=8.0, n=4):
    source = SourceEnergy(
        power_source="rapl-package",
        power_scope="package",
        energy_j=energy_j,
        energy_per_inference_j=energy_j / n,
        energy_net_per_inference_j=0.5,
        avg_power_w=8.0,
        idle_power_w=6.0,
        power_samples=0,
        sampling_hz=None,
        reason=None,
    )
    return EnergyWindow(n_inferences=n, window_s=1.0, window_start_unix=0.0, window_end_unix=1.0, sources=(source,))


def test_per_batch_and_per_sample_figures_from_the_window():
    meter = Meter(window())
    fields = real_input_energy(TASK, meter)(lambda: None, 8.0)
    assert meter.runs == 4
    assert fields["real_energy_per_batch_j"] == 2.0 and fields["real_energy_per_sample_j"] == pytest.approx(0.25)
    assert fields["real_avg_power_w"] == 8.0 and fields["real_energy_net_per_batch_j"] == 0.5
    assert fields["real_energy_sources"][0]["n_inferences"] == 4 and fields["real_energy_reason"] is None


def test_no_meter_gives_the_runs_reason():
    fields = real_input_energy(replace(TASK, energy_reason="no power source: rapl: none"), None)(lambda: None, 8.0)
    assert fields == {"real_energy_reason": "no power source: rapl: none"}


def test_a_failing_window_costs_only_the_energy_fields():
    fields = real_input_energy(TASK, Meter(error=RuntimeError("sensor vanished\nmore")))(lambda: None, 8.0)
    assert fields == {"real_energy_reason": "RuntimeError: sensor vanished"}
