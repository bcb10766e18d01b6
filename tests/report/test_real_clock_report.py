"""The real clock in the run report, from a bundle's real_clock.json: the header line (the start's measured
against reported clock per core type) and the verdict entry naming when and on which core type cpufreq reported
more than ran beyond the margin."""

from __future__ import annotations

from bench_job.bundle.real_clock_member import append_real_clock, read_real_clock
from bench_job.bundle.records import to_frame
from bench_job.report.run_report import write_run_report
from tests.report.synthetic import CONFIG, ENV, measured


def entry(cpus: str, measured_mhz: float, cur_mhz: float, margin: float = 0.10) -> dict:
    gap = (cur_mhz - measured_mhz) / cur_mhz
    return {
        "cpus": cpus,
        "cpu": int(cpus[3]),
        "policies": [],
        "measured_mhz": measured_mhz,
        "not_measured_reason": None,
        "cpufreq_cur_mhz": cur_mhz,
        "cpuinfo_max_mhz": 2400.0,
        "proc_cpuinfo_mhz": None,
        "proc_cpuinfo_gap": None,
        "gap": gap,
        "beyond_margin": gap > margin,
    }


def measurement(after_model, *entries) -> dict:
    return {
        "when": "2026-12-06T10:00:00+00:00",
        "after_model": after_model,
        "margin": 0.10,
        "core_types": list(entries),
    }


def report(tmp_path, measurements) -> str:
    for m in measurements:
        append_real_clock(str(tmp_path), m)
    write_run_report(to_frame([measured("tiny", 1, 64, 0.002)]), CONFIG, ENV, str(tmp_path))
    return (tmp_path / "report.md").read_text()


def test_the_header_gives_the_start_and_a_throttled_cluster_after_a_model_reaches_the_verdict(tmp_path):
    text = report(
        tmp_path,
        [
            measurement(None, entry("cpu0-3", 1795.0, 1800.0), entry("cpu4-7", 2398.0, 2400.0)),
            measurement("resnet18 [fp32]", entry("cpu0-3", 1790.0, 1800.0), entry("cpu4-7", 1200.0, 1800.0)),
        ],
    )
    assert (
        "- real clock at the start of the run (a calibrated loop of dependent adds per core type): cpu0-3: the loop "
        "sees 1795 MHz, cpufreq reports 1800 MHz (measured 0% below); cpu4-7: the loop sees 2398 MHz, cpufreq "
        "reports 2400 MHz (measured 0% below)\n" in text
    )
    assert (
        "**the reported CPU clock is not what ran (1 of 2 checks)**: after resnet18 [fp32]: cpu4-7: the loop "
        "sees 1200 MHz, cpufreq reports 1800 MHz (measured 33% below). The margin was 10%" in text
    )
    assert "cpu0-3: the loop sees 1790" not in text  # within the margin: not in the verdict


def test_a_gap_at_the_start_is_in_the_header_and_the_verdict(tmp_path):
    text = report(tmp_path, [measurement(None, entry("cpu0-3", 900.0, 1800.0))])
    assert "(measured 50% below); beyond the 10% margin on cpu0-3" in text
    assert "**the reported CPU clock is not what ran (1 of 1 checks)**: at the start: cpu0-3" in text


def test_a_clean_clock_adds_nothing_to_the_verdict(tmp_path):
    text = report(tmp_path, [measurement(None, entry("cpu0-3", 1800.0, 1800.0))])
    assert "not what ran" not in text


def test_a_bundle_without_the_member_says_so(tmp_path):
    text = report(tmp_path, [])
    assert (
        "- real clock: not measured (no real_clock.json in the bundle: it predates the check, or "
        "real_clock.enabled was false)" in text
    )


def test_a_loop_that_could_not_run_is_named(tmp_path):
    failed = dict(entry("cpu0-3", 1.0, 1800.0), measured_mhz=None, gap=None, beyond_margin=False)
    failed["not_measured_reason"] = "no calibrated loop for the armv7l architecture (x86-64 and AArch64 only)"
    text = report(tmp_path, [measurement(None, failed)])
    assert "cpu0-3: not measured (no calibrated loop for the armv7l architecture (x86-64 and AArch64 only))" in text


def test_measurements_append_in_order(tmp_path):
    append_real_clock(str(tmp_path), measurement(None))
    append_real_clock(str(tmp_path), measurement("resnet18 [fp32]"))
    assert [m["after_model"] for m in read_real_clock(str(tmp_path))] == [None, "resnet18 [fp32]"]
