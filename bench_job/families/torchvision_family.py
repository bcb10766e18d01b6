"""torchvision image classifiers: input_size is the side of a square RGB image."""

from __future__ import annotations

import os

from bench_job.errors import UserError, one_line
from bench_job.families.base import Family


def classification_model_names() -> list[str]:
    """The classifiers torchvision.models registers, read from its source without importing it where that
    works: importing torchvision imports torch (5-10 s on a small machine), which a config check that only
    needs the names (a misspelt model must fail at once) should not pay."""
    names = registered_names_in_source()
    if names:
        return names
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


def registered_names_in_source() -> list[str]:
    """The functions decorated with @register_model() in torchvision/models/*.py (the classifiers of
    torchvision.models.list_models(module=torchvision.models), the top-level package only), found by
    parsing the source; [] when torchvision is absent or its source is not laid out so (the caller then
    imports it)."""
    import ast
    import importlib.util

    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.origin:
        return []
    folder = os.path.join(os.path.dirname(spec.origin), "models")
    names = set()
    try:
        files = sorted(f for f in os.listdir(folder) if f.endswith(".py"))
        for file in files:
            with open(os.path.join(folder, file), encoding="utf-8") as handle:
                text = handle.read()
            if "register_model" not in text:
                continue
            for node in ast.parse(text).body:
                if isinstance(node, ast.FunctionDef):
                    for deco in node.decorator_list:
                        if isinstance(deco, ast.Call) and getattr(deco.func, "id", None) == "register_model":
                            given = [k.value for k in deco.keywords if k.arg == "name"] + deco.args
                            name = given[0].value if given and isinstance(given[0], ast.Constant) else node.name
                            names.add(name)
    except (OSError, SyntaxError, UnicodeDecodeError):
        return []
    return sorted(names)


def imagenet_weights(architecture: str, name: str | None = "DEFAULT"):
    """The torchvision weights enum member of an architecture: DEFAULT (its best classification weights)
    or a named one such as IMAGENET1K_V1."""
    import torchvision

    enum = torchvision.models.get_model_weights(architecture)
    return enum.DEFAULT if (name or "DEFAULT") == "DEFAULT" else enum[name]


def encode_images(transform, images: list) -> tuple[tuple, dict, dict]:
    """(args, kwargs, facts): the weights' transforms applied per image, stacked into one batch."""
    import torch

    batch = torch.stack([transform(img) for img in images])
    return (batch,), {}, {"side": int(batch.shape[-1])}


class TorchvisionFamily(Family):
    name = "torchvision"
    sweep = "vision"
    input_unit = "px"
    modality = "image"
    library = "torchvision"

    def build(self, entry, weights: str, seed: int):
        import torch
        import torchvision

        torch.manual_seed(seed)
        if weights == "random":
            return torchvision.models.get_model(entry.architecture, weights=None)
        if entry.source and os.path.isfile(entry.source):
            # A user's own weights file for a torchvision architecture.
            return self.load_checkpoint(entry.architecture, entry.source)
        try:
            weight = imagenet_weights(entry.architecture, entry.pretrained)
            return torchvision.models.get_model(entry.architecture, weights=weight)
        except (OSError, RuntimeError) as exc:  # URLError is an OSError: the file is not in TORCH_HOME
            raise UserError(
                f"pretrained weights for {entry.name} are not in the local cache "
                f"({os.environ.get('TORCH_HOME', '~/.cache/torch')}/hub/checkpoints): run "
                f"`bench-job fetch --assets DIR` and pass --assets DIR, or use weights: random "
                f"({type(exc).__name__})"
            ) from None

    def load_checkpoint(self, architecture, path: str, attn_implementation: str = "eager"):
        import torch
        import torchvision

        model = torchvision.models.get_model(architecture, weights=None)
        try:
            model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        except (RuntimeError, OSError) as exc:
            raise UserError(f"cannot load weights {path} into {architecture} ({one_line(exc, 160)})") from None
        return model

    def preprocessing(self, entry, path: str | None = None):
        return imagenet_weights(entry.architecture, entry.pretrained).transforms()

    def real_input_encoder(self, preprocessing, model):
        return lambda images: encode_images(preprocessing, images)

    def make_inputs(self, model, batch_size: int, input_size: int, seed: int) -> dict:
        import torch

        generator = torch.Generator().manual_seed(seed)
        return {"x": torch.randn(batch_size, 3, input_size, input_size, generator=generator)}

    def max_input_size(self, model) -> int | None:
        return None

    def min_input_size(self) -> int:
        # Five stride-2 stages take 32 px to 1 px; smaller images fail inside most of these networks.
        return 32
