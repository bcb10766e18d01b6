"""Views of the results table that every section shares: typed columns, measured rows, and the common
configuration at which models are compared with one another."""

from __future__ import annotations

import pandas as pd

from bench_job.bundle.records import BOOLEAN_COLUMNS, NUMERIC_COLUMNS
from bench_job.measure.sustained import SCENARIO as SUSTAINED
from bench_job.scenarios import LOADGEN_SCENARIOS, SWEEP

# typed as the result schema declares them (bench_job/bundle/records.py)
NUMERIC = list(NUMERIC_COLUMNS)
BOOLEAN = list(BOOLEAN_COLUMNS)


def _as_bool(value):
    """True/False/None from JSON booleans or CSV strings; None where not recorded."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return bool(value)


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with numbers as floats (NaN where empty) and flags as True/False/None."""
    new = {}
    for column in NUMERIC:
        if column in frame:
            new[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in BOOLEAN:
        if column in frame:
            new[column] = frame[column].map(_as_bool).astype(object)
    for column in ("sweeps", "variant", "model", "family", "status"):
        if column in frame:
            new[column] = frame[column].fillna("").astype(str)
    # Rows written before schema 7 were all the sweep's.
    new["scenario"] = frame["scenario"].fillna(SWEEP).replace("", SWEEP) if "scenario" in frame else SWEEP
    # Rows written before the runtime column existed ran eager PyTorch, the only runtime there was.
    new["runtime"] = frame["runtime"].fillna("eager").replace("", "eager") if "runtime" in frame else "eager"
    # the new columns joined at once: replaced one at a time, each left a block of its own, and every later
    # assign on the frame (compare's, at a hundred bundles) warned that it was fragmented, and ran slower
    replaced = pd.DataFrame(new, index=frame.index)
    out = pd.concat([frame.drop(columns=[c for c in new if c in frame]), replaced], axis=1)
    return out[list(frame.columns) + [c for c in new if c not in frame]]


def sweep_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The sweep's rows: what every section but Sustained performance and MLPerf scenarios reads (a prepared
    frame; one without the column, compare's frame of no bundle, is all sweep)."""
    return frame[frame["scenario"] == SWEEP] if "scenario" in frame else frame


def sustained_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The soaks' rows (scenario sustained) of a prepared frame."""
    return frame[frame["scenario"] == SUSTAINED] if "scenario" in frame else frame.iloc[0:0]


def loadgen_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The MLPerf scenarios' rows (single-stream, multi-stream, offline, server: one LoadGen test, or a server's
    search of them, each) of a prepared frame; none in a bundle older than schema 8."""
    return frame[frame["scenario"].isin(list(LOADGEN_SCENARIOS))] if "scenario" in frame else frame.iloc[0:0]


def catalogue_value(rows: pd.DataFrame, column: str):
    """What the run recorded of the model catalogue (in_zoo, published_params, model_note ...) in one
    model's rows; None where the bundle does not record it (written before records carried it)."""
    if column not in rows:
        return None
    values = rows[column].dropna()
    return values.iloc[0] if len(values) else None


def measured(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["status"] == "ok"]


def in_sweep(frame: pd.DataFrame, sweep: str) -> pd.DataFrame:
    """Rows of the batch sweep ("batch") or the input-size sweep ("input")."""
    # The mask is made boolean explicitly: an empty object-dtype Series inside [] is read as a list of
    # column labels, and a frame with no measured rows would come back with no columns either.
    in_it = frame["sweeps"].str.split("+").map(lambda parts: sweep in parts).astype(bool)
    return frame.loc[in_it]


def common_config(frame: pd.DataFrame) -> pd.DataFrame:
    """One measured row per model and variant at batch 1 and the family's fixed input size: the batch
    sweep runs at that fixed size, so its batch-1 point is where every model of a family is comparable.
    Models whose batch sweep lacks batch 1 fall back to their smallest batch."""
    rows = in_sweep(measured(frame), "batch")
    if rows.empty:
        return rows
    picked = rows.sort_values("batch_size").groupby(["model", "variant"], sort=False).head(1)
    return picked.reset_index(drop=True)


def model_variant_label(frame: pd.DataFrame):
    """A function row -> display name: the variant is named only where the run has more than one."""
    several = frame["variant"].nunique() > 1
    return lambda model, variant: f"{model} [{variant}]" if several else model
