"""The model catalogue: every zoo model once, with what it is built from, its trained checkpoint and
the published figures it must match. The job (catalogue/resolve.py, through the config), the fetch step
and the accuracy step (evaluation/) all read it from here.

Transformers entries carry the released architecture configs because the library's default configs
(AlbertConfig(), LongformerConfig()) describe other models: random-init efficiency figures are only
valid when the architecture is exactly the released one.
"""

from __future__ import annotations

from dataclasses import dataclass

# Dev sets a model can be evaluated on: the two fetchable ones, and a user's own images or rows on disk.
TASKS = ("sst2", "imagenette", "imagefolder", "disk")


@dataclass(frozen=True)
class Checkpoint:
    """A released trained checkpoint and what is known of its output labels.

    label_map: "config" = read the checkpoint's id2label names (placeholder LABEL_i names fall back to
    output i = label i); "measure" = the order is unknown and is measured on the dev set; a list = a
    fixed map {model output: dataset label}; None = output i is label i (ImageNet-1k indices).
    """

    source: str  # HF repo id (transformers), or weights enum name (torchvision)
    task: str  # the dev set it is evaluated on
    label_map: object
    label_map_basis: str  # why that label map is believed
    reported_accuracy: float | None = None
    reported_source: str = ""
    revision: str = "main"
    tokenizer_source: str | None = None  # where the tokenizer comes from when the checkpoint ships none
    note: str = ""


@dataclass(frozen=True)
class ZooModel:
    family: str  # key into bench_job.families.FAMILIES
    architecture: object  # torchvision builder name, or a transformers config dict
    reference_params: int  # published parameter count of the base architecture
    reference_source: str  # where that figure comes from
    checkpoint: Checkpoint
    max_input_size: int | None = None
    notes: str = ""

    @property
    def pretrained(self) -> str:
        return self.checkpoint.source


def _textattack(source: str, reported: float, where: str, note: str = "") -> Checkpoint:
    return Checkpoint(
        source,
        "sst2",
        [0, 1],
        "textattack convention LABEL_0 = negative (no id2label in its config)",
        reported,
        where,
        note=note,
    )


def _imagenet_weights(name: str = "DEFAULT") -> Checkpoint:
    # DEFAULT is each architecture's best classification weights; VGG16's IMAGENET1K_FEATURES has no
    # classifier and must never be used for accuracy.
    return Checkpoint(
        name,
        "imagenette",
        None,
        "ImageNet-1k output indices",
        reported_source="torchvision weights meta, acc@1 on full ImageNet val",
    )


_BERT_BASE = dict(
    model_type="bert",
    vocab_size=30522,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072,
    max_position_embeddings=512,
    type_vocab_size=2,
)

ZOO: dict[str, ZooModel] = {
    "bert-base-uncased": ZooModel(
        "transformers",
        _BERT_BASE,
        109_482_240,
        "BERT paper / HF bert-base-uncased (110M, 109.5M counted)",
        _textattack(
            "textattack/bert-base-uncased-SST-2", 0.9243, "eval_results_sst-2.txt in the repo (eval_acc 0.92431)"
        ),
        512,
    ),
    "albert-base-v2": ZooModel(
        "transformers",
        dict(
            model_type="albert",
            vocab_size=30000,
            embedding_size=128,
            hidden_size=768,
            num_hidden_layers=12,
            num_attention_heads=12,
            intermediate_size=3072,
            hidden_act="gelu_new",
            max_position_embeddings=512,
            type_vocab_size=2,
            num_hidden_groups=1,
            inner_group_num=1,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        ),
        11_683_584,
        "ALBERT paper Table 1 (12M) / HF albert-base-v2 (11.7M counted)",
        _textattack(
            "textattack/albert-base-v2-SST-2",
            0.9255,
            "train_args.json best_eval_score 0.92546",
            note="ships only spiece.model: fetch converts it to tokenizer.json (needs sentencepiece, protobuf)",
        ),
        512,
        notes="one encoder layer shared by all 12: unique parameters are far fewer than those used per pass",
    ),
    "distilbert-base-uncased": ZooModel(
        "transformers",
        dict(
            model_type="distilbert",
            vocab_size=30522,
            dim=768,
            n_layers=6,
            n_heads=12,
            hidden_dim=3072,
            max_position_embeddings=512,
        ),
        66_362_880,
        "DistilBERT paper (66M) / HF distilbert-base-uncased (66.4M counted)",
        Checkpoint(
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
            "sst2",
            "config",
            "config id2label NEGATIVE/POSITIVE",
            0.9106,
            "model card model-index, glue sst2 validation 0.91055 (verified)",
        ),
        512,
    ),
    "longformer-base-4096": ZooModel(
        "transformers",
        dict(
            model_type="longformer",
            vocab_size=50265,
            hidden_size=768,
            num_hidden_layers=12,
            num_attention_heads=12,
            intermediate_size=3072,
            max_position_embeddings=4098,
            type_vocab_size=1,
            attention_window=[512] * 12,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            sep_token_id=2,
            layer_norm_eps=1e-5,
        ),
        148_659_456,
        "HF allenai/longformer-base-4096 (148.7M counted)",
        Checkpoint(
            "MasterGuda/longformer-finetuned-glue-sst2",
            "sst2",
            "measure",
            "no model card: label order measured on the dev set, not trusted",
            None,
            "none published (repository has weights, no card)",
            tokenizer_source="allenai/longformer-base-4096",
        ),
        4096,
        notes="pads every input up to a multiple of its 512-token attention window",
    ),
    "resnet18": ZooModel(
        "torchvision", "resnet18", 11_689_512, "torchvision ResNet18_Weights (11.7M)", _imagenet_weights()
    ),
    "mobilenet_v2": ZooModel(
        "torchvision", "mobilenet_v2", 3_504_872, "torchvision MobileNet_V2_Weights (3.5M)", _imagenet_weights()
    ),
    "squeezenet1_1": ZooModel(
        "torchvision", "squeezenet1_1", 1_235_496, "torchvision SqueezeNet1_1_Weights (1.2M)", _imagenet_weights()
    ),
    # VGG16's DEFAULT is IMAGENET1K_V1, the classifier.
    "vgg16": ZooModel("torchvision", "vgg16", 138_357_544, "torchvision VGG16_Weights (138.4M)", _imagenet_weights()),
    "mnasnet1_0": ZooModel(
        "torchvision", "mnasnet1_0", 4_383_312, "torchvision MNASNet1_0_Weights (4.4M)", _imagenet_weights()
    ),
}
