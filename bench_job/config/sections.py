"""One frozen dataclass per section of the merged config, parsed and validated once.

Field names are the YAML keys (config.measure.quiet_wait_s is measure: quiet_wait_s:). No field has a
default: profiles/defaults.yaml is the one place a default and its explanation live, and every key
reaches a section through the merged layers. Every check names the bad key and the valid values in one
line (tests assert the wording).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, replace

from bench_job.catalogue.entry import WEIGHTS
from bench_job.checks import check, number, positive_int, size_list, whole_number
from bench_job.units import parse_duration, parse_size

DEVICES = ("laptop", "rpi", "jetson")
ACCELERATORS = ("cpu", "cuda", "auto")
ATTENTION = ("eager", "sdpa")


def _build(cls, raw: dict):
    """The section from its merged mapping: the keys are the defaults' (merge refuses any other)."""
    return cls(**{f.name: raw[f.name] for f in dataclasses.fields(cls)})


@dataclass(frozen=True)
class RunSection:
    device: str
    accelerator: str
    threads: int | None
    seed: int
    max_worker_memory: str | None
    budget: str | None
    config_timeout_s: float
    build_timeout_s: float
    assets: str | None

    @classmethod
    def parse(cls, run: dict) -> RunSection:
        check(
            run["device"] in DEVICES + ("auto",),
            f"run.device must be one of {', '.join(DEVICES + ('auto',))}, got {run['device']!r}",
        )
        check(
            run["accelerator"] in ACCELERATORS,
            f"run.accelerator must be one of {', '.join(ACCELERATORS)}, got {run['accelerator']!r}",
        )
        positive_int(run["threads"], "run.threads", allow_none=True)
        whole_number(run["seed"], "run.seed", 0, " (numpy's generators take no negative seed)")
        if run["max_worker_memory"] is not None:
            parse_size(run["max_worker_memory"])
        if run["budget"] is not None:
            parse_duration(run["budget"])
        number(run["config_timeout_s"], "run.config_timeout_s", lambda v: v > 0, "a positive number of seconds")
        number(run["build_timeout_s"], "run.build_timeout_s", lambda v: v > 0, "a positive number of seconds")
        return _build(cls, run)


@dataclass(frozen=True)
class MeasureSection:
    warmup_runs: int
    min_runs: int
    max_runs: int
    target_ci_rel: float
    confidence: float
    max_time_per_config_s: float
    min_rounds: int
    round_time_s: float
    max_other_cpu_share: float
    max_run_delay: float
    quiet_wait_s: float
    patience_s: float

    @classmethod
    def parse(cls, measure: dict) -> MeasureSection:
        whole_number(measure["warmup_runs"], "measure.warmup_runs", 1, " (the first run is always slow)")
        whole_number(measure["min_runs"], "measure.min_runs", 2, " for a standard deviation")
        positive_int(measure["max_runs"], "measure.max_runs")
        check(measure["max_runs"] >= measure["min_runs"], "measure.max_runs must be >= measure.min_runs")
        number(measure["target_ci_rel"], "measure.target_ci_rel", lambda v: 0 < v < 1, "a fraction between 0 and 1")
        number(measure["confidence"], "measure.confidence", lambda v: 0.5 <= v < 1, "at least 0.5 and below 1")
        number(
            measure["max_time_per_config_s"],
            "measure.max_time_per_config_s",
            lambda v: v > 0,
            "a positive number of seconds",
        )
        positive_int(measure["min_rounds"], "measure.min_rounds")
        number(measure["round_time_s"], "measure.round_time_s", lambda v: v > 0, "a positive number of seconds")
        number(
            measure["max_other_cpu_share"],
            "measure.max_other_cpu_share",
            lambda v: 0 < v < 1,
            "a fraction between 0 and 1",
        )
        number(measure["max_run_delay"], "measure.max_run_delay", lambda v: 0 < v < 1, "a fraction between 0 and 1")
        for key in ("quiet_wait_s", "patience_s"):
            number(measure[key], f"measure.{key}", lambda v: v >= 0, "a number of seconds, 0 or more")
        return _build(cls, measure)


