"""Layered configuration: packaged defaults -> device profile -> user YAML -> --set overrides, validated.

Every error here is a UserError naming the bad key or value and the valid choices.
"""

import copy
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources

import yaml

from bench_job.errors import UserError
from bench_job.runtimes import RUNTIMES
from bench_job.units import parse_duration, parse_size
from bench_job.catalogue.zoo import TASKS

DEVICES = ("laptop", "rpi", "jetson")
ACCELERATORS = ("cpu", "cuda", "auto")
PRECISIONS = ("fp32", "fp16", "bf16", "int8")
WEIGHTS = ("random", "pretrained")
ATTENTION = ("eager", "sdpa")
MODEL_KEYS = ("name", "family", "source", "pretrained", "weights", "variants", "batch_sizes", "input_size",
              "input_sizes", "note", "task", "data_path", "label_map")
VARIANT_KEYS = ("name", "precision", "threads", "runtime")


def _profile_text(name: str) -> str:
    return resources.files("bench_job").joinpath("profiles", f"{name}.yaml").read_text()


def load_defaults() -> dict:
    return yaml.safe_load(_profile_text("defaults"))


def load_device_profile(device: str) -> dict:
    return yaml.safe_load(_profile_text(device)) or {}


def read_config_file(path: str) -> dict:
    try:
        with open(path) as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise UserError(f"cannot read config {path}: {exc.strerror}; give an existing YAML file "
                        f"(e.g. configs/quick.yaml)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"config {path} is not valid YAML{where}: fix its syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"config {path} must be a YAML mapping of keys (run:, sweeps:, models:, ...)")
    return data


def parse_set(assignment: str) -> tuple[list[str], object]:
    """'sweeps.vision.batch_sizes=[1,2]' -> (['sweeps','vision','batch_sizes'], [1, 2])."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise UserError(f"bad --set {assignment!r}: use --set key.path=value, e.g. --set measure.min_runs=20")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        raise UserError(f"bad --set {assignment!r}: the value is not valid YAML") from None
    return key.strip().split("."), value


def merge(base: dict, override: dict, defaults: dict, where: str = "") -> dict:
    """Deep-merge override into base; keys unknown to the defaults are refused with the valid ones."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{where}{key}"
        if key not in defaults:
            raise UserError(f"unknown config key {path!r}; valid keys here: {', '.join(sorted(defaults))}")
        if isinstance(defaults[key], dict) and defaults[key] and key != "notes":
            if not isinstance(value, dict):
                raise UserError(f"config key {path!r} must be a mapping with keys: {', '.join(sorted(defaults[key]))}")
            out[key] = merge(out.get(key) or {}, value, defaults[key], f"{path}.")
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_set(config: dict, keys: list[str], value, defaults: dict) -> dict:
    override: dict = {}
    node = override
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value
    return merge(config, override, defaults)


@dataclass(frozen=True)
class Variant:
    name: str
    precision: str = "fp32"
    threads: int | None = None
    runtime: str = "eager"          # bench_job.runtimes.RUNTIMES: eager | compile | onnxruntime | tensorrt


@dataclass
class ModelEntry:
    """One model of the plan, resolved to a family and a way to build it."""
    name: str
    family: str
    architecture: object
    source: str | None
    pretrained: str | None
    weights: str
    variants: list
    batch_sizes: list
    input_size: int
    input_sizes: list
    note: str = ""
    reference_params: int | None = None
    reference_source: str = ""
    published_accuracy: float | None = None  # the catalogue checkpoint's own reported dev-set accuracy
    published_accuracy_source: str = ""
    max_input_size: int | None = None
    attn_implementation: str = "eager"
    task: str | None = None          # dev set for accuracy: sst2 | imagenette | imagefolder | disk
    data_path: str | None = None     # the user's own dev set: sentence/label (sst2) or images (imagefolder, disk)
    label_map: object = None         # model output -> dataset label, for a user's own checkpoint
    weights_note: str | None = None  # why the weights are not what the config asked for


@dataclass
class Config:
    data: dict                      # the resolved config, as written to config.yaml
    models: list                    # ModelEntry, in plan order
    adjustments: list = field(default_factory=list)  # what resolve changed on its own, for the run log

    @property
    def run(self) -> dict:
        return self.data["run"]

    @property
    def measure(self) -> dict:
        return self.data["measure"]

    def fingerprint(self) -> str:
        """Identifies what is measured, so that a re-run with the same config resumes the same work."""
        text = json.dumps({k: v for k, v in self.data.items() if k != "notes"}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:10]


def _check(cond: bool, message: str):
    if not cond:
        raise UserError(message)


