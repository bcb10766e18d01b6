"""The power state a compared device ran in. A device in a comparison is a board in one power state: a Jetson
in MAXN and the same Jetson in its 15 W mode differ as much as two boards do (3-4x, dusty-nv/jetson-containers
#532 and #617), so their rows are never merged and never ranked as one device.

A state is named from the rows' schema-6 columns: the nvpmodel mode's name (not its id: ids differ between
modules, JETSON.md §5) and whether jetson_clocks held the clocks at their maximum. A row that recorded neither
(one written before schema 6, or a failed configuration with no state) takes the state env.json's start
snapshot (`power_state`, the read_device_state keys) names. Laptops and Raspberry Pis have no modes: no state,
and their labels are as before.
"""

from __future__ import annotations

from bench_job.bundle.records import POWER_STATE_COLUMNS
from bench_job.report.render.markdown import missing, num

UNKNOWN_MODE = "mode unknown"
# what a device whose rows recorded no state (an older bundle) is called where it must be told from the others
NOT_RECORDED = "power state not recorded"


def _text(value) -> str | None:
    return None if missing(value) or value == "" else str(value)


def state_name(mode, clocks) -> str | None:
    """The state's name: "MAXN", "MAXN + jetson_clocks", or "mode unknown + jetson_clocks" for a Jetson whose
    nvpmodel mode could not be read; None where neither was recorded: no power modes (a laptop), or a bundle
    older than schema 6."""
    mode = _text(mode)
    if mode is None and clocks is None:
        return None
    return (mode or UNKNOWN_MODE) + (" + jetson_clocks" if clocks is True else "")


def record_state(record: dict) -> str | None:
    return state_name(record.get("power_mode"), record.get("jetson_clocks"))


def start_state(env: dict) -> str | None:
    """The state env.json's snapshot at the run's start names (None in bundles that lack it)."""
    snapshot = env.get("power_state") or {}
    return state_name(snapshot.get("jetson_power_mode"), snapshot.get("jetson_clocks"))


def record_states(records: list, env: dict) -> list:
    """Each record's state; one that recorded none takes the run's start state, else the state the bundle's
    other records name first (a failed configuration must not become a device of its own)."""
    states = [record_state(r) for r in records]
    fallback = start_state(env) or next((s for s in states if s), None)
    return [s or fallback for s in states]


def with_state(label: str, state: str | None) -> str:
    """A device label naming its power state: "jetson-orin-1 @MAXN + jetson_clocks"; the label alone where the
    state is not known (None, or NaN in a table column)."""
    state = _text(state)
    return f"{label} @{state}" if state else label


def describe_state(rows) -> str:
    """One device's power state in full, from its first row that recorded one (the columns are the state
    read before each configuration): "5W (id 1), jetson_clocks off; caps CPU 918, GPU 640, EMC 1600 MHz;
    2 CPUs online". Empty where no row recorded any of it."""
    recorded = rows[list(POWER_STATE_COLUMNS)].dropna(how="all")
    if recorded.empty:
        return ""
    row = recorded.iloc[0]
    parts = []
    clocks = row.get("jetson_clocks")
    if state_name(row.get("power_mode"), clocks):
        mode_id = row.get("power_mode_id")
        parts.append(
            (_text(row.get("power_mode")) or UNKNOWN_MODE)
            + ("" if missing(mode_id) else f" (id {int(mode_id)})")
            + {True: ", jetson_clocks on", False: ", jetson_clocks off"}.get(clocks, "")
        )
    caps = [
        f"{name} {num(row.get(column), 4)}"
        for name, column in (("CPU", "cpu_freq_cap_mhz"), ("GPU", "gpu_freq_cap_mhz"), ("EMC", "emc_freq_cap_mhz"))
        if not missing(row.get(column))
    ]
    if caps:
        parts.append("caps " + ", ".join(caps) + " MHz")
    if not missing(row.get("cpus_online")):
        parts.append(f"{int(row['cpus_online'])} CPUs online")
    return "; ".join(parts)


def one_board_note(labels, devices: dict) -> str | None:
    """The sentence a table or plot setting devices side by side needs where two of them are one board in
    different power states (a mode's figures are not another device's); None where there are none."""
    boards = {}
    for label in labels:
        boards.setdefault(devices[label]["board"], []).append(label)
    several = {board: names for board, names in boards.items() if len({devices[n]["power_state"] for n in names}) > 1}
    if not several:
        return None
    return (
        "One board in several power states: "
        + "; ".join(f"{', '.join(sorted(names))} are {board}" for board, names in sorted(several.items()))
        + "."
    )
