"""torchvision image classifiers: input_size is the side of a square RGB image."""

import os

from bench_job.errors import UserError
from bench_job.families.base import Family


def classification_model_names() -> list[str]:
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


class TorchvisionFamily(Family):
    name = "torchvision"
    sweep = "vision"
    input_unit = "px"
    library = "torchvision"

    def build(self, entry, weights: str, seed: int):
        import torch
        import torchvision

        torch.manual_seed(seed)
        if weights == "random":
            return torchvision.models.get_model(entry.architecture, weights=None)
        if entry.source and os.path.isfile(entry.source):
            # A user's own weights file for a torchvision architecture.
            model = torchvision.models.get_model(entry.architecture, weights=None)
            state = torch.load(entry.source, map_location="cpu", weights_only=True)
            model.load_state_dict(state)
            return model
        weight_name = entry.pretrained or "DEFAULT"
        try:
            enum = torchvision.models.get_model_weights(entry.architecture)
            weight = enum[weight_name] if weight_name != "DEFAULT" else enum.DEFAULT
            return torchvision.models.get_model(entry.architecture, weights=weight)
        except (OSError, RuntimeError) as exc:  # URLError is an OSError: the file is not in TORCH_HOME
            raise UserError(
                f"pretrained weights for {entry.name} are not in the local cache "
                f"({os.environ.get('TORCH_HOME', '~/.cache/torch')}/hub/checkpoints): run "
                f"`bench-job fetch --assets DIR` and pass --assets DIR, or use weights: random "
                f"({type(exc).__name__})") from None

    def preprocessing(self, entry):
        import torchvision

        enum = torchvision.models.get_model_weights(entry.architecture)
        weights = enum.DEFAULT if (entry.pretrained or "DEFAULT") == "DEFAULT" else enum[entry.pretrained]
        return weights.transforms()

    def make_inputs(self, model, batch_size: int, input_size: int, seed: int) -> dict:
        import torch

        generator = torch.Generator().manual_seed(seed)
        return {"x": torch.randn(batch_size, 3, input_size, input_size, generator=generator)}

    def max_input_size(self, model) -> int | None:
        return None

    def min_input_size(self) -> int:
        # Five stride-2 stages take 32 px to 1 px; smaller images fail inside most of these networks.
        return 32
