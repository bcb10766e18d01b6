"""Reading small sysfs files and running tools found on PATH, with the failure reasons spelled out.

Every reader takes a FileReader so tests can make a path raise PermissionError (root reads through
chmod 000, so a real permission bit cannot be used to simulate the root-only RAPL files).
"""

from __future__ import annotations

import errno
import glob
import os
import shutil


class FileReader:
    """Opens files through an injectable opener (default: the builtin open)."""

    def __init__(self, opener=open):
        self._opener = opener

    def text(self, path: str) -> str:
        with self._opener(path, "rb") as handle:
            return handle.read().decode(errors="replace").strip("\x00\n ")

    def integer(self, path: str) -> int:
        """An integer file; a garbage value raises ValueError naming the file."""
        raw = self.text(path)
        try:
            return int(raw.split()[0])
        except (ValueError, IndexError):
            raise ValueError(f"{path} holds {raw[:40]!r}, not an integer") from None

    def text_or_none(self, path: str) -> str | None:
        try:
            return self.text(path)
        except OSError:
            return None

    def number_or_none(self, path: str, per: float = 1) -> float | None:
        """An integer file in units of 1/per (per=1000: kHz to MHz, millidegrees to degrees; per=1e6: Hz to MHz);
        None where it is missing, unreadable or not a number: a state reading goes on without that figure."""
        try:
            return self.integer(path) / per
        except (OSError, ValueError):
            return None


def describe_os_error(path: str, exc: OSError) -> str:
    """One line for a failed read: the file and what went wrong in words."""
    if isinstance(exc, PermissionError):
        return f"permission denied reading {path}"
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return f"{path} has vanished"
    if exc.errno == errno.ENODATA:
        # what the hwmon ABI has a driver return for a disabled channel (e.g. an INA3221 input)
        return f"{path} has no data (the channel is disabled)"
    return f"cannot read {path}: {exc.strerror or exc}"


def sorted_glob(pattern: str) -> list[str]:
    """glob with a natural order (hwmon10 after hwmon9) so names are stable from run to run."""

    def key(path):
        return [int(part) if part.isdigit() else part for part in _split_digits(path)]

    return sorted(glob.glob(pattern), key=key)


def _split_digits(text: str) -> list[str]:
    parts, current, digits = [], "", None
    for char in text:
        is_digit = char.isdigit()
        if digits is not None and is_digit != digits:
            parts.append(current)
            current = ""
        current += char
        digits = is_digit
    if current:
        parts.append(current)
    return parts


def find_tool(name: str, path: str | None = None) -> str | None:
    """A program on PATH (or on the given search path), as the shell would find it."""
    return shutil.which(name, path=path if path is not None else os.environ.get("PATH"))
