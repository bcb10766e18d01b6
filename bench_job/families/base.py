"""The interface every model family implements."""

from abc import ABC, abstractmethod


class Family(ABC):
    name: str          # config value of `family`
    sweep: str         # which sweep block of the config applies: "vision" or "nlp"
    input_unit: str    # what input_size counts: "px" (image side) or "tokens"
    library: str       # the module its models come from: imported before any model, as the framework's cost

    @abstractmethod
    def build(self, entry, weights: str, seed: int):
        """Return the model (an nn.Module, on the CPU, fp32, not yet in eval mode).

        Raises UserError when the weights or the architecture cannot be found.
        """

    @abstractmethod
    def preprocessing(self, entry):
        """What turns real dev data into inputs for a pretrained model: its tokenizer, or its transforms."""

    @abstractmethod
    def make_inputs(self, model, batch_size: int, input_size: int, seed: int) -> dict:
        """Synthetic keyword arguments for model(**inputs), on the CPU, fp32 for float tensors."""

    @abstractmethod
    def max_input_size(self, model) -> int | None:
        """The largest input size the built model accepts, or None when unbounded."""

    def min_input_size(self) -> int:
        return 1
