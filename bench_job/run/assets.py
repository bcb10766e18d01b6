"""The assets folder (`bench-job fetch` fills it, `bench-job run --assets` reads it offline): what a run
needs from it, and the fetch command's body.

prepare_assets never changes the config's model entries: it returns the models the run measures, with
replaced entries (random weights, and a note saying why) where a checkpoint is missing."""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass

from bench_job.errors import UserError, one_line, user_fixable

RANDOM_WEIGHTS_NOTE = "pretrained weights unavailable ({error}); measured with random weights"


class Checkpoints:
    """The evaluation package's knowledge of published checkpoints and of the assets folder. Importing it
    imports torch, so it is built only when a run or a fetch uses an assets folder; a test passes its own."""

    def __init__(self):
        from evaluation import PRETRAINED, AssetsError, offline_env, require

        self.published = PRETRAINED  # model name -> its published checkpoint
        self.error = AssetsError  # what require raises for missing or corrupt assets
        self.offline_env = offline_env  # assets folder -> environment variables for working offline
        self.require = require  # (assets, model names, tasks, deep) -> None, or raises self.error


@dataclass(frozen=True)
class PreparedAssets:
    models: list  # the models the run measures (config.ModelEntry), in plan order
    environ: dict  # environment variables to set: work offline from the assets folder
    warnings: list  # to log once the run log exists


def checkpoint_models(models: list, published, pretrained_only: bool = True) -> list:
    """Zoo models whose published checkpoint the assets folder holds (or should)."""
    return [
        m for m in models if m.name in published and not m.source and (m.weights == "pretrained" or not pretrained_only)
    ]


def prepare_assets(config, checkpoints: Checkpoints | None = None) -> PreparedAssets:
    """With --assets: work offline from it, and check it holds what the pretrained models need.

    Missing or corrupt assets stop the run with the fix named (the assets error, one line), or, with
    accuracy.optional, turn the affected models to random weights (efficiency figures stay valid) and
    say so in every row."""
    assets = config.run.assets
    models = list(config.models)
    if not assets:
        return PreparedAssets(models, {}, [])
    if not os.path.isdir(assets):
        raise UserError(f"assets folder {assets} does not exist: run `bench-job fetch --assets {assets}` first")
    checkpoints = checkpoints or Checkpoints()
    environ = dict(checkpoints.offline_env(os.path.abspath(assets)))
    needing = checkpoint_models(models, checkpoints.published)
    if not needing:
        return PreparedAssets(models, environ, [])
    try:
        checkpoints.require(assets, [m.name for m in needing], sorted({m.task for m in needing if m.task}), deep=False)
    except checkpoints.error as exc:
        if not config.accuracy.optional:
            raise
        note = RANDOM_WEIGHTS_NOTE.format(error=exc)
        swapped = {id(m) for m in needing}
        models = [
            dataclasses.replace(m, weights="random", weights_note=note) if id(m) in swapped else m for m in models
        ]
        warning = (
            f"{exc}: the run goes on with random weights for {', '.join(m.name for m in needing)} "
            f"(accuracy.optional); their rows say so"
        )
        return PreparedAssets(models, environ, [warning])
    return PreparedAssets(models, environ, [])


def fetch_assets(config, assets: str, progress: bool | None = None) -> int:
    """`bench-job fetch`: download the configured models' checkpoints and their dev sets into assets,
    then print what each item is and the folder."""
    from evaluation import DATASETS, fetch

    models = checkpoint_models(config.models, Checkpoints().published, pretrained_only=False)
    tasks = sorted({m.task for m in config.models if m.task in DATASETS})
    if not models and not tasks:
        raise UserError(
            "nothing to fetch: none of the configured models has a published checkpoint "
            "(zoo models do; bring your own with source: FOLDER)"
        )
    try:
        outcome = fetch(
            assets, [m.name for m in models], tasks, progress=sys.stderr.isatty() if progress is None else progress
        )
    except Exception as exc:  # network and hub failures: what was fetched is kept, a re-run resumes
        if user_fixable(exc):
            raise
        raise UserError(
            f"fetch into {assets} stopped ({one_line(exc, 200)}); "
            f"check the network and run the same command again: completed items are kept"
        ) from None
    for item, what in outcome.items():
        print(f"{what}: {item}")
    print(os.path.abspath(assets))
    return 0
