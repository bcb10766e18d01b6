"""Accuracy of a pretrained model on its real dev set, run once per model variant by the worker.

The evaluation package does the work (dev-set loading, the checkpoint's own preprocessing and label
map, the metric); this module picks the model, preprocessing and label map the run uses and turns the
outcome into record fields.
"""

from __future__ import annotations

from bench_job.errors import one_line, user_fixable
from bench_job.measure.energy import real_input_energy_fields
from bench_job.run.task import PowerSettings, WorkerTask

RANDOM_WEIGHTS = "random init (released architecture)"


def build_model(entry, family, seed: int, assets: str | None):
    """(fp32 CPU model, preprocessing or None, label map) for the entry's weights."""
    if entry.weights == "pretrained" and assets:
        from evaluation import PRETRAINED, load_pretrained

        if entry.name in PRETRAINED and not entry.source:
            return load_pretrained(entry.name, assets, entry.attn_implementation)
    model = family.build(entry, entry.weights, seed)
    return model, None, entry.label_map


def weights_source(entry, assets: str | None) -> str:
    if entry.weights == "random":
        return RANDOM_WEIGHTS + (f": {entry.weights_note}" if entry.weights_note else "")
    if assets:
        from evaluation import PRETRAINED
        from evaluation import weights_source as fetched_source

        if entry.name in PRETRAINED and not entry.source:
            return fetched_source(entry.name, assets)
    return entry.source or entry.pretrained or "pretrained"


def real_input_energy(power: PowerSettings, meter):
    """on_real_inputs for evaluate_model: the energy of real batches, in the window the sweep uses."""

    def measure(run_once, samples_per_batch: float) -> dict:
        if meter is None:
            return {"real_energy_reason": power.energy_reason}
        try:
            result = meter.measure(
                run_once, power.section.min_window_s, power.section.min_samples, power.section.max_window_s
            )
        except Exception as exc:  # a failed energy window costs the real-input energy, not the accuracy
            return {"real_energy_reason": one_line(exc, 200)}
        return real_input_energy_fields(result, samples_per_batch)

    return measure


def accuracy_fields(
    task: WorkerTask, model, family, preprocessing, label_map, device: str, meter=None, reference=None
) -> dict:
    """Accuracy fields for every record of this model variant, with latency and energy on real inputs;
    empty when accuracy does not apply. meter: the worker's EnergyMeter, None without a power source.
    reference: eager PyTorch where model is a deployed runtime (top1_agreement with it)."""
    entry, variant, settings = task.entry, task.variant, task.accuracy
    if not settings.enabled or entry.weights != "pretrained" or not entry.task:
        return {}
    from bench_job.measure.latency import timer_for
    from evaluation import PRETRAINED, evaluate_model

    try:
        prep = preprocessing if preprocessing is not None else family.preprocessing(entry)
        spec = PRETRAINED.get(entry.name, {}) if not entry.source else {}
        return evaluate_model(
            model,
            entry.task,
            tokenizer_or_transform=prep,
            label_map=label_map,
            timer=timer_for(device),
            batch_size=settings.batch_size,
            max_examples=settings.max_examples,
            seed=task.seed,
            device=device,
            dtype=variant.precision,
            progress=False,
            assets_dir=task.assets,
            data_path=entry.data_path,
            label_map_basis=spec.get("label_map_basis"),
            on_real_inputs=real_input_energy(task.power, meter),
            family=family,
            reference=reference,
        )
    except Exception as exc:  # a failed evaluation costs the accuracy columns, not the sweep
        return {"accuracy_error": str(exc) if user_fixable(exc) else one_line(exc, 200)}
