"""The sustained scenario's time series in the bundle: one CSV per soak, sustained/<safe key>.csv, named by the row's
sustained_series column. The worker sends the CSV's text inside its record (SERIES_TEXT_FIELD, not a schema field);
the runner takes it out and writes the member here, beside results.jsonl, before the record is stored."""

from __future__ import annotations

import os
import re

from bench_job.bundle.names import SUSTAINED_DIR

SERIES_TEXT_FIELD = "sustained_series_csv"


def series_member(key: str) -> str:
    """The member path of a row's soak CSV: 'resnet18|fp32|cpu|b1|s224|sustained' ->
    'sustained/resnet18_fp32_cpu_b1_s224_sustained.csv' (only letters, digits, '.', '-' and '_' in a file name)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._") or "soak"
    return f"{SUSTAINED_DIR}/{safe}.csv"


def keep_series(fields: dict, workdir: str) -> dict:
    """fields without SERIES_TEXT_FIELD, whose text (where present) is written to workdir/<sustained_series>."""
    text = fields.get(SERIES_TEXT_FIELD)
    if text is None:
        return fields
    fields = {k: v for k, v in fields.items() if k != SERIES_TEXT_FIELD}
    path = os.path.join(workdir, *fields["sustained_series"].split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    return fields
