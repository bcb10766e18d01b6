"""`bench-job probe` lines about power: each source found with a short read, each one missing and why."""

from __future__ import annotations

from bench_job.power import EnergyMeter, discover_sources


def probe_power(sysfs_root="/sys", external_csv=None, seconds=1.0, **discover_options) -> list[str]:
    found, missing = discover_sources(sysfs_root=sysfs_root, external_csv=external_csv, **discover_options)
    lines = []
    if found:
        meter = EnergyMeter(found)
        try:
            readings = meter.measure_idle(seconds)
        finally:
            meter.close()
        for source in found:
            watts = readings.get(source.name)
            reading = f"{watts:.2f} W over {seconds:g} s" if watts is not None else "no reading in the test window"
            lines.append(f"power source {source.name} ({source.kind}): {reading}; covers {source.scope}")
    else:
        lines.append("no power source: energy fields will be empty, with the reasons below")
    for name, reason in missing:
        lines.append(f"power source {name} not used: {reason}")
    return lines
