"""The sysfs reader on the documented layouts of tests/power/jetson_boards.py (sources cited there)."""

from __future__ import annotations

import errno
import os
import pickle
import time

import pytest

from bench_job.power import EnergyMeter, discover_sources
from bench_job.power.base import SourceUnavailable
from bench_job.power.discovery import DiscoveryContext
from bench_job.power.jetson_ina3221 import discover
from bench_job.power.jetson_rails import board_total
from bench_job.power.sysfs import FileReader
from bench_job.power.tegrastats import discover as discover_tegrastats
from bench_job.power.tegrastats import line_power, parse_rails
from tests.power import jetson_boards, jetson_captures
from tests.power.helpers import fake_program, opener_failing_read, write

# each documented tree beside the tegrastats capture of the same board (its rails draw what the capture shows)
SAME_BOARD = [
    ("agx-orin-jp5", jetson_captures.AGX_ORIN_JP5),
    ("orin-nx-jp5", jetson_captures.ORIN_NX),
    ("xavier-nx-jp4", jetson_captures.XAVIER_NX),
    ("nano-jp4", jetson_captures.NANO),
    ("agx-xavier-jp4", jetson_captures.AGX_XAVIER),
    ("tx2-l4t28", jetson_captures.TX2_L4T32),
]


def only_source(root, files=None):
    (source,), missing = discover(DiscoveryContext(sysfs_root=str(root), files=files or FileReader()))
    assert missing == []
    return source


@pytest.mark.parametrize("board, line", SAME_BOARD, ids=[b for b, _ in SAME_BOARD])
def test_sysfs_and_tegrastats_report_the_same_documented_total(tmp_path, board, line):
    documented = jetson_boards.BOARDS[board](tmp_path)
    source = only_source(tmp_path)
    assert source.read_power_w() == pytest.approx(documented)
    parsed = parse_rails(line)
    from_tegrastats = line_power(parsed, board_total(parsed).rails)
    # mV x mA trees match the capture to a mW or two; mW trees exactly
    assert source.read_power_w() == pytest.approx(from_tegrastats, abs=0.002)
    assert source.scope.split(";")[0] == board_total(parsed).scope.split(";")[0]


def test_agx_orin_sums_its_supplies_once(tmp_path):
    documented = jetson_boards.agx_orin_jp5(tmp_path)
    source = only_source(tmp_path)
    assert source.read_power_w() == pytest.approx(documented)
    assert source.read_power_w() == pytest.approx(19.048 * 0.126 + 19.048 * 0.021 + 4.940 * 0.816)  # no VDDQ
    assert "VDDQ_VDD2_1V8AO is inside VIN_SYS_5V0" in source.scope and "NC" not in source.scope.split()


def test_a_disabled_channel_is_left_out_and_named(tmp_path):
    # the hwmon ABI has the ina3221 driver answer ENODATA for a disabled input (kernel commit a9e9dd9c6de5,
    # "returns -ENODATA code for any sensor read"); before, one such channel dropped the whole source
    documented = jetson_boards.orin_nx_jp5(tmp_path)
    files = FileReader(opener_failing_read(errno.ENODATA, "hwmon1/in3_input"))
    source = only_source(tmp_path, files)
    assert source.read_power_w() == pytest.approx(documented)  # VDD_IN, the total, still reads
    assert "left out, unreadable: 1-0040 in3 rail VDD_SOC:" in source.scope
    assert "has no data (the channel is disabled)" in source.scope


def test_a_disabled_supply_makes_the_rest_a_plain_sum(tmp_path):
    jetson_boards.agx_orin_jp5(tmp_path)
    files = FileReader(opener_failing_read(errno.ENODATA, "hwmon3/in3_input"))  # VIN_SYS_5V0
    source = only_source(tmp_path, files)
    assert source.read_power_w() == pytest.approx(19.048 * 0.126 + 19.048 * 0.021 + 4.940 * 0.061)
    assert "may double-count" in source.scope and "1-0040 in3 rail VIN_SYS_5V0" in source.scope


