"""Layered configuration: packaged defaults -> device profile -> user YAML -> --set overrides, validated
into typed sections.

layers.py reads and merges the YAML layers; sections.py holds one frozen dataclass per section (run,
measure, power, accuracy, thermal, sweeps, real_clock), parsed and checked once; resolved.py builds the Config,
whose models the catalogue resolves. A knob is read as an attribute: config.measure.quiet_wait_s.
"""

from __future__ import annotations

from bench_job.catalogue.zoo import TASKS
from bench_job.config.layers import (
    apply_set,
    load_defaults,
    load_device_profile,
    merge,
    models_layer,
    parse_set,
    read_config_file,
    scenarios_layer,
)
from bench_job.config.resolved import Config, resolve, validate
from bench_job.config.sections import (
    ACCELERATORS,
    ATTENTION,
    DEVICES,
    AccuracySection,
    MeasureSection,
    PowerSection,
    RealClockSection,
    RunSection,
    Sections,
    SweepSection,
    ThermalSection,
    parse_sections,
)

__all__ = [
    "Config",
    "resolve",
    "validate",
    "load_defaults",
    "load_device_profile",
    "read_config_file",
    "models_layer",
    "scenarios_layer",
    "merge",
    "apply_set",
    "parse_set",
    "parse_sections",
    "Sections",
    "RunSection",
    "MeasureSection",
    "PowerSection",
    "AccuracySection",
    "RealClockSection",
    "SweepSection",
    "ThermalSection",
    "DEVICES",
    "ACCELERATORS",
    "ATTENTION",
    "TASKS",
]
