"""The documented rail hierarchy, held against real tegrastats captures (tests/power/jetson_captures.py
cites each) and, where no capture carries a case, against the rail names of the documented layouts."""

from __future__ import annotations

import pytest

from bench_job.power.jetson_rails import board_total
from bench_job.power.tegrastats import line_power, parse_rails
from tests.power.jetson_captures import AGX_ORIN_JP5, CAPTURES, THOR_R39, TX2_L4T32


@pytest.mark.parametrize("board, line, rails, watts", CAPTURES, ids=[c[0] for c in CAPTURES])
def test_each_capture_adds_the_documented_rails(board, line, rails, watts):
    parsed = parse_rails(line)
    total = board_total(parsed)
    assert total.rails == rails
    assert line_power(parsed, total.rails) == pytest.approx(watts)


def test_agx_orin_vddq_is_inside_vin_sys_5v0_and_nc_is_no_rail():
    # the JetPack 5.0/5.1 line that lists NC twice and VDDQ_VDD2_1V8AO: before, VDDQ was added again
    # (7.132 W, 4% over) and "NC" was named as a rail
    parsed = parse_rails(AGX_ORIN_JP5)
    assert "NC" not in parsed and parsed["VDDQ_VDD2_1V8AO"] == pytest.approx(0.301)
    total = board_total(parsed)
    assert line_power(parsed, total.rails) == pytest.approx(6.831)
    assert total.scope.startswith("Jetson AGX Orin module: VDD_GPU_SOC + VDD_CPU_CV + VIN_SYS_5V0")
    assert "VDDQ_VDD2_1V8AO is inside VIN_SYS_5V0" in total.scope and "NC" not in total.scope.split()


def test_a_module_input_rail_is_the_total_and_its_parts_are_not_added():
    parsed = parse_rails(TX2_L4T32)
    total = board_total(parsed)
    assert total.rails == ("VDD_IN",)
    assert total.scope.startswith("Jetson module input (VDD_IN rail)")
    assert "VDD_SYS_GPU, VDD_SYS_SOC, VDD_4V0_WIFI, VDD_SYS_CPU, VDD_SYS_DDR inside it" in total.scope


def test_tx2_developer_kit_carrier_rails_stay_outside_the_module_total():
    # rail names of the TX2 developer kit's INA3221s: module at 0x40/0x41, carrier board at 0x42/0x43
    # (energymon jetson/JetsonPowerRails.md, from the L4T device tree and NVIDIA's L4T 28 guide)
    names = [
        "VDD_SYS_GPU",
        "VDD_SYS_SOC",
        "VDD_4V0_WIFI",
        "VDD_IN",
        "VDD_SYS_CPU",
        "VDD_SYS_DDR",
        "VDD_MUX",
        "VDD_5V0_IO_SYS",
        "VDD_3V3_SYS",
        "VDD_3V3_IO_SLP",
        "VDD_1V8_IO",
        "VDD_3V3_SYS_M2",
    ]
    total = board_total(names)
    assert total.rails == ("VDD_IN",)
    assert (
        "carrier-board rails VDD_MUX, VDD_5V0_IO_SYS, VDD_3V3_SYS, VDD_3V3_IO_SLP, VDD_1V8_IO, "
        "VDD_3V3_SYS_M2 are outside the module"
    ) in total.scope


def test_thor_vin_is_the_total_not_one_more_rail():
    # the Thor module rails of the R39.2 capture plus the carrier board's INA238 VIN (jetson-stats PR 900)
    names = [*parse_rails(THOR_R39), "VIN"]
    total = board_total(names)
    assert total.rails == ("VIN",)
    assert total.scope == (
        "whole board input, module and carrier board (VIN rail); "
        "VDD_GPU, VDD_CPU_SOC_MSS, VIN_SYS_5V0 inside it, not added again"
    )


def test_rails_of_no_documented_layout_are_summed_with_a_warning():
    total = board_total(parse_rails(THOR_R39))
    assert total.rails == ("VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0")
    assert "sum of the listed rails VDD_GPU, VDD_CPU_SOC_MSS, VIN_SYS_5V0" in total.scope
    assert "may double-count" in total.scope


def test_an_incomplete_documented_layout_is_not_claimed():
    # AGX Orin with VIN_SYS_5V0 unreadable: the remaining rails are no documented total any more
    total = board_total(["VDD_GPU_SOC", "VDD_CPU_CV", "VDDQ_VDD2_1V8AO"])
    assert total.rails == ("VDD_GPU_SOC", "VDD_CPU_CV", "VDDQ_VDD2_1V8AO")
    assert "may double-count" in total.scope and "AGX Orin" not in total.scope


def test_an_extra_rail_beside_a_documented_layout_is_named_not_added():
    total = board_total(["VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDD_CARRIER_5V"])
    assert total.rails == ("VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0")
    assert "VDD_CARRIER_5V not in NVIDIA's layout for this module, not included" in total.scope
