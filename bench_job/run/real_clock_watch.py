"""The runner's real-clock checks: at the run's start and after each model, the clock of each core type
measured beside the reported one (host/clock_check.py), appended to the work folder's real_clock.json and
logged, with a warning where the gap is beyond real_clock.margin."""

from __future__ import annotations

import logging
import os

from bench_job.bundle.names import REAL_CLOCK_JSON
from bench_job.bundle.real_clock_member import append_real_clock
from bench_job.errors import UserError
from bench_job.host.clock_check import check_real_clock, describe_entry, gaps_beyond_margin

log = logging.getLogger("bench_job")


class RealClockWatch:
    """section: the config's real_clock section; store: the run's ResultStore, whose folder (the work folder)
    holds real_clock.json; check: check_real_clock."""

    def __init__(self, section, sysfs_root: str, store, check=check_real_clock):
        self.section, self.sysfs_root, self.store, self.check = section, sysfs_root, store, check

    def measure(self, after_model: str | None = None) -> None:
        """One measurement of every core type; after_model: the model just measured (None: the run's start)."""
        if not self.section.enabled:
            return
        measurement = self.check(self.sysfs_root, self.section.margin, after_model)
        folder = os.path.dirname(self.store.path)
        try:
            append_real_clock(folder, measurement)
        except UserError as exc:  # the first part's list is damaged: this part's measurements start a new one
            log.warning("%s; starting it again", exc)
            os.remove(os.path.join(folder, REAL_CLOCK_JSON))
            append_real_clock(folder, measurement)
        when = f"after {after_model}" if after_model else "at the start"
        entries = measurement["core_types"]
        log.info("real clock %s: %s", when, "; ".join(describe_entry(e) for e in entries) or "no online CPU found")
        beyond = gaps_beyond_margin(measurement)
        if beyond:
            log.warning(
                "the reported clock is not what runs %s (beyond real_clock.margin %.0f%%): %s",
                when,
                self.section.margin * 100,
                "; ".join(describe_entry(e) for e in beyond),
            )
