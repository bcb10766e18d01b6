"""Which dev set a task name means, where it is read from, and what the results call it.

A dev set is named after where it came from: the fetched copy by its source and revision in the assets'
manifest (GLUE SST-2 only when it is GLUE's), a user's own folder (data_path) by that path, whatever the
task's usual data set is.
"""

from __future__ import annotations

from bench_job.catalogue.zoo import TASKS
from evaluation import assets
from evaluation.datasets_imagenet import load_disk, load_imagefolder
from evaluation.datasets_sst2 import load_sst2
from evaluation.errors import EvaluationError
from evaluation.fetching import entry


def fetched_name(assets_dir: str, task: str) -> str:
    """'GLUE SST-2 validation, nyu-mll/glue revision 1a2b3c4d5e6f': the name, source and revision that
    fetch recorded for the task's dev set."""
    item = entry(assets_dir, f"data:{task}")
    source = str(item.get("source") or assets.DATASETS[task]["repo"])
    if source.startswith("hf://datasets/"):  # str.removeprefix needs Python 3.9
        source = source[len("hf://datasets/") :]
    revision = item.get("revision")
    if isinstance(revision, str) and len(revision) == 40 and all(c in "0123456789abcdef" for c in revision):
        revision = revision[:12]  # a commit id, shortened as git does
    return f"{item.get('name') or assets.DATASETS[task]['name']}, {source} " + (
        f"revision {revision}" if revision else "revision not recorded"
    )


def users_name(task: str, data_path: str) -> str:
    return f"{task} dev set from {data_path}"


def load_eval_set(task: str, *, assets_dir: str | None = None, data_path: str | None = None):
    """sst2 / imagenette read data_path when given, else the fetched copy in assets_dir;
    imagefolder / disk read a user's own ImageNet-labelled images at data_path."""
    if task in ("sst2", "imagenette"):
        if data_path:
            path, name = data_path, users_name(task, data_path)
        elif assets_dir:
            path, name = assets.data_dir(assets_dir, task), fetched_name(assets_dir, task)
        else:
            raise EvaluationError(
                f"task {task} needs --assets DIR (after `bench-job fetch --assets DIR`) or a data path"
            )
        return load_sst2(path, name) if task == "sst2" else load_disk(path, name)
    if task in ("imagefolder", "disk"):
        if not data_path:
            raise EvaluationError(f"task {task} needs the path of your dev set (data_path)")
        loader = load_imagefolder if task == "imagefolder" else load_disk
        return loader(data_path, users_name(task, data_path))
    raise EvaluationError(f"unknown evaluation task {task!r}: use one of {', '.join(TASKS)}")
