"""The resolved Config: the merged layers as a dict (written to the bundle, fingerprinted), its typed
sections, and the plan's models resolved by the catalogue."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

from bench_job.catalogue.resolve import lazy_torchvision_names, parse_variants, resolve_model
from bench_job.checks import check
from bench_job.config.layers import (
    apply_set,
    fit_profile_threads,
    load_defaults,
    load_device_profile,
    merge,
    parse_set,
    read_config_file,
)
from bench_job.config.sections import (
    DEVICES,
    AccuracySection,
    MeasureSection,
    PowerSection,
    RealClockSection,
    RunSection,
    ScenariosSection,
    SustainedSection,
    ThermalSection,
    parse_sections,
)


@dataclass(frozen=True)
class Config:
    data: dict  # the resolved config, as written to config.yaml
    models: list  # catalogue.ModelEntry, in plan order
    run: RunSection
    measure: MeasureSection
    power: PowerSection
    accuracy: AccuracySection
    thermal: ThermalSection
    sweeps: dict  # sweep name -> SweepSection
    real_clock: RealClockSection
    sustained: SustainedSection
    scenarios: ScenariosSection
    adjustments: list = field(default_factory=list)  # what resolve changed on its own, for the run log

    def with_models(self, models) -> Config:
        """The same config measuring these (replaced) model entries; data and fingerprint unchanged."""
        return dataclasses.replace(self, models=list(models))

    def fingerprint(self) -> str:
        """Identifies what is measured, so that a re-run with the same config resumes the same work."""
        text = json.dumps({k: v for k, v in self.data.items() if k != "notes"}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:10]


def validate(data: dict):
    """Parse and check every section of the merged config, then the top-level lists; returns the sections."""
    sections = parse_sections(data)
    check(isinstance(data["notes"], dict), "notes must be a mapping of model name -> text")
    check(
        isinstance(data["models"], list) and data["models"],
        "models must be a non-empty list of model names or {name: ..., source: ...} entries",
    )
    parse_variants(data["variants"], "variants", sections.run.accelerator)
    return sections


def resolve(
    config_path: str | None = None,
    device: str | None = None,
    sets: list[str] = (),
    overrides: dict | None = None,
    detect_device=None,
    cpus: int | None = None,
) -> Config:
    """Build the validated Config from its layers. `overrides` are CLI options as dotted keys; `cpus`
    the CPUs this process may use (default: its affinity and cgroup quota)."""
    from bench_job.families import FAMILIES
    from bench_job.host.cpus import usable_cpus

    defaults = load_defaults()
    user = read_config_file(config_path) if config_path else {}
    merged_user = merge({}, user, defaults) if user else {}
    assignments = [parse_set(s) for s in sets] + [(k.split("."), v) for k, v in (overrides or {}).items()]

    def settled(section: str, key: str):
        """A key's value from the top layers down, before the profile layer exists."""
        return (
            next((v for keys, v in reversed(assignments) if keys == [section, key]), None)
            or merged_user.get(section, {}).get(key)
            or defaults[section][key]
        )

    # The device decides which profile layer applies, so it is settled first from the top layers down.
    chosen = device or settled("run", "device")
    check(chosen in DEVICES + ("auto",), f"device must be one of {', '.join(DEVICES + ('auto',))}, got {chosen!r}")
    if chosen == "auto":
        from bench_job.host.device import detect_device_kind

        # Detected where the run reads the host: a container's mounts of its root and sysfs.
        chosen = (detect_device or detect_device_kind)(settled("power", "host_root"), settled("power", "sysfs_root"))
    data = merge(defaults, load_device_profile(chosen), defaults)
    adjustments = fit_profile_threads(data, chosen, cpus or usable_cpus())
    data = merge(data, user, defaults)
    for keys, value in assignments:
        data = apply_set(data, keys, value, defaults)
    data["run"]["device"] = chosen
    sections = validate(data)
    names = lazy_torchvision_names()
    models = [
        resolve_model(raw, data, sections.sweeps, sections.run.accelerator, FAMILIES, names) for raw in data["models"]
    ]
    seen = [m.name for m in models]
    check(len(set(seen)) == len(seen), f"models lists a name twice: {sorted({n for n in seen if seen.count(n) > 1})}")
    sustained, left_out = sections.sustained.for_models(seen)
    adjustments += [left_out] if left_out else []
    return Config(
        data=data,
        models=models,
        run=sections.run,
        measure=sections.measure,
        power=sections.power,
        accuracy=sections.accuracy,
        thermal=sections.thermal,
        sweeps=sections.sweeps,
        real_clock=sections.real_clock,
        sustained=sustained,
        scenarios=sections.scenarios,
        adjustments=adjustments,
    )


__all__ = ["Config", "resolve", "validate", "read_config_file", "load_defaults"]
