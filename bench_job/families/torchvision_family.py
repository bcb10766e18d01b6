"""torchvision image classifiers: input_size is the side of a square RGB image."""

from __future__ import annotations

import os

from bench_job.errors import UserError, one_line
from bench_job.families.base import Family


def classification_model_names() -> list[str]:
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


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
