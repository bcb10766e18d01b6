"""Dev-set loaders: ImageFolder relabelling, save_to_disk folders, and the errors a user can fix."""

from __future__ import annotations

import os

import pytest

from evaluation.data import load_eval_set
from evaluation.errors import EvaluationDataError, EvaluationError
from tests.evaluation import fixtures


def _image_folder(root, class_names, per_class=2):
    for i, name in enumerate(class_names):
        os.makedirs(os.path.join(root, name))
        for j, image in enumerate(fixtures.make_images(per_class, seed=i)):
            image.save(os.path.join(root, name, f"{j}.png"))
    return root


def test_imagenet_v2_style_folders_are_relabelled_by_their_integer_names(tmp_path):
    # ImageFolder sorts '10' before '2'; its class index 1 is folder '10', which is ImageNet class 10
    root = _image_folder(str(tmp_path / "v2"), ["0", "2", "10", "217"])
    data = load_eval_set("imagefolder", data_path=root)
    assert sorted(set(data.labels)) == [0, 2, 10, 217]
    assert data.labels == [0, 0, 10, 10, 2, 2, 217, 217]  # folder order '0', '10', '2', '217'
    assert data.restrict_to is None  # not an Imagenette subset
    assert data.inputs([0])[0].mode == "RGB"


def test_imagenette_wnid_folders_map_to_imagenet_indices(tmp_path):
    root = _image_folder(str(tmp_path / "val"), ["n03888257", "n01440764"], per_class=1)
    data = load_eval_set("imagefolder", data_path=root)
    assert data.labels == [0, 701]
    assert data.restrict_to == [0, 217, 482, 491, 497, 566, 569, 571, 574, 701]


def test_folders_with_other_names_are_refused_with_the_fix(tmp_path):
    root = _image_folder(str(tmp_path / "pets"), ["cat", "dog"], per_class=1)
    with pytest.raises(EvaluationDataError, match="name the class folders by ImageNet-1k index"):
        load_eval_set("imagefolder", data_path=root)


def test_disk_folder_with_imagenet_indices(tmp_path):
    import datasets

    ds = datasets.Dataset.from_dict(
        {"image": fixtures.make_images(3, seed=4), "label": [5, 999, 0]},
        features=datasets.Features({"image": datasets.Image(), "label": datasets.Value("int64")}),
    )
    ds.save_to_disk(str(tmp_path / "mine"))
    data = load_eval_set("disk", data_path=str(tmp_path / "mine"))
    assert data.labels == [5, 999, 0] and data.restrict_to is None


def test_disk_folder_with_imagenette_class_labels(tmp_path):
    fixtures.make_imagenette_dataset(per_class=1).save_to_disk(str(tmp_path / "nette"))
    data = load_eval_set("disk", data_path=str(tmp_path / "nette"))
    assert data.labels == [0, 217, 482, 491, 497, 566, 569, 571, 574, 701]


def test_sst2_test_split_with_hidden_labels_is_refused(tmp_path):
    import datasets

    datasets.Dataset.from_dict({"sentence": ["a", "b"], "label": [-1, -1], "idx": [0, 1]}).save_to_disk(
        str(tmp_path / "t")
    )
    with pytest.raises(EvaluationDataError, match="use the validation split"):
        load_eval_set("sst2", data_path=str(tmp_path / "t"))


def test_user_tasks_need_a_path():
    with pytest.raises(EvaluationError, match="needs the path"):
        load_eval_set("imagefolder")


def test_a_users_sst2_folder_is_named_after_its_path_not_glue(tmp_path, fetched_assets):
    path = str(tmp_path / "my_sentences")
    fixtures.make_sst2_dataset(40).save_to_disk(path)
    data = load_eval_set("sst2", assets_dir=fetched_assets, data_path=path)  # fetched GLUE data lies beside it
    assert data.name == f"sst2 dev set from {path}" and len(data) == 40


def test_a_users_imagenette_folder_is_named_after_its_path_not_imagenette(tmp_path, fetched_assets):
    path = str(tmp_path / "my_images")
    fixtures.make_imagenette_dataset(per_class=1).save_to_disk(path)
    data = load_eval_set("imagenette", assets_dir=fetched_assets, data_path=path)
    assert data.name == f"imagenette dev set from {path}"


def test_users_image_folders_are_named_after_their_paths(tmp_path):
    folder = _image_folder(str(tmp_path / "v2"), ["0", "217"], per_class=1)
    assert load_eval_set("imagefolder", data_path=folder).name == f"imagefolder dev set from {folder}"
    disk = str(tmp_path / "nette")
    fixtures.make_imagenette_dataset(per_class=1).save_to_disk(disk)
    assert load_eval_set("disk", data_path=disk).name == f"disk dev set from {disk}"


def test_fetched_dev_sets_are_named_with_their_source_and_the_manifests_revision(fetched_assets):
    assert (
        load_eval_set("sst2", assets_dir=fetched_assets).name == "GLUE SST-2 validation, nyu-mll/glue revision fixture"
    )
    assert (
        load_eval_set("imagenette", assets_dir=fetched_assets).name
        == "Imagenette (320px) validation, ImageNet-1k labels, frgfm/imagenette revision fixture"
    )


def test_a_commit_revision_is_shortened_and_a_missing_one_is_said(assets_copy):
    from evaluation import manifest

    recorded = manifest.load(assets_copy)
    recorded["items"]["data:sst2"]["revision"] = "0123456789abcdef" * 2 + "01234567"
    manifest.save(assets_copy, recorded)
    assert load_eval_set("sst2", assets_dir=assets_copy).name.endswith("nyu-mll/glue revision 0123456789ab")
    recorded["items"]["data:sst2"]["revision"] = None
    manifest.save(assets_copy, recorded)
    assert load_eval_set("sst2", assets_dir=assets_copy).name.endswith("nyu-mll/glue revision not recorded")
