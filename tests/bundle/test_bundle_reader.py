"""A bundle is untrusted input: crafted tarballs are refused with one line, and nothing lands outside
the destination."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import tarfile

import pytest

from bench_job.bundle.read import load_bundle, safe_extract
from bench_job.errors import UserError
from tests.conftest import run_cli

GOOD_RECORD = {"schema_version": 1, "key": "m|fp32|cpu|b1|s8", "model": "m", "status": "ok"}


def make_tar(path, members):
    """members: (TarInfo kwargs, bytes or None)."""
    with tarfile.open(path, "w:gz") as tar:
        for fields, data in members:
            info = tarfile.TarInfo(fields.pop("name"))
            for key, value in fields.items():
                setattr(info, key, value)
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def records(*recs) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in recs).encode()


EVIL = {
    "parent path": ([{"name": "b/../../escaped.txt"}], b"x", "points outside the bundle folder"),
    "absolute path": ([{"name": "/tmp/bench-job-absolute-escape.txt"}], b"x", "has an absolute path"),
    "symlink": (
        [{"name": "b/results.jsonl", "type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}],
        None,
        "is a symbolic link",
    ),
    "hardlink": (
        [{"name": "b/results.jsonl", "type": tarfile.LNKTYPE, "linkname": "/etc/passwd"}],
        None,
        "is a hard link",
    ),
    "device node": (
        [{"name": "b/dev", "type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}],
        None,
        "is a device node",
    ),
    "fifo": ([{"name": "b/fifo", "type": tarfile.FIFOTYPE}], None, "is a device node or FIFO"),
}


@pytest.mark.parametrize("case", sorted(EVIL))
def test_malicious_members_are_refused_before_anything_is_written(tmp_path, case):
    fields, data, message = EVIL[case]
    members = [({"name": "b/results.jsonl"}, records(GOOD_RECORD))] if case not in ("symlink", "hardlink") else []
    bundle = make_tar(tmp_path / "evil.tar.gz", members + [(dict(fields[0]), data)])
    dest = tmp_path / "dest"
    with pytest.raises(UserError, match=message) as caught:
        safe_extract(bundle, str(dest))
    assert "\n" not in str(caught.value)
    assert not dest.exists()  # refused before extraction started
    assert not (tmp_path / "escaped.txt").exists() and not os.path.exists("/tmp/bench-job-absolute-escape.txt")


def test_oversized_member_and_total_are_refused(tmp_path):
    bundle = make_tar(
        tmp_path / "big.tar.gz", [({"name": "b/results.jsonl"}, b"0" * 5000), ({"name": "b/other"}, b"0" * 5000)]
    )
    with pytest.raises(UserError, match="over the 4096-byte limit per member"):
        safe_extract(bundle, str(tmp_path / "d1"), max_member=4096)
    with pytest.raises(UserError, match="add up to more than 8000 bytes"):
        safe_extract(bundle, str(tmp_path / "d2"), max_total=8000)
    safe_extract(bundle, str(tmp_path / "d3"))  # within the real limits it extracts


def test_a_tar_bomb_declaring_a_huge_member_is_refused_without_reading_it(tmp_path):
    # A header that declares 10 GiB: refused from the header, the data never read.
    from bench_job.bundle.read import check_members

    info = tarfile.TarInfo("b/results.jsonl")
    info.size = 10 * 1024**3
    with pytest.raises(UserError, match="over the"):
        check_members("bomb.tar.gz", [info])


def test_wrong_schema_version_is_refused_with_the_reason(tmp_path):
    bundle = make_tar(
        tmp_path / "future.tar.gz", [({"name": "b/results.jsonl"}, records(dict(GOOD_RECORD, schema_version=99)))]
    )
    with pytest.raises(UserError, match="schema version 99.*readable schema versions: 1"):
        load_bundle(bundle, str(tmp_path / "scratch"))
    result = run_cli("report", bundle, "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "schema version 99" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_refuses_evil_bundles_in_one_line(tmp_path):
    fields, data, _ = EVIL["parent path"]
    bundle = make_tar(tmp_path / "evil.tar.gz", [(dict(fields[0]), data)])
    for command in (["report", bundle], ["compare", bundle, bundle, "--labels", "a,b", "--out", str(tmp_path)]):
        result = run_cli(*command)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("bench-job: error: refusing bundle") and result.stderr.count("\n") == 1


GIVE = "give the .tar.gz written by `bench-job run`, or its unpacked folder"


def _a_real_tarball(tmp_path):
    # Big enough that cutting it leaves a gzip stream that ends before its last member.
    rows = records(*[dict(GOOD_RECORD, key=f"m|fp32|cpu|b{i}|s8", notes=os.urandom(64).hex()) for i in range(64)])
    return make_tar(tmp_path / "good.tar.gz", [({"name": "b/results.jsonl"}, rows)])


def _truncated(tmp_path):
    data = open(_a_real_tarball(tmp_path), "rb").read()
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
    return (
        str(tmp_path / "cut.tar.gz"),
        "is a damaged or truncated bundle (Compressed file ended before the "
        "end-of-stream marker was reached): copy it again from where `bench-job run` wrote it",
    )


def _corrupted(tmp_path):
    data = bytearray(open(_a_real_tarball(tmp_path), "rb").read())
    data[200:300] = bytes(b ^ 0xFF for b in data[200:300])
    (tmp_path / "bad.tar.gz").write_bytes(bytes(data))
    return str(tmp_path / "bad.tar.gz"), "is a damaged or truncated bundle ("


def _readme(tmp_path):
    (tmp_path / "README.md").write_text("# Edge inference benchmark\n")
    return str(tmp_path / "README.md"), f"is not a results bundle (not a tar archive): {GIVE}"


def _gzip_of_something_else(tmp_path):
    (tmp_path / "notes.gz").write_bytes(gzip.compress(b"a compressed text, not a tar archive\n" * 100))
    return str(tmp_path / "notes.gz"), f"is not a results bundle (not a tar archive): {GIVE}"


def _empty_file(tmp_path):
    (tmp_path / "empty.tar.gz").write_bytes(b"")
    return str(tmp_path / "empty.tar.gz"), f"is not a results bundle (an empty file): {GIVE}"


def _missing(tmp_path):
    return str(tmp_path / "missing.tar.gz"), f"no such bundle {tmp_path / 'missing.tar.gz'}: {GIVE}"


def _plain_folder(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("hi")
    return str(tmp_path / "docs"), f"holds no results.jsonl, so it is not a results bundle: {GIVE}"


def _tarball_without_records(tmp_path):
    return (
        make_tar(tmp_path / "notes.tar.gz", [({"name": "b/notes.txt"}, b"hi")]),
        f"holds no results.jsonl, so it is not a results bundle: {GIVE}",
    )


def _folder_of_two_bundles(tmp_path):
    for name in ("run-a", "run-b"):
        (tmp_path / "results" / name).mkdir(parents=True)
        (tmp_path / "results" / name / "results.jsonl").write_bytes(records(GOOD_RECORD))
    return str(tmp_path / "results"), "holds several bundles (run-a, run-b): name one of them"


NOT_BUNDLES = [
    _readme,
    _gzip_of_something_else,
    _empty_file,
    _missing,
    _plain_folder,
    _tarball_without_records,
    _truncated,
    _corrupted,
    _folder_of_two_bundles,
]


@pytest.mark.parametrize("make", NOT_BUNDLES, ids=lambda make: make.__name__.strip("_"))
def test_what_is_not_a_readable_bundle_is_refused_naming_the_fix(tmp_path, make):
    path, message = make(tmp_path)
    with pytest.raises(UserError, match=re.escape(message)) as caught:
        load_bundle(path, str(tmp_path / "scratch"))
    assert "\n" not in str(caught.value)


# The cases a new user met, through the real command: one line on stderr, exit 2.
@pytest.mark.parametrize(
    "make", [_readme, _missing, _plain_folder, _truncated], ids=lambda make: make.__name__.strip("_")
)
def test_report_on_what_is_not_a_bundle_is_one_line(tmp_path, make):
    path, message = make(tmp_path)
    result = run_cli("report", path, "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("bench-job: error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_outcome_is_read_when_present_and_a_damaged_one_is_refused_in_one_line(tmp_path):
    from bench_job.bundle.outcome import RunOutcome, write_outcome

    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "results.jsonl").write_bytes(records(GOOD_RECORD))
    assert load_bundle(str(folder), str(tmp_path)).outcome is None  # bundles from before outcome.json
    outcome = RunOutcome(
        complete=False,
        stopped_by="SIGINT",
        planned=2,
        never_measured=("m|fp32|cpu|b2|s8",),
        started_at="",
        finished_at="",
        elapsed_s=12.0,
        budget_s=None,
    )
    write_outcome(str(folder), outcome)
    assert load_bundle(str(folder), str(tmp_path)).outcome == outcome
    (folder / "outcome.json").write_text("{not json")
    with pytest.raises(UserError, match="outcome.json in the bundle is damaged"):
        load_bundle(str(folder), str(tmp_path))
    result = run_cli("report", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "outcome.json" in result.stderr


# compare reads only the members it needs (bundle_reader.extract_members), stopping once it has them.
COMPARE_MEMBERS = ("results.jsonl", "env.json")
ENV = json.dumps({"device_kind": "rpi", "hostname": "pi5"}).encode()


@pytest.mark.parametrize(
    "make",
    [_readme, _gzip_of_something_else, _empty_file, _missing, _tarball_without_records, _truncated, _corrupted],
    ids=lambda make: make.__name__.strip("_"),
)
def test_reading_only_compares_members_refuses_what_is_not_a_bundle_alike(tmp_path, make):
    path, message = make(tmp_path)
    with pytest.raises(UserError, match=re.escape(message)):
        load_bundle(path, str(tmp_path / "scratch"), COMPARE_MEMBERS)


def test_reading_stops_once_the_members_are_read(tmp_path):
    # Data first, as write_bundle packs it, then 1 MiB that does not compress; the copy is cut inside it.
    bundle = make_tar(
        tmp_path / "b.tar.gz",
        [
            ({"name": "b/results.jsonl"}, records(GOOD_RECORD)),
            ({"name": "b/env.json"}, ENV),
            ({"name": "b/plots/big.png"}, os.urandom(1 << 20)),
        ],
    )
    data = open(bundle, "rb").read()
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
    cut = str(tmp_path / "cut.tar.gz")
    loaded = load_bundle(cut, str(tmp_path / "scratch"), COMPARE_MEMBERS)
    assert loaded.env["hostname"] == "pi5" and [r["key"] for r in loaded.records] == [GOOD_RECORD["key"]]
    assert len(loaded.frame) == 1 and loaded.config == {} and loaded.outcome is None
    assert sorted(os.listdir(tmp_path / "scratch" / "cut" / "b")) == ["env.json", "results.jsonl"]
    with pytest.raises(UserError, match="damaged or truncated"):  # read in full, the cut shows
        load_bundle(cut, str(tmp_path / "scratch-all"))


def test_old_member_order_is_read_up_to_results_and_unsafe_members_on_the_way_refused(tmp_path):
    def by_name():  # make_tar consumes the field dicts
        return [
            ({"name": "b/config.yaml"}, b"run: {threads: 1}\n"),
            ({"name": "b/env.json"}, ENV),
            ({"name": "b/plots/a.png"}, b"png"),
            ({"name": "b/report.html"}, b"<html>"),
            ({"name": "b/results.jsonl"}, records(GOOD_RECORD)),
            ({"name": "b/run.log"}, b"log"),
        ]

    loaded = load_bundle(make_tar(tmp_path / "old.tar.gz", by_name()), str(tmp_path / "s1"), COMPARE_MEMBERS)
    assert loaded.env["device_kind"] == "rpi" and len(loaded.records) == 1 and loaded.config == {}
    evil = [({"name": "b/../../escaped.txt"}, b"x")] + by_name()
    with pytest.raises(UserError, match="points outside the bundle folder"):
        load_bundle(make_tar(tmp_path / "evil.tar.gz", evil), str(tmp_path / "s2"), COMPARE_MEMBERS)
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "s2").exists()


def test_write_bundle_packs_the_data_first(tmp_path):
    from bench_job.bundle.write import DATA_FIRST, write_bundle

    work = tmp_path / "work"
    (work / "plots").mkdir(parents=True)
    for name in ("report.html", "report.md", "results.csv", "run.log", "plots/a.png") + DATA_FIRST:
        (work / name).write_text(name)
    path = write_bundle(str(work), str(tmp_path), "run")
    with tarfile.open(path) as tar:
        names = [m.name for m in tar.getmembers()]
    assert names[: len(DATA_FIRST)] == [f"run/{name}" for name in DATA_FIRST]
    assert sorted(names[len(DATA_FIRST) :]) == names[len(DATA_FIRST) :]  # the rest by name, as before
