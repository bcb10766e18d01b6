"""The runner's real-clock checks: one at the start and one after each model, appended to the work folder's
real_clock.json (a resumed run adds to its first part's list), none where real_clock.enabled is false, and
real_clock.margin refused outside (0, 1) with a one-line error."""

from __future__ import annotations

import logging

import pytest

from bench_job import config as cfg
from bench_job.bundle.real_clock_member import read_real_clock
from bench_job.bundle.records import ResultStore
from bench_job.config import RealClockSection
from bench_job.errors import UserError
from bench_job.run.real_clock_watch import RealClockWatch


def fake_check(sysfs_root, margin, after_model):
    entry = {"cpus": "cpu0-3", "measured_mhz": 1200.0, "cpufreq_cur_mhz": 1800.0, "gap": 1 / 3, "beyond_margin": True}
    return {"when": "now", "after_model": after_model, "margin": margin, "core_types": [entry]}


def watch(tmp_path, enabled=True):
    store = ResultStore(str(tmp_path / "results.jsonl"))
    return RealClockWatch(RealClockSection(enabled=enabled, margin=0.1), "/sys", store, check=fake_check)


def test_the_start_and_each_model_append_and_a_gap_is_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="bench_job"):
        watch(tmp_path).measure()
        watch(tmp_path).measure("resnet18 [fp32]")  # a resumed run's watch adds to the same list
    assert [m["after_model"] for m in read_real_clock(str(tmp_path))] == [None, "resnet18 [fp32]"]
    assert (
        "the reported clock is not what runs after resnet18 [fp32] (beyond real_clock.margin 10%): cpu0-3: the "
        "loop sees 1200 MHz, cpufreq reports 1800 MHz (measured 33% below)" in caplog.text
    )


def test_a_damaged_list_is_started_again(tmp_path):
    (tmp_path / "real_clock.json").write_text("{not json")
    watch(tmp_path).measure()
    assert len(read_real_clock(str(tmp_path))) == 1


def test_disabled_measures_nothing(tmp_path):
    watch(tmp_path, enabled=False).measure()
    assert read_real_clock(str(tmp_path)) == []


@pytest.mark.parametrize("margin", [0, 1.5, "ten"])
def test_a_margin_outside_zero_to_one_is_refused(margin):
    with pytest.raises(UserError, match="^real_clock.margin must be a (fraction between 0 and 1|number), got"):
        cfg.resolve(None, device="laptop", sets=[f"real_clock.margin={margin}"])
