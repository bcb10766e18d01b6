"""A config's model entry (a name, or a mapping with a name) resolved against the catalogue: its family,
architecture, weights, sweeps, variants, dev set and the catalogue's published figures.

It reads the merged config as the config package passes it (the top-level keys and the typed sweeps)
and never imports the config package: the config imports this module.
"""

from __future__ import annotations

import difflib

from bench_job.catalogue.entry import MODEL_KEYS, PRECISIONS, VARIANT_KEYS, WEIGHTS, ModelEntry, Variant
from bench_job.catalogue.zoo import TASKS, ZOO
from bench_job.checks import check, positive_int, refuse_unknown, size_list
from bench_job.errors import UserError
from bench_job.runtimes import RUNTIMES


def parse_variants(raw, where: str, accelerator: str) -> list[Variant]:
    check(isinstance(raw, list) and raw, f"{where} must be a non-empty list such as [{{precision: fp32}}]")
    variants = []
    for item in raw:
        if isinstance(item, str):
            item = {"precision": item}
        check(isinstance(item, dict), f"every entry of {where} must be a mapping such as {{precision: fp16}}")
        refuse_unknown(item, VARIANT_KEYS, where)
        precision = item.get("precision", "fp32")
        check(precision in PRECISIONS, f"{where}: precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        runtime = item.get("runtime", "eager")
        check(runtime in RUNTIMES, f"{where}: runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
        check(
            precision in RUNTIMES[runtime].precisions,
            f"{where}: runtime {runtime} runs precision {', '.join(RUNTIMES[runtime].precisions)}, not {precision}",
        )
        check(
            not (precision == "int8" and runtime == "eager" and accelerator == "cuda"),
            f"{where}: int8 dynamic quantization runs on the CPU only; use run.accelerator: cpu or another precision",
        )
        threads = item.get("threads")
        positive_int(threads, f"{where}: threads", allow_none=True)
        # The runtime is part of the default name, so that the row key (model|variant|...) tells runtimes apart.
        name = item.get("name") or precision + (f"-{runtime}" if runtime != "eager" else "") + (
            f"-t{threads}" if threads else ""
        )
        variants.append(Variant(name=str(name), precision=precision, threads=threads, runtime=runtime))
    names = [v.name for v in variants]
    check(len(set(names)) == len(names), f"{where}: variant names must differ, got {names}")
    return variants


def resolve_model(raw, data: dict, sweeps, accelerator: str, families: dict, torchvision_names) -> ModelEntry:
    """raw: one entry of the config's models list; data: the merged config (its top-level weights,
    attn_implementation, notes and variants); sweeps: sweep name -> section (batch_sizes, input_size,
    input_sizes); accelerator: run.accelerator; torchvision_names() -> the torchvision classifiers."""
    from bench_job.families.transformers_family import is_checkpoint_folder

    if isinstance(raw, str):
        raw = {"name": raw}
    check(
        isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"],
        f"every entry of models must be a name or a mapping with a name, got {raw!r}",
    )
    refuse_unknown(raw, MODEL_KEYS, f"model {raw['name']!r}")
    name, source = raw["name"], raw.get("source")
    zoo = ZOO.get(name)
    if raw.get("family"):
        family = raw["family"]
        check(family in families, f"model {name}: family must be one of {', '.join(families)}, got {family!r}")
    elif zoo:
        family = zoo.family
    elif name in torchvision_names():
        family = "torchvision"
    elif is_checkpoint_folder(source or name) or "/" in (source or name):
        family = "transformers"
    else:
        close = difflib.get_close_matches(name, [*ZOO, *torchvision_names()], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UserError(
            f"unknown model {name!r}{hint}: choose one of {', '.join(ZOO)}, any torchvision classification model "
            f"(e.g. efficientnet_b0), or a transformers model id / local checkpoint folder given as source"
        )
    if family == "torchvision" and not zoo:
        arch = raw.get("source") if raw.get("source") in torchvision_names() else name
        check(arch in torchvision_names(), f"model {name}: {arch!r} is not a torchvision classification model")
        architecture = arch
    elif zoo and not source:
        architecture = zoo.architecture
    else:
        architecture = source or name
    weights = raw.get("weights", data["weights"])
    check(weights in WEIGHTS, f"model {name}: weights must be one of {', '.join(WEIGHTS)}, got {weights!r}")
    family_obj = families[family]
    sweep = sweeps[family_obj.sweep]
    batch_sizes = raw.get("batch_sizes", sweep.batch_sizes)
    input_size = raw.get("input_size", sweep.input_size)
    input_sizes = raw.get("input_sizes", sweep.input_sizes)
    size_list(batch_sizes, f"model {name}: batch_sizes")
    positive_int(input_size, f"model {name}: input_size")
    size_list(input_sizes, f"model {name}: input_sizes")
    max_size = zoo.max_input_size if zoo else None
    for size in [input_size, *input_sizes]:
        check(
            size >= family_obj.min_input_size(),
            f"model {name}: input size {size} is below the smallest this family takes "
            f"({family_obj.min_input_size()} {family_obj.input_unit})",
        )
        check(
            max_size is None or size <= max_size,
            f"model {name}: input size {size} exceeds its maximum of {max_size} {family_obj.input_unit}",
        )
    task = raw.get("task") or zoo_task(name)
    check(task is None or task in TASKS, f"model {name}: task must be one of {', '.join(TASKS)}, got {task!r}")
    check(
        task not in ("imagefolder", "disk") or raw.get("data_path"),
        f"model {name}: task {task} needs data_path: the folder of your dev set",
    )
    variants = (
        parse_variants(raw["variants"], f"model {name}: variants", accelerator)
        if "variants" in raw
        else parse_variants(data["variants"], "variants", accelerator)
    )
    return ModelEntry(
        name=name,
        family=family,
        architecture=architecture,
        source=source,
        pretrained=raw.get("pretrained") or (zoo.pretrained if zoo else None),
        weights=weights,
        variants=variants,
        batch_sizes=sorted(set(batch_sizes)),
        input_size=input_size,
        input_sizes=sorted(set(input_sizes)),
        note=raw.get("note") or data["notes"].get(name, "") or (zoo.notes if zoo else ""),
        reference_params=zoo.reference_params if zoo else None,
        reference_source=zoo.reference_source if zoo else "",
        **published_accuracy(zoo, source or raw.get("pretrained")),
        max_input_size=max_size,
        attn_implementation=data["attn_implementation"],
        task=task,
        data_path=raw.get("data_path"),
        label_map=raw.get("label_map"),
    )


def published_accuracy(zoo, own_weights) -> dict:
    """The catalogue checkpoint's reported accuracy, only where the entry evaluates that checkpoint."""
    if not zoo or own_weights or zoo.checkpoint.reported_accuracy is None:
        return {}
    return {
        "published_accuracy": zoo.checkpoint.reported_accuracy,
        "published_accuracy_source": zoo.checkpoint.reported_source,
    }


def zoo_task(name: str) -> str | None:
    """The dev set a zoo model's pretrained checkpoint is evaluated on."""
    zoo = ZOO.get(name)
    return zoo.checkpoint.task if zoo else None


def lazy_torchvision_names():
    cache = []

    def names():
        if not cache:
            from bench_job.families.torchvision_family import classification_model_names

            cache.append(set(classification_model_names()))
        return cache[0]

    return names
