"""What every source discoverer receives: where to look, and how to read."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench_job.power.sysfs import FileReader


@dataclass
class DiscoveryContext:
    sysfs_root: str = "/sys"
    # Where powercap zones live; None means <sysfs_root>/class/powercap. Docker masks
    # /sys/devices/virtual/powercap, so a container points this at a read-only bind mount of it.
    powercap_dir: str | None = None
    external_csv: str | None = None
    sampling_hz: float = 50.0
    # PATH used to find tegrastats / vcgencmd; None means the process's PATH.
    search_path: str | None = None
    files: FileReader = field(default_factory=FileReader)
    # Names of the sources found so far, so a later discoverer can stand aside for a better reader
    # of the same sensor (tegrastats for the INA3221 sysfs files).
    found_names: set = field(default_factory=set)
