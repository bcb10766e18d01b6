"""What the runner hands a worker process: one model variant's configurations and how to measure them.

The task crosses a process boundary (pickled by multiprocessing's spawn), so it is a frozen dataclass
whose every field is declared here: the worker reads attributes, never string keys it has to guess.
Latency settings are measure.rounds.RoundSettings; power and accuracy settings are declared below.
"""

from dataclasses import dataclass, field
from typing import Mapping

from bench_job.measure.rounds import RoundSettings


@dataclass(frozen=True)
class PowerSettings:
    """The energy window's bounds, the sources the runner found and the idle baseline it measured.

    energy_reason: why no energy is measured (power disabled, no source found), None when sources exist."""
    sysfs_root: str = "/sys"
    sampling_hz: float = 50.0
    min_window_s: float = 1.0
    min_samples: int = 10
    max_window_s: float = 30.0
    sources: tuple = ()                          # power.base.SourceSpec of each source found by the runner
    idle_w: Mapping[str, float] = field(default_factory=dict)   # source name -> idle watts
    idle_other_cpu_share: float | None = None    # other processes' CPU share during the idle baseline
    energy_reason: str | None = None

    @classmethod
    def from_config(cls, power: dict, **measured) -> "PowerSettings":
        """The config's power section with what the runner measured (sources, idle_w, ...)."""
        return cls(sysfs_root=power["sysfs_root"], sampling_hz=power["sampling_hz"],
                   min_window_s=power["min_window_s"], min_samples=power["min_samples"],
                   max_window_s=power["max_window_s"], **measured)


@dataclass(frozen=True)
class AccuracySettings:
    enabled: bool = True
    max_examples: int | None = None
    batch_size: int = 8

    @classmethod
    def from_config(cls, accuracy: dict) -> "AccuracySettings":
        return cls(enabled=accuracy["enabled"], max_examples=accuracy["max_examples"],
                   batch_size=accuracy["batch_size"])


@dataclass(frozen=True)
class WorkerTask:
    """entry: the zoo entry; variant: its precision and threads; points: the configurations still to
    measure, smallest first; keys: point -> record key; threads: run.threads, the default a variant's
    own threads override."""
    entry: object
    variant: object
    points: tuple
    keys: Mapping[object, str]
    accelerator: str
    threads: int | None
    seed: int
    timing: RoundSettings
    power: PowerSettings
    accuracy: AccuracySettings
    assets: str | None = None

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
        return {"key": self.keys[point], "model": entry.name, "family": entry.family, "variant": variant.name,
                "precision": variant.precision, "runtime": variant.runtime, "accelerator": self.accelerator, "threads": threads,
                "batch_size": point.batch_size, "input_size": point.input_size, "input_unit": input_unit,
                "sweeps": "+".join(point.sweeps), "weights": entry.weights,
                "in_zoo": entry.reference_params is not None, "published_params": entry.reference_params,
                "published_params_source": entry.reference_source or None, "model_note": entry.note or None,
                "published_accuracy": entry.published_accuracy,
                "published_accuracy_source": entry.published_accuracy_source or None}
