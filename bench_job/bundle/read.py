"""Opening a results bundle (a .tar.gz from `bench-job run`, or its extracted folder) and loading what it
holds: the records as a table, the environment facts, the resolved config and the run's outcome.

A bundle is untrusted input: it may come from any device or any person. Extraction therefore checks
every member before anything is written and refuses, with one line naming the member, whatever could
write outside the destination (absolute paths, `..`, links of either kind), create device nodes or
FIFOs, or fill the disk (a member or a total over the limits: a tar bomb declares small compressed
sizes and huge extracted ones, and the tar header's size is what extraction would write).
"""

from __future__ import annotations

import functools
import gzip
import json
import lzma
import os
import posixpath
import shutil
import tarfile
import zlib
from dataclasses import dataclass, field

import yaml

from bench_job.bundle import names
from bench_job.bundle.outcome import OutcomeError, RunOutcome, read_outcome
from bench_job.bundle.records import READABLE_VERSIONS, SchemaError, read_records, to_frame
from bench_job.errors import UserError, one_line

# Limits generous for real bundles (raw timings of a long lab sweep are a few MiB) and far below a disk.
MAX_MEMBER_BYTES = 256 * 1024**2
MAX_TOTAL_BYTES = 1024**3
MAX_MEMBERS = 20_000
GIVE_A_BUNDLE = "give the .tar.gz written by `bench-job run`, or its unpacked folder"
# What reading a tarball raises when the file is one but damaged: a copy cut short ends the compressed
# stream early (EOFError), corruption fails decompression or a checksum (zlib, lzma, gzip's OSError).
DAMAGED = (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError)


def _refuse(bundle: str, member: str, why: str):
    raise UserError(f"refusing bundle {bundle}: member {member!r} {why}")


def check_members(
    bundle: str,
    members,
    max_member: int = MAX_MEMBER_BYTES,
    max_total: int = MAX_TOTAL_BYTES,
    max_members: int = MAX_MEMBERS,
) -> list:
    """The members of a tar if every one is a plain file or folder inside the destination and the sizes
    are within limits; otherwise UserError naming the first offender."""
    total = 0
    checked = []
    for count, member in enumerate(members, 1):
        if count > max_members:
            raise UserError(f"refusing bundle {bundle}: more than {max_members} members")
        name = member.name
        if name.startswith("/") or posixpath.isabs(name) or (len(name) > 1 and name[1] == ":"):
            _refuse(bundle, name, "has an absolute path")
        normal = posixpath.normpath(name)
        if normal == ".." or normal.startswith("../") or ".." in name.split("/"):
            _refuse(bundle, name, "points outside the bundle folder")
        if member.issym() or member.islnk():
            _refuse(bundle, name, f"is a {'symbolic' if member.issym() else 'hard'} link to {member.linkname!r}")
        if member.ischr() or member.isblk() or member.isfifo() or member.isdev():
            _refuse(bundle, name, "is a device node or FIFO")
        if not (member.isfile() or member.isdir()):
            _refuse(bundle, name, "is not a plain file or folder")
        if member.size > max_member:
            _refuse(bundle, name, f"is {member.size} bytes, over the {max_member}-byte limit per member")
        total += member.size
        if total > max_total:
            raise UserError(f"refusing bundle {bundle}: members add up to more than {max_total} bytes")
        checked.append(member)
    return checked


def _unreadable(path: str, exc: BaseException) -> UserError:
    if isinstance(exc, OSError) and exc.filename:  # the disk, not the bundle: permissions, space
        return UserError(f"cannot read or extract bundle {path}: {exc.strerror} ({exc.filename})")
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
    return UserError(
        f"{path} is a damaged or truncated bundle ({detail}): copy it again from where `bench-job run` wrote it"
    )


def _damaged_gzip(path: str) -> BaseException | None:
    """Why a gzip file's stream does not read to its end, or None if it does."""
    with open(path, "rb") as handle:
        if handle.read(2) != b"\x1f\x8b":
            return None
    try:
        with gzip.open(path) as stream:
            while stream.read(1 << 20):
                pass
    except DAMAGED as exc:
        return exc
    return None


def _open_tarball(path: str) -> tarfile.TarFile:
    """The bundle opened for reading; a file that is no tarball at all (a README, an empty file) is told
    apart from a tarball that is damaged."""
    try:
        return tarfile.open(path, "r:*")
    except tarfile.ReadError:
        # No compression method nor plain tar recognised the file; a gzip whose stream is broken near its
        # start (garbage for a tar header) lands here too, and is a damaged bundle rather than a README.
        damage = _damaged_gzip(path)
        if damage:
            raise _unreadable(path, damage) from None
        what = "an empty file" if os.path.getsize(path) == 0 else "not a tar archive"
        raise UserError(f"{path} is not a results bundle ({what}): {GIVE_A_BUNDLE}") from None
    except DAMAGED as exc:
        raise _unreadable(path, exc) from None


def safe_extract(path: str, dest: str, **limits) -> str:
    """Extract a bundle tarball into dest after checking every member; returns dest."""
    tar = _open_tarball(path)
    try:
        with tar:
            members = check_members(path, tar.getmembers(), **limits)
            os.makedirs(dest, exist_ok=True)
            for member in members:
                # Only plain files and folders passed the check; modes are reset so an odd bundle cannot
                # leave setuid or world-writable files behind. The "data" filter re-checks where available.
                member.mode = 0o755 if member.isdir() else 0o644
                member.uid = member.gid = 0
                member.uname = member.gname = ""
            kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(dest, members=members, **kwargs)
    except DAMAGED as exc:
        raise _unreadable(path, exc) from None
    return dest


