"""The board's heat in the run report: the verdict names a Raspberry Pi whose firmware had throttled since boot before
the run started (env.json's power_state, read as the run began) and the models that started hot; the header says
what the cool-down between models was, or why there was none."""

from __future__ import annotations

from bench_job.bundle.records import to_frame
from bench_job.host.device_state import decode_rpi_throttled
from bench_job.report.run_report import write_run_report
from tests.report.synthetic import CONFIG, ENV, measured
from tests.report.test_verdict import ENERGY, outcome

COOL_DOWN = {"start_c": 45.0, "target_c": 50.0, "cool_margin_c": 5, "cool_to_c": None, "max_wait_s": 120}


def report(tmp_path, records, env) -> str:
    write_run_report(to_frame(records), CONFIG, env, str(tmp_path), outcome(planned=len(records)))
    return (tmp_path / "report.md").read_text()


def rpi_env(throttled: str) -> dict:
    """env.json of a Pi run: `vcgencmd get_throttled` as the run started (Raspberry Pi documentation, vcgencmd:
    bits 16-19 are under-voltage, ARM frequency capped, throttled and soft temperature limit since boot)."""
    return dict(ENV, device_kind="rpi", power_state={"rpi_throttled": decode_rpi_throttled(throttled)})


def rows(**fields) -> list:
    return [measured("tiny", b, 64, 0.002 * b, **ENERGY, **fields) for b in (1, 2)]


def test_a_pi_that_throttled_since_boot_before_the_run_is_named(tmp_path):
    # 0x50000: bits 16 and 18, under-voltage and throttling have occurred since boot
    text = report(tmp_path, rows(), rpi_env("throttled=0x50000"))
    assert text.splitlines()[2] == "> **Verdict: the board was throttling before the run.**"
    assert (
        "> - **the board was throttling before the run**: the board has been throttling (under-voltage, throttled "
        "since boot) before this job measured anything (vcgencmd get_throttled reported 0x50000 at the run's start)."
    ) in text
    # 0x80000: bit 19, the soft temperature limit has been reached since boot
    assert "the board has been throttling (soft temperature limit since boot) before this job measured anything" in (
        report(tmp_path, rows(), rpi_env("throttled=0x80000"))
    )


def test_throttling_now_without_a_since_boot_bit_is_not_a_before_the_run_entry(tmp_path):
    # bits 0-3 are conditions now; a clean since-boot half means nothing happened before the run started
    assert "throttling before the run" not in report(tmp_path, rows(), rpi_env("throttled=0x0"))
    assert "Verdict: clean" in report(tmp_path, rows(), dict(ENV, power_state={"rpi_throttled": None}))


def test_models_that_started_hot_are_named_with_their_rows(tmp_path):
    note = "started hot: 78.5 C after waiting 120 s for 50.0 C"
    records = [
        measured("tiny", 1, 64, 0.002, **ENERGY, cool_down_s=0.0, started_hot=False),
        *(measured("vgg", b, 64, 0.02 * b, **ENERGY, cool_down_s=120.0, started_hot=True, notes=note) for b in (1, 2)),
    ]
    text = report(tmp_path, records, dict(ENV, cool_down=COOL_DOWN))
    assert text.splitlines()[2] == "> **Verdict: 2 configuration(s) started hot.**"
    assert (
        "> - **2 configuration(s) started hot**: the cool-down before vgg ran out (thermal.max_wait_s) with the "
        "board above its target (each row's notes give the temperature)"
    ) in text
    assert (
        "- cool-down between models: each waited, at most 120 s, for the hottest thermal zone to reach 50.0 C "
        "(within 5 C of 45.0 C at the start); 1 of 2 model variant(s) waited, 2 min in all; 1 started hot "
        "(see the verdict)"
    ) in text


def test_rows_that_cooled_in_time_keep_a_clean_verdict_and_the_header_says_why_there_was_no_wait(tmp_path):
    text = report(tmp_path, rows(cool_down_s=30.0, started_hot=False), dict(ENV, cool_down=COOL_DOWN))
    assert "Verdict: clean" in text and "1 of 1 model variant(s) waited, 30.0 s in all" in text
    no_zone = dict(COOL_DOWN, start_c=None, target_c=None, reason="no thermal zone under /sys/class/thermal: x")
    text = report(tmp_path, rows(), dict(ENV, cool_down=no_zone))
    assert "- cool-down between models: none (no thermal zone under /sys/class/thermal: x)" in text
    assert "cool-down between models" not in report(tmp_path, rows(), ENV)  # a bundle from before the cool-down
