"""The L4T release, its JetPack and the module, from real nv_tegra_release lines and device trees."""

from __future__ import annotations

import pytest

from bench_job.host.jetson_release import jetpack_for, module_name, module_part, release_version, split_compatible
from tests.host.jetson_host_captures import (
    DEVICE_TREES,
    NANO_JP461,
    ORIN_JP72,
    ORIN_JP621,
    ORIN_JP621_FILE,
    THOR_JP70,
    XAVIER_JP512,
)


@pytest.mark.parametrize(
    "line,version,jetpack",
    [
        (NANO_JP461, "32.7.1", "4.6.1"),
        (XAVIER_JP512, "35.4.1", "5.1.2"),
        (ORIN_JP621, "36.4.4", "6.2.1"),
        (THOR_JP70, "38.2.0", "7.0"),
        (ORIN_JP72, "39.2.0", "7.2 GA"),
    ],
)
def test_each_release_line_gives_its_l4t_version_and_jetpack(line, version, jetpack):
    assert release_version(line) == version
    assert jetpack_for(version) == jetpack


def test_only_line_one_of_the_file_is_the_release_and_anything_else_is_none():
    assert release_version(ORIN_JP621_FILE.splitlines()[0]) == "36.4.4"
    for junk in (None, "", "# KERNEL_VARIANT: oot", "R36 4.4"):
        assert release_version(junk) is None


def test_a_release_the_table_does_not_know_is_not_guessed():
    assert jetpack_for("36.9.9") is None and jetpack_for(None) is None
    # Older files write two numbers ("REVISION: 5" on R32.5): the table's "32.5.0" row.
    assert jetpack_for("32.5") == "4.5"


@pytest.mark.parametrize(
    "board,part,name",
    [
        ("nano", "p3448-0000", "Jetson Nano 4GB"),
        ("xavier-nx", "p3668-0001", "Jetson Xavier NX"),
        ("orin-nano", "p3767-0005", "Jetson Orin Nano (developer kit)"),
        ("agx-orin-64gb", "p3701-0005", "Jetson AGX Orin 64GB"),
    ],
)
def test_the_module_comes_from_the_compatible_strings(board, part, name):
    model, compatible = DEVICE_TREES[board]
    strings = split_compatible(compatible)
    assert strings[-1].startswith("nvidia,tegra") and "" not in strings  # NUL-separated, NUL-terminated
    assert module_part(strings) == part
    assert module_name(part, model.strip("\x00")) == name


def test_a_module_the_table_does_not_know_is_named_by_the_model():
    strings = split_compatible("nvidia,p9999-0000+p9998-0001\x00nvidia,tegra234\x00")
    assert module_part(strings) == "p9998-0001"  # the module: after the carrier's "+"
    assert module_name("p9998-0001", "Some Carrier with an Orin") == "Some Carrier with an Orin"
    assert module_part(split_compatible("raspberrypi,5-model-b\x00brcm,bcm2712\x00")) is None
    assert module_name(None, None) is None and split_compatible(None) == []
