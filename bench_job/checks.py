"""Small value checks shared by the config (config/) and the model catalogue (catalogue/).

Each raises a UserError whose one line names the key, what it must be and the value given. This module
imports nothing of the job but its errors, so both packages use it without importing each other.
"""

from __future__ import annotations

from bench_job.errors import UserError


def check(cond: bool, message: str) -> None:
    if not cond:
        raise UserError(message)


def refuse_unknown(mapping: dict, valid: tuple, where: str) -> None:
    unknown = sorted(set(mapping) - set(valid))
    if unknown:
        raise UserError(f"unknown key {unknown[0]!r} in {where}; valid keys: {', '.join(valid)}")


def is_whole(value) -> bool:
    # bool is an int subclass in Python, but `true` in a YAML file is nobody's count of anything.
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def whole_number(value, key: str, at_least: int, why: str = "", allow_none: bool = False) -> None:
    """A count: what is not a whole number is refused as such first, so 'abc' is never told it is too small."""
    if value is None and allow_none:
        return
    check(is_whole(value), f"{key} must be a whole number (an integer), got {value!r}")
    check(value >= at_least, f"{key} must be at least {at_least}{why}, got {value!r}")


def positive_int(value, key: str, allow_none: bool = False) -> None:
    whole_number(value, key, 1, allow_none=allow_none)


def number(value, key: str, in_range, expected: str) -> None:
    """A quantity: what is not a number is refused as such first, then the range (`expected` words it)."""
    check(is_number(value), f"{key} must be a number, got {value!r}")
    check(in_range(value), f"{key} must be {expected}, got {value!r}")


def size_list(value, key: str) -> None:
    check(isinstance(value, list) and value, f"{key} must be a non-empty list of positive whole numbers, got {value!r}")
    for item in value:
        positive_int(item, f"every entry of {key}")
