"""The config's layers: packaged defaults -> device profile -> user YAML -> --set overrides.

Reading the YAML files, merging a layer over another (keys unknown to the defaults are refused with the
valid ones), parsing --set assignments, and fitting a device profile's thread count to this machine.
Every error here is a UserError naming the bad key or value and the valid choices.
"""

from __future__ import annotations

import copy
import json
import pkgutil

import yaml

from bench_job.errors import UserError


def _profile_text(name: str) -> str:
    # pkgutil rather than importlib.resources.files, which Python 3.8 lacks
    return pkgutil.get_data("bench_job", f"profiles/{name}.yaml").decode("utf-8")


def load_defaults() -> dict:
    return yaml.safe_load(_profile_text("defaults"))


def load_device_profile(device: str) -> dict:
    return yaml.safe_load(_profile_text(device)) or {}


def read_config_file(path: str) -> dict:
    try:
        with open(path) as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise UserError(
            f"cannot read config {path}: {exc.strerror}; give an existing YAML file (e.g. configs/quick.yaml)"
        ) from None
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


def fit_profile_threads(data: dict, device: str, cpus: int) -> list[str]:
    """A device profile's thread count is the whole board's (the Pi's 4 cores); in a container limited
    to fewer CPUs, or an emulated Pi on a 2-core machine, more threads than CPUs only oversubscribe
    them. A thread count the user asks for later (config, --set, --threads) is kept as asked."""
    threads = data["run"]["threads"]
    if threads is None or threads <= cpus:
        return []
    data["run"]["threads"] = cpus
    return [f"the {device} profile's run.threads {threads} capped at the {cpus} CPU(s) this process may use"]


def scenarios_layer(names: str) -> str:
    """`--scenario a,b` as a --set layer of the scenarios list (checked with the rest of the config)."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted:
        raise UserError("--scenario needs at least one scenario, e.g. --scenario sweep,single-stream")
    return "scenarios=" + json.dumps(wanted)


def models_layer(config_path: str | None, names: str) -> str:
    """`--models a,b` as a --set layer: the config's entry for a name it lists is kept (its source, sweeps),
    other names are taken as given."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted:
        raise UserError("--models needs at least one model name, e.g. --models resnet18,bert-base-uncased")
    listed = (read_config_file(config_path) if config_path else {}).get("models") or load_defaults()["models"]
    by_name = {(m if isinstance(m, str) else m.get("name")): m for m in listed}
    return "models=" + json.dumps([by_name.get(name, name) for name in wanted])
