from __future__ import annotations

import json

import pytest

from bench_job.bundle.records import (
    COLUMNS,
    SCHEMA_VERSION,
    ResultStore,
    SchemaError,
    make_record,
    read_records,
    to_frame,
)
from bench_job.errors import UserError
from bench_job.run.plan import Point, is_dominated, points_for
from bench_job.units import format_duration, parse_duration, parse_size


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1GiB", 1024**3),
        ("512MiB", 512 * 1024**2),
        ("2GB", 2 * 10**9),
        ("1.5 GiB", int(1.5 * 1024**3)),
        (4096, 4096),
        ("100", 100),
    ],
)
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "1XB", "-1GiB", "0", True])
def test_parse_size_refuses(text):
    with pytest.raises(UserError):
        parse_size(text)


def test_parse_duration():
    assert parse_duration("30m") == 1800 and parse_duration("90s") == 90 and parse_duration(2) == 2
    with pytest.raises(UserError):
        parse_duration("soon")


class Entry:
    family = "torchvision"
    batch_sizes = [1, 2, 4]
    input_size = 224
    input_sizes = [112, 224, 320]


def test_format_duration():
    assert [format_duration(s) for s in (12.34, 60, 250, 3600, 3725)] == [
        "12.3 s",
        "1 min",
        "4 min 10 s",
        "1 h",
        "1 h 2 min",
    ]


def test_points_merge_the_shared_configuration_and_run_smallest_first():
    points = points_for(Entry)
    assert [(p.batch_size, p.input_size) for p in points] == [(1, 112), (1, 224), (2, 224), (1, 320), (4, 224)]
    assert Point(1, 224, ("batch", "input")) in points


def test_dominance():
    failed = [Point(2, 224, ("batch",))]
    assert is_dominated(Point(4, 224, ("batch",)), failed)
    assert is_dominated(Point(2, 320, ()), failed)
    assert not is_dominated(Point(1, 320, ("input",)), failed)


def test_record_has_every_column_and_refuses_unknown_fields():
    record = make_record(key="k", status="ok", model="m")
    assert set(COLUMNS) <= set(record) and record["schema_version"] == SCHEMA_VERSION
    with pytest.raises(KeyError):
        make_record(key="k", status="ok", colour="red")
    with pytest.raises(ValueError):
        make_record(key="k", status="fine")


def test_store_round_trip_drops_a_torn_last_line_and_keeps_latest_per_key(tmp_path):
    store = ResultStore(str(tmp_path / "results.jsonl"))
    store.append(make_record(key="a", status="error", model="m"))
    store.append(make_record(key="a", status="ok", model="m"))
    store.append(make_record(key="b", status="oom", model="m"))
    with open(store.path, "a") as handle:
        handle.write('{"schema_version": 1, "key": "c", "sta')  # a writer killed mid-line
    assert store.done_keys() == {"a", "b"}
    frame = to_frame(store.read())
    assert list(frame.columns) == COLUMNS
    assert dict(zip(frame["key"], frame["status"])) == {"a": "ok", "b": "oom"}


def test_unknown_schema_version_is_refused(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps({"schema_version": 99, "key": "a"}) + "\n")
    with pytest.raises(SchemaError, match="schema version 99"):
        read_records(str(path))


def test_version_1_records_still_read_without_the_real_input_energy_columns(tmp_path):
    path = tmp_path / "results.jsonl"
    old = {"schema_version": 1, "key": "a", "model": "m", "status": "ok", "real_latency_per_batch_s": 0.01}
    path.write_text(json.dumps(old) + "\n")
    frame = to_frame(read_records(str(path)))
    assert list(frame.columns) == COLUMNS
    assert frame.loc[0, "real_latency_per_batch_s"] == 0.01
    assert frame.loc[0, "real_energy_per_batch_j"] is None and frame.loc[0, "real_energy_reason"] is None


def test_plan_runs_the_cheapest_models_first_stably_and_keys_do_not_move():
    """The first figures come quickly: squeezenet before BERT, VGG16 (most MACs per pass at these sizes)
    last; variants of one model stay together in the config's order; the keys are the same whatever the
    order, so a resumed run finds what it measured."""
    from bench_job import config as cfg
    from bench_job.run.plan import build_plan

    config = cfg.resolve(
        None,
        device="laptop",
        sets=[
            'models=["vgg16", "bert-base-uncased", "squeezenet1_1", "distilbert-base-uncased"]',
            "variants=[fp32, int8]",
        ],
    )
    plan = build_plan(config)
    order = [(i.entry.name, i.variant.name) for i in plan]
    assert order == [
        ("squeezenet1_1", "fp32"),
        ("squeezenet1_1", "int8"),
        ("distilbert-base-uncased", "fp32"),
        ("distilbert-base-uncased", "int8"),
        ("bert-base-uncased", "fp32"),
        ("bert-base-uncased", "int8"),
        ("vgg16", "fp32"),
        ("vgg16", "int8"),
    ]
    assert order == [(i.entry.name, i.variant.name) for i in build_plan(config)]  # deterministic
    keys = {i.key(p, "cpu") for i in plan for p in i.points}
    reversed_config = config.with_models(list(reversed(config.models)))
    assert keys == {i.key(p, "cpu") for i in build_plan(reversed_config) for p in i.points}
    assert [i.entry.name for i in build_plan(reversed_config)][::2] == [n for n, _ in order][::2]
