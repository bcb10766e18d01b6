"""Jetson power from a `tegrastats --interval MS` pipe, for hosts where the INA3221 sysfs files are not visible.

Rail fields as tegrastats prints them (checked against jetson-stats' parser, jtop/core/tegra_parse.py,
and public logs): JetPack 5/6 `VDD_IN 5000mW/5000mW` (current/average mW), JetPack 4
`POM_5V_IN 3234/3234` (no unit), and JetPack 7 (L4T R38/R39, Thor) three values per rail, seen in a
public log as `VDD_GPU_SOC 2792mW/2792mW/2792mW`. Only the first value, the instantaneous reading, is
used: the others are averages over tegrastats' lifetime and would smear the windows. Each line is
stamped with the monotonic time it arrived.
"""

import collections
import re
import subprocess
import threading
import time

from bench_job.power.base import SourceUnavailable, StreamedPowerSource
from bench_job.power.jetson_ina3221 import BOARD_TOTAL_RAILS, SOURCE_NAME as SYSFS_SOURCE_NAME
from bench_job.power.sysfs import find_tool

# RAIL cur/avg[/third] with an optional mW unit on each figure; "RAM 999/62841MB" does not match
# because its figures end in MB.
_RAIL = re.compile(r"(?<![\w@])([A-Z][A-Z0-9_]*) (\d+)(?:mW)?/(\d+)(?:mW)?(?:/(\d+)(?:mW)?)?(?=\s|$)")
MIN_INTERVAL_MS = 10


def parse_rails(line: str) -> dict:
    """{'VDD_IN': 5.0, ...} instantaneous watts per rail in one tegrastats line."""
    return {name: int(current) / 1e3 for name, current, _, _ in _RAIL.findall(line)}


def board_power(rails: dict) -> float | None:
    """The board-total rail where present, else the sum of all rails; None for a line without rails."""
    for name in BOARD_TOTAL_RAILS:
        if name in rails:
            return rails[name]
    return sum(rails.values()) if rails else None


def describe_scope(rails: dict) -> str:
    for name in BOARD_TOTAL_RAILS:
        if name in rails:
            return f"Jetson module input ({name} rail, via tegrastats)"
    return f"sum of the rails tegrastats prints ({', '.join(rails)}): no VDD_IN/POM_5V_IN total rail"


class TegrastatsPower(StreamedPowerSource):
    def __init__(self, program, interval_ms, scope):
        super().__init__("tegrastats", scope)
        self._command = [program, "--interval", str(interval_ms)]
        self._interval_ms = interval_ms
        self._samples = collections.deque(maxlen=max(1000, int(600_000 / interval_ms)))
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
            self._process = subprocess.Popen(self._command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                             text=True, bufsize=1)
        except OSError as exc:
            raise SourceUnavailable(f"cannot start {self._command[0]}: {exc.strerror or exc}") from None
        self._reader = threading.Thread(target=self._read_lines, args=(self._process,), daemon=True,
                                        name="tegrastats-reader")
        self._reader.start()

    def _read_lines(self, process) -> None:
        for line in process.stdout:
            watts = board_power(parse_rails(line))
            if watts is not None:
                with self._lock:
                    self._samples.append((time.monotonic(), watts))
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
    process = subprocess.Popen([program, "--interval", str(interval_ms)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
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
    return [TegrastatsPower(program, interval_ms, describe_scope(rails))], []