def test_l4t28_iio_device_folder_is_found(tmp_path):
    jetson_boards.tx2_l4t28(tmp_path)
    assert os.path.isdir(tmp_path / "bus/i2c/drivers/ina3221x/0-0041/iio_device")
    source = only_source(tmp_path)
    assert source.read_power_w() == pytest.approx(3.056)
    assert source.scope.startswith("Jetson module input (VDD_IN rail)")


def test_thor_carrier_vin_is_the_total(tmp_path):
    documented = jetson_boards.thor_devkit(tmp_path)
    source = only_source(tmp_path)
    assert source.read_power_w() == pytest.approx(documented)
    assert source.scope.startswith("whole board input, module and carrier board (VIN rail)")
    assert "VDD_GPU, VDD_CPU_SOC_MSS, VIN_SYS_5V0 inside it" in source.scope


def test_not_found_names_the_folder_searched(tmp_path):
    _, missing = discover(DiscoveryContext(sysfs_root=str(tmp_path / "host-sys")))
    assert str(tmp_path / "host-sys" / "bus" / "i2c" / "drivers") in missing[0][1]
    assert "/sys/bus" not in missing[0][1].replace(str(tmp_path), "")


def test_every_channel_unreadable_is_a_reason(tmp_path):
    jetson_boards.orin_nx_jp5(tmp_path)
    found, missing = discover(
        DiscoveryContext(sysfs_root=str(tmp_path), files=FileReader(opener_failing_read(errno.EIO, "_input")))
    )
    assert found == [] and "no power monitor channel can be read" in missing[0][1]


def test_rail_vanishing_mid_run_and_garbage(tmp_path):
    jetson_boards.orin_nx_jp5(tmp_path)
    folder = tmp_path / "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon1"
    source = only_source(tmp_path)
    write(folder, "curr1_input", "-EIO")
    with pytest.raises(SourceUnavailable, match="not an integer"):
        source.read_power_w()
    os.remove(folder / "curr1_input")
    with pytest.raises(SourceUnavailable, match="vanished"):
        source.read_power_w()


def test_the_spec_reopens_the_same_rails(tmp_path):
    documented = jetson_boards.agx_orin_jp5(tmp_path)
    source = only_source(tmp_path)
    reopened = pickle.loads(pickle.dumps(source.spec)).open(FileReader())
    assert (reopened.name, reopened.scope) == (source.name, source.scope)
    assert reopened.read_power_w() == pytest.approx(documented)


def test_same_board_through_both_readers(tmp_path):
    # an AGX Orin tree, and a tegrastats that prints the JetPack 5.0 line of that same tree's rails
    jetson_boards.agx_orin_jp5(tmp_path)
    sysfs_source = only_source(tmp_path)
    rails = {
        "VDD_GPU_SOC": 19048 * 126,
        "VDD_CPU_CV": 19048 * 21,
        "VIN_SYS_5V0": 4940 * 816,
        "VDDQ_VDD2_1V8AO": 4940 * 61,
    }
    fields = [f"{name} {uw // 1000}mW/{uw // 1000}mW" for name, uw in rails.items()]
    line = "RAM 1282/62795MB " + " ".join(fields[:3] + ["NC 0mW/0mW", fields[3], "NC 0mW/0mW"])
    bin_dir = fake_program(
        tmp_path / "bin",
        "tegrastats",
        f"""
        interval = int(sys.argv[sys.argv.index("--interval") + 1]) / 1000
        while True:
            print({line!r}, flush=True)
            time.sleep(interval)
    """,
    )
    (tegrastats,), _ = discover_tegrastats(DiscoveryContext(search_path=bin_dir, sampling_hz=50))
    meter = EnergyMeter([sysfs_source, tegrastats])
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.3, min_samples=5)
    meter.close()
    by_name = {s.power_source: s for s in result.sources}
    assert by_name["tegrastats"].avg_power_w == pytest.approx(by_name["jetson-ina3221"].avg_power_w, abs=0.003)


def test_tegrastats_stands_aside_when_sysfs_rails_are_read(tmp_path):
    jetson_boards.orin_nx_jp5(tmp_path)
    found, missing = discover_sources(sysfs_root=str(tmp_path), search_path="")
    assert [s.name for s in found] == ["jetson-ina3221"]
    assert "sysfs" in dict(missing)["tegrastats"]