@dataclass(frozen=True)
class SweepSection:
    batch_sizes: list  # at input_size
    input_size: int
    input_sizes: list  # at batch size 1

    @classmethod
    def parse(cls, name: str, sweep: dict) -> SweepSection:
        size_list(sweep["batch_sizes"], f"sweeps.{name}.batch_sizes")
        positive_int(sweep["input_size"], f"sweeps.{name}.input_size")
        size_list(sweep["input_sizes"], f"sweeps.{name}.input_sizes")
        return _build(cls, sweep)


@dataclass(frozen=True)
class PowerSection:
    enabled: bool
    sysfs_root: str
    host_root: str
    powercap_dir: str | None
    external_csv: str | None
    sampling_hz: float
    idle_seconds: float
    min_window_s: float
    min_samples: int
    max_window_s: float

    @classmethod
    def parse(cls, power: dict) -> PowerSection:
        check(isinstance(power["enabled"], bool), f"power.enabled must be true or false, got {power['enabled']!r}")
        for key in ("sampling_hz", "idle_seconds", "min_window_s", "max_window_s"):
            number(power[key], f"power.{key}", lambda v: v > 0, "a positive number")
        check(power["min_window_s"] <= power["max_window_s"], "power.min_window_s must be <= power.max_window_s")
        positive_int(power["min_samples"], "power.min_samples")
        for key in ("sysfs_root", "host_root"):
            check(isinstance(power[key], str) and power[key], f"power.{key} must be a folder path")
        # A host root that is not there would make every host file read as absent, silently: refused instead.
        check(
            os.path.isdir(power["host_root"]),
            f"power.host_root (--host-root) {power['host_root']!r} is not a folder: give the folder where the "
            "host's /etc, /var and /proc are (/ on the host itself; /host in the images, where compose mounts them)",
        )
        return _build(cls, power)


@dataclass(frozen=True)
class AccuracySection:
    enabled: bool
    max_examples: int | None
    batch_size: int
    optional: bool

    @classmethod
    def parse(cls, accuracy: dict) -> AccuracySection:
        for key in ("enabled", "optional"):
            check(isinstance(accuracy[key], bool), f"accuracy.{key} must be true or false, got {accuracy[key]!r}")
        positive_int(accuracy["max_examples"], "accuracy.max_examples", allow_none=True)
        positive_int(accuracy["batch_size"], "accuracy.batch_size")
        return _build(cls, accuracy)


@dataclass(frozen=True)
class RealClockSection:
    enabled: bool
    margin: float

    @classmethod
    def parse(cls, real_clock: dict) -> RealClockSection:
        check(
            isinstance(real_clock["enabled"], bool),
            f"real_clock.enabled must be true or false, got {real_clock['enabled']!r}",
        )
        number(real_clock["margin"], "real_clock.margin", lambda v: 0 < v < 1, "a fraction between 0 and 1")
        return _build(cls, real_clock)


@dataclass(frozen=True)
class ThermalSection:
    """The cool-down before each model (host/cool_down.py)."""

    cool_margin_c: float
    cool_to_c: float | None
    max_wait_s: float
    poll_s: float

    @classmethod
    def parse(cls, thermal: dict) -> ThermalSection:
        number(thermal["cool_margin_c"], "thermal.cool_margin_c", lambda v: v > 0, "a positive number of degrees C")
        if thermal["cool_to_c"] is not None:
            number(
                thermal["cool_to_c"],
                "thermal.cool_to_c",
                lambda v: 20 <= v <= 110,
                "between 20 and 110 degrees C, or null to wait for the run's starting temperature plus cool_margin_c",
            )
        number(
            thermal["max_wait_s"],
            "thermal.max_wait_s",
            lambda v: v >= 0,
            "a number of seconds, 0 or more (0: never wait, only flag a hot start)",
        )
        number(thermal["poll_s"], "thermal.poll_s", lambda v: v > 0, "a positive number of seconds")
        return _build(cls, thermal)


