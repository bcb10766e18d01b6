from __future__ import annotations

import subprocess
import sys
import time

from bench_job.power.probe import probe_power
from tests.power.helpers import write


def test_probe_lists_found_with_reading_and_missing_with_reasons(tmp_path):
    write(tmp_path, "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon2/in1_label", "VDD_IN")
    write(tmp_path, "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon2/in1_input", 5000)
    write(tmp_path, "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon2/curr1_input", 1200)
    lines = probe_power(str(tmp_path), seconds=0.2, search_path="")
    assert any("jetson-ina3221" in line and "6.00 W" in line for line in lines)
    assert any(line.startswith("power source rapl not used:") for line in lines)


def test_fake_rapl_process_drives_a_probe(tmp_path):
    """The helper an end-to-end test uses: a separate process advancing energy_uj at 15 W."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.power.fake_rapl", "--sysfs-root", str(tmp_path), "--watts", "15"]
    )
    try:
        deadline = time.monotonic() + 10
        while not (tmp_path / "class/powercap/intel-rapl:0").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = probe_power(str(tmp_path), seconds=0.5, search_path="")
    finally:
        process.terminate()
        process.wait(timeout=10)
    reading = next(line for line in lines if "rapl-package" in line)
    watts = float(reading.split(": ", 1)[1].split(" W")[0])
    assert abs(watts - 15.0) < 0.3, reading
