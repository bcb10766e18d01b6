from __future__ import annotations

import pytest

from bench_job.power.discovery import DiscoveryContext
from bench_job.power.rpi_vcgencmd import discover, parse_pmic
from tests.power.helpers import fake_program

# a Raspberry Pi 5 capture of `vcgencmd pmic_read_adc` (currents first, then voltages)
PI5_OUTPUT = """\
 3V7_WL_SW_A current(0)=0.10247270A
   3V3_SYS_A current(1)=0.10832820A
   1V8_SYS_A current(2)=0.15712470A
  DDR_VDD2_A current(3)=0.00585558A
  DDR_VDDQ_A current(4)=0.00000000A
   1V1_SYS_A current(5)=0.24105470A
    0V8_SW_A current(6)=0.31424950A
  VDD_CORE_A current(7)=1.42880000A
   3V3_DAC_A current(17)=0.00000000A
   3V3_ADC_A current(18)=0.00006105A
   0V8_AON_A current(16)=0.00354090A
      HDMI_A current(22)=0.02002440A
 3V7_WL_SW_V volt(8)=3.71091200V
   3V3_SYS_V volt(9)=3.30910500V
   1V8_SYS_V volt(10)=1.80073100V
  DDR_VDD2_V volt(11)=1.10439400V
  DDR_VDDQ_V volt(12)=0.60439500V
   1V1_SYS_V volt(13)=1.10805800V
    0V8_SW_V volt(14)=0.80402850V
  VDD_CORE_V volt(15)=0.90659250V
   3V3_DAC_V volt(20)=3.31135200V
   3V3_ADC_V volt(21)=3.31867800V
   0V8_AON_V volt(19)=0.79882700V
      HDMI_V volt(23)=5.07860000V
     EXT5V_V volt(24)=5.05716000V
      BATT_V volt(25)=0.00000000V
"""


def test_pairs_rails_and_skips_voltage_only_channels():
    rails = parse_pmic(PI5_OUTPUT)
    assert "EXT5V" not in rails and "BATT" not in rails
    assert rails["DDR_VDD2"] == pytest.approx(1.10439400 * 0.00585558)
    assert rails["VDD_CORE"] == pytest.approx(0.90659250 * 1.42880000)
    assert len(rails) == 12
    assert sum(rails.values()) == pytest.approx(2.948, abs=1e-3)  # summed by hand from the capture


def test_fake_vcgencmd_on_path(tmp_path):
    (tmp_path / "adc.txt").write_text(PI5_OUTPUT)
    bin_dir = fake_program(
        tmp_path / "bin",
        "vcgencmd",
        f"""
        assert sys.argv[1:] == ["pmic_read_adc"], sys.argv
        print(open({str(tmp_path / "adc.txt")!r}).read(), end="")
    """,
    )
    (source,), _ = discover(DiscoveryContext(search_path=bin_dir))
    assert source.read_power_w() == pytest.approx(sum(parse_pmic(PI5_OUTPUT).values()))
    assert source.max_hz == 10.0


def test_pi4_and_container_without_vcio(tmp_path):
    bin_dir = fake_program(tmp_path / "pi4", "vcgencmd", "print('error=2 error_msg=\"Invalid arguments\"')\n")
    _, missing = discover(DiscoveryContext(search_path=bin_dir))
    assert "Pi 5" in missing[0][1] and "--external-csv" in missing[0][1]
    bin_dir = fake_program(
        tmp_path / "box", "vcgencmd", "sys.stderr.write('Can\\'t open device file: /dev/vcio\\n'); sys.exit(255)\n"
    )
    _, missing = discover(DiscoveryContext(search_path=bin_dir))
    assert "--device /dev/vcio" in missing[0][1]
