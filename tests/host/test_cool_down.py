"""The cool-down before each model, against a fake thermal zone (tests/host/thermal_zones.py, the kernel's format)
whose temperature falls on a schedule driven by a fake sleep: no real waiting."""

from __future__ import annotations

import pytest

from bench_job.config import ThermalSection
from bench_job.host.cool_down import CoolDown, CoolDownResult
from tests.host.thermal_zones import ScheduledZone
from tests.settings import packaged


def thermal(**overrides) -> ThermalSection:
    return packaged(ThermalSection, "thermal", **overrides)


def cool_down(zone: ScheduledZone, **overrides) -> CoolDown:
    return CoolDown(thermal(**overrides), str(zone.root), clock=zone.clock, sleep=zone.sleep)


def test_the_wait_lasts_exactly_while_the_zone_is_hot(tmp_path):
    zone = ScheduledZone(tmp_path, [45.0])
    waiting = cool_down(zone, cool_margin_c=5, max_wait_s=120, poll_s=2).start()
    assert waiting.start_c == 45.0 and waiting.target_c == 50.0
    zone.restart([78.5, 70.0, 61.25, 52.0, 50.0, 47.0])  # cool (<= 50 C) at the fifth reading
    shown = []
    result = waiting.wait("resnet18 [fp32]", shown.append)
    assert result == CoolDownResult(8.0, False, 50.0, 50.0)
    assert zone.sleeps == [2, 2, 2, 2]  # four polls while hot, none once cool
    assert shown[0] == "cooling: 78.5 C > 50.0 C" and len(shown) == 4
    assert result.record_fields() == {"cool_down_s": 8.0, "started_hot": False} and result.note() is None


def test_a_cool_zone_is_not_waited_for(tmp_path):
    zone = ScheduledZone(tmp_path, [45.0])
    result = cool_down(zone).start().wait("resnet18")
    assert result.record_fields() == {"cool_down_s": 0.0, "started_hot": False}
    assert zone.sleeps == []


def test_a_zone_that_never_cools_is_waited_for_up_to_the_bound_and_starts_hot(tmp_path, caplog):
    zone = ScheduledZone(tmp_path, [55.0])
    waiting = cool_down(zone, cool_margin_c=5, max_wait_s=7, poll_s=2).start()
    zone.restart([78.5])
    with caplog.at_level("INFO", logger="bench_job"):
        result = waiting.wait("vgg16 [fp32]")
    assert result.waited_s == 7 and result.started_hot is True
    assert zone.sleeps == [2, 2, 2, 1]  # the last poll lands on the bound, never past it
    assert result.note() == "started hot: 78.5 C after waiting 7 s for 60.0 C"
    messages = [r.getMessage() for r in caplog.records]
    assert (
        "cooling down before vgg16 [fp32]: cpu-thermal at 78.5 C, waiting for 60.0 C (within 5 C of the start), "
        "at most 7 s" in messages
    )
    assert messages[-1] == "vgg16 [fp32]: started hot: 78.5 C after waiting 7 s for 60.0 C"


def test_a_zero_bound_only_checks(tmp_path):
    zone = ScheduledZone(tmp_path, [40.0])
    waiting = cool_down(zone, max_wait_s=0).start()
    zone.restart([80.0])
    assert waiting.wait("resnet18") == CoolDownResult(0.0, True, 80.0, 45.0) and zone.sleeps == []


def test_an_absolute_target_replaces_the_margin(tmp_path):
    zone = ScheduledZone(tmp_path, [70.0])  # a run that started hot: the margin alone would wait for 75 C
    waiting = cool_down(zone, cool_to_c=55, max_wait_s=120, poll_s=5).start()
    assert waiting.target_c == 55.0
    zone.restart([72.0, 64.0, 56.0, 54.5])
    assert waiting.wait("resnet18") == CoolDownResult(15.0, False, 54.5, 55.0)
    assert zone.sleeps == [5, 5, 5]


def test_a_device_without_a_thermal_zone_never_waits_and_says_so_once(tmp_path, caplog):
    slept = []
    with caplog.at_level("INFO", logger="bench_job"):
        waiting = CoolDown(thermal(), str(tmp_path), clock=lambda: 0.0, sleep=slept.append).start()
    result = waiting.wait("resnet18")
    assert result.record_fields() == {"cool_down_s": None, "started_hot": None} and slept == []
    assert [r.getMessage() for r in caplog.records] == [
        f"no thermal zone under {tmp_path}/class/thermal: no cool-down between models"
    ]
    assert waiting.summary()["reason"] == f"no thermal zone under {tmp_path}/class/thermal: cool_down_s stays empty"


def test_the_summary_names_the_start_and_the_target(tmp_path):
    zone = ScheduledZone(tmp_path, [47.25])
    assert cool_down(zone).start().summary() == {
        "start_c": 47.25,
        "target_c": 52.25,
        "cool_margin_c": 5,
        "cool_to_c": None,
        "max_wait_s": 120,
    }


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("thermal.cool_margin_c=0", "thermal.cool_margin_c must be a positive number of degrees C, got 0"),
        ("thermal.cool_to_c=150", "thermal.cool_to_c must be between 20 and 110 degrees C"),
        ("thermal.cool_to_c=warm", "thermal.cool_to_c must be a number, got 'warm'"),
        ("thermal.max_wait_s=-1", "thermal.max_wait_s must be a number of seconds, 0 or more"),
        ("thermal.poll_s=0", "thermal.poll_s must be a positive number of seconds, got 0"),
    ],
)
def test_bad_thermal_settings_are_refused_in_one_line(assignment, message):
    from bench_job import config as cfg
    from bench_job.errors import UserError

    with pytest.raises(UserError) as caught:
        cfg.resolve(None, device="rpi", sets=[assignment])
    assert message in str(caught.value) and "\n" not in str(caught.value)
