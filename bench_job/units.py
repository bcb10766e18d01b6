"""Parsing of human sizes and durations given on the command line or in configs."""

from __future__ import annotations

import re

from bench_job.errors import UserError

_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "min": 60, "h": 3600}


def parse_size(text) -> int:
    """'1GiB' -> 1073741824; plain integers are bytes."""
    if isinstance(text, bool):
        raise UserError(f"bad memory size {text!r}: use a number of bytes or e.g. 512MiB, 1GiB, 2GB")
    if isinstance(text, (int, float)):
        value, unit = float(text), ""
    else:
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(text))
        if not match or match.group(2).lower() not in _SIZE_UNITS:
            raise UserError(f"bad memory size {text!r}: use a number of bytes or e.g. 512MiB, 1GiB, 2GB")
        value, unit = float(match.group(1)), match.group(2).lower()
    size = int(value * _SIZE_UNITS[unit])
    if size <= 0:
        raise UserError(f"bad memory size {text!r}: it must be positive")
    return size


def parse_duration(text) -> float:
    """'30m' -> 1800.0; plain numbers are seconds."""
    if isinstance(text, bool):
        raise UserError(f"bad duration {text!r}: use seconds or e.g. 90s, 30m, 1h")
    if isinstance(text, (int, float)):
        value, unit = float(text), ""
    else:
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(text))
        if not match or match.group(2).lower() not in _DURATION_UNITS:
            raise UserError(f"bad duration {text!r}: use seconds or e.g. 90s, 30m, 1h")
        value, unit = float(match.group(1)), match.group(2).lower()
    seconds = value * _DURATION_UNITS[unit]
    if seconds <= 0:
        raise UserError(f"bad duration {text!r}: it must be positive")
    return seconds


def format_bytes(n) -> str:
    if n is None:
        return ""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def format_duration(seconds: float) -> str:
    """12.3 s, 4 min 10 s, 1 h 2 min: the precision a reader of a run's time needs, no more."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
