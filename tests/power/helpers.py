"""Builders of fake sysfs files and fake programs on PATH, shared by the power tests."""

from __future__ import annotations

import io
import os
import stat
import sys
import textwrap


def write(root, relative, value) -> str:
    """Write a sysfs-like file atomically, as a reader of real sysfs never sees a half-written value."""
    path = os.path.join(str(root), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(f"{value}\n")
    os.replace(temporary, path)
    return path


def fake_program(bin_dir, name, body) -> str:
    """An executable Python script `name` in bin_dir; body is Python source (sys is imported)."""
    os.makedirs(bin_dir, exist_ok=True)
    path = os.path.join(str(bin_dir), name)
    with open(path, "w") as handle:
        handle.write(f"#!{sys.executable}\nimport sys, time\n" + textwrap.dedent(body))
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    return str(bin_dir)


def opener_denying(*fragments):
    """An opener that refuses paths containing any fragment with EACCES, as the kernel does for a
    root-only file read by a user; root ignores chmod, so the denial is injected instead."""

    def opener(path, mode="r", *args, **kwargs):
        if any(fragment in str(path) for fragment in fragments):
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, mode, *args, **kwargs)

    return opener


def opener_failing_read(error_number, *fragments):
    """An opener whose files under any fragment open but fail on read with error_number, as a sysfs
    attribute does when its driver's show() returns an error (ENODATA for a disabled INA3221 channel)."""

    class FailingFile(io.RawIOBase):
        def __init__(self, path):
            self.path = path

        def readable(self):
            return True

        def readinto(self, buffer):
            raise OSError(error_number, os.strerror(error_number), self.path)

    def opener(path, mode="r", *args, **kwargs):
        if any(fragment in str(path) for fragment in fragments):
            return FailingFile(str(path))
        return open(path, mode, *args, **kwargs)

    return opener


class StepPower:
    """A polled source stand-in whose power steps from `low` to `high` at a set monotonic time."""

    kind = "polled"
    max_hz = None

    def __init__(self, name, low, high, switch_at, scope="test rail"):
        self.name, self.scope = name, scope
        self.low, self.high, self.switch_at = low, high, switch_at
        self.fail_after = None

    def read_power_w(self):
        import time

        from bench_job.power.base import SourceUnavailable

        now = time.monotonic()
        if self.fail_after is not None and now >= self.fail_after:
            raise SourceUnavailable("rail file has vanished")
        return self.high if now >= self.switch_at else self.low

    def energy_between(self, start, end):
        before = max(0.0, min(end, self.switch_at) - start)
        after = max(0.0, end - max(start, self.switch_at))
        return self.low * before + self.high * after

    def close(self):
        pass
