"""The versioned record schema, the JSONL store that grows as configurations are measured, and the
flat table (pandas) built from it.

A change to the columns or their meaning bumps SCHEMA_VERSION; read_records refuses versions it does
not know, so an old reader never misreads a new bundle.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

# 2: real-input energy columns (real_avg_power_w ... real_energy_reason) and raw real_energy_sources;
# version 1 records lack them.
# 3: the median's confidence interval (the statistic the report shows and validity judges), timing in
# interleaved rounds with disturbed rounds redone (rounds ... quiet_wait_s, raw rounds_detail), and the
# memory split (framework, weights, activations); versions 1 and 2 lack them.
# 4: the columns of VERSION_4_COLUMNS. They were first written as version 3 after version-3 bundles had
# been released without them, so a version-3 record holds any of them or none (the reader leaves the
# missing ones empty; the report says what a bundle does not record). They are: single runs set aside
# (runs_set_aside) and the kept rounds that a contention rule would have set aside, kept once the patience
# ran out (rounds_disturbed); other processes' share during the energy window and the idle baseline; the model
# catalogue's figures (in_zoo, published_params, published_params_source, model_note, and the catalogue
# checkpoint's reported accuracy: published_accuracy, published_accuracy_source) so that a report is made
# from the bundle alone; the label-map check as figures (accuracy_swapped: the accuracy with the two outputs
# exchanged; label_map_swapped: the map looks reversed, which makes the row not valid); the deployment
# runtime (runtime: eager, compile, onnxruntime, tensorrt; rows without it are eager), what preparing it
# cost (export_s: export or compile, session_s: session or engine creation), the first run of each
# configuration (first_inference_s: the cold start), whether the export is fixed-shape, the execution
# providers, the int8 quantization and its calibration data, and the outputs against eager PyTorch's on the
# same inputs (output_max_abs_diff, output_rel_diff over the output's scale, output_tolerance,
# fidelity_error), and on the dev set (top1_agreement: the share of examples whose top-1 output is eager's).
# Two meanings changed with them: throughput is batch / median (it was batch / mean), and eval_dataset
# names where the dev set came from with its size.
# 5: onnx_exporter, which torch.onnx exporter wrote the ONNX file of an onnxruntime or tensorrt row: dynamo (torch
# >= 2.5) or torchscript (torch 2.0/2.1 on JetPack 5 and 6.0, which have no dynamo exporter); earlier records
# lack it and read with it empty (their ONNX rows were all dynamo exports).
# 6: the power state a configuration ran in (VERSION_6_COLUMNS): the Jetson nvpmodel mode's name and id, whether
# jetson_clocks held the clocks at their maximum, the CPU, GPU and EMC clock caps and the online cores before the
# configuration, and whether that state changed during it (a mode change, a clock cap, a core gone offline) with
# the reasons; earlier records lack them and read with them empty (their power state is unknown).
# 7: sustained performance (VERSION_7_COLUMNS): the scenario a row measured (sweep: the sweep's configurations,
# timed in rounds; sustained: one configuration run back to back for sustained.duration_s, its time series a CSV in
# the bundle), the cool-down wait before the row's model and whether it started hot, and the soak's figures (first
# and last window medians, the performance held, the first throttle event or clock drop, peak temperature, energy
# per inference in the first and last window); earlier records lack them and read as sweep rows.
# 8: MLPerf scenarios through LoadGen (VERSION_8_COLUMNS): a row of scenario single-stream, multi-stream, offline or
# server is one LoadGen test (or, for server, a bounded search of them) of the variant's deployed runtime: the rules
# it ran under and whether that is MLPerf-compliant, LoadGen's VALID/INVALID verdict and its reasons, its latency
# percentiles and early-stopping estimates, samples per second, QPS with and without its overhead, the server's
# latency bound and search, the bundle folder of its logs, and in accuracy mode the top-1 LoadGen's accuracy log
# gives against the eager fp32 reference; earlier records lack them (no such rows).
SCHEMA_VERSION = 8
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6, 7, 8)
VERSION_4_COLUMNS = (
    "runs_set_aside",
    "rounds_disturbed",
    "energy_other_cpu_share",
    "idle_other_cpu_share",
    "in_zoo",
    "published_params",
    "published_params_source",
    "model_note",
    "published_accuracy",
    "published_accuracy_source",
    "accuracy_swapped",
    "label_map_swapped",
    "runtime",
    "export_s",
    "session_s",
    "first_inference_s",
    "fixed_shape",
    "runtime_providers",
    "quantization",
    "calibration",
    "output_max_abs_diff",
    "output_rel_diff",
    "output_tolerance",
    "fidelity_error",
    "top1_agreement",
)
# the power state as read before a configuration (the report's and compare's description of a state)
POWER_STATE_COLUMNS = (
    "power_mode",
    "power_mode_id",
    "jetson_clocks",
    "cpu_freq_cap_mhz",
    "gpu_freq_cap_mhz",
    "emc_freq_cap_mhz",
    "cpus_online",
)
VERSION_6_COLUMNS = POWER_STATE_COLUMNS + ("power_state_changed", "power_state_reasons")
VERSION_7_COLUMNS = (
    "scenario",
    "cool_down_s",
    "started_hot",
    "sustained_s",
    "sustained_windows",
    "sustained_first_median_s",
    "sustained_last_median_s",
    "sustained_perf_ratio",
    "throttle_onset_s",
    "sustained_peak_temp_c",
    "sustained_first_energy_j",
    "sustained_last_energy_j",
    "sustained_series",
)
VERSION_8_COLUMNS = (
    "loadgen_version",
    "scenario_rules",
    "mlperf_compliant",
    "loadgen_settings",
    "loadgen_mode",
    "loadgen_result",
    "loadgen_reasons",
    "loadgen_queries",
    "loadgen_samples",
    "samples_per_query",
    "sut_max_batch",
    "loadgen_p50_s",
    "loadgen_p90_s",
    "loadgen_p99_s",
    "loadgen_early_stop_p90_s",
    "loadgen_early_stop_p99_s",
    "loadgen_samples_per_s",
    "loadgen_qps_with_overhead",
    "loadgen_qps_without_overhead",
    "server_target_qps",
    "server_latency_bound_s",
    "server_latency_bound_source",
    "server_search",
    "loadgen_log",
    "loadgen_accuracy",
    "loadgen_accuracy_samples",
    "fp32_reference_accuracy",
    "meets_mlperf_accuracy",
)
STATUSES = ("ok", "oom", "skipped", "error", "timeout")


@dataclass(frozen=True)
class Column:
    """One field of a record: its name, its type, its unit, and whether the flat CSV holds it (raw lists
    and snapshots stay in the JSONL). produced_by names the package that fills it where that is not the
    worker's own measurement (evaluation: accuracy and the real-input figures)."""

    name: str
    type: str  # "text" | "int" | "float" | "bool" | "json" (a mapping or a list)
    unit: str | None = None  # s, bytes, W, J, Hz, MHz, FLOP, degC, fraction (of the machine's CPU, of a peak)
    in_csv: bool = True
    produced_by: str | None = None