def _refuse_unknown(mapping: dict, valid: tuple, where: str):
    unknown = sorted(set(mapping) - set(valid))
    if unknown:
        raise UserError(f"unknown key {unknown[0]!r} in {where}; valid keys: {', '.join(valid)}")


def _is_whole(value) -> bool:
    # bool is an int subclass in Python, but `true` in a YAML file is nobody's count of anything.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole_number(value, key: str, at_least: int, why: str = "", allow_none: bool = False):
    """A count: what is not a whole number is refused as such first, so 'abc' is never told it is too small."""
    if value is None and allow_none:
        return
    _check(_is_whole(value), f"{key} must be a whole number (an integer), got {value!r}")
    _check(value >= at_least, f"{key} must be at least {at_least}{why}, got {value!r}")


def _positive_int(value, key: str, allow_none: bool = False):
    _whole_number(value, key, 1, allow_none=allow_none)


def _number(value, key: str, in_range, expected: str):
    """A quantity: what is not a number is refused as such first, then the range (`expected` words it)."""
    _check(_is_number(value), f"{key} must be a number, got {value!r}")
    _check(in_range(value), f"{key} must be {expected}, got {value!r}")


def _size_list(value, key: str):
    _check(isinstance(value, list) and value, f"{key} must be a non-empty list of positive whole numbers, got {value!r}")
    for item in value:
        _positive_int(item, f"every entry of {key}")


def validate(data: dict) -> None:
    run, measure = data["run"], data["measure"]
    _check(run["device"] in DEVICES + ("auto",), f"run.device must be one of {', '.join(DEVICES + ('auto',))}, got {run['device']!r}")
    _check(run["accelerator"] in ACCELERATORS, f"run.accelerator must be one of {', '.join(ACCELERATORS)}, got {run['accelerator']!r}")
    _positive_int(run["threads"], "run.threads", allow_none=True)
    _whole_number(run["seed"], "run.seed", 0, " (numpy's generators take no negative seed)")
    if run["max_worker_memory"] is not None:
        parse_size(run["max_worker_memory"])
    if run["budget"] is not None:
        parse_duration(run["budget"])
    _number(run["config_timeout_s"], "run.config_timeout_s", lambda v: v > 0, "a positive number of seconds")
    _check(data["weights"] in WEIGHTS, f"weights must be one of {', '.join(WEIGHTS)}, got {data['weights']!r}")
    _check(data["attn_implementation"] in ATTENTION,
           f"attn_implementation must be one of {', '.join(ATTENTION)}, got {data['attn_implementation']!r}")
    _whole_number(measure["warmup_runs"], "measure.warmup_runs", 1, " (the first run is always slow)")
    _whole_number(measure["min_runs"], "measure.min_runs", 2, " for a standard deviation")
    _positive_int(measure["max_runs"], "measure.max_runs")
    _check(measure["max_runs"] >= measure["min_runs"], "measure.max_runs must be >= measure.min_runs")
    _number(measure["target_ci_rel"], "measure.target_ci_rel", lambda v: 0 < v < 1, "a fraction between 0 and 1")
    _number(measure["confidence"], "measure.confidence", lambda v: 0.5 <= v < 1, "at least 0.5 and below 1")
    _number(measure["max_time_per_config_s"], "measure.max_time_per_config_s", lambda v: v > 0,
            "a positive number of seconds")
    _positive_int(measure["min_rounds"], "measure.min_rounds")
    _number(measure["round_time_s"], "measure.round_time_s", lambda v: v > 0, "a positive number of seconds")
    _number(measure["max_other_cpu_share"], "measure.max_other_cpu_share", lambda v: 0 < v < 1,
            "a fraction between 0 and 1")
    for key in ("quiet_wait_s", "patience_s"):
        _number(measure[key], f"measure.{key}", lambda v: v >= 0, "a number of seconds, 0 or more")
    for sweep_name, sweep in data["sweeps"].items():
        _size_list(sweep["batch_sizes"], f"sweeps.{sweep_name}.batch_sizes")
        _positive_int(sweep["input_size"], f"sweeps.{sweep_name}.input_size")
        _size_list(sweep["input_sizes"], f"sweeps.{sweep_name}.input_sizes")
    power = data["power"]
    _check(isinstance(power["enabled"], bool), f"power.enabled must be true or false, got {power['enabled']!r}")
    for key in ("sampling_hz", "idle_seconds", "min_window_s", "max_window_s"):
        _number(power[key], f"power.{key}", lambda v: v > 0, "a positive number")
    _check(power["min_window_s"] <= power["max_window_s"], "power.min_window_s must be <= power.max_window_s")
    _positive_int(power["min_samples"], "power.min_samples")
    _check(isinstance(power["sysfs_root"], str) and power["sysfs_root"], "power.sysfs_root must be a folder path")
    accuracy = data["accuracy"]
    for key in ("enabled", "optional"):
        _check(isinstance(accuracy[key], bool), f"accuracy.{key} must be true or false, got {accuracy[key]!r}")
    _positive_int(accuracy["max_examples"], "accuracy.max_examples", allow_none=True)
    _positive_int(accuracy["batch_size"], "accuracy.batch_size")
    _check(isinstance(data["notes"], dict), "notes must be a mapping of model name -> text")
    _check(isinstance(data["models"], list) and data["models"],
           "models must be a non-empty list of model names or {name: ..., source: ...} entries")
    _parse_variants(data["variants"], "variants", run["accelerator"])


