"""The host's NVIDIA stack from its dpkg status file (real stanza format: tests/host/jetson_host_captures.py)."""

from __future__ import annotations

from bench_job.host.host_packages import host_stack, installed_packages, upstream_version
from tests.host.jetson_host_captures import DPKG_STATUS_JP451, DPKG_STATUS_JP621


def test_only_installed_packages_count_and_description_lines_are_not_fields():
    packages = installed_packages(DPKG_STATUS_JP621)
    assert "libcudnn8" not in packages  # `deinstall ok config-files`: removed
    assert packages["libcudnn9-cuda-12"] == "9.3.0.75-1"  # not the "Version: 0.0" of its description
    assert packages["nvidia-l4t-core"] == "36.4.4-20250616085344"
    assert installed_packages(None) == {} and installed_packages("not a status file\n\n\n") == {}


def test_the_jetpack_6_stack_from_its_packages():
    assert host_stack(installed_packages(DPKG_STATUS_JP621)) == {
        "l4t": "36.4.4",
        "jetpack": "6.2.1",
        "cuda": "12.6.68",  # the runtime library, not the cuda-runtime meta-package's 12.6.11
        "cudnn": "9.3.0.75",
        "tensorrt": "10.3.0.30",
    }


def test_the_jetpack_4_stack_and_what_it_lacks():
    assert host_stack(installed_packages(DPKG_STATUS_JP451)) == {
        "l4t": None,
        "jetpack": "4.5.1",
        "cuda": "10.2.300",
        "cudnn": None,
        "tensorrt": None,
    }


def test_library_packages_stand_in_for_missing_meta_packages():
    status = DPKG_STATUS_JP621.replace("Package: tensorrt\n", "Package: tensorrt-removed\n")
    status = status.replace("Package: cuda-cudart-12-6\n", "Package: cuda-cudart-gone\n")
    stack = host_stack(installed_packages(status))
    assert (stack["tensorrt"], stack["cuda"]) == ("10.3.0.30", "12.6.11")  # libnvinfer10, cuda-runtime-12-6


def test_upstream_versions_drop_epoch_revision_and_build_tags():
    assert upstream_version("1:10.3.0.30-1+cuda12.5") == "10.3.0.30"
    assert upstream_version("7.2.1-b49") == "7.2.1"  # nvidia-jetpack-runtime on R39.2 (Seeed issue 57)
    assert upstream_version("6.2.1+b38") == "6.2.1"
    assert upstream_version("8.6.0.166-1+cuda11.4") == "8.6.0.166"
