"""A fake RAPL powercap tree whose energy_uj counters advance at a known wattage.

Laid out as the kernel does: zones are directories under devices/virtual/powercap/intel-rapl/ (subzones
nested inside their parent) and class/powercap/ holds a link per zone. Each counter file is rewritten
atomically (a new file then os.replace), as a real sysfs read never sees half a number.

In-process:   with FakeRapl(root, watts=20.0) as fake: ...; fake.set_watts(30.0)
As a process: python -m tests.power.fake_rapl --sysfs-root DIR --watts 20  (runs until killed), for
              end-to-end tests of `bench-job run --sysfs-root DIR`.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time

DEFAULT_MAX_RANGE_UJ = 262143328850  # the value real Intel packages report


def make_zone(sysfs_root, zone_id, name, max_range_uj=DEFAULT_MAX_RANGE_UJ, energy_uj=0) -> str:
    """Create zone `intel-rapl:0` or subzone `intel-rapl:0:1` (its parent must exist); returns its folder."""
    base = os.path.join(sysfs_root, "devices", "virtual", "powercap", "intel-rapl")
    parts = zone_id.split(":")
    folder = base
    for depth in range(2, len(parts) + 1):
        folder = os.path.join(folder, ":".join(parts[:depth]))
    os.makedirs(folder, exist_ok=True)
    for file_name, value in (("name", name), ("max_energy_range_uj", max_range_uj), ("energy_uj", energy_uj)):
        with open(os.path.join(folder, file_name), "w") as handle:
            handle.write(f"{value}\n")
    links = os.path.join(sysfs_root, "class", "powercap")
    os.makedirs(links, exist_ok=True)
    link = os.path.join(links, zone_id)
    if not os.path.islink(link):
        os.symlink(os.path.relpath(folder, links), link)
    return folder


def write_counter(folder, value_uj) -> None:
    temporary = os.path.join(folder, ".energy_uj.tmp")
    with open(temporary, "w") as handle:
        handle.write(f"{int(value_uj)}\n")
    os.replace(temporary, os.path.join(folder, "energy_uj"))


class FakeRapl:
    """A package-0 zone (and its core subzone, at a third of the power) advancing at `watts`."""

    def __init__(
        self,
        sysfs_root,
        watts,
        start_uj=0,
        max_range_uj=DEFAULT_MAX_RANGE_UJ,
        period_s=0.002,
        name="package-0",
        zone_id="intel-rapl:0",
    ):
        self.folder = make_zone(sysfs_root, zone_id, name, max_range_uj, start_uj)
        self.core_folder = make_zone(sysfs_root, zone_id + ":0", "core", max_range_uj, 0)
        self.max_range_uj = max_range_uj
        self.period_s = period_s
        self._watts = watts
        self._energy_uj = float(start_uj)  # unwrapped
        self._core_uj = 0.0
        self._last = time.monotonic()
        self._schedule = [(self._last, watts)]  # (monotonic time, watts from then on)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="fake-rapl")

    def set_watts(self, watts) -> float:
        """Change the power from now on; returns the monotonic time of the change."""
        with self._lock:
            self._advance()
            self._watts = watts
            self._schedule.append((self._last, watts))
            return self._last

    def energy_between(self, start, end) -> float:
        """Exact joules the schedule puts between two monotonic times."""
        total = 0.0
        points = self._schedule + [(float("inf"), None)]
        for (t0, watts), (t1, _) in zip(points, points[1:]):
            low, high = max(t0, start), min(t1, end)
            if high > low:
                total += watts * (high - low)
        return total

    def _advance(self) -> None:
        now = time.monotonic()
        self._energy_uj += self._watts * (now - self._last) * 1e6
        self._core_uj += self._watts / 3 * (now - self._last) * 1e6
        self._last = now
        write_counter(self.folder, self._energy_uj % self.max_range_uj)
        write_counter(self.core_folder, self._core_uj % self.max_range_uj)

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            with self._lock:
                self._advance()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sysfs-root", required=True)
    parser.add_argument("--watts", type=float, required=True)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with FakeRapl(args.sysfs_root, args.watts):
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
