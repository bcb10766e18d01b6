"""Inputs that calibrate static int8 quantization: dev-set images through the model's own preprocessing
when the accuracy assets are there, synthetic images otherwise (the record says which)."""

from __future__ import annotations

from bench_job.errors import one_line

CALIBRATION_IMAGES = 32
_BATCH = 8


def dev_set_calibration(task: str, assets: str | None, data_path: str | None, encode, seed: int) -> list:
    """CALIBRATION_IMAGES images of the dev set (a seeded stratified subset), as {"x": batch} dicts;
    encode: the family's real_input_encoder, so calibration sees what the accuracy step feeds the model."""
    from evaluation.data import load_eval_set
    from evaluation.sampling import stratified_indices

    data = load_eval_set(task, assets_dir=assets, data_path=data_path)
    rows = stratified_indices(data.labels, CALIBRATION_IMAGES, seed)
    batches = []
    for start in range(0, len(rows), _BATCH):
        (images,), _, _ = encode(data.inputs(rows[start : start + _BATCH]))
        batches.append({"x": images})
    return batches


def synthetic_calibration(family, model, input_size: int, seed: int) -> list:
    """CALIBRATION_IMAGES synthetic inputs of the family, in batches, each batch with its own seed."""
    return [family.make_inputs(model, _BATCH, input_size, seed + 1 + i) for i in range(CALIBRATION_IMAGES // _BATCH)]


def calibration_inputs(entry, family, model, preprocessing, assets: str | None, seed: int) -> tuple[list, str]:
    """(calibration batches, what they are). Dev-set images need pretrained weights' preprocessing and an
    image dev set; a dev set that cannot be read falls back to synthetic images, saying why."""
    why = "no dev-set images for this model (random weights or no image task)"
    if (
        entry.weights == "pretrained"
        and entry.task in ("imagenette", "imagefolder", "disk")
        and (assets or entry.data_path)
    ):
        try:
            transform = preprocessing if preprocessing is not None else family.preprocessing(entry)
            batches = dev_set_calibration(
                entry.task, assets, entry.data_path, family.real_input_encoder(transform, model), seed
            )
            count = sum(len(b["x"]) for b in batches)
            return batches, f"{count} dev-set images ({entry.task})"
        except Exception as exc:  # calibration falls back; the reason is kept in the record
            why = f"the dev set could not be read: {one_line(exc, 150)}"
    batches = synthetic_calibration(family, model, entry.input_size, seed)
    count = sum(len(next(iter(b.values()))) for b in batches)
    return batches, f"{count} synthetic images ({why})"
