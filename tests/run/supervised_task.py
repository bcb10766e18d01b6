"""A WorkerTask's stand-in for the supervisor's tests: the fields the supervisor reads, frozen and replaceable
as the real one is (the supervisor hands each worker its task with the scratch folder set)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class SupervisedTask:
    points: tuple
    keys: Mapping[str, str]
    timing: object = None  # the round settings: read when the run is stopped
    flag: str | None = None  # a file a fake worker uses to tell its first start from the next
    scratch: str | None = None
