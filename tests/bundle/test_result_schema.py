"""The result schema is declared once (bench_job/bundle/records.py SCHEMA); what reads records derives from it."""

from __future__ import annotations

import pandas as pd

from bench_job.bundle.records import COLUMNS, RAW_FIELDS, SCHEMA, make_record
from bench_job.report.render.frame import BOOLEAN, NUMERIC, prepare


def test_every_field_is_declared_once_with_a_known_type():
    names = [c.name for c in SCHEMA]
    assert len(names) == len(set(names))
    assert {c.type for c in SCHEMA} <= {"text", "int", "float", "bool", "json"}
    assert not set(COLUMNS) & set(RAW_FIELDS)


def test_the_report_frame_types_exactly_the_declared_numbers_and_flags():
    record = make_record(status="ok", threads="4", real_batch_size="8", swapped="true", valid="false")
    frame = prepare(pd.DataFrame([record], columns=COLUMNS))
    assert set(NUMERIC) == {c.name for c in SCHEMA if c.in_csv and c.type in ("int", "float")}
    assert set(BOOLEAN) == {c.name for c in SCHEMA if c.type == "bool"}
    assert frame["threads"].iloc[0] == 4.0 and frame["real_batch_size"].iloc[0] == 8.0
    assert frame["swapped"].iloc[0] is True and frame["valid"].iloc[0] is False
