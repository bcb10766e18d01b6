"""The runner-facing entry point: accuracy of a model on a real dev set, and what real inputs cost.

The worker calls evaluate_model once per model variant with the model it built (already on its device
and in its precision), the checkpoint's preprocessing and label map (see load_pretrained), and adds the
returned fields to that model's records.
"""

from __future__ import annotations

import itertools
import statistics

import torch
from tqdm.auto import tqdm

from bench_job.families import family_for_modality
from evaluation import labels as label_maps
from evaluation import metric
from evaluation.data import load_eval_set
from evaluation.preprocess import resolve_dtype, to_device, to_model
from evaluation.sampling import stratified_indices

# Encoded batches kept on the device for on_real_inputs: enough to spread the sentence lengths of the dev
# set over the energy window, few enough that they stay small beside the model.
KEPT_REAL_BATCHES = 16


def evaluate_model(
    model,
    task: str,
    *,
    tokenizer_or_transform,
    label_map,
    timer,
    batch_size: int,
    max_examples: int | None = None,
    seed: int = 0,
    device: str = "cpu",
    dtype=None,
    progress: bool = True,
    assets_dir: str | None = None,
    data_path: str | None = None,
    label_map_basis: str | None = None,
    on_real_inputs=None,
    family=None,
    reference=None,
) -> dict:
    """Run the model over the dev set (all rows, or a seeded stratified subset of max_examples).

    label_map: None (output i is label i), a list/dict {output: dataset label}, "config" (the model's
    id2label names) or "measure" (two-class order unknown: the better order is used and reported).
    on_real_inputs(run_once, samples_per_run) -> dict, when given, is called after the evaluation with a
    function that runs the model on the next of up to KEPT_REAL_BATCHES real batches (already encoded and
    on the device, so preprocessing stays outside) in rotation; its fields join the result (the worker
    measures energy on real inputs with it).
    family: the model's family (bench_job/families), which encodes the dev set's rows; default: the
    family of the dev set's modality.
    reference: a model the evaluated one stands in for (eager PyTorch behind a deployed runtime): run on the
    same batches outside the timed region, its top-1 outputs are compared with the model's (top1_agreement).
    timer: what times each batch's forward pass: the sweep's own (bench_job/measure/latency.py timer_for: CUDA
    events on a CUDA device, perf_counter_ns elsewhere), handed in so that one timer serves both figures and
    this package leans on the catalogue and the families only.
    Returns JSON-able fields for the result records (the schema's EVALUATION_COLUMNS and EVALUATION_RAW_FIELDS,
    bench_job/bundle/records.py; fields that do not apply to the task are None).
    """
    data = load_eval_set(task, assets_dir=assets_dir, data_path=data_path)
    rows = stratified_indices(data.labels, max_examples, seed)
    dtype = resolve_dtype(dtype)
    cuda = str(device).startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    encode = (family or family_for_modality(data.modality)).real_input_encoder(tokenizer_or_transform, model)

    model.eval()
    all_logits, latencies, facts, kept, extra, reference_top1 = [], [], [], [], {}, []
    batches = [rows[i : i + batch_size] for i in range(0, len(rows), batch_size)]
    keep = _kept_batches([len(b) for b in batches], KEPT_REAL_BATCHES) if on_real_inputs else set()
    with torch.inference_mode():
        for index, batch in enumerate(tqdm(batches, desc=f"eval {task}", unit="batch", disable=not progress)):
            args, kwargs, fact = encode(data.inputs(batch))
            args, kwargs = to_device(args, kwargs, device, dtype)
            if index in keep:
                kept.append((args, kwargs, len(batch)))
            sync()
            outputs = []
            latencies.append(timer.time(lambda: outputs.append(model(*args, **kwargs))))  # noqa: B023 (called at once)
            output = outputs.pop()
            logits = output.logits if hasattr(output, "logits") else output
            all_logits.append(logits.float().cpu())
            if reference is not None:
                reference_top1.append(_top1(reference, args, kwargs))
            facts.append(fact)
        if kept:
            rotation = itertools.cycle(kept)

            def run_once():
                args, kwargs, _ = next(rotation)
                model(*args, **kwargs)
                sync()

            extra = on_real_inputs(run_once, statistics.fmean(n for _, _, n in kept))
    logits = torch.cat(all_logits) if all_logits else torch.empty(0, 0)
    references = [data.labels[i] for i in rows]

    fields = _score(logits, references, data, label_map, label_map_basis, model)
    fields.update(
        eval_examples=len(rows),
        eval_dataset=dataset_label(data.name, len(data), len(rows), seed),
        eval_seed=seed,
        accuracy_metric=metric.metric_name(),
        real_batch_size=batch_size,
        real_latency_per_batch_s=statistics.median(latencies) if latencies else None,
        real_latencies_s=latencies,
    )
    text = data.modality == "text"
    # padded length is what the model computed on; tokens is the sentences' own length without padding
    fields["real_mean_seq_len"] = statistics.fmean(f["padded_len"] for f in facts) if text and facts else None
    fields["real_mean_tokens"] = sum(f["tokens"] for f in facts) / len(rows) if text and rows else None
    fields["real_image_side"] = facts[0]["side"] if not text and facts else None
    fields["top1_agreement"] = _agreement(reference_top1, logits) if reference is not None else None
    fields.update(extra)
    return fields


