"""Which dev set a task name means, and where it is read from."""

from evaluation import assets
from evaluation.datasets_imagenet import load_disk, load_imagefolder, load_imagenette
from evaluation.datasets_sst2 import load_sst2
from evaluation.errors import UserError


def load_eval_set(task: str, *, assets_dir: str | None = None, data_path: str | None = None):
    """sst2 / imagenette read the fetched copy in assets_dir (or data_path when given);
    imagefolder / disk read a user's own ImageNet-labelled images at data_path."""
    if task in ("sst2", "imagenette"):
        path = data_path or (assets.data_dir(assets_dir, task) if assets_dir else None)
        if path is None:
            raise UserError(f"task {task} needs --assets DIR (after `bench-job fetch --assets DIR`) or a data path")
        return load_sst2(path) if task == "sst2" else load_imagenette(path)
    if task in ("imagefolder", "disk"):
        if not data_path:
            raise UserError(f"task {task} needs the path of your dev set (data_path)")
        return load_imagefolder(data_path) if task == "imagefolder" else load_disk(data_path)
    raise UserError(f"unknown evaluation task {task!r}: use one of {', '.join(assets.TASKS)}")
