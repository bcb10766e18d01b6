"""The real clock beside the reported one: per core type (core_types.py), the clock the loop measures
(real_clock.py) next to what cpufreq reports for that CPU right after (scaling_cur_freq), its highest clock
(cpuinfo_max_freq), and on x86 /proc/cpuinfo's "cpu MHz"; the gap between cpufreq's figure and the measured
one, and whether it exceeds the margin: cpufreq reporting a clock the core does not run at.

The gap is signed, (reported - measured) / reported, and only a reported clock above the measured one exceeds
the margin: that is the clock a throttled board hides. A core running faster than reported (turbo above
acpi-cpufreq's base P-state) is shown, not flagged. /proc/cpuinfo's figure is recorded and shown beside it but
not judged: a VM's says the TSC's nominal rate whatever the core runs at (this job's 2-core test VM: 2596 MHz
while the core runs at 3650). sysfs is read under the run's sysfs root so fake trees work; the loop always runs
on the real CPU.
"""

from __future__ import annotations

import datetime
import os
import re

from bench_job.host.core_types import core_types
from bench_job.host.host_files import read_text
from bench_job.host.real_clock import measure_clock
from bench_job.power.sysfs import FileReader


def cpuinfo_mhz(text: str | None) -> dict:
    """processor number -> its "cpu MHz" from the text of /proc/cpuinfo (x86; {} where the lines are absent)."""
    found, processor = {}, None
    for line in (text or "").splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key == "processor" and value.isdigit():
            processor = int(value)
        elif key == "cpu MHz" and processor is not None and re.fullmatch(r"[0-9.]+", value):
            found[processor] = float(value)
    return found


def gap(reported: float | None, measured: float | None) -> float | None:
    """(reported - measured) / reported: 0.5 where cpufreq says twice the real clock, negative where the core
    runs faster than reported."""
    return (reported - measured) / reported if reported and measured is not None else None


def _rounded(value):
    return None if value is None else round(value, 4)


def check_core_type(core_type, sysfs_root, files, cpuinfo: dict, margin: float, duration_s: float, measure) -> dict:
    """One core type's entry: the loop's clock on its first online CPU, then what is reported for that CPU."""
    reading = measure(core_type.cpu, duration_s)
    folder = os.path.join(sysfs_root, "devices", "system", "cpu", f"cpu{core_type.cpu}", "cpufreq")
    try:
        cur = files.integer(os.path.join(folder, "scaling_cur_freq")) / 1000
    except (OSError, ValueError):
        cur = None
    proc = cpuinfo.get(core_type.cpu)
    difference = gap(cur, reading.mhz)
    return {
        "cpus": core_type.label,
        "cpu": core_type.cpu,
        "policies": list(core_type.policies),
        "measured_mhz": None if reading.mhz is None else round(reading.mhz, 1),
        "not_measured_reason": reading.reason,
        "cpufreq_cur_mhz": cur,
        "cpuinfo_max_mhz": core_type.max_mhz,
        "proc_cpuinfo_mhz": proc,
        "proc_cpuinfo_gap": _rounded(gap(proc, reading.mhz)),
        "gap": _rounded(difference),
        "beyond_margin": difference is not None and difference > margin,
    }


def check_real_clock(
    sysfs_root: str,
    margin: float,
    after_model: str | None = None,
    duration_s: float = 0.02,
    cpuinfo_path: str = "/proc/cpuinfo",
    measure=measure_clock,
    files: FileReader | None = None,
) -> dict:
    """One measurement of every core type: {when (ISO UTC), after_model (None: the run's start), margin,
    core_types: [entry per type]}. measure(cpu, duration_s) -> real_clock.ClockReading."""
    files = files or FileReader()
    cpuinfo = cpuinfo_mhz(read_text(cpuinfo_path))
    return {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "after_model": after_model,
        "margin": margin,
        "core_types": [
            check_core_type(t, sysfs_root, files, cpuinfo, margin, duration_s, measure)
            for t in core_types(sysfs_root, files)
        ],
    }


def _beside(who: str, reported: float, difference: float) -> str:
    side = "below" if difference > 0 else "above"
    return f"{who} reports {reported:.0f} MHz (measured {abs(difference):.0%} {side})"


def describe_entry(entry: dict) -> str:
    """'cpu0-3: the loop sees 1200 MHz, cpufreq reports 1800 MHz (measured 33% below)', with /proc/cpuinfo's figure
    where there is one; or why there is no figure."""
    measured = entry.get("measured_mhz")
    if measured is None:
        return f"{entry['cpus']}: not measured ({entry.get('not_measured_reason') or 'no reason recorded'})"
    reported = []
    if entry.get("gap") is not None:
        reported.append(_beside("cpufreq", entry["cpufreq_cur_mhz"], entry["gap"]))
    if entry.get("proc_cpuinfo_gap") is not None:
        reported.append(_beside("/proc/cpuinfo", entry["proc_cpuinfo_mhz"], entry["proc_cpuinfo_gap"]))
    return f"{entry['cpus']}: the loop sees {measured:.0f} MHz, " + (", ".join(reported) or "no clock reported")


def gaps_beyond_margin(measurement: dict) -> list:
    """The core-type entries of one measurement whose gap is beyond its margin."""
    return [entry for entry in measurement.get("core_types") or [] if entry.get("beyond_margin")]
