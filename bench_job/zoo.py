"""The model zoo: names users type, what each is built from, and the published figures it must match.

Transformers entries carry the released architecture configs because the library's default configs
(AlbertConfig(), LongformerConfig()) describe other models: random-init efficiency figures are only
valid when the architecture is exactly the released one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ZooModel:
    family: str                      # key into bench_job.families.FAMILIES
    architecture: object             # torchvision builder name, or a transformers config dict
    reference_params: int            # published parameter count of the base architecture
    reference_source: str            # where that figure comes from
    pretrained: str                  # checkpoint id (transformers) or weights enum name (torchvision)
    max_input_size: int | None = None
    notes: str = ""


_BERT_BASE = dict(
    model_type="bert", vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
    intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2,
)

ZOO: dict[str, ZooModel] = {
    "bert-base-uncased": ZooModel(
        "transformers", _BERT_BASE, 109_482_240, "BERT paper / HF bert-base-uncased (110M, 109.5M counted)",
        "textattack/bert-base-uncased-SST-2", 512),
    "albert-base-v2": ZooModel(
        "transformers",
        dict(model_type="albert", vocab_size=30000, embedding_size=128, hidden_size=768, num_hidden_layers=12,
             num_attention_heads=12, intermediate_size=3072, hidden_act="gelu_new", max_position_embeddings=512,
             type_vocab_size=2, num_hidden_groups=1, inner_group_num=1, hidden_dropout_prob=0.0,
             attention_probs_dropout_prob=0.0),
        11_683_584, "ALBERT paper Table 1 (12M) / HF albert-base-v2 (11.7M counted)",
        "textattack/albert-base-v2-SST-2", 512,
        notes="one encoder layer shared by all 12: unique parameters are far fewer than those used per pass"),
    "distilbert-base-uncased": ZooModel(
        "transformers",
        dict(model_type="distilbert", vocab_size=30522, dim=768, n_layers=6, n_heads=12, hidden_dim=3072,
             max_position_embeddings=512),
        66_362_880, "DistilBERT paper (66M) / HF distilbert-base-uncased (66.4M counted)",
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english", 512),
    "longformer-base-4096": ZooModel(
        "transformers",
        dict(model_type="longformer", vocab_size=50265, hidden_size=768, num_hidden_layers=12,
             num_attention_heads=12, intermediate_size=3072, max_position_embeddings=4098, type_vocab_size=1,
             attention_window=[512] * 12, pad_token_id=1, bos_token_id=0, eos_token_id=2, sep_token_id=2,
             layer_norm_eps=1e-5),
        148_659_456, "HF allenai/longformer-base-4096 (148.7M counted)",
        "MasterGuda/longformer-finetuned-glue-sst2", 4096,
        notes="pads every input up to a multiple of its 512-token attention window"),
    "resnet18": ZooModel("torchvision", "resnet18", 11_689_512, "torchvision ResNet18_Weights (11.7M)", "DEFAULT"),
    "mobilenet_v2": ZooModel("torchvision", "mobilenet_v2", 3_504_872, "torchvision MobileNet_V2_Weights (3.5M)",
                             "DEFAULT"),
    "squeezenet1_1": ZooModel("torchvision", "squeezenet1_1", 1_235_496, "torchvision SqueezeNet1_1_Weights (1.2M)",
                              "DEFAULT"),
    "vgg16": ZooModel("torchvision", "vgg16", 138_357_544, "torchvision VGG16_Weights (138.4M)",
                      "IMAGENET1K_V1"),
    "mnasnet1_0": ZooModel("torchvision", "mnasnet1_0", 4_383_312, "torchvision MNASNet1_0_Weights (4.4M)",
                           "DEFAULT"),
}

DEFAULT_MODELS = list(ZOO)
