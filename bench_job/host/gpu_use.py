"""Why a run on a Jetson left its GPU unused, from what env.json holds: the board's L4T release (read through
--host-root), whether torch is a CUDA build, whether it sees the GPU, and the accelerator asked for. Nothing
is said off a Jetson or when the GPU ran the inference: a laptop's CPU run is not news, a Jetson's is."""

from __future__ import annotations

import re

# Line 1 of /etc/nv_tegra_release, e.g. "# R32 (release), REVISION: 7.1, GCID: ..." (JETSON.md section 4).
# docker/jetson_base.py parses it too, on the host and outside the package (JetPack 4's Python 3.6).
_RELEASE = re.compile(r"^#\s*R(\d+)\s*\(release\),\s*REVISION:\s*(\d+(?:\.\d+)*)")

# L4T R32 is JetPack 4 (Ubuntu 18.04, Python 3.6: jetson-containers' l4t_version.py, JETSON.md section 1). NVIDIA's
# CUDA torch for it stops at 1.10 for cp36 (the wheel jetson-containers' scripts/docker_build_ml.sh installed;
# nvcr.io/nvidia/l4t-pytorch's last r32 tag is r32.7.1-pth1.10-py3: JETSON.md sections 2 and 3).
JETPACK4_MAJOR = 32
_NO_JETPACK4_TORCH = (
    "NVIDIA's CUDA builds of torch for JetPack 4 exist only for Python 3.6 (torch 1.10 at most) and this job needs "
    "Python 3.8 or newer"
)
_CPU_PATH = "inference on the CPU, power from the board's sensors"


def l4t_version(line: str | None) -> tuple | None:
    """(major, "R<major>.<revision>") from line 1 of nv_tegra_release, e.g. (32, "R32.7.1"); None if not one."""
    match = _RELEASE.match(line or "")
    if not match:
        return None
    return int(match.group(1)), f"R{match.group(1)}.{match.group(2)}"


def _release_name(line: str | None) -> str:
    version = l4t_version(line)
    return f"L4T {version[1]}" if version else "L4T release unknown"


def gpu_unused_reason(env: dict, accelerator: str, requested: str) -> str | None:
    """One line saying why the GPU was not used, or None where there is nothing to say. env: collect_env's
    facts (the hardware's kind is detected_device_kind where the run's profile replaced device_kind);
    accelerator: the run's, as resolved; requested: run.accelerator (cpu | cuda | auto)."""
    kind = env.get("detected_device_kind") or env.get("device_kind")
    if kind != "jetson" or accelerator != "cpu":
        return None
    release = env.get("l4t_release")
    version = l4t_version(release)
    build = env.get("torch_cuda_build")
    if version and version[0] == JETPACK4_MAJOR and not env.get("cuda_available"):
        if not build:
            return (
                f"JetPack 4 (L4T {version[1]}): {_NO_JETPACK4_TORCH}, so this image runs PyPI's CPU build of torch: "
                f"{_CPU_PATH}"
            )
        # JetPack 4 has CUDA 10.2 and GPUs of sm_53/62/72 (JETSON.md section 1): a CUDA torch for Python >= 3.8
        # was built for another CUDA, so the NVIDIA runtime would not make it see the GPU.
        return (
            f"JetPack 4 (L4T {version[1]}): this torch's CUDA {build} build is not one for JetPack 4, and "
            f"{_NO_JETPACK4_TORCH}: {_CPU_PATH}"
        )
    if not build:
        return (
            f"torch here is a CPU-only build ({_release_name(release)}): use the Jetson image built for this L4T "
            "release (make build DEVICE=jetson), whose torch is a CUDA build"
        )
    if not env.get("cuda_available"):
        return (
            f"torch is a CUDA {env['torch_cuda_build']} build but sees no GPU: run the container with the NVIDIA "
            "runtime (compose's `runtime: nvidia`, or `docker run --runtime nvidia`)"
        )
    if requested == "cpu":
        return "asked for (--accelerator cpu, or run.accelerator: cpu in the config) although torch sees the GPU" + (
            f" ({env['cuda_device']})" if env.get("cuda_device") else ""
        )
    return None