@dataclass(frozen=True)
class SustainedSection:
    models: list  # model names to soak (each must be one of the run's models); empty: no soak
    duration_s: float
    window_s: float
    batch_size: int
    input_size: int | None  # None: each model's sweep input size

    # A soak is one configuration to its supervisor: it must end well inside run.config_timeout_s, or the
    # supervisor kills it as a timeout. A minute covers its last window, the readings and the record.
    TIMEOUT_ROOM_S = 60

    @classmethod
    def parse(cls, sustained: dict, config_timeout_s: float) -> SustainedSection:
        models = sustained["models"]
        check(
            isinstance(models, list) and all(isinstance(m, str) and m for m in models),
            f"sustained.models must be a list of model names (from models), got {models!r}",
        )
        number(sustained["duration_s"], "sustained.duration_s", lambda v: v > 0, "a positive number of seconds")
        number(sustained["window_s"], "sustained.window_s", lambda v: v > 0, "a positive number of seconds")
        check(
            sustained["window_s"] <= sustained["duration_s"],
            f"sustained.window_s ({sustained['window_s']}) must be at most sustained.duration_s "
            f"({sustained['duration_s']})",
        )
        check(
            sustained["duration_s"] + cls.TIMEOUT_ROOM_S <= config_timeout_s,
            f"sustained.duration_s ({sustained['duration_s']}) must be at least {cls.TIMEOUT_ROOM_S} s under "
            f"run.config_timeout_s ({config_timeout_s}), which would kill the soak: shorten the soak or raise "
            "run.config_timeout_s",
        )
        positive_int(sustained["batch_size"], "sustained.batch_size")
        positive_int(sustained["input_size"], "sustained.input_size", allow_none=True)
        return _build(cls, sustained)

    def for_models(self, names: list) -> tuple:
        """(this section soaking only the run's models, the adjustment to log or None). A soak runs in its
        model's worker after that model's sweep, so a model the run leaves out (a config that soaks one model,
        run with --models naming others) is not soaked, and the run log says so rather than refusing the run."""
        left_out = [m for m in self.models if m not in names]
        if not left_out:
            return self, None
        kept = [m for m in self.models if m in names]
        note = (
            f"sustained.models: {', '.join(left_out)} not among this run's models ({', '.join(names)}), so not "
            "soaked; add it to models to soak it"
        )
        return replace(self, models=kept), note