def _c(name, type, unit=None, **kw):
    return Column(name, type, unit, **kw)


def _raw(name, produced_by=None):
    return Column(name, "json", in_csv=False, produced_by=produced_by)


def _eval(name, type, unit=None):
    return Column(name, type, unit, produced_by="evaluation")


# Every field of a record, declared once, in CSV order; COLUMNS, RAW_FIELDS, the report's typed columns
# (report/frame.py) and what evaluation fills are derived from it.
SCHEMA = (
    # identity
    _c("schema_version", "int"),
    _c("run_id", "text"),
    _c("key", "text"),
    _c("model", "text"),
    _c("family", "text"),
    _c("variant", "text"),
    _c("precision", "text"),
    _c("runtime", "text"),
    _c("scenario", "text"),  # sweep (empty before schema 7), sustained, or an MLPerf scenario (schema 8)
    _c("accelerator", "text"),
    _c("threads", "int"),
    _c("batch_size", "int"),
    _c("input_size", "int"),
    _c("input_unit", "text"),
    _c("sweeps", "text"),
    _c("weights", "text"),
    # outcome
    _c("status", "text"),
    _c("reason", "text"),
    _c("notes", "text"),
    # size and work
    _c("params", "int"),
    _c("params_effective", "int"),
    _c("flops", "int", "FLOP"),
    _c("macs", "int", "MAC"),
    _c("flop_counter", "text"),
    # what the model catalogue (catalogue/zoo.py) says of the model, so the report needs nothing but the bundle
    _c("in_zoo", "bool"),
    _c("published_params", "int"),
    _c("published_params_source", "text"),
    _c("model_note", "text"),
    _c("published_accuracy", "float"),
    _c("published_accuracy_source", "text"),
    # latency of the forward pass
    _c("latency_mean_s", "float", "s"),
    _c("latency_std_s", "float", "s"),
    _c("latency_median_s", "float", "s"),
    _c("latency_p90_s", "float", "s"),
    _c("latency_p99_s", "float", "s"),
    _c("latency_min_s", "float", "s"),
    _c("latency_max_s", "float", "s"),
    _c("latency_ci_low_s", "float", "s"),
    _c("latency_ci_high_s", "float", "s"),
    _c("latency_ci_rel", "float", "fraction"),
    _c("latency_median_ci_low_s", "float", "s"),
    _c("latency_median_ci_high_s", "float", "s"),
    _c("latency_median_ci_rel", "float", "fraction"),
    _c("n_runs", "int"),
    _c("warmup_runs", "int"),
    _c("rounds", "int"),
    _c("rounds_redone", "int"),
    _c("redo_reasons", "text"),
    _c("quiet_wait_s", "float", "s"),
    _c("runs_set_aside", "int"),
    _c("rounds_disturbed", "int"),
    _c("stop_reason", "text"),
    _c("timer", "text"),
    _c("throughput", "float", "samples/s"),
    _c("achieved_gflops", "float", "GFLOP/s"),
    _c("peak_fraction", "float", "fraction"),
    _c("other_cpu_share", "float", "fraction"),
    # the deployment runtime: what preparing it cost, its cold start, and its outputs against eager PyTorch's
    _c("export_s", "float", "s"),
    _c("session_s", "float", "s"),
    _c("first_inference_s", "float", "s"),
    _c("fixed_shape", "bool"),
    _c("onnx_exporter", "text"),
    _c("runtime_providers", "text"),
    _c("quantization", "text"),
    _c("calibration", "text"),
    _c("output_max_abs_diff", "float"),
    _c("output_rel_diff", "float", "fraction"),
    _c("output_tolerance", "float", "fraction"),
    _c("fidelity_error", "text"),
    # memory
    _c("peak_rss_bytes", "int", "bytes"),
    _c("model_rss_bytes", "int", "bytes"),
    _c("cuda_peak_bytes", "int", "bytes"),
    _c("swap_in", "int", "pages"),
    _c("swap_out", "int", "pages"),
    _c("swapped", "bool"),
    # the peak split: the worker before any model, the model's weights, the pass's activations
    _c("framework_rss_bytes", "int", "bytes"),
    _c("weights_rss_bytes", "int", "bytes"),
    _c("activations_rss_bytes", "int", "bytes"),
    _c("weights_bytes", "int", "bytes"),
    # power and energy (filled where the device has a power source)
    _c("avg_power_w", "float", "W"),
    _c("energy_per_inference_j", "float", "J"),
    _c("energy_net_per_inference_j", "float", "J"),
    _c("energy_per_sample_j", "float", "J"),
    _c("idle_power_w", "float", "W"),
    _c("power_source", "text"),
    _c("power_scope", "text"),
    _c("power_samples", "int"),
    _c("sampling_hz", "float", "Hz"),
    _c("energy_reason", "text"),
    _c("energy_other_cpu_share", "float", "fraction"),
    _c("idle_other_cpu_share", "float", "fraction"),
    # device state around the configuration
    _c("throttled", "bool"),
    _c("throttle_reasons", "text"),
    _c("temp_max_c_before", "float", "degC"),
    _c("temp_max_c_after", "float", "degC"),
    # the power state it ran in, as read before it (Jetson: nvpmodel mode, jetson_clocks; every device: the clock
    # caps in force, the highest over CPUs and over GPU devices), and whether that state changed during it
    _c("power_mode", "text"),
    _c("power_mode_id", "int"),
    _c("jetson_clocks", "bool"),
    _c("cpu_freq_cap_mhz", "float", "MHz"),
    _c("gpu_freq_cap_mhz", "float", "MHz"),
    _c("emc_freq_cap_mhz", "float", "MHz"),
    _c("cpus_online", "int"),
    _c("power_state_changed", "bool"),
    _c("power_state_reasons", "text"),
    # the wait before the row's model for the hottest thermal zone to cool (thermal.cool_margin_c of the run's
    # starting temperature, or thermal.cool_to_c); started_hot: the wait ran out first
    _c("cool_down_s", "float", "s"),
    _c("started_hot", "bool"),
    # a sustained row (scenario sustained): the soak's length and windows, the median latency of its first and
    # last window, the performance it held (first / last median: 1 held, 0.5 half the burst's speed), when the
    # first throttle event or clock drop came (empty: none, see notes), its peak temperature, energy per
    # inference in the first and last window, and the bundle member holding its time series
    _c("sustained_s", "float", "s"),
    _c("sustained_windows", "int"),
    _c("sustained_first_median_s", "float", "s"),
    _c("sustained_last_median_s", "float", "s"),
    _c("sustained_perf_ratio", "float", "fraction"),
    _c("throttle_onset_s", "float", "s"),
    _c("sustained_peak_temp_c", "float", "degC"),
    _c("sustained_first_energy_j", "float", "J"),
    _c("sustained_last_energy_j", "float", "J"),
    _c("sustained_series", "text"),
    # an MLPerf scenario (scenario single-stream, multi-stream, offline, server) run through LoadGen: its rules (quick:
    # shortened minimums, never compliant; mlperf: LoadGen's own), the settings it ran with, its mode (performance;
    # accuracy with the dev set), its verdict and reasons, queries and samples the SUT completed, samples per query
    # (MultiStream 8) and the largest batch the SUT formed (Offline, Server), per-query latency percentiles, the
    # early-stopping estimates (SingleStream p90 and p99, MultiStream p99), samples/s (Offline's figure), LoadGen's QPS
    # with and without its overhead, the server's highest VALID target QPS under its latency bound (where the bound
    # came from, and each step of the search), the bundle folder of LoadGen's summary and detail logs, and the top-1
    # from LoadGen's accuracy log against the same model's eager fp32 (MLPerf's target: 99% of it)
    _c("loadgen_version", "text"),
    _c("scenario_rules", "text"),
    _c("mlperf_compliant", "bool"),
    _c("loadgen_settings", "text"),
    _c("loadgen_mode", "text"),
    _c("loadgen_result", "text"),
    _c("loadgen_reasons", "text"),
    _c("loadgen_queries", "int"),
    _c("loadgen_samples", "int"),
    _c("samples_per_query", "int"),
    _c("sut_max_batch", "int"),
    _c("loadgen_p50_s", "float", "s"),
    _c("loadgen_p90_s", "float", "s"),
    _c("loadgen_p99_s", "float", "s"),
    _c("loadgen_early_stop_p90_s", "float", "s"),
    _c("loadgen_early_stop_p99_s", "float", "s"),
    _c("loadgen_samples_per_s", "float", "samples/s"),
    _c("loadgen_qps_with_overhead", "float", "queries/s"),
    _c("loadgen_qps_without_overhead", "float", "queries/s"),
    _c("server_target_qps", "float", "queries/s"),
    _c("server_latency_bound_s", "float", "s"),
    _c("server_latency_bound_source", "text"),
    _c("server_search", "text"),
    _c("loadgen_log", "text"),
    _c("loadgen_accuracy", "float", "fraction"),
    _c("loadgen_accuracy_samples", "int"),
    _c("fp32_reference_accuracy", "float", "fraction"),
    _c("meets_mlperf_accuracy", "bool"),
    # accuracy on real dev data (filled with pretrained weights and assets)
    _eval("accuracy", "float", "fraction"),
    _eval("accuracy_top5", "float", "fraction"),
    _eval("accuracy_10way", "float", "fraction"),
    _eval("accuracy_kind", "text"),
    _eval("accuracy_metric", "text"),
    _eval("eval_dataset", "text"),
    _eval("eval_examples", "int"),
    _eval("eval_seed", "int"),
    _eval("label_map", "json"),
    _eval("label_map_basis", "text"),
    _eval("label_map_warning", "text"),
    _eval("accuracy_swapped", "float", "fraction"),
    _eval("label_map_swapped", "bool"),
    _eval("top1_agreement", "float", "fraction"),
    _c("weights_source", "text"),
    # the same model on real inputs (real sentence lengths with dynamic padding, real images)
    _eval("real_batch_size", "int"),
    _eval("real_latency_per_batch_s", "float", "s"),
    _eval("real_mean_seq_len", "float", "tokens"),
    _eval("real_mean_tokens", "float", "tokens"),
    _eval("real_image_side", "int", "px"),
    _c("real_avg_power_w", "float", "W"),
    _c("real_energy_per_batch_j", "float", "J"),
    _c("real_energy_net_per_batch_j", "float", "J"),
    _c("real_energy_per_sample_j", "float", "J"),
    _c("real_energy_reason", "text"),
    # can the figures be trusted, and if not why
    _c("valid", "bool"),
    _c("invalid_reasons", "text"),
    # when
    _c("started_at", "text"),
    _c("duration_s", "float", "s"),
    # raw: timings, every power source's figures, device state snapshots (JSONL only)
    _raw("timings_s"),
    _raw("warmup_s"),
    _raw("energy_sources"),
    _raw("device_state"),
    _raw("real_latencies_s", produced_by="evaluation"),
    _raw("real_energy_sources"),
    _raw("rounds_detail"),
)

# One row per configuration, in CSV order; the RAW_FIELDS stay in the JSONL only.
COLUMNS = [c.name for c in SCHEMA if c.in_csv]
RAW_FIELDS = tuple(c.name for c in SCHEMA if not c.in_csv)
NUMERIC_COLUMNS = tuple(c.name for c in SCHEMA if c.in_csv and c.type in ("int", "float"))
BOOLEAN_COLUMNS = tuple(c.name for c in SCHEMA if c.type == "bool")
# what evaluation.evaluate_model returns: CSV columns, then raw lists
EVALUATION_COLUMNS = tuple(c.name for c in SCHEMA if c.produced_by == "evaluation" and c.in_csv)
EVALUATION_RAW_FIELDS = tuple(c.name for c in SCHEMA if c.produced_by == "evaluation" and not c.in_csv)


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
            raise SchemaError(
                f"{path} line {number} has schema version {version!r}; this reader knows "
                f"{', '.join(map(str, READABLE_VERSIONS))}: upgrade bench-job"
            )
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
