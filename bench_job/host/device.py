"""Facts about the machine the job runs on: what it is, its CPU, memory, and the software stack.

collect_env imports torch, so the job calls it in a child process (run/isolated.py) and itself stays small.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

from bench_job.host.container import container_runtime, host_name
from bench_job.host.host_files import (
    ABSENT,
    HOST,
    HOST_FILES,
    IMAGE,
    device_tree_file,
    host_file,
    memory_total_bytes,
    read_text,
)
from bench_job.host.host_packages import host_stack, installed_packages
from bench_job.host.jetson_release import module_name, module_part, release_version, split_compatible

_LIBRARIES = (
    "torch",
    "torchvision",
    "transformers",
    "datasets",
    "evaluate",
    "pandas",
    "numpy",
    "matplotlib",
    "tqdm",
    "scipy",
    "edge-bench-job",
)


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode(errors="replace").strip("\x00\n ")
    except OSError:
        return None


def board_model(root: str = "/", sysfs_root: str = "/sys", image_root: str = "/") -> str | None:
    """The board's device-tree model string under root (the host's root: --host-root). /proc/device-tree
    links into /sys/firmware, which Docker masks inside containers, so the host's sysfs (mounted read-only
    at sysfs_root) is read as well, then the job's own /proc (the same kernel's, where it is not masked)."""
    text, _ = device_tree_file("model", root, sysfs_root, in_container=False, image_root=image_root)
    return text.strip("\x00\n ") if text else None


def _first_line(text: str | None) -> str | None:
    return text.splitlines()[0] if text else None


def l4t_release(host_root: str = "/", in_container: bool = False, image_root: str = "/") -> tuple:
    """(line 1 of /etc/nv_tegra_release, "host" or "image"), or (None, None) where neither has one.
    Inside a container /etc is the image's, which says which L4T the image was built on, not what the
    board runs (and some images write a fake one: JETSON.md section 4), so the host's file under
    host_root comes first. A host_root of / in a container is the image's own root."""
    own_root = os.path.abspath(host_root) == os.path.abspath(image_root)
    if not (own_root and in_container):
        line = _first_line(_read(os.path.join(host_root, "etc/nv_tegra_release")))
        if line:
            return line, "host"
    if in_container or not own_root:
        line = _first_line(_read(os.path.join(image_root, "etc/nv_tegra_release")))
        if line:
            return line, "image"
    return None, None


def detect_device_kind(root: str = "/", sysfs_root: str = "/sys", image_root: str = "/") -> str:
    """jetson, rpi or laptop, from the files each kind of board carries, under root (the host's root:
    --host-root). An L4T image's own /etc/nv_tegra_release still counts: such an image runs only on a
    Jetson, and compose files that predate the host's mount of that file must keep finding it."""
    model = board_model(root, sysfs_root, image_root) or ""
    releases = (os.path.join(root, "etc/nv_tegra_release"), os.path.join(image_root, "etc/nv_tegra_release"))
    if any(os.path.exists(path) for path in releases) or "jetson" in model.lower():
        return "jetson"
    if "raspberry pi" in model.lower():
        return "rpi"
    return "laptop"


def cpu_model(root: str = "/") -> str:
    text = _read(os.path.join(root, "proc/cpuinfo")) or ""
    for key in ("model name", "Model", "Hardware"):
        for line in text.splitlines():
            if line.split(":")[0].strip() == key:
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


# The CPU flags that decide how fast int8 matrix products run, in the order written to env.json.
# x86 (/proc/cpuinfo `flags`): avx2 and avx512bw multiply bytes through VPMADDUBSW (16-bit sums); avx512_vnni and
# avx_vnni add VPDPBUSD (unsigned x signed bytes into 32-bit sums); avx_vnni_int8 adds VPDPBSSD (signed x signed);
# amx_int8 the AMX tile products. arm (/proc/cpuinfo `Features`): asimd (NEON, widening multiplies), asimddp (the
# SDOT/UDOT dot product, Armv8.2; a Pi 5's Cortex-A76 has it, a Pi 4's Cortex-A72 does not), i8mm (SMMLA/USMMLA,
# Armv8.6), and neon on 32-bit ARM kernels.
INT8_INSTRUCTIONS = (
    "sse4_1",
    "avx2",
    "avx512bw",
    "avx512_vnni",
    "avx_vnni",
    "avx_vnni_int8",
    "amx_int8",
    "neon",
    "asimd",
    "asimddp",
    "i8mm",
)