@dataclass(frozen=True)
class ScenariosSection:
    """The top-level `scenarios` and `scenario_rules` with the `loadgen` and `server` sections they use."""

    scenarios: tuple  # sweep and/or MLPerf's single-stream, multi-stream, offline, server, in the config's order
    rules: str  # quick | mlperf
    quick_min_duration_s: float
    quick_min_query_count: int
    performance_samples: int
    max_batch_size: int
    server_latency_bound_ms: float | None
    server_search_steps: int

    # A LoadGen test (a server search step) is one configuration to its supervisor: the minute covers the test's
    # warm-up, its last queries past the minimum duration and the logs.
    TIMEOUT_ROOM_S = 60
    MLPERF_MIN_DURATION_S = 600  # mlperf.conf: *.*.min_duration = 600000 (ms), every scenario

    @classmethod
    def parse(cls, data: dict, config_timeout_s: float) -> ScenariosSection:
        from bench_job.scenarios import RULES, SCENARIO_NAMES

        scenarios, rules = data["scenarios"], data["scenario_rules"]
        check(
            isinstance(scenarios, list) and scenarios and all(s in SCENARIO_NAMES for s in scenarios),
            f"scenarios must be a non-empty list of {', '.join(SCENARIO_NAMES)}, got {scenarios!r}",
        )
        check(len(set(scenarios)) == len(scenarios), f"scenarios lists a name twice: {scenarios!r}")
        check(rules in RULES, f"scenario_rules must be one of {', '.join(RULES)}, got {rules!r}")
        loadgen, server = data["loadgen"], data["server"]
        number(
            loadgen["quick_min_duration_s"],
            "loadgen.quick_min_duration_s",
            lambda v: v > 0,
            "a positive number of seconds",
        )
        positive_int(loadgen["quick_min_query_count"], "loadgen.quick_min_query_count")
        positive_int(loadgen["performance_samples"], "loadgen.performance_samples")
        positive_int(loadgen["max_batch_size"], "loadgen.max_batch_size")
        if server["latency_bound_ms"] is not None:
            number(server["latency_bound_ms"], "server.latency_bound_ms", lambda v: v > 0, "a positive number of ms")
        positive_int(server["search_steps"], "server.search_steps")
        section = cls(
            scenarios=tuple(scenarios),
            rules=rules,
            quick_min_duration_s=loadgen["quick_min_duration_s"],
            quick_min_query_count=loadgen["quick_min_query_count"],
            performance_samples=loadgen["performance_samples"],
            max_batch_size=loadgen["max_batch_size"],
            server_latency_bound_ms=server["latency_bound_ms"],
            server_search_steps=server["search_steps"],
        )
        if section.loadgen:
            test_s = section.min_duration_s
            check(
                test_s + cls.TIMEOUT_ROOM_S <= config_timeout_s,
                f"a LoadGen test's minimum duration ({test_s:g} s under scenario_rules {rules}) must be at least "
                f"{cls.TIMEOUT_ROOM_S} s under run.config_timeout_s ({config_timeout_s:g}), which would kill it: raise "
                "run.config_timeout_s" + (" or shorten loadgen.quick_min_duration_s" if rules == "quick" else ""),
            )
        return section

    @property
    def loadgen(self) -> tuple:
        """The MLPerf scenarios asked for, in order (empty: the sweep alone)."""
        return tuple(s for s in self.scenarios if s != "sweep")

    @property
    def sweep(self) -> bool:
        return "sweep" in self.scenarios

    @property
    def min_duration_s(self) -> float:
        """A LoadGen test's minimum duration under the rules: MLPerf's 600 s, or quick's."""
        return self.MLPERF_MIN_DURATION_S if self.rules == "mlperf" else self.quick_min_duration_s


@dataclass(frozen=True)
class Sections:
    run: RunSection
    measure: MeasureSection
    power: PowerSection
    accuracy: AccuracySection
    thermal: ThermalSection
    sweeps: dict  # sweep name ("vision", "nlp") -> SweepSection
    real_clock: RealClockSection
    sustained: SustainedSection
    scenarios: ScenariosSection


def parse_sections(data: dict) -> Sections:
    """Every section of the merged config, checked in the order the keys are documented, with the
    top-level choices (weights, attn_implementation) between run and measure."""
    run = RunSection.parse(data["run"])
    check(data["weights"] in WEIGHTS, f"weights must be one of {', '.join(WEIGHTS)}, got {data['weights']!r}")
    check(
        data["attn_implementation"] in ATTENTION,
        f"attn_implementation must be one of {', '.join(ATTENTION)}, got {data['attn_implementation']!r}",
    )
    measure = MeasureSection.parse(data["measure"])
    sweeps = {name: SweepSection.parse(name, sweep) for name, sweep in data["sweeps"].items()}
    power = PowerSection.parse(data["power"])
    accuracy = AccuracySection.parse(data["accuracy"])
    real_clock = RealClockSection.parse(data["real_clock"])
    sustained = SustainedSection.parse(data["sustained"], run.config_timeout_s)
    thermal = ThermalSection.parse(data["thermal"])
    scenarios = ScenariosSection.parse(data, run.config_timeout_s)
    return Sections(
        run=run,
        measure=measure,
        power=power,
        accuracy=accuracy,
        thermal=thermal,
        sweeps=sweeps,
        real_clock=real_clock,
        sustained=sustained,
        scenarios=scenarios,
    )
