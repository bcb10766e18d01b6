"""Device state around a measurement: CPU governor and clocks, online cores, temperatures, throttling, and the
power state (Jetson: the nvpmodel mode, jetson_clocks, the GPU and EMC clocks; see jetson_power.py).

Everything is read under a sysfs root, a host root (for /etc and /var) and PATH, so tests run against
fake trees and fake programs, and a container reads the host's files where they are mounted. Sources of each format:
- cpufreq: /sys/devices/system/cpu/cpuN/cpufreq/{scaling_governor, scaling_cur_freq, scaling_min_freq,
  scaling_max_freq} (kHz)
- cores: /sys/devices/system/cpu/{online,present} hold CPU lists such as `0-3,6` (Linux
  Documentation/ABI/testing/sysfs-devices-system-cpu); without them, cpuN/online holds 1 or 0 (cpu0 often
  has none: it cannot go offline)
- thermal: /sys/class/thermal/thermal_zoneN/{type, temp (millidegrees C), trip_point_K_{type,temp}}
- Raspberry Pi: `vcgencmd get_throttled` -> `throttled=0x50000`; bits 0-3 are conditions now
  (under-voltage, ARM frequency capped, throttled, soft temperature limit), bits 16-19 the same since boot
compare_device_state() flags a run as throttled from those flags, a lowered CPU frequency cap, or a
thermal zone at its passive trip point; and as run in a changed power state from a mode change, jetson_clocks
switched, a clock cap lowered or a core gone offline.
"""

from __future__ import annotations

import os
import re
import subprocess
import time

from bench_job.host.jetson_power import jetson_clocks_on, read_devfreq, read_emc_cap, read_power_mode
from bench_job.power.sysfs import FileReader, find_tool, sorted_glob

RPI_THROTTLE_BITS = {0: "under-voltage", 1: "ARM frequency capped", 2: "throttled", 3: "soft temperature limit"}


def read_cpufreq(sysfs_root, files) -> dict:
    governors, current, minimum, maximum = {}, {}, {}, {}
    for folder in sorted_glob(os.path.join(sysfs_root, "devices", "system", "cpu", "cpu[0-9]*", "cpufreq")):
        cpu = os.path.basename(os.path.dirname(folder))
        governor = files.text_or_none(os.path.join(folder, "scaling_governor"))
        if governor:
            governors[cpu] = governor
        for values, name in (
            (current, "scaling_cur_freq"),
            (minimum, "scaling_min_freq"),
            (maximum, "scaling_max_freq"),
        ):
            mhz = files.number_or_none(os.path.join(folder, name), 1000)
            if mhz is not None:
                values[cpu] = mhz
    return {
        "cpu_governors": governors,
        "cpu_freq_mhz": current,
        "cpu_min_freq_mhz": minimum,
        "cpu_max_freq_mhz": maximum,
    }


def parse_cpu_list(text) -> list | None:
    """The CPU numbers of a sysfs CPU list (`0-3,6` -> [0, 1, 2, 3, 6]; empty: none); None if it is not one."""
    if text is None:
        return None
    numbers = set()
    for part in text.strip().split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        numbers.update(range(int(low), int(high or low) + 1))
    return sorted(numbers)


def read_cpus(sysfs_root, files) -> dict:
    """The online CPUs (sorted numbers) and how many are present."""
    base = os.path.join(sysfs_root, "devices", "system", "cpu")
    folders = sorted_glob(os.path.join(base, "cpu[0-9]*"))
    numbers = [int(os.path.basename(f)[3:]) for f in folders if os.path.basename(f)[3:].isdigit()]
    online = parse_cpu_list(files.text_or_none(os.path.join(base, "online")))
    if online is None:  # per core: a core without the file cannot go offline
        online = [n for n in numbers if files.text_or_none(os.path.join(base, f"cpu{n}", "online")) != "0"]
    present = parse_cpu_list(files.text_or_none(os.path.join(base, "present")))
    return {"cpus_online": online, "cpus_present": len(present) if present is not None else len(numbers)}


