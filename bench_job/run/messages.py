"""The pipe protocol between a worker (the sender, run/worker.py) and its supervisor (the receiver,
run/supervisor.py), declared once: one small frozen dataclass per message. They cross the process
boundary pickled, so both sides import them from here.

In the order a worker sends them:
  Started()                  its process runs Python: sent first, before any import
  Framework(rss_bytes)       its resident memory after the imports, before any model
  Build()                    building the model
  BuildFailed(status, reason)  the model cannot be built ("oom", "error") or its runtime is unavailable
                             ("skipped"): none of its configurations can run; the worker ends
  Start(key)                 about to measure (or to time a round of) configuration key
  Record(fields)             a finished configuration, any status; fields are results.SCHEMA fields
  Log(level, text)           a line for the run log ("debug", "info", "warning", ...)
  Progress(text)             what it is doing, for the progress bar
The supervisor writes every record (through the runner); the worker writes nothing to disk.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Started:
    pass


@dataclass(frozen=True)
class Framework:
    rss_bytes: int | None


@dataclass(frozen=True)
class Build:
    pass


@dataclass(frozen=True)
class BuildFailed:
    status: str  # oom | error | skipped
    reason: str


@dataclass(frozen=True)
class Start:
    key: str


@dataclass(frozen=True)
class Record:
    fields: dict


@dataclass(frozen=True)
class Log:
    level: str
    text: str


@dataclass(frozen=True)
class Progress:
    text: str


MESSAGES = (Framework, Build, BuildFailed, Start, Record, Log, Progress)