def _top1(reference, args: tuple, kwargs: dict) -> torch.Tensor:
    """The reference model's top-1 output per example, its inputs moved to its device and float type."""
    args, kwargs = to_model(reference, args, kwargs)
    output = reference(*args, **kwargs)
    return (output.logits if hasattr(output, "logits") else output).argmax(dim=-1).cpu()


def _agreement(reference_top1: list, logits: torch.Tensor) -> float | None:
    """Share of examples whose top-1 output is the reference's."""
    if not reference_top1 or not len(logits):
        return None
    return float((torch.cat(reference_top1) == logits.argmax(dim=-1)).float().mean())


def dataset_label(name: str, size: int, evaluated: int, seed: int) -> str:
    """eval_dataset: where the dev set came from and its size, so a user's 400 sentences never read as
    GLUE's 872; a subset says so (eval_examples holds how many were scored)."""
    return f"{name} ({size} examples" + (")" if evaluated == size else f"; stratified subset, seed {seed})")


def _kept_batches(sizes: list, limit: int) -> set:
    """Indices of up to `limit` batches spread evenly over the dev set, full-size ones only where any are
    (a short last batch would lower the per-batch figures)."""
    full = max(sizes, default=0)
    pool = [i for i, n in enumerate(sizes) if n == full]
    if len(pool) <= limit:
        return set(pool)
    return {pool[k * len(pool) // limit] for k in range(limit)}


def _score(logits, references, data, label_map, basis, model) -> dict:
    """Accuracy fields; for two-class text tasks also the label-map check: accuracy_swapped is the accuracy
    with the two outputs exchanged, label_map_swapped whether a fixed map looks reversed (a measured order
    is the better one by construction; None where there was nothing to check)."""
    outputs = logits.argmax(dim=-1).tolist() if len(references) else []
    if data.modality == "image":
        return _score_images(logits, outputs, references, data, label_map)
    id2label = getattr(getattr(model, "config", None), "id2label", None)
    mapping, resolved_basis = label_maps.resolve_label_map(label_map, id2label)
    basis = basis or resolved_basis
    warning, swapped_accuracy, swapped = None, None, None
    if mapping == "measure":
        given = label_maps.identity_map(logits.shape[-1])
        as_is = metric.accuracy(label_maps.apply_map(outputs, given), references)
        exchanged = label_maps.swapped_map(given)
        flipped = metric.accuracy(label_maps.apply_map(outputs, exchanged), references)
        mapping = given if as_is >= flipped else exchanged
        warning = (
            f"label order measured on the dev set (unknown for this checkpoint): "
            f"{'output i = label i' if mapping == given else 'outputs reversed'} "
            f"({max(as_is, flipped):.1%} against {min(as_is, flipped):.1%} the other way)"
        )
        accuracy, swapped_accuracy, swapped = max(as_is, flipped), min(as_is, flipped), False
    else:
        accuracy = metric.accuracy(label_maps.apply_map(outputs, mapping), references)
        if len(mapping) == 2 and accuracy is not None:
            swapped_accuracy = metric.accuracy(
                label_maps.apply_map(outputs, label_maps.swapped_map(mapping)), references
            )
            swapped = label_maps.looks_swapped(accuracy, swapped_accuracy)
            warning = label_maps.swap_warning(accuracy, swapped_accuracy, basis)
    return {
        "accuracy": accuracy,
        "accuracy_top5": None,
        "accuracy_10way": None,
        "accuracy_kind": "top-1, two classes",
        "label_map_warning": warning,
        "accuracy_swapped": swapped_accuracy,
        "label_map_swapped": swapped,
        "label_map": {str(k): v for k, v in sorted(mapping.items())},
        "label_map_basis": basis,
    }


def _score_images(logits, outputs, references, data, label_map) -> dict:
    mapping = None
    if label_map not in (None, "config"):
        mapping, _ = label_maps.resolve_label_map(label_map, None)
    predicted = label_maps.apply_map(outputs, mapping) if mapping else outputs
    fields = {
        "accuracy": metric.accuracy(predicted, references),
        "label_map_warning": None,
        "accuracy_swapped": None,
        "label_map_swapped": None,
        "accuracy_kind": f"top-1 over all {logits.shape[-1]} outputs",
        "label_map": None if mapping is None else {str(k): v for k, v in sorted(mapping.items())},
        "label_map_basis": "ImageNet-1k output indices" if mapping is None else "given",
    }
    fields["accuracy_top5"] = (
        metric.accuracy(metric.topk_hits(logits, references, 5), references)
        if mapping is None and logits.shape[-1] >= 5
        else None
    )
    if data.restrict_to and mapping is None and logits.shape[-1] > max(data.restrict_to):
        # 10-way: the model's best guess among the subset's classes only (the easier, subset-only figure)
        fields["accuracy_10way"] = metric.accuracy(metric.restricted_argmax(logits, data.restrict_to), references)
    else:
        fields["accuracy_10way"] = None
    return fields
