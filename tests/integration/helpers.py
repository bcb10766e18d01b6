"""What the end-to-end tests share: reading a bundle's records, and the fake RAPL counter's wattage."""

from __future__ import annotations

import json
import tarfile

FAKE_RAPL_WATTS = 15.0


def bundle_records(path: str) -> list:
    """The records of a bundle's results.jsonl, in order."""
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("results.jsonl"))
        return [json.loads(line) for line in tar.extractfile(member).read().decode().splitlines()]


def bundle_json(path: str, name: str):
    """A JSON file of a bundle (outcome.json, env.json)."""
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/" + name))
        return json.loads(tar.extractfile(member).read().decode())