def _parse_variants(raw, where: str, accelerator: str) -> list[Variant]:
    _check(isinstance(raw, list) and raw, f"{where} must be a non-empty list such as [{{precision: fp32}}]")
    variants = []
    for item in raw:
        if isinstance(item, str):
            item = {"precision": item}
        _check(isinstance(item, dict), f"every entry of {where} must be a mapping such as {{precision: fp16}}")
        _refuse_unknown(item, VARIANT_KEYS, where)
        precision = item.get("precision", "fp32")
        _check(precision in PRECISIONS, f"{where}: precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        runtime = item.get("runtime", "eager")
        _check(runtime in RUNTIMES, f"{where}: runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
        _check(precision in RUNTIMES[runtime].precisions,
               f"{where}: runtime {runtime} runs precision {', '.join(RUNTIMES[runtime].precisions)}, not {precision}")
        _check(not (precision == "int8" and runtime == "eager" and accelerator == "cuda"),
               f"{where}: int8 dynamic quantization runs on the CPU only; use run.accelerator: cpu or another precision")
        threads = item.get("threads")
        _positive_int(threads, f"{where}: threads", allow_none=True)
        # The runtime is part of the default name, so that the row key (model|variant|...) tells runtimes apart.
        name = item.get("name") or precision + (f"-{runtime}" if runtime != "eager" else "") + (f"-t{threads}" if threads else "")
        variants.append(Variant(name=str(name), precision=precision, threads=threads, runtime=runtime))
    names = [v.name for v in variants]
    _check(len(set(names)) == len(names), f"{where}: variant names must differ, got {names}")
    return variants


def _resolve_model(raw, data: dict, families: dict, torchvision_names) -> ModelEntry:
    from bench_job.families.transformers_family import is_checkpoint_folder
    from bench_job.catalogue.zoo import ZOO

    if isinstance(raw, str):
        raw = {"name": raw}
    _check(isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"],
           f"every entry of models must be a name or a mapping with a name, got {raw!r}")
    _refuse_unknown(raw, MODEL_KEYS, f"model {raw['name']!r}")
    name, source = raw["name"], raw.get("source")
    zoo = ZOO.get(name)
    if raw.get("family"):
        family = raw["family"]
        _check(family in families, f"model {name}: family must be one of {', '.join(families)}, got {family!r}")
    elif zoo:
        family = zoo.family
    elif name in torchvision_names():
        family = "torchvision"
    elif is_checkpoint_folder(source or name) or "/" in (source or name):
        family = "transformers"
    else:
        raise UserError(
            f"unknown model {name!r}: choose one of {', '.join(ZOO)}, any torchvision classification model "
            f"(e.g. efficientnet_b0), or a transformers model id / local checkpoint folder given as source")
    if family == "torchvision" and not zoo:
        arch = raw.get("source") if raw.get("source") in torchvision_names() else name
        _check(arch in torchvision_names(), f"model {name}: {arch!r} is not a torchvision classification model")
        architecture = arch
    elif zoo and not source:
        architecture = zoo.architecture
    else:
        architecture = source or name
    weights = raw.get("weights", data["weights"])
    _check(weights in WEIGHTS, f"model {name}: weights must be one of {', '.join(WEIGHTS)}, got {weights!r}")
    family_obj = families[family]
    sweep = data["sweeps"][family_obj.sweep]
    batch_sizes = raw.get("batch_sizes", sweep["batch_sizes"])
    input_size = raw.get("input_size", sweep["input_size"])
    input_sizes = raw.get("input_sizes", sweep["input_sizes"])
    _size_list(batch_sizes, f"model {name}: batch_sizes")
    _positive_int(input_size, f"model {name}: input_size")
    _size_list(input_sizes, f"model {name}: input_sizes")
    max_size = zoo.max_input_size if zoo else None
    for size in [input_size, *input_sizes]:
        _check(size >= family_obj.min_input_size(),
               f"model {name}: input size {size} is below the smallest this family takes "
               f"({family_obj.min_input_size()} {family_obj.input_unit})")
        _check(max_size is None or size <= max_size,
               f"model {name}: input size {size} exceeds its maximum of {max_size} {family_obj.input_unit}")
    task = raw.get("task") or _zoo_task(name)
    _check(task is None or task in TASKS, f"model {name}: task must be one of {', '.join(TASKS)}, got {task!r}")
    _check(task not in ("imagefolder", "disk") or raw.get("data_path"),
           f"model {name}: task {task} needs data_path: the folder of your dev set")
    variants = _parse_variants(raw["variants"], f"model {name}: variants", data["run"]["accelerator"]) \
        if "variants" in raw else _parse_variants(data["variants"], "variants", data["run"]["accelerator"])
    return ModelEntry(
        name=name, family=family, architecture=architecture, source=source,
        pretrained=raw.get("pretrained") or (zoo.pretrained if zoo else None), weights=weights,
        variants=variants, batch_sizes=sorted(set(batch_sizes)), input_size=input_size,
        input_sizes=sorted(set(input_sizes)), note=raw.get("note") or data["notes"].get(name, "") or (zoo.notes if zoo else ""),
        reference_params=zoo.reference_params if zoo else None,
        reference_source=zoo.reference_source if zoo else "",
        **_published_accuracy(zoo, source or raw.get("pretrained")),
        max_input_size=max_size, attn_implementation=data["attn_implementation"], task=task,
        data_path=raw.get("data_path"), label_map=raw.get("label_map"))


def _published_accuracy(zoo, own_weights) -> dict:
    """The catalogue checkpoint's reported accuracy, only where the entry evaluates that checkpoint."""
    if not zoo or own_weights or zoo.checkpoint.reported_accuracy is None:
        return {}
    return {"published_accuracy": zoo.checkpoint.reported_accuracy,
            "published_accuracy_source": zoo.checkpoint.reported_source}


def _zoo_task(name: str) -> str | None:
    """The dev set a zoo model's pretrained checkpoint is evaluated on."""
    from bench_job.catalogue.zoo import ZOO

    zoo = ZOO.get(name)
    return zoo.checkpoint.task if zoo else None


def _lazy_torchvision_names():
    cache = []

    def names():
        if not cache:
            from bench_job.families.torchvision_family import classification_model_names
            cache.append(set(classification_model_names()))
        return cache[0]
    return names


def _fit_profile_threads(data: dict, device: str, cpus: int) -> list[str]:
    """A device profile's thread count is the whole board's (the Pi's 4 cores); in a container limited
    to fewer CPUs, or an emulated Pi on a 2-core machine, more threads than CPUs only oversubscribe
    them. A thread count the user asks for later (config, --set, --threads) is kept as asked."""
    threads = data["run"]["threads"]
    if threads is None or threads <= cpus:
        return []
    data["run"]["threads"] = cpus
    return [f"the {device} profile's run.threads {threads} capped at the {cpus} CPU(s) this process may use"]


def resolve(config_path: str | None = None, device: str | None = None, sets: list[str] = (),
            overrides: dict | None = None, detect_device=None, cpus: int | None = None) -> Config:
    """Build the validated Config from its layers. `overrides` are CLI options as dotted keys; `cpus`
    the CPUs this process may use (default: its affinity and cgroup quota)."""
    from bench_job.cpus import usable_cpus

    from bench_job.families import FAMILIES

    defaults = load_defaults()
    user = read_config_file(config_path) if config_path else {}
    merged_user = merge({}, user, defaults) if user else {}
    assignments = [parse_set(s) for s in sets] + [(k.split("."), v) for k, v in (overrides or {}).items()]
    # The device decides which profile layer applies, so it is settled first from the top layers down.
    chosen = device or next((v for keys, v in reversed(assignments) if keys == ["run", "device"]), None) \
        or merged_user.get("run", {}).get("device") or defaults["run"]["device"]
    _check(chosen in DEVICES + ("auto",), f"device must be one of {', '.join(DEVICES + ('auto',))}, got {chosen!r}")
    if chosen == "auto":
        from bench_job.device import detect_device_kind
        chosen = (detect_device or detect_device_kind)()
    data = merge(defaults, load_device_profile(chosen), defaults)
    adjustments = _fit_profile_threads(data, chosen, cpus or usable_cpus())
    data = merge(data, user, defaults)
    for keys, value in assignments:
        data = apply_set(data, keys, value, defaults)
    data["run"]["device"] = chosen
    validate(data)
    names = _lazy_torchvision_names()
    models = [_resolve_model(raw, data, FAMILIES, names) for raw in data["models"]]
    seen = [m.name for m in models]
    _check(len(set(seen)) == len(seen), f"models lists a name twice: {sorted({n for n in seen if seen.count(n) > 1})}")
    return Config(data=data, models=models, adjustments=adjustments)
