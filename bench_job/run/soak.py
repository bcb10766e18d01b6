"""The sustained scenario in the worker: a soaked model's soak, run after its sweep on the model the worker already
built and warmed (measure/sustained.py's loop, bound here to the configuration's inference, the worker's
EnergyMeter and the device's files), and the row it makes.

The worker writes nothing to disk: the soak's time series travels in the record as a member text, which the runner
takes out and writes as the bundle member the row names (bundle/member_texts.py).
"""

from __future__ import annotations

import datetime
import time
import traceback

from bench_job.bundle.member_texts import MEMBER_TEXTS_FIELD
from bench_job.bundle.series import series_member
from bench_job.errors import one_line
from bench_job.host.core_types import core_types
from bench_job.host.device_state import compare_device_state, power_state_columns, power_state_reasons
from bench_job.host.device_state import read_device_state as _read_device_state
from bench_job.measure import memory
from bench_job.measure.contention import ContentionProbe
from bench_job.measure.energy import energy_fields
from bench_job.measure.stats import summarize
from bench_job.measure.sustained import WindowReading, WindowRun, run_soak, series_csv, soak_fields
from bench_job.run.messages import Log, Progress, Record, Start

# the real clock's busy loop per core type after each window: long enough for a calibrated figure, short beside a
# 1 s window (bench_job/host/real_clock.py's contract)
CLOCK_LOOP_S = 0.02
PROGRESS_EVERY_S = 10.0  # a progress line this often, so a 5-minute soak is seen to move
# a soak cut short by --budget still runs this many windows, so its first and last windows are not one and the same
MIN_BUDGET_WINDOWS = 3


def real_clock():
    """bench_job.host.real_clock.measure_mhz, or None where this version has no such module (the column is empty)."""
    try:
        from bench_job.host.real_clock import measure_mhz
    except ImportError:
        return None
    return measure_mhz


class DeviceReader:
    """What the soak reads after each window: the thermal zones, the clock cpufreq reports for each core type's
    first CPU and the one the busy loop measures on it, and the throttle flags against the soak's starting state
    (device_state.compare_device_state: Raspberry Pi flags now and new since-boot bits, a CPU cap below the
    starting cap, a zone at its passive trip)."""

    def __init__(self, sysfs_root: str, host_root: str, measure_mhz=None, read_state=_read_device_state):
        self.sysfs_root, self.host_root = sysfs_root, host_root
        self.measure_mhz = measure_mhz
        self._read_state = read_state
        self.core_types = core_types(sysfs_root)
        self.start = self.read_state()

    def read_state(self) -> dict:
        return self._read_state(self.sysfs_root, self.host_root)

    def __call__(self) -> WindowReading:
        state = self.read_state()
        clocks = state.get("cpu_freq_mhz") or {}
        reported = {core.label: clocks.get(f"cpu{core.cpu}") for core in self.core_types}
        measured = {}
        if self.measure_mhz is not None:
            measured = {core.label: self.measure_mhz(core.cpu, duration_s=CLOCK_LOOP_S) for core in self.core_types}
        change = compare_device_state(self.start, state)
        return WindowReading(dict(state.get("thermal_c") or {}), reported, measured, tuple(change["throttle_reasons"]))


def window_runner(run_once, timer, meter, batch_size: int, clock=time.monotonic):
    """run_window(window_s) for the soak: inferences back to back for window_s, each timed; with a power source, the
    worker's EnergyMeter runs them over the window (its window ends with the first inference past window_s), so the
    window's power and energy per inference come with them. The meter's sampler thread runs beside the timed passes
    here, unlike in the sweep: a soak's windows follow one another with no room for a separate energy window."""

    def run_window(window_s: float) -> WindowRun:
        latencies = []

        def timed():
            latencies.append(timer.time(run_once))

        if meter is None:
            started = clock()
            while clock() - started < window_s:
                timed()
            return WindowRun(tuple(latencies))
        fields = energy_fields(meter.measure(timed, window_s, 1, window_s), batch_size)
        return WindowRun(tuple(latencies), fields.get("avg_power_w"), fields.get("energy_per_inference_j"))

    return run_window


def _caps_held(before: dict, after: dict) -> dict:
    """after with before's clock caps: a cap that falls during a soak is the throttling the soak measures (its series
    and throttle_onset_s record it); a mode change or a core gone offline still changes the power state."""
    devfreq_before = before.get("devfreq_mhz") or {}
    devfreq = {
        name: dict(device, max=devfreq_before.get(name, device).get("max"))
        for name, device in (after.get("devfreq_mhz") or {}).items()
    }
    return dict(
        after,
        cpu_max_freq_mhz=before.get("cpu_max_freq_mhz", {}),
        devfreq_mhz=devfreq,
        emc_cap_mhz=before.get("emc_cap_mhz"),
    )


