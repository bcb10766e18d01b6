"""Device state around a measurement: CPU governor and clocks, temperatures, throttling, Jetson power mode.

Everything is read under a sysfs root, a host root (for /etc and /var) and PATH, so tests run against
fake trees and fake programs. Sources of each format:
- cpufreq: /sys/devices/system/cpu/cpuN/cpufreq/{scaling_governor, scaling_cur_freq, scaling_max_freq} (kHz)
- thermal: /sys/class/thermal/thermal_zoneN/{type, temp (millidegrees C), trip_point_K_{type,temp}}
- Raspberry Pi: `vcgencmd get_throttled` -> `throttled=0x50000`; bits 0-3 are conditions now
  (under-voltage, ARM frequency capped, throttled, soft temperature limit), bits 16-19 the same since boot
- Jetson: `nvpmodel -q` -> `NV Power Mode: MAXN` then the mode id; without the tool,
  /var/lib/nvpmodel/status (`pmode:0002`) named through /etc/nvpmodel.conf (`< POWER_MODEL ID=2 NAME=15W >`)
compare_device_state() flags a run as throttled from those flags, a lowered CPU frequency cap, or a
thermal zone at its passive trip point.
"""

from __future__ import annotations

import os
import re
import subprocess
import time

from bench_job.power.sysfs import FileReader, find_tool, sorted_glob

RPI_THROTTLE_BITS = {0: "under-voltage", 1: "ARM frequency capped", 2: "throttled", 3: "soft temperature limit"}


def _number(files, path, scale=1.0):
    try:
        return files.integer(path) * scale
    except (OSError, ValueError):
        return None


def read_cpufreq(sysfs_root, files) -> dict:
    governors, current, maximum = {}, {}, {}
    for folder in sorted_glob(os.path.join(sysfs_root, "devices", "system", "cpu", "cpu[0-9]*", "cpufreq")):
        cpu = os.path.basename(os.path.dirname(folder))
        governor = files.text_or_none(os.path.join(folder, "scaling_governor"))
        if governor:
            governors[cpu] = governor
        mhz = _number(files, os.path.join(folder, "scaling_cur_freq"), 1e-3)
        if mhz is not None:
            current[cpu] = mhz
        cap = _number(files, os.path.join(folder, "scaling_max_freq"), 1e-3)
        if cap is not None:
            maximum[cpu] = cap
    return {"cpu_governors": governors, "cpu_freq_mhz": current, "cpu_max_freq_mhz": maximum}


def read_thermal(sysfs_root, files) -> dict:
    temps, trips = {}, {}
    for folder in sorted_glob(os.path.join(sysfs_root, "class", "thermal", "thermal_zone*")):
        kind = files.text_or_none(os.path.join(folder, "type")) or os.path.basename(folder)
        celsius = _number(files, os.path.join(folder, "temp"), 1e-3)
        if celsius is None:
            continue  # a zone whose sensor is off reads an error; it is not a temperature
        name, suffix = kind, 1
        while name in temps:  # two zones of one type keep both readings
            suffix += 1
            name = f"{kind}_{suffix}"
        temps[name] = round(celsius, 3)
        passive = [
            _number(files, path.replace("_type", "_temp"), 1e-3)
            for path in sorted_glob(os.path.join(folder, "trip_point_*_type"))
            if files.text_or_none(path) == "passive"
        ]
        passive = [t for t in passive if t is not None and t > 0]
        if passive:
            trips[name] = min(passive)
    return {"thermal_c": temps, "thermal_passive_trip_c": trips}


