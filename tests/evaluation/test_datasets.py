"""Dev-set loaders: ImageFolder relabelling, save_to_disk folders, and the errors a user can fix."""

import os

import pytest

from evaluation.data import load_eval_set
from evaluation.errors import EvaluationDataError, UserError
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

    ds = datasets.Dataset.from_dict({"image": fixtures.make_images(3, seed=4), "label": [5, 999, 0]},
                                    features=datasets.Features({"image": datasets.Image(), "label": datasets.Value("int64")}))
    ds.save_to_disk(str(tmp_path / "mine"))
    data = load_eval_set("disk", data_path=str(tmp_path / "mine"))
    assert data.labels == [5, 999, 0] and data.restrict_to is None


def test_disk_folder_with_imagenette_class_labels(tmp_path):
    fixtures.make_imagenette_dataset(per_class=1).save_to_disk(str(tmp_path / "nette"))
    data = load_eval_set("disk", data_path=str(tmp_path / "nette"))
    assert data.labels == [0, 217, 482, 491, 497, 566, 569, 571, 574, 701]


def test_sst2_test_split_with_hidden_labels_is_refused(tmp_path):
    import datasets

    datasets.Dataset.from_dict({"sentence": ["a", "b"], "label": [-1, -1], "idx": [0, 1]}).save_to_disk(str(tmp_path / "t"))
    with pytest.raises(EvaluationDataError, match="use the validation split"):
        load_eval_set("sst2", data_path=str(tmp_path / "t"))


def test_user_tasks_need_a_path():
    with pytest.raises(UserError, match="needs the path"):
        load_eval_set("imagefolder")
