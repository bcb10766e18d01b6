"""Energy of one configuration: the EnergyMeter's window, turned into the record's energy columns.

The first source with figures (the power package orders them by preference: the widest whole-device
reading first) fills the flat columns; every source's figures stay in energy_sources (JSONL).
"""

from __future__ import annotations

from dataclasses import asdict


def no_source_reason(missing: list) -> str:
    return "no power source: " + "; ".join(f"{name}: {reason}" for name, reason in missing)


def energy_fields(result, batch_size: int) -> dict:
    """result: the EnergyMeter's EnergyWindow."""
    sources = result.sources
    headline = next((s for s in sources if s.energy_j is not None), None)
    fields = {
        "energy_sources": [dict(asdict(s), n_inferences=result.n_inferences, window_s=result.window_s) for s in sources]
    }
    if headline is None:
        fields["energy_reason"] = "; ".join(f"{s.power_source}: {s.reason}" for s in sources)
        return fields
    per_inference = headline.energy_per_inference_j
    fields.update(
        avg_power_w=headline.avg_power_w,
        energy_per_inference_j=per_inference,
        energy_net_per_inference_j=headline.energy_net_per_inference_j,
        energy_per_sample_j=per_inference / batch_size,
        idle_power_w=headline.idle_power_w,
        power_source=headline.power_source,
        power_scope=headline.power_scope,
        power_samples=headline.power_samples,
        sampling_hz=headline.sampling_hz,
        energy_reason=headline.reason,
    )
    return fields


def real_input_energy_fields(result, samples_per_batch: float) -> dict:
    """The real-input window's headline figures under the real_* columns (per real batch); every
    source's figures stay in real_energy_sources (JSONL)."""
    fields = energy_fields(result, 1)
    out = {"real_energy_sources": fields["energy_sources"]}
    if "energy_per_inference_j" not in fields:
        return dict(out, real_energy_reason=fields["energy_reason"])
    per_batch = fields["energy_per_inference_j"]
    return dict(
        out,
        real_avg_power_w=fields["avg_power_w"],
        real_energy_per_batch_j=per_batch,
        real_energy_net_per_batch_j=fields["energy_net_per_inference_j"],
        real_energy_per_sample_j=per_batch / samples_per_batch,
        real_energy_reason=fields["energy_reason"],
    )