def _run(program, args) -> str | None:
    try:
        result = subprocess.run([program, *args], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def decode_rpi_throttled(text) -> dict | None:
    match = re.search(r"throttled=(0x[0-9a-fA-F]+)", text or "")
    if not match:
        return None
    value = int(match.group(1), 16)
    return {
        "raw": match.group(1),
        "now": [name for bit, name in RPI_THROTTLE_BITS.items() if value & (1 << bit)],
        "since_boot": [name for bit, name in RPI_THROTTLE_BITS.items() if value & (1 << (bit + 16))],
    }


def parse_nvpmodel_query(text) -> str | None:
    match = re.search(r"NV Power Mode:\s*(\S+)", text or "")
    return match.group(1) if match else None


def power_mode_from_files(host_root, files) -> str | None:
    status = files.text_or_none(os.path.join(host_root, "var", "lib", "nvpmodel", "status")) or ""
    match = re.search(r"pmode:0*(\d+)", status)
    if not match:
        return None
    mode_id = match.group(1)
    conf = files.text_or_none(os.path.join(host_root, "etc", "nvpmodel.conf")) or ""
    named = re.search(rf"^<\s*POWER_MODEL\s+ID={mode_id}\s+NAME=(\S+)\s*>", conf, re.MULTILINE)
    return named.group(1) if named else f"mode {mode_id}"


def read_device_state(sysfs_root="/sys", host_root="/", search_path=None, files=None) -> dict:
    files = files or FileReader()
    state = {"read_at_unix": time.time()}
    state.update(read_cpufreq(sysfs_root, files))
    state.update(read_thermal(sysfs_root, files))
    vcgencmd = find_tool("vcgencmd", search_path)
    state["rpi_throttled"] = decode_rpi_throttled(_run(vcgencmd, ["get_throttled"])) if vcgencmd else None
    nvpmodel = find_tool("nvpmodel", search_path)
    mode = parse_nvpmodel_query(_run(nvpmodel, ["-q"])) if nvpmodel else None
    state["jetson_power_mode"] = mode or power_mode_from_files(host_root, files)
    return state


def _mean(values):
    values = list(values)
    return sum(values) / len(values) if values else None


def compare_device_state(before: dict, after: dict) -> dict:
    """Throttling and state changes between two read_device_state() snapshots."""
    reasons, changes = [], []
    flags_after = after.get("rpi_throttled") or {}
    flags_before = before.get("rpi_throttled") or {}
    for name in flags_after.get("now", []):
        reasons.append(f"Raspberry Pi firmware reports {name} now")
    for name in set(flags_after.get("since_boot", [])) - set(flags_before.get("since_boot", [])):
        reasons.append(f"Raspberry Pi firmware reports {name} during the run")
    caps_before, caps_after = before.get("cpu_max_freq_mhz", {}), after.get("cpu_max_freq_mhz", {})
    for cpu in sorted(caps_before.keys() & caps_after.keys()):
        if caps_after[cpu] < caps_before[cpu]:
            reasons.append(f"{cpu} frequency cap fell from {caps_before[cpu]:.0f} to {caps_after[cpu]:.0f} MHz")
    trips = after.get("thermal_passive_trip_c", {})
    for zone, celsius in after.get("thermal_c", {}).items():
        if zone in trips and celsius >= trips[zone]:
            reasons.append(f"thermal zone {zone} at {celsius:.1f} C, at or over its passive trip {trips[zone]:.1f} C")
    if before.get("jetson_power_mode") != after.get("jetson_power_mode"):
        changes.append(
            f"Jetson power mode changed from {before.get('jetson_power_mode')} to {after.get('jetson_power_mode')}"
        )
    if before.get("cpu_governors") != after.get("cpu_governors"):
        changes.append("CPU governor changed during the run")
    temp_before = max(before.get("thermal_c", {}).values(), default=None)
    temp_after = max(after.get("thermal_c", {}).values(), default=None)
    return {
        "throttled": bool(reasons),
        "throttle_reasons": reasons,
        "state_changes": changes,
        "temp_max_c_before": temp_before,
        "temp_max_c_after": temp_after,
        "temp_rise_c": temp_after - temp_before if temp_before is not None and temp_after is not None else None,
        "cpu_freq_mhz_mean_before": _mean(before.get("cpu_freq_mhz", {}).values()),
        "cpu_freq_mhz_mean_after": _mean(after.get("cpu_freq_mhz", {}).values()),
    }
