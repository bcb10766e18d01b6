"""The versioned record schema, the JSONL store that grows as configurations are measured, and the
flat table (pandas) built from it.

A change to the columns or their meaning bumps SCHEMA_VERSION; read_records refuses versions it does
not know, so an old reader never misreads a new bundle.
"""

import json
import os

# 2: real-input energy columns (real_avg_power_w ... real_energy_reason) and raw real_energy_sources;
# version 1 records lack them.
# 3: the median's confidence interval (the statistic the report shows and validity judges), timing in
# interleaved rounds with disturbed rounds redone and delayed runs set aside (rounds ... runs_set_aside,
# raw rounds_detail), other
# processes' share during the energy window and the idle baseline, and the memory split (framework, weights, activations);
# throughput is batch / median (it was batch / mean); the label-map check as figures (accuracy_swapped: the
# accuracy with the two outputs exchanged; label_map_swapped: the map looks reversed, which makes the row not
# valid), and eval_dataset names where the dev set came from with its size. Versions 1 and 2 lack them.
SCHEMA_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
STATUSES = ("ok", "oom", "skipped", "error", "timeout")

# One row per configuration, in CSV order. The RAW_FIELDS (raw timings, every power source's figures,
# device state snapshots) stay in the JSONL only.
COLUMNS = [
    # identity
    "schema_version", "run_id", "key", "model", "family", "variant", "precision", "accelerator", "threads",
    "batch_size", "input_size", "input_unit", "sweeps", "weights",
    # outcome
    "status", "reason", "notes",
    # size and work
    "params", "params_effective", "flops", "macs", "flop_counter",
    # latency of the forward pass
    "latency_mean_s", "latency_std_s", "latency_median_s", "latency_p90_s", "latency_p99_s",
    "latency_min_s", "latency_max_s", "latency_ci_low_s", "latency_ci_high_s", "latency_ci_rel",
    "latency_median_ci_low_s", "latency_median_ci_high_s", "latency_median_ci_rel",
    "n_runs", "warmup_runs", "rounds", "rounds_redone", "redo_reasons", "quiet_wait_s", "runs_set_aside", "stop_reason", "timer", "throughput", "achieved_gflops", "peak_fraction",
    "other_cpu_share",
    # memory
    "peak_rss_bytes", "model_rss_bytes", "cuda_peak_bytes", "swap_in", "swap_out", "swapped",
    # the peak split: the worker before any model, the model's weights, the pass's activations
    "framework_rss_bytes", "weights_rss_bytes", "activations_rss_bytes", "weights_bytes",
    # power and energy (filled where the device has a power source)
    "avg_power_w", "energy_per_inference_j", "energy_net_per_inference_j", "energy_per_sample_j",
    "idle_power_w", "power_source", "power_scope", "power_samples", "sampling_hz", "energy_reason",
    "energy_other_cpu_share", "idle_other_cpu_share",
    # device state around the configuration
    "throttled", "throttle_reasons", "temp_max_c_before", "temp_max_c_after",
    # accuracy on real dev data (filled with pretrained weights and assets)
    "accuracy", "accuracy_top5", "accuracy_10way", "accuracy_kind", "accuracy_metric", "eval_dataset",
    "eval_examples", "eval_seed", "label_map", "label_map_basis", "label_map_warning", "accuracy_swapped",
    "label_map_swapped", "weights_source",
    # the same model on real inputs (real sentence lengths with dynamic padding, real images)
    "real_batch_size", "real_latency_per_batch_s", "real_mean_seq_len", "real_mean_tokens", "real_image_side",
    "real_avg_power_w", "real_energy_per_batch_j", "real_energy_net_per_batch_j", "real_energy_per_sample_j",
    "real_energy_reason",
    # can the figures be trusted, and if not why
    "valid", "invalid_reasons",
    # when
    "started_at", "duration_s",
]
RAW_FIELDS = ("timings_s", "warmup_s", "energy_sources", "device_state", "real_latencies_s", "real_energy_sources",
              "rounds_detail")


def config_key(model: str, variant: str, accelerator: str, batch_size: int, input_size: int) -> str:
    return f"{model}|{variant}|{accelerator}|b{batch_size}|s{input_size}"


def make_record(**fields) -> dict:
    """A complete record: every column present (None where not measured), plus the raw fields given."""
    unknown = set(fields) - set(COLUMNS) - set(RAW_FIELDS)
    if unknown:
        raise KeyError(f"fields not in the result schema: {sorted(unknown)}")
    record = {column: None for column in COLUMNS}
    record.update(fields)
    record["schema_version"] = SCHEMA_VERSION
    if record["status"] not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {record['status']!r}")
    return record


class ResultStore:
    """Append-only JSONL file: each record is flushed and fsynced as soon as it is measured."""

    def __init__(self, path: str):
        self.path = path

    def append(self, record: dict) -> None:
        with open(self.path, "a") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> list[dict]:
        return read_records(self.path) if os.path.exists(self.path) else []

    def done_keys(self) -> set[str]:
        return {r["key"] for r in self.read()}


class SchemaError(ValueError):
    pass


def read_records(path: str) -> list[dict]:
    """Records of a results.jsonl; a torn last line (a killed writer) is dropped, other damage refused."""
    records = []
    with open(path) as handle:
        lines = handle.read().splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                break
            raise SchemaError(f"{path} line {number} is not JSON") from None
        version = record.get("schema_version")
        if version not in READABLE_VERSIONS:
            raise SchemaError(f"{path} line {number} has schema version {version!r}; this reader knows "
                              f"{', '.join(map(str, READABLE_VERSIONS))}: upgrade bench-job")
        records.append(record)
    return records


def latest_records(records: list[dict]) -> list[dict]:
    """One record per configuration: a later record of a key replaces an earlier one (a resumed run)."""
    return list({r["key"]: r for r in records}.values())


def to_frame(records: list[dict]):
    """The flat table: one row per configuration, the schema's columns in order (later records of the
    same key replace earlier ones, so a resumed run never shows a configuration twice)."""
    import pandas as pd

    rows = [{c: _flat(r.get(c)) for c in COLUMNS} for r in latest_records(records)]
    return pd.DataFrame(rows, columns=COLUMNS)


def _flat(value):
    """A CSV cell: mappings and lists (a label map) as JSON text."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def write_csv(records: list[dict], path: str) -> None:
    to_frame(records).to_csv(path, index=False)
