"""The interface every model family implements: how a model of one kind is built, fed and evaluated."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Family(ABC):
    name: str  # config value of `family`
    sweep: str  # which sweep block of the config applies: "vision" or "nlp"
    input_unit: str  # what input_size counts: "px" (image side) or "tokens"
    modality: str  # what its real dev sets hold: "image" or "text"
    library: str  # the module its models come from: imported before any model, as the framework's cost

    @abstractmethod
    def build(self, entry, weights: str, seed: int):
        """Return the model (an nn.Module, on the CPU, fp32, not yet in eval mode): the released
        architecture with random weights, or the entry's pretrained weights (its source, or its catalogue
        checkpoint through the library's cache).

        Raises UserError when the weights or the architecture cannot be found.
        """

    @abstractmethod
    def load_checkpoint(self, architecture, path: str, attn_implementation: str):
        """The trained model saved at a local path (a fetched checkpoint or the user's own), built the same
        way as `build` builds it, so that a pretrained run counts and times the same computation."""

    @abstractmethod
    def preprocessing(self, entry, path: str | None = None):
        """What turns real dev data into inputs for a pretrained model: its tokenizer, or its transforms;
        path: a local folder holding them (a fetched tokenizer), else the entry's own source."""

    @abstractmethod
    def real_input_encoder(self, preprocessing, model):
        """encode(raw rows) -> (args, kwargs, facts): a batch of dev-set rows as model inputs, with facts
        about it (padded length and tokens for text, image side for images)."""

    @abstractmethod
    def make_inputs(self, model, batch_size: int, input_size: int, seed: int) -> dict:
        """Synthetic keyword arguments for model(**inputs), on the CPU, fp32 for float tensors."""

    @abstractmethod
    def max_input_size(self, model) -> int | None:
        """The largest input size the built model accepts, or None when unbounded."""

    def min_input_size(self) -> int:
        return 1
