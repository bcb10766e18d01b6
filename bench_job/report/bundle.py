"""The bundle: one tar.gz per run holding everything it measured and wrote."""

from __future__ import annotations

import os
import tarfile

from bench_job.bundle.names import TARBALL_SUFFIX


def write_bundle(workdir: str, out_dir: str, name: str) -> str:
    """Pack the files of workdir into out_dir/name.tar.gz under a top folder called name."""
    path = os.path.join(out_dir, name + TARBALL_SUFFIX)
    partial = path + ".partial"
    with tarfile.open(partial, "w:gz") as tar:
        for entry in sorted(os.listdir(workdir)):
            tar.add(os.path.join(workdir, entry), arcname=os.path.join(name, entry))
    os.replace(partial, path)  # a reader never sees a half-written bundle
    return path