def extract_members(
    path: str,
    dest: str,
    names,
    max_member: int = MAX_MEMBER_BYTES,
    max_total: int = MAX_TOTAL_BYTES,
    max_members: int = MAX_MEMBERS,
) -> str:
    """Extract only the members called names (at the tarball's top or in its bundle folder) into dest;
    returns dest. A .tar.gz decompresses in order, so reading stops as soon as one folder holds all of
    names: a bundle written with its data first (report/bundle.py) is read from its first KiB, an older one
    up to its results.jsonl. Every member met on the way is checked as safe_extract checks them; the ones
    after the stop are never decompressed, hence neither checked nor written (a second bundle folder there
    goes unnoticed)."""
    names = set(names)
    found = {}
    total = 0
    tar = _open_tarball(path)
    try:
        with tar:
            for count, member in enumerate(tar, 1):
                if count > max_members:
                    raise UserError(f"refusing bundle {path}: more than {max_members} members")
                check_members(path, [member], max_member=max_member)
                total += member.size
                if total > max_total:
                    raise UserError(f"refusing bundle {path}: members add up to more than {max_total} bytes")
                folder, base = posixpath.split(posixpath.normpath(member.name))
                if not member.isfile() or base not in names or "/" in folder:
                    continue
                target = os.path.join(dest, folder, base)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                found.setdefault(folder, set()).add(base)
                if found[folder] == names:
                    break
    except DAMAGED as exc:
        raise _unreadable(path, exc) from None
    os.makedirs(dest, exist_ok=True)
    return dest


def find_root(folder: str, bundle: str) -> str:
    """The folder holding results.jsonl: the folder itself or its single top folder (bundles have one)."""
    if os.path.isfile(os.path.join(folder, names.RESULTS_JSONL)):
        return folder
    roots = [d for d in sorted(os.listdir(folder)) if os.path.isfile(os.path.join(folder, d, names.RESULTS_JSONL))]
    if len(roots) > 1:  # a results folder of several runs: reporting whichever sorts first would mislead
        raise UserError(f"{bundle} holds several bundles ({', '.join(roots)}): name one of them")
    if not roots:
        raise UserError(f"{bundle} holds no {names.RESULTS_JSONL}, so it is not a results bundle: {GIVE_A_BUNDLE}")
    return os.path.join(folder, roots[0])


@dataclass
class Bundle:
    source: str  # what the user named (tarball or folder)
    root: str  # the folder holding results.jsonl
    name: str  # bundle name (tarball stem or folder name)
    records: list
    env: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    outcome: RunOutcome | None = None  # None for bundles written before outcome.json existed

    @functools.cached_property
    def frame(self):
        """pandas DataFrame, results.COLUMNS: made when first asked for (compare builds one table of all
        bundles from the records instead, and does not import pandas per bundle)."""
        return to_frame(self.records)


def bundle_name(path: str) -> str:
    base = os.path.basename(os.path.normpath(path))
    for suffix in (names.TARBALL_SUFFIX, ".tgz", ".tar"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def load_bundle(path: str, scratch: str, members=None) -> Bundle:
    """Open a bundle (tarball: extracted safely under scratch) and load its records, env, config and
    outcome. Records of schema versions this reader does not know are refused with the reason. members:
    the only files to read (results.jsonl and e.g. env.json; the others load empty), None for all."""
    if os.path.isdir(path):
        root = find_root(path, path)
    elif os.path.isfile(path):
        dest = os.path.join(scratch, bundle_name(path))
        root = find_root(safe_extract(path, dest) if members is None else extract_members(path, dest, members), path)
    else:
        raise UserError(f"no such bundle {path}: {GIVE_A_BUNDLE}")
    try:
        records = read_records(os.path.join(root, names.RESULTS_JSONL))
    except SchemaError as exc:
        raise UserError(
            f"cannot read bundle {path}: {exc} (readable schema versions: {', '.join(map(str, READABLE_VERSIONS))})"
        ) from None
    except UnicodeDecodeError:
        raise UserError(f"cannot read bundle {path}: {names.RESULTS_JSONL} is not text") from None
    wanted = (lambda name: True) if members is None else set(members).__contains__
    env = _load(os.path.join(root, names.ENV_JSON), json.load, path) if wanted(names.ENV_JSON) else {}
    config = _load(os.path.join(root, names.CONFIG_YAML), yaml.safe_load, path) if wanted(names.CONFIG_YAML) else {}
    try:
        outcome = read_outcome(root) if wanted(names.OUTCOME_JSON) else None
    except OutcomeError as exc:
        raise UserError(f"cannot read bundle {path}: {exc}") from None
    return Bundle(path, root, bundle_name(path), records, env, config, outcome)


def _load(file: str, parse, bundle: str) -> dict:
    if not os.path.exists(file):
        return {}
    try:
        with open(file) as handle:
            data = parse(handle)
    except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {os.path.basename(file)} of bundle {bundle}: {one_line(exc)}") from None
    if not isinstance(data, dict):
        raise UserError(f"{os.path.basename(file)} of bundle {bundle} is not a mapping")
    return data
