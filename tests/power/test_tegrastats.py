import time

import pytest

from bench_job.power import EnergyMeter
from bench_job.power.discovery import DiscoveryContext
from bench_job.power.tegrastats import board_power, discover, parse_rails
from tests.power.helpers import fake_program

JP5_LINE = ("08-23-2026 13:57:46 RAM 3595/7607MB (lfb 1x1MB) SWAP 11/3804MB (cached 0MB) "
            "CPU [1%@729,off,3%@729,4%@729,5%@729,6%@729] EMC_FREQ 2%@2133 GR3D_FREQ 7%@[306] cpu@51C "
            "soc2@50.562C tj@51C VDD_IN 5832mW/5852mW VDD_CPU_GPU_CV 1307mW/1327mW VDD_SOC 1468mW/1468mW")
JP4_LINE = ("RAM 1750/3964MB (lfb 96x4MB) SWAP 0/1982MB (cached 0MB) IRAM 0/252kB(lfb 252kB) CPU [5%@1479,2%@1479,"
            "0%@1479,1%@1479] EMC_FREQ 3%@1600 GR3D_FREQ 0%@76 APE 25 PLL@33C CPU@35.5C PMIC@100C GPU@33.5C "
            "AO@41C thermal@34.5C POM_5V_IN 3234/3234 POM_5V_GPU 120/120 POM_5V_CPU 800/800")
JP7_LINE = ("09-15-2026 12:19:33 RAM 999/62841MB CPU [0%@729,off] GR3D_FREQ 0% cpu@43.093C/43.093C "
            "tj@42.906C/42.968C VDD_GPU_SOC 2792mW/2792mW/2792mW VDD_CPU_CV 0mW/0mW/0mW "
            "VIN_SYS_5V0 3918mW/3952mW/4019mW")


def test_parses_the_three_line_formats():
    assert parse_rails(JP5_LINE) == {"VDD_IN": 5.832, "VDD_CPU_GPU_CV": 1.307, "VDD_SOC": 1.468}
    assert board_power(parse_rails(JP4_LINE)) == pytest.approx(3.234)
    rails = parse_rails(JP7_LINE)
    assert rails == {"VDD_GPU_SOC": 2.792, "VDD_CPU_CV": 0.0, "VIN_SYS_5V0": 3.918}
    assert board_power(rails) == pytest.approx(2.792 + 3.918)  # no total rail: the sum
    assert parse_rails("RAM 999/62841MB SWAP 0/3810MB") == {}


def test_fake_tegrastats_pipe_measures_its_power(tmp_path):
    # prints at the requested interval; the board power steps from 4 W to 8 W after 0.6 s
    bin_dir = fake_program(tmp_path / "bin", "tegrastats", """
        interval = int(sys.argv[sys.argv.index("--interval") + 1]) / 1000
        start = time.monotonic()
        while True:
            mw = 4000 if time.monotonic() - start < 0.6 else 8000
            print(f"RAM 100/1000MB CPU [1%@729] VDD_IN {mw}mW/{mw}mW VDD_SOC 900mW/900mW", flush=True)
            time.sleep(interval)
    """)
    (source,), _ = discover(DiscoveryContext(search_path=bin_dir, sampling_hz=50))
    assert source.sampling_hz == 50
    meter = EnergyMeter([source])
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.3, min_samples=10)
    meter.close()
    figures = result["sources"][0]
    assert figures["reason"] is None and figures["power_samples"] >= 10
    assert 3.9 <= figures["avg_power_w"] <= 8.1


def test_missing_or_silent_tegrastats(tmp_path):
    _, missing = discover(DiscoveryContext(search_path=str(tmp_path)))
    assert "not on PATH" in missing[0][1]
    bin_dir = fake_program(tmp_path / "bin", "tegrastats", "print('RAM 100/1000MB CPU [1%@729]', flush=True)\n")
    _, missing = discover(DiscoveryContext(search_path=bin_dir))
    assert "no power rails" in missing[0][1]
