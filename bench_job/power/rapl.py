"""RAPL energy counters from the powercap sysfs tree (Intel, and AMD Zen with recent kernels).

Layout (Documentation/power/powercap/powercap.rst): /sys/class/powercap/intel-rapl:N is a top-level zone
(name "package-N" or "psys"), intel-rapl:N:M a subzone of it (name "core", "uncore", "dram"). Each zone
has energy_uj, a counter in microjoules that wraps at max_energy_range_uj. /sys/class/powercap holds
links into /sys/devices/virtual/powercap/intel-rapl, where the same zones are nested as directories.

Zones nest (psys holds the packages, a package holds core and uncore), so zones are never added across
levels: one source per zone kind, summing only the zones of that kind (package-0 + package-1 on two
sockets). core/uncore are parts of the package and are not reported. intel-rapl-mmio zones duplicate
the MSR package zone on some laptops and are skipped for the same reason.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from bench_job.power.base import EnergyCounterSource, SourceSpec, SourceUnavailable
from bench_job.power.sysfs import describe_os_error

_ZONE_DIR = re.compile(r"intel-rapl:\d+(:\d+)*")
# kind -> (source name, scope); the order is the preference order of the sources.
_KINDS = {
    "psys": ("rapl-psys", "whole SoC platform (RAPL psys: packages, integrated GPU, chipset)"),
    "package": ("rapl-package", "CPU package(s): cores, caches, uncore, integrated GPU (RAPL package)"),
    "dram": ("rapl-dram", "DRAM (RAPL dram)"),
}
_ROOT_ONLY = (
    "{path} is readable by root only (since CVE-2020-8694) and the job runs as uid {uid}: "
    "the host's owner may `chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj` (docker/README.md), "
    "or run the job as root"
)


def _zone_kind(name: str) -> str:
    """'package-0' -> 'package', 'psys' -> 'psys'."""
    return re.sub(r"-\d+$", "", name)


def find_zones(powercap_dir: str) -> tuple[list[str], list[str]]:
    """(zone directories, dangling zone links) under powercap_dir, flat or nested layout."""
    zones, dangling, seen = [], [], set()

    def walk(folder):
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            return
        for entry in entries:
            path = os.path.join(folder, entry)
            if not _ZONE_DIR.fullmatch(entry) or entry in seen:
                continue
            if os.path.isdir(path):
                seen.add(entry)
                zones.append(path)
                if not os.path.islink(path):
                    walk(path)
            elif os.path.islink(path):
                dangling.append(path)

    walk(powercap_dir)
    # the nested layout keeps top-level zones one level down, under intel-rapl/
    walk(os.path.join(powercap_dir, "intel-rapl"))
    return zones, dangling


@dataclass(frozen=True)
class RaplSpec(SourceSpec):
    name: str
    scope: str
    zones: tuple  # (energy_uj path, max_energy_range_uj) of each zone summed

    def open(self, files) -> "RaplCounter":
        return RaplCounter(self, files)


class RaplCounter(EnergyCounterSource):
    """The sum of one or more disjoint RAPL zones, each followed across wrap-arounds."""

    def __init__(self, spec, files):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self._files = files
        # per zone: [energy_uj path, max_energy_range_uj, last raw value, microjoules accumulated]
        self._zones = [[path, max_range, None, 0] for path, max_range in spec.zones]

    def read_energy_j(self) -> float:
        for zone in self._zones:
            path, max_range, last, _ = zone
            raw = self._read_raw(path, max_range)
            if last is not None:
                delta = raw - last
                # a smaller value than last time means the counter wrapped past max_energy_range_uj
                zone[3] += delta if delta >= 0 else delta + max_range
            zone[2] = raw
        return sum(zone[3] for zone in self._zones) / 1e6

    def _read_raw(self, path, max_range) -> int:
        try:
            raw = self._files.integer(path)
        except PermissionError:
            raise SourceUnavailable(_ROOT_ONLY.format(path=path, uid=os.getuid())) from None
        except OSError as exc:
            raise SourceUnavailable(describe_os_error(path, exc)) from None
        except ValueError as exc:
            raise SourceUnavailable(str(exc)) from None
        if not 0 <= raw <= max_range:
            raise SourceUnavailable(f"{path} reads {raw}, outside 0..max_energy_range_uj={max_range}")
        return raw


def discover(ctx):
    folder = ctx.powercap_dir or os.path.join(ctx.sysfs_root, "class", "powercap")
    zones, dangling = find_zones(folder)
    if not zones:
        if dangling:
            return [], [
                (
                    "rapl",
                    f"{folder} links to a hidden tree (Docker masks /sys/devices/virtual/powercap): "
                    "bind-mount /sys/devices/virtual/powercap read-only elsewhere and point "
                    "--powercap-dir at it",
                )
            ]
        return [], [
            ("rapl", f"no RAPL zones under {folder} (not an x86 CPU with RAPL, or the intel_rapl driver is not loaded)")
        ]
    by_kind = {}
    problems = {}
    for zone in zones:
        name = ctx.files.text_or_none(os.path.join(zone, "name"))
        kind = _zone_kind(name or "")
        if kind not in _KINDS:
            continue
        energy_path = os.path.join(zone, "energy_uj")
        try:
            max_range = ctx.files.integer(os.path.join(zone, "max_energy_range_uj"))
            ctx.files.integer(energy_path)
        except PermissionError:
            problems[kind] = _ROOT_ONLY.format(path=energy_path, uid=os.getuid())
            continue
        except (OSError, ValueError) as exc:
            problems[kind] = describe_os_error(energy_path, exc) if isinstance(exc, OSError) else str(exc)
            continue
        by_kind.setdefault(kind, []).append((energy_path, max_range))
    found, missing = [], []
    for kind, (source_name, scope) in _KINDS.items():
        if kind in problems:
            # a partial sum (one socket of two) would be wrong, so one unreadable zone drops the kind
            missing.append((source_name, problems[kind]))
        elif kind in by_kind:
            found.append(RaplSpec(source_name, scope, tuple(by_kind[kind])).open(ctx.files))
    if not found and not missing:
        missing.append(("rapl", f"RAPL zones under {folder} have no package, psys or dram zone"))
    return found, missing
