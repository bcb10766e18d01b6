"""The real CLI against a fake RAPL tree whose counter a helper process advances at a known wattage:
energy columns are filled, consistent, and agree with the known power within 2%."""

from __future__ import annotations

import pytest

from tests.integration.helpers import FAKE_RAPL_WATTS, bundle_records


def test_energy_from_a_fake_rapl_counter_at_a_known_wattage(cli, tmp_path, fake_rapl):
    result = cli(
        "run",
        "--models",
        "squeezenet1_1",
        "--out",
        str(tmp_path / "out"),
        "--sysfs-root",
        fake_rapl,
        "--set",
        "sweeps.vision.batch_sizes=[1,2]",
        "--set",
        "sweeps.vision.input_size=32",
        "--set",
        "sweeps.vision.input_sizes=[32]",
        "--set",
        "measure.max_time_per_config_s=0.2",
        "--set",
        "power.idle_seconds=1",
    )
    assert result.returncode == 0, result.stderr
    assert "power sources: rapl-package" in result.stderr
    records = bundle_records(result.stdout.split()[-1])
    assert len(records) == 2
    for r in records:
        assert r["status"] == "ok"
        assert r["power_source"] == "rapl-package" and r["power_scope"]
        assert r["avg_power_w"] == pytest.approx(FAKE_RAPL_WATTS, rel=0.02)
        assert r["idle_power_w"] == pytest.approx(FAKE_RAPL_WATTS, rel=0.02)
        window = next(s for s in r["energy_sources"] if s["power_source"] == "rapl-package")
        assert window["window_s"] >= 1.0
        assert r["energy_per_inference_j"] == pytest.approx(
            FAKE_RAPL_WATTS * window["window_s"] / window["n_inferences"], rel=0.02
        )
        assert r["energy_per_sample_j"] == pytest.approx(r["energy_per_inference_j"] / r["batch_size"])
        # constant power: the net energy above idle is a small fraction of the gross
        assert abs(r["energy_net_per_inference_j"]) < 0.05 * r["energy_per_inference_j"]
        assert r["energy_reason"] is None


def test_without_a_power_source_energy_is_empty_with_the_reason(cli, tmp_path):
    result = cli(
        "run",
        "--models",
        "squeezenet1_1",
        "--out",
        str(tmp_path / "out"),
        "--sysfs-root",
        str(tmp_path / "empty"),
        "--set",
        "sweeps.vision.batch_sizes=[1]",
        "--set",
        "sweeps.vision.input_size=32",
        "--set",
        "sweeps.vision.input_sizes=[32]",
        "--set",
        "measure.max_time_per_config_s=0.2",
    )
    assert result.returncode == 0, result.stderr
    (record,) = bundle_records(result.stdout.split()[-1])
    assert record["energy_per_inference_j"] is None and record["avg_power_w"] is None
    assert record["energy_reason"].startswith("no power source: ") and "rapl" in record["energy_reason"]
