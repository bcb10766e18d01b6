"""The bundle: one tar.gz per run holding everything it measured and wrote."""

from __future__ import annotations

import os
import tarfile

from bench_job.bundle import names
from bench_job.bundle.names import TARBALL_SUFFIX

# The data a reader loads, stored ahead of plots and pages: a .tar.gz decompresses in order, so
# `bench-job compare` reads a bundle's records and environment from its first KiB and stops there
# (bundle_reader.extract_members). Bundles written before this order are still read, up to their
# results.jsonl.
DATA_FIRST = (names.RESULTS_JSONL, names.ENV_JSON, names.CONFIG_YAML, names.OUTCOME_JSON)


def member_order(entries) -> list:
    """A bundle folder's entries in the order they are packed: DATA_FIRST, then the rest by name."""
    return sorted(
        entries, key=lambda entry: (DATA_FIRST.index(entry) if entry in DATA_FIRST else len(DATA_FIRST), entry)
    )


def write_bundle(workdir: str, out_dir: str, name: str) -> str:
    """Pack the files of workdir into out_dir/name.tar.gz under a top folder called name."""
    path = os.path.join(out_dir, name + TARBALL_SUFFIX)
    partial = path + ".partial"
    with tarfile.open(partial, "w:gz") as tar:
        for entry in member_order(os.listdir(workdir)):
            tar.add(os.path.join(workdir, entry), arcname=os.path.join(name, entry))
    os.replace(partial, path)  # a reader never sees a half-written bundle
    return path