def read_thermal(sysfs_root, files) -> dict:
    temps, trips = {}, {}
    for folder in sorted_glob(os.path.join(sysfs_root, "class", "thermal", "thermal_zone*")):
        kind = files.text_or_none(os.path.join(folder, "type")) or os.path.basename(folder)
        celsius = files.number_or_none(os.path.join(folder, "temp"), 1000)
        if celsius is None:
            continue  # a zone whose sensor is off reads an error; it is not a temperature
        name, suffix = kind, 1
        while name in temps:  # two zones of one type keep both readings
            suffix += 1
            name = f"{kind}_{suffix}"
        temps[name] = round(celsius, 3)
        passive = [
            files.number_or_none(path.replace("_type", "_temp"), 1000)
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


def read_device_state(sysfs_root="/sys", host_root="/", search_path=None, files=None) -> dict:
    """A snapshot of the device's state. Besides clocks and temperatures: the nvpmodel mode's name and id
    (`nvpmodel -q`, else the host's status file named through its nvpmodel.conf), devfreq_mhz (every
    /sys/class/devfreq device: kind gpu/emc/other, cur/min/max MHz), emc_cap_mhz (nvpmodel's EMC cap file, 0.0
    for none, None unreadable) and jetson_clocks (None off a Jetson or where it cannot be told)."""
    files = files or FileReader()
    state = {"read_at_unix": time.time()}
    state.update(read_cpufreq(sysfs_root, files))
    state.update(read_cpus(sysfs_root, files))
    state.update(read_thermal(sysfs_root, files))
    vcgencmd = find_tool("vcgencmd", search_path)
    state["rpi_throttled"] = decode_rpi_throttled(_run(vcgencmd, ["get_throttled"])) if vcgencmd else None
    nvpmodel = find_tool("nvpmodel", search_path)
    name, mode_id = read_power_mode(_run(nvpmodel, ["-q"]) if nvpmodel else None, host_root, files)
    devfreq, tegra_gpu = read_devfreq(sysfs_root, files)
    is_jetson = tegra_gpu or name is not None or mode_id is not None
    state.update(
        jetson_power_mode=name,
        jetson_power_mode_id=mode_id,
        devfreq_mhz=devfreq,
        emc_cap_mhz=read_emc_cap(sysfs_root, files),
        jetson_clocks=jetson_clocks_on(
            is_jetson, state["cpu_min_freq_mhz"], state["cpu_max_freq_mhz"], state["cpus_online"], devfreq
        ),
    )
    return state


def _highest(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def _cpu_cap(state) -> float | None:
    """The highest frequency cap over the online CPUs (all CPUs where which are online is unknown)."""
    caps = state.get("cpu_max_freq_mhz") or {}
    online = set(state.get("cpus_online") or [])
    in_use = [mhz for cpu, mhz in caps.items() if int(cpu[3:]) in online]
    return _highest(in_use or caps.values())


def _devfreq_cap(state, kind: str) -> float | None:
    return _highest(d.get("max") for d in (state.get("devfreq_mhz") or {}).values() if d.get("kind") == kind)


def _emc_limit(state) -> float | None:
    """The EMC cap in MHz (Thor's bwmgr devfreq, else nvpmodel's cap file), inf where the file says none."""
    bwmgr = _devfreq_cap(state, "emc")
    if bwmgr is not None:
        return bwmgr
    cap = state.get("emc_cap_mhz")
    return float("inf") if cap == 0 else cap


def power_state_columns(state: dict) -> dict:
    """The schema-6 power-state columns of a record, from the snapshot read before its configuration."""
    online = state.get("cpus_online")
    emc = _emc_limit(state)
    return {
        "power_mode": state.get("jetson_power_mode"),
        "power_mode_id": state.get("jetson_power_mode_id"),
        "jetson_clocks": state.get("jetson_clocks"),
        "cpu_freq_cap_mhz": _cpu_cap(state),
        "gpu_freq_cap_mhz": _devfreq_cap(state, "gpu"),
        "emc_freq_cap_mhz": None if emc == float("inf") else emc,
        "cpus_online": len(online) if online else None,
    }


def mode_text(name, mode_id) -> str | None:
    """'MAXN (id 0)', 'MAXN', 'id 2', or None where neither is known."""
    if name is not None and mode_id is not None:
        return f"{name} (id {int(mode_id)})"
    if name is not None:
        return str(name)
    return f"id {int(mode_id)}" if mode_id is not None else None


def describe_power_columns(columns: dict, cpus_present: int | None = None) -> str | None:
    """One line from the power-state columns (missing values None), or None where they say nothing."""
    jetson = []
    mode = mode_text(columns.get("power_mode"), columns.get("power_mode_id"))
    if mode:
        jetson.append(f"nvpmodel {mode}")
    if columns.get("jetson_clocks") is not None:
        jetson.append("jetson_clocks " + ("on" if columns["jetson_clocks"] else "off"))
    clocks = [
        f"{label} cap {columns[key]:.0f} MHz"
        for label, key in (("CPU", "cpu_freq_cap_mhz"), ("GPU", "gpu_freq_cap_mhz"), ("EMC", "emc_freq_cap_mhz"))
        if columns.get(key) is not None
    ]
    online = columns.get("cpus_online")
    if online and not cpus_present:
        clocks.append(f"{int(online)} CPUs online")
    elif online and online < cpus_present:
        clocks.append(f"{int(online)} of {cpus_present} CPUs online")
    return "; ".join(part for part in (", ".join(jetson), ", ".join(clocks)) if part) or None


def describe_power_state(state: dict) -> str | None:
    """One short line for a snapshot: 'nvpmodel MAXN (id 0), jetson_clocks on; CPU cap 2202 MHz, GPU cap 1301
    MHz'; the online CPUs only where fewer than present. None where the snapshot has nothing to say."""
    return describe_power_columns(power_state_columns(state), state.get("cpus_present"))


def _mode_changed(before, after) -> bool:
    """A name or an id known on both sides and different (a side may lack one: -q output without the id)."""
    return any(
        before.get(key) is not None and after.get(key) is not None and before[key] != after[key]
        for key in ("jetson_power_mode", "jetson_power_mode_id")
    )


def _clocks_switched(before, after) -> bool:
    return None not in (before.get("jetson_clocks"), after.get("jetson_clocks")) and (
        before["jetson_clocks"] != after["jetson_clocks"]
    )


def power_state_reasons(before: dict, after: dict) -> list:
    """How the power state changed between two snapshots: a mode change, jetson_clocks switched, a CPU, GPU
    or EMC clock cap lowered, a CPU gone offline."""
    reasons = []
    if _mode_changed(before, after):
        was = mode_text(before.get("jetson_power_mode"), before.get("jetson_power_mode_id"))
        now = mode_text(after.get("jetson_power_mode"), after.get("jetson_power_mode_id"))
        reasons.append(f"nvpmodel mode changed from {was} to {now}")
    if _clocks_switched(before, after):
        reasons.append("jetson_clocks switched " + ("on" if after["jetson_clocks"] else "off"))
    for label, cap in (("CPU", _cpu_cap), ("GPU", lambda state: _devfreq_cap(state, "gpu")), ("EMC", _emc_limit)):
        was, now = cap(before), cap(after)
        if was is not None and now is not None and now < was:
            reasons.append(
                f"{label} clock cap fell from {was:.0f} to {now:.0f} MHz"
                if was != float("inf")
                else f"{label} clock capped at {now:.0f} MHz (it had no cap)"
            )
    online_after = after.get("cpus_online") or []  # none read: unknown, not every core gone
    gone = sorted(set(before.get("cpus_online") or []) - set(online_after)) if online_after else []
    if gone:
        reasons.append(", ".join(f"cpu{n}" for n in gone) + " went offline")
    return reasons


def _mean(values):
    values = list(values)
    return sum(values) / len(values) if values else None


def compare_device_state(before: dict, after: dict) -> dict:
    """Throttling and power-state changes between two read_device_state() snapshots."""
    reasons, changes = [], []
    flags_after = after.get("rpi_throttled") or {}
    flags_before = before.get("rpi_throttled") or {}
    for name in flags_after.get("now", []):
        reasons.append(f"Raspberry Pi firmware reports {name} now")
    for name in set(flags_after.get("since_boot", [])) - set(flags_before.get("since_boot", [])):
        reasons.append(f"Raspberry Pi firmware reports {name} during the run")
    # A CPU cap that fell with a mode change was the new mode's: a power-state change, not throttling.
    if not _mode_changed(before, after):
        caps_before, caps_after = before.get("cpu_max_freq_mhz", {}), after.get("cpu_max_freq_mhz", {})
        for cpu in sorted(caps_before.keys() & caps_after.keys()):
            if caps_after[cpu] < caps_before[cpu]:
                reasons.append(f"{cpu} frequency cap fell from {caps_before[cpu]:.0f} to {caps_after[cpu]:.0f} MHz")
    trips = after.get("thermal_passive_trip_c", {})
    for zone, celsius in after.get("thermal_c", {}).items():
        if zone in trips and celsius >= trips[zone]:
            reasons.append(f"thermal zone {zone} at {celsius:.1f} C, at or over its passive trip {trips[zone]:.1f} C")
    if before.get("cpu_governors") != after.get("cpu_governors"):
        changes.append("CPU governor changed during the run")
    power = power_state_reasons(before, after)
    temp_before = max(before.get("thermal_c", {}).values(), default=None)
    temp_after = max(after.get("thermal_c", {}).values(), default=None)
    return {
        "throttled": bool(reasons),
        "throttle_reasons": reasons,
        "power_state_changed": bool(power),
        "power_state_reasons": power,
        "state_changes": changes,
        "temp_max_c_before": temp_before,
        "temp_max_c_after": temp_after,
        "temp_rise_c": temp_after - temp_before if temp_before is not None and temp_after is not None else None,
        "cpu_freq_mhz_mean_before": _mean(before.get("cpu_freq_mhz", {}).values()),
        "cpu_freq_mhz_mean_after": _mean(after.get("cpu_freq_mhz", {}).values()),
    }
