"""The runner's side of power: find the sources once, keep a meter for the idle baseline measured before
each model, and say which sources exist but could not be read. The workers measure energy themselves,
opening the same sources again from their specs (task.PowerSettings.sources)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bench_job.measure.contention import ContentionProbe
from bench_job.measure.energy import no_source_reason
from bench_job.measure.quiet import wait_as_configured

if TYPE_CHECKING:
    from bench_job.config import MeasureSection, PowerSection

log = logging.getLogger("bench_job")


class IdlePower:
    """power: the config's power section; measure: its measure section (the quiet wait)."""

    def __init__(self, power: PowerSection, measure: MeasureSection):
        self.power, self.measure = power, measure
        self.meter = None
        self.energy_reason: str | None = None  # why no energy is measured; None when sources exist
        self.specs: list = []  # power.base.SourceSpec of each source found
        self.not_read: dict = {}  # source -> why it was not used, for env.json

    def open(self) -> IdlePower:
        """Find the power sources once; the runner keeps a meter only for the idle baseline."""
        power = self.power
        if not power.enabled:
            self.energy_reason = "energy measurement disabled (power.enabled: false)"
            return self
        from bench_job.power import EnergyMeter, discover_sources

        found, missing = discover_sources(
            sysfs_root=power.sysfs_root,
            external_csv=power.external_csv,
            sampling_hz=power.sampling_hz,
            powercap_dir=power.powercap_dir,
        )
        for name, reason in missing:
            log.debug("power source %s not used: %s", name, reason)
        self.not_read = dict(missing)
        if not found:
            self.energy_reason = no_source_reason(missing)
            log.warning("no power source found: energy columns stay empty (see `bench-job probe`)")
            return self
        log.info("power sources: %s", ", ".join(f"{s.name} ({s.scope})" for s in found))
        self.meter = EnergyMeter(found, sampling_hz=power.sampling_hz)
        # the workers open these same sources again from their specs instead of searching a second time
        self.specs = [source.spec for source in found]
        return self

    def close(self) -> None:
        if self.meter is not None:
            self.meter.close()

    def baseline(self) -> tuple[dict, float | None]:
        """Idle power, re-measured before each model so that drift (heat, background jobs) is followed,
        after waiting (bounded) for the machine to quieten: another program's power in the baseline
        would make every net figure too small. Returns ({source: watts}, other processes' CPU share)."""
        if self.meter is None:
            return {}, None
        wait_as_configured(self.measure)
        probe = ContentionProbe()
        probe.start()
        idle = self.meter.measure_idle(self.power.idle_seconds)
        share = probe.other_share()
        log.info(
            "idle power: %s%s",
            ", ".join(f"{k} {v:.2f} W" if v is not None else f"{k} n/a" for k, v in idle.items()),
            f" (other processes used {share:.0%} of the CPU meanwhile)" if share is not None else "",
        )
        return {k: v for k, v in idle.items() if v is not None}, share
