"""An external power meter's log, given as a CSV file of `timestamp,watts` rows.

Timestamp convention: unix epoch seconds (UTC, the value of time.time() on a clock synced with this
machine), as a decimal number, e.g. `1718000000.250,5.12`. A header row is allowed; blank lines and
lines starting with # are skipped. The meter's logger may keep appending while the job runs: the file
is re-read for every window, and samples are placed on the job's monotonic clock through the unix time
recorded at each window's start. The rate is taken from the rows last read, never by reading the file
again, so a log that disappears mid-run costs its figures (with the reason), not the configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench_job.power.base import PowerSample, PowerSetupError, SourceSpec, SourceUnavailable, StreamedPowerSource


def parse_meter_csv(text: str, path: str) -> list[tuple[float, float]]:
    """[(unix seconds, watts)] sorted by time; a malformed row raises ValueError naming the line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = [field.strip() for field in stripped.split(",")]
        try:
            if len(fields) != 2:
                raise ValueError
            timestamp, watts = float(fields[0]), float(fields[1])
        except ValueError:
            if number == 1 and not rows:
                continue  # a header row
            raise ValueError(f"{path} line {number}: expected `unix_seconds,watts`, got {stripped[:60]!r}") from None
        if watts < 0 or timestamp < 1e9:
            raise ValueError(
                f"{path} line {number}: timestamp must be unix epoch seconds and watts >= 0, got {stripped[:60]!r}"
            )
        rows.append((timestamp, watts))
    rows.sort()
    return rows


@dataclass(frozen=True)
class ExternalCsvSpec(SourceSpec):
    path: str
    name: str = "external-csv"

    @property
    def scope(self) -> str:
        return f"whatever the external meter measures (log {os.path.basename(self.path)})"

    def open(self, files) -> "ExternalMeterCsv":
        return ExternalMeterCsv(self)


class ExternalMeterCsv(StreamedPowerSource):
    def __init__(self, spec):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self.path = spec.path
        self._last_rows = []

    def read_rows(self) -> list[tuple[float, float]]:
        try:
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError as exc:
            raise SourceUnavailable(f"cannot read the meter CSV {self.path}: {exc.strerror or exc}") from None
        try:
            self._last_rows = parse_meter_csv(text, self.path)
        except ValueError as exc:
            raise SourceUnavailable(str(exc)) from None
        return self._last_rows

    @property
    def sampling_hz(self) -> float | None:
        rows = self._last_rows
        if len(rows) < 2 or rows[-1][0] == rows[0][0]:
            return None
        return (len(rows) - 1) / (rows[-1][0] - rows[0][0])

    def samples(self, window, margin_s):
        # unix -> monotonic through the pair of clocks read together at the window start
        offset = window.start_mono - window.start_unix
        low, high = window.start_unix - margin_s, window.end_unix + margin_s
        return [PowerSample(t + offset, watts) for t, watts in self.read_rows() if low <= t <= high]


def discover(ctx):
    if not ctx.external_csv:
        return [], [("external-csv", "no external meter log given (--external-csv FILE of unix_seconds,watts rows)")]
    path = ctx.external_csv
    if not os.path.isfile(path):
        raise PowerSetupError(f"the external meter CSV {path} does not exist: pass the file the meter's logger writes")
    source = ExternalCsvSpec(path).open(ctx.files)
    try:
        source.read_rows()
    except SourceUnavailable as exc:
        raise PowerSetupError(f"{exc}: fix the file (rows of unix_seconds,watts)") from None
    return [source], []
