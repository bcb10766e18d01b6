"""A configuration's device-state fields, for every row the worker makes (the sweep's, an MLPerf scenario's): the
state read before it, under the run's sysfs and host roots, against the state after it."""

from __future__ import annotations

from bench_job.host.device_state import compare_device_state, power_state_columns, read_device_state


def read_state(task) -> dict:
    """The device state under the run's sysfs and host roots: in a container the host's files where they are
    mounted (the image's own /etc has no nvpmodel.conf, or not the host's)."""
    return read_device_state(task.power.section.sysfs_root, task.power.section.host_root)


def device_state_fields(task, state_before: dict) -> dict:
    """A configuration's device-state fields, from the state read before it and the state now: throttling, the
    power state it ran in (as read before it), and whether that changed while it was measured."""
    state_after = read_state(task)
    change = compare_device_state(state_before, state_after)
    return dict(
        device_state={"before": state_before, "after": state_after, "change": change},
        throttled=change["throttled"],
        throttle_reasons="; ".join(change["throttle_reasons"]) or None,
        temp_max_c_before=change["temp_max_c_before"],
        temp_max_c_after=change["temp_max_c_after"],
        **power_state_columns(state_before),
        power_state_changed=change["power_state_changed"],
        power_state_reasons="; ".join(change["power_state_reasons"]) or None,
    )