def cpu_int8_instructions(cpuinfo: str | None) -> list:
    """The CPU's int8-relevant instructions (INT8_INSTRUCTIONS order), from the text of /proc/cpuinfo: the
    first `flags` (x86) or `Features` (ARM) line. [] where there is no such line (no /proc/cpuinfo, macOS)."""
    for line in (cpuinfo or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            present = set(value.split())
            return [name for name in INT8_INSTRUCTIONS if name in present]
    return []


def library_versions() -> dict:
    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def host_facts(sysfs_root: str, host_root: str, in_container: bool, image_root: str = "/") -> dict:
    """What the host's files say, and whose each file was: {"host_files": {relative path: "host" | "image" |
    "absent"} (HOST_FILES), "module": {...}, "release": (line 1 of nv_tegra_release, source), "packages":
    (host_stack(), source)}. Reads files only; a missing or odd one is recorded as absent."""
    line, release_source = l4t_release(host_root, in_container, image_root)
    sources = {"etc/nv_tegra_release": release_source or ABSENT}
    texts = {}
    for relative in ("etc/nvpmodel.conf", "var/lib/nvpmodel/status", "etc/hostname", "var/lib/dpkg/status"):
        texts[relative], sources[relative] = host_file(relative, host_root, in_container, image_root)
    for name in ("model", "compatible"):
        key = f"proc/device-tree/{name}"
        texts[key], sources[key] = device_tree_file(name, host_root, sysfs_root, in_container, image_root)
    meminfo, sources["proc/meminfo"] = host_file("proc/meminfo", host_root, in_container, image_root)
    if meminfo is None:
        # /proc is the kernel's, not the image's: inside a container the job's own /proc/meminfo is the host's
        # (a container's memory limit is its cgroup's, recorded apart), so it counts as the host's file.
        meminfo = read_text(os.path.join(image_root, "proc/meminfo"))
        sources["proc/meminfo"] = HOST if meminfo else ABSENT
    compatible = split_compatible(texts["proc/device-tree/compatible"])
    model = (texts["proc/device-tree/model"] or "").strip("\x00\n ") or None
    part = module_part(compatible)
    tree_source = sources["proc/device-tree/compatible"]
    return {
        "host_files": {relative: sources[relative] for relative in HOST_FILES},
        "module": {
            "name": module_name(part, model),
            "part_number": part,
            "memory_bytes": memory_total_bytes(meminfo),
            "compatible": compatible,
            "source": tree_source if tree_source != ABSENT else sources["proc/device-tree/model"],
        },
        "release": (line, release_source),
        "packages": (host_stack(installed_packages(texts["var/lib/dpkg/status"])), sources["var/lib/dpkg/status"]),
    }


def collect_env(sysfs_root: str = "/sys", host_root: str = "/") -> dict:
    """Everything a reader of the results needs to know about where they were measured. host_root: where
    the host's /etc, /var and /proc are (a container mounts them under /host: --host-root)."""
    import psutil
    import torch

    from bench_job.host.cpus import usable_cpus
    from bench_job.host.device_state import read_device_state
    from bench_job.host.versions import runtime_versions, stack_versions

    # Before anything else: the power mode and clocks the run starts in.
    power_state = read_device_state(sysfs_root, host_root)
    memory, swap = psutil.virtual_memory(), psutil.swap_memory()
    cuda = torch.cuda.is_available()
    in_container = container_runtime() is not None
    facts = host_facts(sysfs_root, host_root, in_container)
    release, release_source = facts["release"]
    runtime = runtime_versions()
    return {
        "hostname": host_name(),
        "device_kind": detect_device_kind(host_root, sysfs_root),
        "board_model": board_model(host_root, sysfs_root),
        "host_root": host_root,
        "l4t_release": release,
        "l4t_release_source": release_source,
        "host_files": facts["host_files"],
        "versions": stack_versions(
            runtime, IMAGE if in_container else HOST, (release_version(release), release_source), facts["packages"]
        ),
        "onnxruntime_providers": runtime["onnxruntime_providers"],
        "torch_build": runtime["torch_build"],
        "module": facts["module"],
        "power_state": power_state,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": sys.version.split()[0],
        "cpu_model": cpu_model(),
        "cpu_int8_instructions": cpu_int8_instructions(_read("/proc/cpuinfo")),
        "cpu_logical_cores": os.cpu_count(),
        "cpu_physical_cores": psutil.cpu_count(logical=False),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "cpus_usable": usable_cpus(),
        "memory_total_bytes": memory.total,
        "memory_available_bytes": memory.available,
        "swap_total_bytes": swap.total,
        "swap_used_bytes": swap.used,
        "torch_threads_default": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "torch_cuda_build": torch.version.cuda,
        "cuda_available": cuda,
        "cuda_device": torch.cuda.get_device_name(0) if cuda else None,
        "libraries": library_versions(),
    }


def l4t_line(env: dict) -> str:
    """The L4T release and whose file said it, for the probe's lines."""
    release, source = env.get("l4t_release"), env.get("l4t_release_source")
    if not release:
        return f"none (no etc/nv_tegra_release under the host root {env.get('host_root', '/')} or in the image)"
    if source == "image":
        return f"{release} (the IMAGE's /etc/nv_tegra_release: the host's was not found under {env['host_root']})"
    return f"{release} (the host's, under {env.get('host_root', '/')})"


def describe_env(env: dict) -> list[str]:
    """Lines for `bench-job probe`."""
    from bench_job.units import format_bytes

    libs = ", ".join(f"{k} {v}" for k, v in env["libraries"].items() if v)
    unused = [f"GPU not used: {env['gpu_unused_reason']}"] if env.get("gpu_unused_reason") else []
    return unused + [
        f"device kind: {env['device_kind']} ({env['board_model'] or 'no board model file'})",
        f"L4T release: {l4t_line(env)}",
        f"host: {env['hostname']}  platform: {env['platform']}  python {env['python']}",
        f"CPU: {env['cpu_model']}; {env['cpu_logical_cores']} logical / {env['cpu_physical_cores']} physical cores, "
        f"{env['cpu_affinity']} usable by this process",
        f"memory: {format_bytes(env['memory_total_bytes'])} total, "
        f"{format_bytes(env['memory_available_bytes'])} available; "
        f"swap: {format_bytes(env['swap_total_bytes'])} total, {format_bytes(env['swap_used_bytes'])} used",
        f"int8 instructions: {', '.join(env.get('cpu_int8_instructions') or []) or 'none known'}",
        f"torch threads: {env['torch_threads_default']} intra-op (default), {env['torch_interop_threads']} inter-op",
        f"CUDA: {'available: ' + env['cuda_device'] if env['cuda_available'] else 'not available'}"
        f" (torch built with CUDA {env['torch_cuda_build'] or 'none'})",
        f"libraries: {libs}",
    ]


def probe(
    sysfs_root: str, external_csv: str | None, powercap_dir: str | None, as_json: bool = False, host_root: str = "/"
) -> str:
    """`bench-job probe`'s output: what the job sees of this machine, its power sensors and its state."""
    import json

    from bench_job.host.device_state import read_device_state
    from bench_job.host.gpu_use import gpu_unused_reason
    from bench_job.power.probe import probe_power

    env = collect_env(sysfs_root, host_root)
    # As a run with --accelerator auto would see it: the GPU where torch sees one, else why not.
    env["gpu_unused_reason"] = gpu_unused_reason(env, "cuda" if env["cuda_available"] else "cpu", "auto")
    power = probe_power(sysfs_root, external_csv, seconds=1.0, powercap_dir=powercap_dir)
    state = read_device_state(sysfs_root, host_root)
    if as_json:
        return json.dumps(dict(env, power=power, device_state=state), indent=2, default=str)
    return "\n".join(describe_env(env) + power + [f"device state: {json.dumps(state, default=str)}"])
