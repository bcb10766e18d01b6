"""Settings for tests that build RoundSettings, PowerSettings or validity thresholds by hand: the
packaged defaults (profiles/defaults.yaml, the one place defaults live) with the test's overrides."""

from __future__ import annotations

import dataclasses
import functools

from bench_job.config import MeasureSection, PowerSection, load_defaults
from bench_job.measure import validity
from bench_job.measure.rounds import RoundSettings
from bench_job.run.task import PowerSettings


def packaged(section_class, name: str, **overrides):
    """The packaged default section, with overrides (not validated: tests may ask for edge values)."""
    return dataclasses.replace(section_class(**load_defaults()[name]), **overrides)


def round_settings(max_time_s: float | None = None, deadline: float | None = None, **measure) -> RoundSettings:
    """RoundSettings from the packaged measure section; max_time_s defaults to its max_time_per_config_s."""
    section = packaged(MeasureSection, "measure", **measure)
    return RoundSettings(section, section.max_time_per_config_s if max_time_s is None else max_time_s, deadline)


def power_settings(sources=(), idle_w=None, idle_other_cpu_share=None, energy_reason=None, **power) -> PowerSettings:
    """PowerSettings from the packaged power section and what a runner would have measured."""
    return PowerSettings(
        packaged(PowerSection, "power", **power),
        sources=sources,
        idle_w=idle_w or {},
        idle_other_cpu_share=idle_other_cpu_share,
        energy_reason=energy_reason,
    )


# validity's functions with the packaged measure.max_other_cpu_share, which a test may still override
_SHARE = packaged(MeasureSection, "measure").max_other_cpu_share
mark_validity = functools.partial(validity.mark_validity, max_other_cpu_share=_SHARE)
invalid_reasons = functools.partial(validity.invalid_reasons, max_other_cpu_share=_SHARE)