def soak_duration(asked: float, window_s: float, deadline: float | None, now: float) -> tuple:
    """(seconds to soak, a note or None): what --budget leaves of the asked duration, MIN_BUDGET_WINDOWS at least."""
    if deadline is None or deadline - now >= asked:
        return asked, None
    cut = max(deadline - now, MIN_BUDGET_WINDOWS * window_s)
    return cut, f"soak cut to {cut:.0f} of {asked:g} s by --budget"


def soak_record(
    task, prepared, meter, timer, stop, conn, reader=None, clock=time.monotonic, probe_factory=ContentionProbe
) -> dict | None:
    """The sustained row of one prepared configuration (worker.PreparedConfig, past its first pass and warm-up), or
    None when the run was stopped before its first window. conn: the worker's pipe, for progress lines. Other
    processes' CPU share over the whole soak is judged as a sweep row's timing is (measure.validity)."""
    section, point = task.sustained, prepared.point
    reader = reader or DeviceReader(
        task.power.section.sysfs_root, task.power.section.host_root, measure_mhz=real_clock()
    )
    duration, cut = soak_duration(section.duration_s, section.window_s, task.timing.deadline, clock())
    key = prepared.record["key"]
    conn.send(Log("info", f"{key}: soaking for {duration:.0f} s in {section.window_s:g} s windows"))
    swap_before = memory.swap_counters()
    probe = probe_factory()
    probe.start()
    started = time.time()
    shown = [clock()]

    def on_window(window):
        if clock() - shown[0] >= PROGRESS_EVERY_S:
            shown[0] = clock()
            hottest = f", {window.temp_max_c:.1f} C" if window.temp_max_c is not None else ""
            text = f"{task.entry.name}: soak {window.end_s:.0f}/{duration:.0f} s{hottest}"
            conn.send(Progress(text))
            conn.send(Log("info", text))

    soak = run_soak(
        window_runner(prepared.timing.run_once, timer, meter, point.batch_size, clock),
        reader,
        duration,
        section.window_s,
        clock=clock,
        stop=lambda: stop.requested,
        on_window=on_window,
    )
    if not soak.windows:
        return None
    record = prepared.record
    fields = soak_fields(soak, series_member(key), record["notes"])
    if cut:
        fields["notes"].append(cut)
    after = reader.read_state()
    change = compare_device_state(reader.start, after)
    power = power_state_reasons(reader.start, _caps_held(reader.start, after))
    stats = summarize(soak.latencies_s, task.timing.measure.confidence)
    swap_in, swap_out = memory.swap_delta(swap_before, memory.swap_counters())
    fields.update(
        stats,
        throughput=point.batch_size / stats["latency_median_s"],
        stop_reason=soak.ended_early or "duration",
        other_cpu_share=probe.other_share(),
        energy_reason=task.power.energy_reason,
        swap_in=swap_in,
        swap_out=swap_out,
        swapped=None if swap_in is None else bool(swap_in or swap_out),
        device_state={"before": reader.start, "after": after, "change": change},
        throttled=change["throttled"],
        throttle_reasons="; ".join(change["throttle_reasons"]) or None,
        temp_max_c_before=change["temp_max_c_before"],
        temp_max_c_after=change["temp_max_c_after"],
        **power_state_columns(reader.start),
        power_state_changed=bool(power),
        power_state_reasons="; ".join(power) or None,
        started_at=datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(),
    )
    fields[MEMBER_TEXTS_FIELD] = {fields["sustained_series"]: series_csv(soak)}
    notes = fields.pop("notes")
    return dict(record, **fields, notes="; ".join(notes) or None, status="ok", duration_s=time.time() - started)


def send_soaks(conn, task, prepared: list, meter, timer, stop) -> None:
    """Each soaked configuration's soak and row, after the sweep's records. A soak that fails is an error row."""
    for config in prepared:
        if stop.requested:
            return
        conn.send(Start(config.record["key"]))
        try:
            record = soak_record(task, config, meter, timer, stop, conn)
        except Exception as exc:
            conn.send(Log("debug", traceback.format_exc()))
            notes = "; ".join(config.record["notes"]) or None
            record = dict(config.record, status="error", reason=one_line(exc), notes=notes)
        if record is not None:
            conn.send(Record(record))
