from __future__ import annotations

import pickle
import time

import pytest

from bench_job.power import EnergyMeter
from bench_job.power.discovery import DiscoveryContext
from bench_job.power.tegrastats import discover, parse_rails
from tests.power.helpers import fake_program
from tests.power.jetson_captures import AGX_ORIN_JP5, AGX_ORIN_JP7, NANO, ORIN_NX, THOR_R38


def test_parses_the_line_formats_of_every_jetpack():
    assert parse_rails(NANO) == {"POM_5V_IN": 1.022, "POM_5V_GPU": 0.0, "POM_5V_CPU": 0.204}  # no unit
    assert parse_rails(ORIN_NX) == {"VDD_IN": 5.299, "VDD_CPU_GPU_CV": 0.773, "VDD_SOC": 1.424}  # mW/mW
    assert parse_rails(THOR_R38)["VDD_CPU_SOC_MSS"] == 4.165
    assert parse_rails(AGX_ORIN_JP7) == {"VDD_GPU_SOC": 5.139, "VDD_CPU_CV": 3.268, "VIN_SYS_5V0": 5.5}  # three
    assert parse_rails("RAM 999/62841MB SWAP 0/3810MB IRAM 0/252kB(lfb 252kB)") == {}


def replaying_tegrastats(bin_dir, line):
    """A fake tegrastats that prints a captured line at the requested interval, as the real one does."""
    return fake_program(
        bin_dir,
        "tegrastats",
        f"""
        interval = int(sys.argv[sys.argv.index("--interval") + 1]) / 1000
        while True:
            print({line!r}, flush=True)
            time.sleep(interval)
    """,
    )


def test_agx_orin_jetpack_5_line_counts_vddq_once_and_names_no_nc(tmp_path):
    bin_dir = replaying_tegrastats(tmp_path / "bin", AGX_ORIN_JP5)
    (source,), _ = discover(DiscoveryContext(search_path=bin_dir, sampling_hz=50))
    assert "NC" not in source.scope.replace(";", " ").split()
    assert source.scope.startswith("Jetson AGX Orin module: VDD_GPU_SOC + VDD_CPU_CV + VIN_SYS_5V0")
    assert source.scope.endswith("read through tegrastats")
    meter = EnergyMeter([source])
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.3, min_samples=5)
    meter.close()
    (figures,) = result.sources
    assert figures.reason is None
    assert figures.avg_power_w == pytest.approx(2.399 + 0.400 + 4.032)


def test_the_spec_reopens_the_same_pipe(tmp_path):
    bin_dir = replaying_tegrastats(tmp_path / "bin", AGX_ORIN_JP5)
    (source,), _ = discover(DiscoveryContext(search_path=bin_dir, sampling_hz=50))
    reopened = pickle.loads(pickle.dumps(source.spec)).open(None)
    assert (reopened.name, reopened.scope, reopened.kind) == (source.name, source.scope, "streamed")
    assert reopened.spec.rails == ("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0")


def test_fake_tegrastats_pipe_measures_its_power(tmp_path):
    # prints at the requested interval; the board power steps from 4 W to 8 W after 0.6 s
    bin_dir = fake_program(
        tmp_path / "bin",
        "tegrastats",
        """
        interval = int(sys.argv[sys.argv.index("--interval") + 1]) / 1000
        start = time.monotonic()
        while True:
            mw = 4000 if time.monotonic() - start < 0.6 else 8000
            print(f"RAM 100/1000MB CPU [1%@729] VDD_IN {mw}mW/{mw}mW VDD_SOC 900mW/900mW", flush=True)
            time.sleep(interval)
    """,
    )
    (source,), _ = discover(DiscoveryContext(search_path=bin_dir, sampling_hz=50))
    assert source.sampling_hz == 50
    meter = EnergyMeter([source])
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.3, min_samples=10)
    meter.close()
    figures = result.sources[0]
    assert figures.reason is None and figures.power_samples >= 10
    assert 3.9 <= figures.avg_power_w <= 8.1


def test_missing_or_silent_tegrastats(tmp_path):
    _, missing = discover(DiscoveryContext(search_path=str(tmp_path)))
    assert "not on PATH" in missing[0][1]
    bin_dir = fake_program(tmp_path / "bin", "tegrastats", "print('RAM 100/1000MB CPU [1%@729]', flush=True)\n")
    _, missing = discover(DiscoveryContext(search_path=bin_dir))
    assert "no power rails" in missing[0][1]
