"""Discover once: every kind of source hands over a picklable spec that rebuilds it in another process,
and whatever goes wrong opening one becomes a reason, never an exception out of the worker's set-up."""

from __future__ import annotations

import pickle
import sys
import time
from dataclasses import dataclass

import pytest

from bench_job.power import SourceSpec, SourceUnavailable, discover_sources, open_sources
from bench_job.power.sysfs import FileReader
from bench_job.run.worker import open_meter
from tests.power import jetson_boards
from tests.power.fake_rapl import make_zone
from tests.power.helpers import fake_program, write
from tests.power.test_nvml import fake_pynvml
from tests.power.test_rpi_vcgencmd import PI5_OUTPUT
from tests.settings import power_settings


def every_kind(tmp_path, monkeypatch):
    """A machine with one source of each kind the power package knows: RAPL, battery, Jetson rails,
    an external CSV, a vcgencmd and (with sysfs and tegrastats both present) NVML on a fake driver."""
    root = tmp_path / "sys"
    make_zone(root, "intel-rapl:0", "package-0", energy_uj=1000)
    write(root, "class/power_supply/BAT0/type", "Battery")
    write(root, "class/power_supply/BAT0/status", "Discharging")
    write(root, "class/power_supply/BAT0/power_now", 9_500_000)
    jetson_boards.nano_jp4(root)
    csv = tmp_path / "meter.csv"
    csv.write_text(f"{time.time() - 1:.3f},4.0\n{time.time():.3f},4.0\n")
    (tmp_path / "adc.txt").write_text(PI5_OUTPUT)
    bin_dir = fake_program(tmp_path / "bin", "vcgencmd", f"print(open({str(tmp_path / 'adc.txt')!r}).read(), end='')\n")
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml())
    return discover_sources(sysfs_root=str(root), external_csv=str(csv), search_path=bin_dir)


def test_every_source_reopens_from_its_pickled_spec(tmp_path, monkeypatch):
    found, _ = every_kind(tmp_path, monkeypatch)
    assert {s.name for s in found} == {
        "external-csv",
        "jetson-ina3221",
        "rpi-pmic",
        "rapl-package",
        "nvml-gpu0",
        "battery",
    }
    specs = pickle.loads(pickle.dumps([source.spec for source in found]))
    reopened, failed = open_sources(specs)
    assert failed == []
    assert [(s.name, s.scope, s.kind) for s in reopened] == [(s.name, s.scope, s.kind) for s in found]
    by_name = {s.name: s for s in reopened}
    assert by_name["jetson-ina3221"].read_power_w() == pytest.approx(1.022)
    assert by_name["battery"].read_power_w() == pytest.approx(9.5)
    assert by_name["rpi-pmic"].read_power_w() > 0
    assert by_name["rapl-package"].read_energy_j() == 0.0  # a counter's own origin
    assert by_name["nvml-gpu0"].read_energy_j() == pytest.approx(1000.0)
    assert by_name["external-csv"].read_rows()[0][1] == 4.0


@dataclass(frozen=True)
class BrokenSpec(SourceSpec):
    """A spec whose open() fails the way the given exception says."""

    error: Exception
    name: str = "broken"
    scope: str = "nothing"

    def open(self, files):
        raise self.error


def test_a_source_that_cannot_be_opened_is_a_reason(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(init_error="GPU is lost"))
    from bench_job.power.nvml import NvmlSpec

    jetson_boards.nano_jp4(tmp_path)
    (rails,), _ = discover_sources(sysfs_root=str(tmp_path), search_path="")
    specs = [NvmlSpec(0, True, "a GPU"), BrokenSpec(RuntimeError("boom")), rails.spec]
    opened, failed = open_sources(specs, FileReader())
    assert [s.name for s in opened] == ["jetson-ina3221"]
    assert failed == [
        ("nvml-gpu0", "a GPU", "NVML could not open GPU 0: GPU is lost"),
        ("broken", "nothing", "could not be opened: RuntimeError: boom"),
    ]


def power_task(specs):
    return power_settings(sources=specs, sampling_hz=50.0, idle_w={}, min_window_s=0.2, min_samples=5, max_window_s=5.0)


def test_worker_with_no_source_opened_records_why():
    meter, energy_reason = open_meter(power_task([BrokenSpec(SourceUnavailable("the rail file has vanished"))]))
    assert meter is None
    assert energy_reason == "no power source could be opened in the worker: broken: the rail file has vanished"


def test_worker_reports_the_unopened_source_beside_the_others(tmp_path):
    jetson_boards.nano_jp4(tmp_path)
    (rails,), _ = discover_sources(sysfs_root=str(tmp_path), search_path="")
    task = power_task([BrokenSpec(OSError(5, "Input/output error")), rails.spec])
    meter, _ = open_meter(task)
    try:
        result = meter.measure(lambda: time.sleep(0.01), 0.2, 5, 5.0)
    finally:
        meter.close()
    by_name = {s.power_source: s for s in result.sources}
    assert by_name["jetson-ina3221"].avg_power_w == pytest.approx(1.022)
    assert by_name["broken"].energy_j is None
    assert by_name["broken"].reason == "could not be opened: OSError: [Errno 5] Input/output error"


def test_worker_with_specs_that_do_not_even_iterate_records_why():
    meter, energy_reason = open_meter(power_task(None))
    assert meter is None
    assert energy_reason.startswith("the power sources could not be opened in the worker: TypeError")
