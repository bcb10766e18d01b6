"""The power state the figures were measured in, for the report's header and every plot title on a Jetson.

It comes from env.json's `power_state` (the device state read as the run started), else from the rows'
power-state columns (schema 6: each configuration's state as read before it). The header says when the
configurations ran in more than one power state, and how many saw it change while they were measured (those
are not valid, as throttled rows are not)."""

from __future__ import annotations

from bench_job.bundle.records import POWER_STATE_COLUMNS
from bench_job.host.device_state import describe_power_columns, describe_power_state, mode_text
from bench_job.report.render.frame import measured


def _known(value):
    """None for a value the row does not hold (None, NaN)."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def row_states(frame, cpus_present: int | None = None) -> dict:
    """The power states the measured rows ran in: description -> configurations, in the order first met.
    Empty where no row records one (bundles written before schema 6). cpus_present: the run's, so that a row's
    description reads as the start state's does."""
    states = {}
    for _, row in measured(frame).iterrows():
        text = describe_power_columns({column: _known(row[column]) for column in POWER_STATE_COLUMNS}, cpus_present)
        if text:
            states[text] = states.get(text, 0) + 1
    return states


def power_state_line(frame, ctx) -> str:
    """The header's line: 'power state at the start of the run: nvpmodel MAXN (id 0), jetson_clocks on; CPU cap
    2202 MHz, ...', then the states the configurations ran in where they are not just that one."""
    snapshot = ctx.env.get("power_state")
    start = describe_power_state(snapshot) if snapshot else None
    states = row_states(frame, (snapshot or {}).get("cpus_present"))
    if snapshot:
        line = f"power state at the start of the run: {start or 'nothing readable (no nvpmodel, cpufreq or devfreq)'}"
    elif len(states) == 1:
        line = f"power state: {next(iter(states))}"
    elif not states:
        return "power state: not recorded (this bundle predates it)"
    else:
        line = "power state: not recorded at the start of the run"
    if len(states) > 1 or (snapshot and states and list(states) != [start]):
        line += f"; the configurations ran in {len(states)} power state(s): " + ", ".join(
            f"[{text}] ({count})" for text, count in states.items()
        )
    ok = measured(frame)
    changed = int((ok["power_state_changed"] == True).sum())  # noqa: E712 (True/False/None)
    if changed:
        line += f"; it changed while {changed} configuration(s) were measured (not valid: see Validity)"
    return line


def plot_title_suffix(env: dict) -> str:
    """' [MAXN, jetson_clocks on]' on a Jetson bundle: the power state the run started in, which every plot
    title carries ('' on other devices)."""
    if env.get("device_kind") != "jetson":
        return ""
    state = env.get("power_state")
    if not state:
        return " [power state not recorded]"
    mode = state.get("jetson_power_mode")
    if mode is None:
        mode_id = mode_text(None, state.get("jetson_power_mode_id"))
        mode = f"nvpmodel {mode_id}" if mode_id else "nvpmodel mode unknown"
    parts = [mode]
    if state.get("jetson_clocks") is not None:
        parts.append("jetson_clocks " + ("on" if state["jetson_clocks"] else "off"))
    return f" [{', '.join(parts)}]"
