"""manifest.json: what each fetched item is, where it came from, and a sha256 and size per file.

It is written after every item (atomically), so an interrupted fetch keeps what it finished and marks
the item it was working on as incomplete; the next fetch redoes only that one.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os

MANIFEST = "manifest.json"
SCHEMA = 1


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def load(assets_dir: str) -> dict | None:
    path = os.path.join(assets_dir, MANIFEST)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("schema") != SCHEMA:
        raise ValueError(f"{path} has schema {manifest.get('schema')}, this version reads {SCHEMA}")
    return manifest


def empty() -> dict:
    return {"schema": SCHEMA, "created_at": now(), "items": {}}


def save(assets_dir: str, manifest: dict) -> None:
    path = os.path.join(assets_dir, MANIFEST)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def sha256(path: str, progress=None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            if progress is not None:
                progress.update(len(block))
    return digest.hexdigest()


def list_files(assets_dir: str, root: str) -> list[str]:
    """Files under root (relative to assets_dir), sorted; root may itself be a file."""
    full = os.path.join(assets_dir, root)
    if os.path.isfile(full):
        return [root]
    found = []
    for dirpath, _, names in os.walk(full):
        for name in names:
            found.append(os.path.relpath(os.path.join(dirpath, name), assets_dir))
    return sorted(found)


def describe_files(assets_dir: str, paths: list[str], progress=None) -> dict:
    """{relative path: {size, sha256}} for the given files (symlinks into the HF blob store are followed)."""
    return {
        rel: {
            "size": os.path.getsize(os.path.join(assets_dir, rel)),
            "sha256": sha256(os.path.join(assets_dir, rel), progress),
        }
        for rel in paths
    }


def check_entry(assets_dir: str, key: str, entry: dict, deep: bool = True) -> list[str]:
    """Problems with one item: incomplete, missing files, wrong size, wrong sha256."""
    if not entry.get("complete"):
        return [f"{key}: incomplete (an earlier fetch was interrupted)"]
    problems = []
    for rel, facts in entry.get("files", {}).items():
        full = os.path.join(assets_dir, rel)
        if not os.path.isfile(full):
            problems.append(f"{key}: missing file {rel}")
        elif os.path.getsize(full) != facts["size"]:
            problems.append(f"{key}: {rel} is {os.path.getsize(full)} bytes, manifest says {facts['size']}")
        elif deep and sha256(full) != facts["sha256"]:
            problems.append(f"{key}: {rel} does not match its sha256 (corrupt)")
    if not entry.get("files"):
        problems.append(f"{key}: no files recorded")
    return problems
