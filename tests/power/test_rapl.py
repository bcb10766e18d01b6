from __future__ import annotations

import os
import sys
import time

import pytest

from bench_job.power import EnergyMeter, discover_sources, rapl
from bench_job.power.base import SourceUnavailable
from bench_job.power.discovery import DiscoveryContext
from bench_job.power.sysfs import FileReader
from tests.power.fake_rapl import FakeRapl, make_zone, write_counter
from tests.power.helpers import opener_denying


def laptop_tree(root):
    """package-0 with core/uncore subzones and psys, as on an Intel laptop."""
    make_zone(root, "intel-rapl:0", "package-0", energy_uj=1000)
    make_zone(root, "intel-rapl:0:0", "core", energy_uj=500)
    make_zone(root, "intel-rapl:0:1", "uncore", energy_uj=100)
    make_zone(root, "intel-rapl:1", "psys", energy_uj=5000)


def test_zones_named_by_kind_and_never_nested(tmp_path):
    laptop_tree(tmp_path)
    make_zone(tmp_path, "intel-rapl:2", "package-1", energy_uj=2000)  # a second socket
    found, missing = rapl.discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert [s.name for s in found] == ["rapl-psys", "rapl-package"]
    assert missing == []
    package = found[1]
    package.read_energy_j()
    write_counter(os.path.join(tmp_path, "devices/virtual/powercap/intel-rapl/intel-rapl:0"), 3000)
    write_counter(os.path.join(tmp_path, "devices/virtual/powercap/intel-rapl/intel-rapl:2"), 2500)
    write_counter(os.path.join(tmp_path, "devices/virtual/powercap/intel-rapl/intel-rapl:0/intel-rapl:0:0"), 9999)
    # both sockets' packages add (2000 + 500 uJ); the core subzone's change does not
    assert package.read_energy_j() == pytest.approx(2500e-6)


def test_nested_layout_through_powercap_dir(tmp_path):
    laptop_tree(tmp_path)
    found, _ = rapl.discover(
        DiscoveryContext(sysfs_root="/nonexistent", powercap_dir=str(tmp_path / "devices/virtual/powercap"))
    )
    assert [s.name for s in found] == ["rapl-psys", "rapl-package"]


def test_counter_wrap_at_max_energy_range(tmp_path):
    folder = make_zone(tmp_path, "intel-rapl:0", "package-0", max_range_uj=1_000_000, energy_uj=900_000)
    (source,), _ = rapl.discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    source.read_energy_j()
    write_counter(folder, 50_000)  # 100_000 to the top, then 50_000 past zero
    assert source.read_energy_j() == pytest.approx(0.15)
    write_counter(folder, 250_000)
    assert source.read_energy_j() == pytest.approx(0.35)


def test_root_only_counter_gives_the_fix(tmp_path):
    laptop_tree(tmp_path)
    found, missing = discover_sources(
        sysfs_root=str(tmp_path), search_path="", files=FileReader(opener_denying("energy_uj"))
    )
    assert not [s for s in found if s.name.startswith("rapl")]
    reasons = dict(missing)
    assert "root" in reasons["rapl-package"] and "CVE-2020-8694" in reasons["rapl-package"]


def test_docker_masked_tree_says_bind_mount(tmp_path):
    os.makedirs(tmp_path / "class/powercap")
    os.symlink("../../devices/virtual/powercap/intel-rapl/intel-rapl:0", tmp_path / "class/powercap/intel-rapl:0")
    _, missing = rapl.discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert "bind-mount" in missing[0][1]


def test_vanished_and_garbage_counters_raise_with_reason(tmp_path):
    folder = make_zone(tmp_path, "intel-rapl:0", "package-0")
    (source,), _ = rapl.discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    source.read_energy_j()
    with open(os.path.join(folder, "energy_uj"), "w") as handle:
        handle.write("garbage\n")
    with pytest.raises(SourceUnavailable, match="not an integer"):
        source.read_energy_j()
    os.remove(os.path.join(folder, "energy_uj"))
    with pytest.raises(SourceUnavailable, match="vanished"):
        source.read_energy_j()


def test_garbage_at_discovery_is_a_reason(tmp_path):
    folder = make_zone(tmp_path, "intel-rapl:0", "package-0")
    with open(os.path.join(folder, "max_energy_range_uj"), "w") as handle:
        handle.write("n/a\n")
    found, missing = rapl.discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert found == [] and "not an integer" in missing[0][1]


def test_meter_energy_matches_known_integral_across_a_power_step(tmp_path):
    # the fake's writer is a Python thread: a short GIL switch interval keeps its file as fresh as a
    # real RAPL counter (updated about every millisecond) instead of up to one 5 ms interval stale
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        _measure_step(tmp_path)
    finally:
        sys.setswitchinterval(previous)


def _measure_step(tmp_path):
    with FakeRapl(str(tmp_path), watts=10.0, start_uj=DEFAULT_NEAR_WRAP, max_range_uj=MAX_RANGE) as fake:
        found, _ = discover_sources(sysfs_root=str(tmp_path), search_path="")
        meter = EnergyMeter(found)
        step_at = time.monotonic() + 0.4
        raw_before = int(open(os.path.join(fake.folder, "energy_uj")).read())

        def run_once():
            if time.monotonic() >= step_at and fake._watts == 10.0:
                fake.set_watts(30.0)
            time.sleep(0.01)

        result = meter.measure(run_once, min_window_s=1.5)
        meter.close()
        window = meter.last_window
        expected = fake.energy_between(window.start_mono, window.end_mono)
        raw_after = int(open(os.path.join(fake.folder, "energy_uj")).read())
    assert raw_after < raw_before, "the counter should have wrapped inside the window"
    package = result.sources[0]
    assert package.power_source == "rapl-package" and package.reason is None
    assert package.energy_j == pytest.approx(expected, rel=0.02)
    assert package.energy_per_inference_j == pytest.approx(package.energy_j / result.n_inferences)


MAX_RANGE = 60_000_000  # 60 J: the 10-30 W run wraps once during the window (real ranges are ~262 kJ)
DEFAULT_NEAR_WRAP = 55_000_000
