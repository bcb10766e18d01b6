"""What the runner hands a worker process: one model variant's configurations and how to measure them.

The task crosses a process boundary (pickled by multiprocessing's spawn), so it is a frozen dataclass
whose every field is declared here: the worker reads attributes, never string keys it has to guess.
Latency settings are measure.rounds.RoundSettings (the config's measure section, the time per
configuration and the deadline); power settings are the power section with what the runner measured;
accuracy settings are the config's accuracy section itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from bench_job.config.sections import AccuracySection, PowerSection, ScenariosSection, SustainedSection
from bench_job.host.cool_down import CoolDownResult
from bench_job.measure.rounds import RoundSettings


@dataclass(frozen=True)
class PowerSettings:
    """The config's power section with what the runner found and measured: the sources, the idle
    baseline and, where there is no energy to measure, why (energy_reason: None when sources exist)."""

    section: PowerSection
    sources: tuple = ()  # power.base.SourceSpec of each source found by the runner
    idle_w: Mapping[str, float] = field(default_factory=dict)  # source name -> idle watts
    idle_other_cpu_share: float | None = None  # other processes' CPU share during the idle baseline
    energy_reason: str | None = None


@dataclass(frozen=True)
class WorkerTask:
    """entry: the zoo entry; variant: its precision and threads; points: the configurations still to
    measure, smallest first; keys: point -> record key; threads: run.threads, the default a variant's
    own threads override; cool_down: the runner's wait for the board to cool before this model, which every
    row of the model carries."""

    entry: object
    variant: object
    points: tuple
    keys: Mapping[object, str]
    accelerator: str
    threads: int | None
    seed: int
    timing: RoundSettings
    power: PowerSettings
    accuracy: AccuracySection
    cool_down: CoolDownResult
    assets: str | None = None
    sustained: SustainedSection | None = None  # the soak's duration and windows, for a soaked model's last point
    scenarios: ScenariosSection | None = None  # LoadGen's rules and settings, for the MLPerf scenarios' points
    # A folder for the runtime's files (an ONNX export, a TensorRT engine: hundreds of MB for BERT), made and
    # removed by the supervisor, so that a worker killed for its memory or its time leaves nothing behind.
    scratch: str | None = None

    @property
    def threads_asked(self) -> int | None:
        """The thread count this variant asks for (None: torch's default)."""
        return self.variant.threads or self.threads

    def record_head(self, point, threads: int | None, input_unit: str) -> dict:
        """The fields every record of one configuration starts with, the same whoever writes it: the worker
        (threads: what torch runs with) or the runner for a worker that died (threads: what the worker
        would have run with). Identity, then what the catalogue says of the model, so that a report made
        from the bundle alone, on another machine or by another version, shows the same figures."""
        entry, variant = self.entry, self.variant
        return {
            "key": self.keys[point],
            "model": entry.name,
            "family": entry.family,
            "variant": variant.name,
            "precision": variant.precision,
            "runtime": variant.runtime,
            "accelerator": self.accelerator,
            "threads": threads,
            "batch_size": point.batch_size,
            "input_size": point.input_size,
            "input_unit": input_unit,
            "sweeps": "+".join(point.sweeps),
            "scenario": point.scenario,
            "weights": entry.weights,
            "in_zoo": entry.reference_params is not None,
            "published_params": entry.reference_params,
            "published_params_source": entry.reference_source or None,
            "model_note": entry.note or None,
            "published_accuracy": entry.published_accuracy,
            "published_accuracy_source": entry.published_accuracy_source or None,
        }
