"""Why a Jetson run left its GPU unused, from the facts env.json holds. The release lines are real ones
(JETSON.md section 4, with where each was seen); the torch build is env.json's torch_cuda_build (None for
a CPU build, "10.2" or "12.6" for a CUDA one), so no test touches the installed torch."""

from __future__ import annotations

import pytest

from bench_job.host.gpu_use import gpu_unused_reason, l4t_version

# Jetson Nano, JetPack 4.6.1: "many public docs" (JETSON.md section 4).
NANO_JP461 = (
    "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022"
)
# Jetson Nano, JetPack 4.6.6: ay65535/dotfiles local/share/jetson-nano/firstrun.sh (cut short there too).
NANO_JP466 = "# R32 (release), REVISION: 7.6, GCID: 38171779, BOARD: t210ref, …"
# AGX Orin, JetPack 6.2.1: lesomnus/tegra-exporter's stats test.
ORIN_JP621 = (
    "# R36 (release), REVISION: 4.4, GCID: 41062509, BOARD: generic, EABI: aarch64, DATE: Mon Jun 16 16:07:13 UTC 2025"
)
# AGX Orin, JetPack 7.2, with a 12-hour date: rbonghi/jetson_stats#864.
ORIN_JP72 = (
    "# R39 (release), REVISION: 2.0, GCID: 45755727, BOARD: generic, EABI: aarch64, "
    "DATE: Mon Jun  1 09:28:48 PM UTC 2026"
)

CPU_TORCH = {"torch_cuda_build": None, "cuda_available": False, "cuda_device": None}
CUDA_TORCH_NO_GPU = {"torch_cuda_build": "12.6", "cuda_available": False, "cuda_device": None}
CUDA_TORCH_GPU = {"torch_cuda_build": "12.6", "cuda_available": True, "cuda_device": "Orin"}


def jetson(release, torch, **more):
    return dict({"device_kind": "jetson", "l4t_release": release}, **torch, **more)


@pytest.mark.parametrize(
    "line, expected",
    [
        (NANO_JP461, (32, "R32.7.1")),
        (NANO_JP466, (32, "R32.7.6")),
        (ORIN_JP621, (36, "R36.4.4")),
        (ORIN_JP72, (39, "R39.2.0")),
        ("# R36 (release), REVISION: 4.3", (36, "R36.4.3")),  # the fake line some images echo
        ("R32.7.1", None),
        ("", None),
        (None, None),
    ],
)
def test_the_release_is_read_from_line_one(line, expected):
    assert l4t_version(line) == expected


@pytest.mark.parametrize("line, release", [(NANO_JP461, "R32.7.1"), (NANO_JP466, "R32.7.6")])
def test_jetpack_4_with_a_cpu_torch_says_no_cuda_torch_exists_for_a_python_the_job_runs_on(line, release):
    reason = gpu_unused_reason(jetson(line, CPU_TORCH), "cpu", "cpu")
    assert reason == (
        f"JetPack 4 (L4T {release}): NVIDIA's CUDA builds of torch for JetPack 4 exist only for Python 3.6 "
        "(torch 1.10 at most) and this job needs Python 3.8 or newer, so this image runs PyPI's CPU build of "
        "torch: inference on the CPU, power from the board's sensors"
    )


def test_jetpack_4_with_a_cuda_torch_not_made_for_it_says_so_not_the_runtime():
    sbsa = {"torch_cuda_build": "12.8", "cuda_available": False, "cuda_device": None}
    reason = gpu_unused_reason(jetson(NANO_JP461, sbsa), "cpu", "auto")
    assert reason == (
        "JetPack 4 (L4T R32.7.1): this torch's CUDA 12.8 build is not one for JetPack 4, and NVIDIA's CUDA builds "
        "of torch for JetPack 4 exist only for Python 3.6 (torch 1.10 at most) and this job needs Python 3.8 or "
        "newer: inference on the CPU, power from the board's sensors"
    )


def test_a_later_release_with_a_cpu_torch_names_the_image_to_build():
    reason = gpu_unused_reason(jetson(ORIN_JP621, CPU_TORCH), "cpu", "auto")
    assert reason == (
        "torch here is a CPU-only build (L4T R36.4.4): use the Jetson image built for this L4T release "
        "(make build DEVICE=jetson), whose torch is a CUDA build"
    )
    # A Jetson known only by its model string: the release is unknown, the advice the same.
    reason = gpu_unused_reason(jetson(None, CPU_TORCH), "cpu", "auto")
    assert reason.startswith("torch here is a CPU-only build (L4T release unknown): use the Jetson image")


def test_a_cuda_torch_that_sees_no_gpu_names_the_nvidia_runtime():
    reason = gpu_unused_reason(jetson(ORIN_JP72, CUDA_TORCH_NO_GPU), "cpu", "auto")
    assert reason == (
        "torch is a CUDA 12.6 build but sees no GPU: run the container with the NVIDIA runtime "
        "(compose's `runtime: nvidia`, or `docker run --runtime nvidia`)"
    )


def test_a_cpu_run_asked_for_where_the_gpu_works_says_it_was_asked():
    reason = gpu_unused_reason(jetson(ORIN_JP621, CUDA_TORCH_GPU), "cpu", "cpu")
    assert (
        reason
        == "asked for (--accelerator cpu, or run.accelerator: cpu in the config) although torch sees the GPU (Orin)"
    )


def test_nothing_to_say_off_a_jetson_or_when_the_gpu_ran():
    assert gpu_unused_reason(jetson(ORIN_JP621, CUDA_TORCH_GPU), "cuda", "cuda") is None
    assert gpu_unused_reason(jetson(ORIN_JP621, CUDA_TORCH_GPU), "cuda", "auto") is None
    assert gpu_unused_reason(dict(CPU_TORCH, device_kind="laptop"), "cpu", "cpu") is None
    assert gpu_unused_reason(dict(CPU_TORCH, device_kind="rpi"), "cpu", "auto") is None


def test_the_hardware_counts_not_the_profile_the_run_used():
    # The Job replaces device_kind with the profile (a Jetson measured with --device rpi is still a Jetson;
    # a laptop emulating a Jetson profile is not one) and keeps the detection as detected_device_kind.
    on_jetson = jetson(NANO_JP461, CPU_TORCH, device_kind="rpi", detected_device_kind="jetson")
    assert gpu_unused_reason(on_jetson, "cpu", "cpu").startswith("JetPack 4 (L4T R32.7.1)")
    emulated = dict(CPU_TORCH, device_kind="jetson", detected_device_kind="laptop")
    assert gpu_unused_reason(emulated, "cpu", "cpu") is None
