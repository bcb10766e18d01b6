"""Every version that changes a Jetson's numbers, and whose it is: L4T, JetPack, CUDA, cuDNN, TensorRT, ONNX
Runtime and torch (env.json's `versions`).

Two places say them. The job's own Python stack (the image's, inside a container) is what ran the models:
torch and the CUDA and cuDNN it was built with, TensorRT's and ONNX Runtime's Python packages. The host's
files say what the board runs: its L4T release line and its package database (host_packages.py). Inside a
container the two differ (an image's CUDA 12.6 on a host with CUDA 12.2), so each entry names its source,
and the host's version rides along where the job's own came from the image. JetPack is read from the
host's packages where they are installed, else derived from the L4T release (jetson_release.JETPACK).

runtime_versions() imports torch, TensorRT and ONNX Runtime: collect_env calls it in a spawned child.
"""

from __future__ import annotations

from bench_job.host.host_files import ABSENT, HOST
from bench_job.host.jetson_release import jetpack_for

COMPONENTS = ("l4t", "jetpack", "cuda", "cudnn", "tensorrt", "onnxruntime", "torch", "loadgen")


def cudnn_version(number: int | None) -> str | None:
    """torch.backends.cudnn.version()'s integer as "9.3.0": cuDNN 9 encodes major*10000 + minor*100 + patch
    (92400 = 9.24.0), cuDNN 8 and older major*1000 + minor*100 + patch (8902 = 8.9.2) (cudnn_version.h)."""
    if not number:
        return None
    major, rest = divmod(number, 10000) if number >= 10000 else divmod(number, 1000)
    return f"{major}.{rest // 100}.{rest % 100}"


def loadgen_version() -> str | None:
    """MLPerf LoadGen's version as installed (PyPI mlcommons-loadgen), None where it is not: read from the package's
    metadata, without loading its C++ module."""
    from importlib import metadata

    try:
        return metadata.version("mlcommons-loadgen")
    except metadata.PackageNotFoundError:
        return None


def runtime_versions() -> dict:
    """The job's own stack: {"torch", "cuda", "cudnn", "tensorrt", "onnxruntime", "loadgen": version or None,
    "onnxruntime_providers": [...], "torch_build": "CUDA 12.6" | "ROCm 6.2" | "CPU"}. A library that is
    missing or fails to import (TensorRT without its native libraries) is None, never an error."""
    import torch

    try:
        cudnn = cudnn_version(torch.backends.cudnn.version())
    except Exception:  # a CUDA build whose libcudnn is missing raises on the query
        cudnn = None
    cuda, hip = torch.version.cuda, getattr(torch.version, "hip", None)
    versions = {
        "torch": torch.__version__,
        "cuda": cuda,
        "cudnn": cudnn,
        "tensorrt": None,
        "onnxruntime": None,
        "onnxruntime_providers": [],
        "loadgen": loadgen_version(),
        "torch_build": f"CUDA {cuda}" if cuda else f"ROCm {hip}" if hip else "CPU",
    }
    try:
        import tensorrt

        versions["tensorrt"] = str(tensorrt.__version__)
    except Exception:  # ImportError, or OSError from its native libraries
        pass
    try:
        import onnxruntime

        versions["onnxruntime"] = str(onnxruntime.__version__)
        versions["onnxruntime_providers"] = list(onnxruntime.get_available_providers())
    except Exception:
        pass
    return versions


def _entry(version, source, host_version=None) -> dict:
    entry = {"version": version, "source": source if version else None}
    if host_version and source != HOST:
        entry["host_version"] = host_version
    return entry


def stack_versions(runtime: dict, own_source: str, release: tuple, packages: tuple) -> dict:
    """env.json's `versions`: {component: {"version", "source"[, "host_version"]}} for COMPONENTS.
    runtime: runtime_versions(); own_source: whose the job's stack is ("image" in a container, else "host");
    release: (L4T version such as "36.4.4", its file's source) from nv_tegra_release; packages:
    (host_packages.host_stack(), the dpkg status file's source)."""
    stack, packages_source = packages
    from_packages = packages_source not in (None, ABSENT)
    l4t, l4t_source = release
    if not l4t and from_packages and stack.get("l4t"):
        l4t, l4t_source = stack["l4t"], packages_source
    jetpack, jetpack_source = (stack.get("jetpack"), packages_source) if from_packages else (None, None)
    if not jetpack and jetpack_for(l4t):
        jetpack, jetpack_source = jetpack_for(l4t), f"derived from L4T {l4t}"
    versions = {"l4t": _entry(l4t, l4t_source), "jetpack": _entry(jetpack, jetpack_source)}
    for name in ("cuda", "cudnn", "tensorrt"):
        hosts = stack.get(name) if from_packages and packages_source == HOST else None
        if runtime.get(name):
            versions[name] = _entry(runtime[name], own_source, hosts)
        else:
            versions[name] = _entry(stack.get(name) if from_packages else None, packages_source)
    for name in ("onnxruntime", "torch", "loadgen"):
        versions[name] = _entry(runtime.get(name), own_source)
    return versions
