"""The sustained scenario's time series in the bundle: one CSV per soak, sustained/<safe key>.csv, named by the row's
sustained_series column; the worker sends it as one of its record's member texts (bundle/member_texts.py)."""

from __future__ import annotations

from bench_job.bundle.member_texts import safe_name
from bench_job.bundle.names import SUSTAINED_DIR


def series_member(key: str) -> str:
    """The member path of a row's soak CSV: 'resnet18|fp32|cpu|b1|s224|sustained' ->
    'sustained/resnet18_fp32_cpu_b1_s224_sustained.csv'."""
    return f"{SUSTAINED_DIR}/{safe_name(key) if key.strip('._|') else 'soak'}.csv"
