"""Jetson power from a `tegrastats --interval MS` pipe, for hosts where the INA3221 sysfs files are not visible.

Rail fields as tegrastats prints them (checked against jetson-stats' parser, jtop/core/tegra_parse.py,
and public logs): JetPack 5/6 `VDD_IN 5000mW/5000mW` (current/average mW), JetPack 4
`POM_5V_IN 3234/3234` (no unit), and JetPack 7 (L4T R38/R39) `VDD_GPU_SOC 2792mW/2792mW/2792mW` or
two values. Only the first value, the instantaneous reading, is used: the others are averages over
tegrastats' lifetime and would smear the windows. Which rails add up to the board's power is decided
once, from the first line, by jetson_rails (the same rule the sysfs reader follows, so both report the
same figure); "NC" fields (JetPack 5.0 on AGX Orin prints `NC 0mW/0mW`) are not rails. Each line is
stamped with the monotonic time it arrived.
"""

from __future__ import annotations

import collections
import re
import subprocess
import threading
import time
from dataclasses import dataclass

from bench_job.power.base import PowerSample, SourceSpec, SourceUnavailable, StreamedPowerSource
from bench_job.power.jetson_ina3221 import SOURCE_NAME as SYSFS_SOURCE_NAME
from bench_job.power.jetson_rails import board_total, is_rail
from bench_job.power.sysfs import find_tool

# RAIL cur/avg[/third] with an optional mW unit on each figure; "RAM 999/62841MB" does not match
# because its figures end in MB.
_RAIL = re.compile(r"(?<![\w@])([A-Z][A-Z0-9_]*) (\d+)(?:mW)?/(\d+)(?:mW)?(?:/(\d+)(?:mW)?)?(?=\s|$)")
MIN_INTERVAL_MS = 10


def parse_rails(line: str) -> dict:
    """{'VDD_IN': 5.0, ...} instantaneous watts per rail in one tegrastats line ("NC" fields left out)."""
    return {name: int(current) / 1e3 for name, current, _, _ in _RAIL.findall(line) if is_rail(name)}


def line_power(rails: dict, total_rails) -> float | None:
    """The board power of one parsed line: the sum of total_rails, None if the line lacks one of them."""
    if not all(name in rails for name in total_rails):
        return None
    return sum(rails[name] for name in total_rails)


@dataclass(frozen=True)
class TegrastatsSpec(SourceSpec):
    program: str
    interval_ms: int
    rails: tuple  # the rails whose sum is the board total
    scope: str
    name: str = "tegrastats"

    def open(self, files) -> "TegrastatsPower":
        return TegrastatsPower(self)


class TegrastatsPower(StreamedPowerSource):
    def __init__(self, spec):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self._command = [spec.program, "--interval", str(spec.interval_ms)]
        self._interval_ms = spec.interval_ms
        self._samples = collections.deque(maxlen=max(1000, int(600_000 / spec.interval_ms)))
        self._lock = threading.Lock()
        self._process = None
        self._reader = None
        self._error = None

    @property
    def sampling_hz(self) -> float:
        return 1000.0 / self._interval_ms

    def start(self) -> None:
        if self._process is not None:
            return
        self._error = None
        try:
            self._process = subprocess.Popen(
                self._command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace", bufsize=1
            )
        except OSError as exc:
            raise SourceUnavailable(f"cannot start {self._command[0]}: {exc.strerror or exc}") from None
        self._reader = threading.Thread(
            target=self._read_lines, args=(self._process,), daemon=True, name="tegrastats-reader"
        )
        self._reader.start()

    def _read_lines(self, process) -> None:
        for line in process.stdout:
            watts = line_power(parse_rails(line), self.spec.rails)
            if watts is not None:
                with self._lock:
                    self._samples.append(PowerSample(time.monotonic(), watts))
        code = process.wait()
        if self._process is process:  # not stopped by us
            self._error = f"tegrastats exited during the measurement (exit code {code})"

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._reader.join(timeout=2)

    def samples(self, window, margin_s):
        with self._lock:
            picked = [s for s in self._samples if window.start_mono - margin_s <= s[0] <= window.end_mono + margin_s]
        if not picked and self._error:
            raise SourceUnavailable(self._error)
        return picked

    def close(self) -> None:
        self.stop()


def first_line(program, interval_ms, timeout_s) -> str | None:
    """The first line tegrastats prints, or None if it prints nothing within timeout_s."""
    process = subprocess.Popen(
        [program, "--interval", str(interval_ms)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        errors="replace",
    )
    timer = threading.Timer(timeout_s, process.kill)
    timer.start()
    try:
        return process.stdout.readline() or None
    finally:
        timer.cancel()
        process.kill()
        process.wait()


def discover(ctx):
    if SYSFS_SOURCE_NAME in ctx.found_names:
        return [], [("tegrastats", "not needed: the same INA3221 rails are read straight from sysfs")]
    program = find_tool("tegrastats", ctx.search_path)
    if program is None:
        return [], [("tegrastats", "tegrastats is not on PATH (not a Jetson, or not mounted into the container)")]
    interval_ms = max(MIN_INTERVAL_MS, int(round(1000.0 / ctx.sampling_hz)))
    try:
        line = first_line(program, interval_ms, timeout_s=2.0 + interval_ms / 1000.0)
    except OSError as exc:
        return [], [("tegrastats", f"cannot run {program}: {exc.strerror or exc}")]
    rails = parse_rails(line or "")
    if not rails:
        return [], [("tegrastats", "tegrastats printed no power rails (some JetPacks print them to root only)")]
    total = board_total(rails)
    return [TegrastatsSpec(program, interval_ms, total.rails, f"{total.scope}; read through tegrastats").open(None)], []
