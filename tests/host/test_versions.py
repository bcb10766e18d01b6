"""env.json's versions: the job's own stack (the image's in a container) against the host's packages and
release, with each version's source."""

from __future__ import annotations

import sys

from bench_job.host.host_packages import host_stack, installed_packages
from bench_job.host.versions import COMPONENTS, cudnn_version, runtime_versions, stack_versions
from tests.host.jetson_host_captures import DPKG_STATUS_JP451, DPKG_STATUS_JP621

JP621 = host_stack(installed_packages(DPKG_STATUS_JP621))
# The image's stack: a JetPack 6 image with torch built for CUDA 12.6 and ONNX Runtime, no TensorRT module.
IMAGE = {"torch": "2.8.0", "cuda": "12.6", "cudnn": "9.3.0", "tensorrt": None, "onnxruntime": "1.23.0"}
NO_PACKAGES = ({}, "absent")


def test_in_a_container_the_images_versions_come_with_the_hosts():
    older_host = dict(JP621, cuda="12.2.140")
    versions = stack_versions(IMAGE, "image", ("36.4.4", "host"), (older_host, "host"))
    assert list(versions) == list(COMPONENTS)
    assert versions["l4t"] == {"version": "36.4.4", "source": "host"}
    assert versions["jetpack"] == {"version": "6.2.1", "source": "host"}  # the host's nvidia-jetpack package
    assert versions["cuda"] == {"version": "12.6", "source": "image", "host_version": "12.2.140"}
    assert versions["cudnn"] == {"version": "9.3.0", "source": "image", "host_version": "9.3.0.75"}
    # No TensorRT module in the image: the host's TensorRT is what there is.
    assert versions["tensorrt"] == {"version": "10.3.0.30", "source": "host"}
    assert versions["onnxruntime"] == {"version": "1.23.0", "source": "image"}
    assert versions["torch"] == {"version": "2.8.0", "source": "image"}


def test_jetpack_is_derived_from_the_l4t_release_without_the_hosts_packages():
    versions = stack_versions(IMAGE, "image", ("35.4.1", "host"), NO_PACKAGES)
    assert versions["jetpack"] == {"version": "5.1.2", "source": "derived from L4T 35.4.1"}
    assert versions["tensorrt"] == {"version": None, "source": None}
    assert "host_version" not in versions["cuda"]


def test_the_l4t_release_comes_from_the_packages_when_the_release_file_is_missing():
    versions = stack_versions(IMAGE, "image", (None, None), (JP621, "host"))
    assert versions["l4t"] == {"version": "36.4.4", "source": "host"}


def test_outside_a_container_everything_is_the_hosts():
    jp4 = host_stack(installed_packages(DPKG_STATUS_JP451))
    cpu_torch = dict(IMAGE, cuda=None, cudnn=None, onnxruntime=None)
    versions = stack_versions(cpu_torch, "host", ("32.7.1", "host"), (jp4, "host"))
    assert versions["cuda"] == {"version": "10.2.300", "source": "host"}  # torch is a CPU build: the board's CUDA
    assert versions["jetpack"] == {"version": "4.5.1", "source": "host"}  # the package's, over the table's 4.6.1
    assert versions["torch"] == {"version": "2.8.0", "source": "host"}
    assert versions["onnxruntime"] == {"version": None, "source": None}


def test_an_images_own_package_database_is_not_the_hosts():
    versions = stack_versions(IMAGE, "image", ("36.4.4", "image"), (dict(JP621, cuda="12.2.140"), "image"))
    assert "host_version" not in versions["cuda"]
    assert versions["jetpack"]["source"] == "image"


def test_cudnn_numbers_of_both_encodings():
    assert cudnn_version(92400) == "9.24.0" and cudnn_version(90300) == "9.3.0"
    assert cudnn_version(8902) == "8.9.2" and cudnn_version(8600) == "8.6.0"
    assert cudnn_version(None) is None


def test_the_jobs_own_stack_with_a_tensorrt_that_does_not_import(monkeypatch):
    import torch

    monkeypatch.setitem(sys.modules, "tensorrt", None)  # `import tensorrt` raises ImportError
    runtime = runtime_versions()
    assert runtime["torch"] == torch.__version__ and runtime["tensorrt"] is None
    assert runtime["torch_build"] == (f"CUDA {torch.version.cuda}" if torch.version.cuda else "CPU")
    assert isinstance(runtime["onnxruntime_providers"], list)
