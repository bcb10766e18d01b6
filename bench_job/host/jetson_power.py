"""A Jetson's power state as a user can read it without root: the nvpmodel mode, the devfreq clocks, the
EMC cap, and whether `jetson_clocks` holds the clocks at their maximum.

Sources of each format (see also /work/shared/JETSON.md §5 and §6):
- `nvpmodel -q` prints `NV Power Mode: MAXN` and the mode id alone on the next line, possibly after
  `NV Fan Mode:quiet` or `NVPM WARN: fan mode is not set!` (jetson_stats tests/nvpmodel show_query and
  jtop/core/nvpmodel.py, which takes the line after the name as the id; jetpack-nixos#460 on Thor);
  `nvpmodel -q --verbose` has the same two lines after `NVPM VERB: Current mode: `.
- Without the tool (a container, or a user it refuses): /var/lib/nvpmodel/status holds `pmode:0002 fmode:quiet`
  and /etc/nvpmodel.conf names each id in `< POWER_MODEL ID=2 NAME=15W >`.
- devfreq: /sys/class/devfreq/<device>/{cur_freq,min_freq,max_freq} in Hz, world-readable (torvalds/linux
  drivers/devfreq/devfreq.c). The GPU's device per generation: Nano 57000000.gpu, TX2 17000000.gp10b, Xavier
  17000000.gv11b, Orin R35 17000000.ga10b, Orin R36 17000000.gpu, Thor gpu-gpc-0 (its EMC: bwmgr).
- The EMC cap nvpmodel sets, in Hz, 0 for none (`EMC MAX_FREQ 0` in the MAXN modes of jetson_stats
  tests/nvpmodel): /sys/kernel/nvpmodel_clk_cap/emc on Orin R36, /sys/kernel/nvpmodel_emc_cap/emc_iso_cap
  before (the paths nvpmodel's verbose parse prints in jetson_stats tests/nvpmodel).
- jetson_clocks, as NVIDIA's script does it (©2015-2023): each CPU's scaling_min_freq := scaling_max_freq and
  the GPU devfreq's min_freq := max_freq, the maximum the nvpmodel mode allows. Its EMC lock is in debugfs,
  root-only, so it is not checked; its --show needs root too.
"""

from __future__ import annotations

import os
import re

from bench_job.power.sysfs import sorted_glob

# The GPU's devfreq device on each Jetson generation (JETSON.md §6), and the names its device-tree node has
# (jetson_stats jtop/core/gpu.py KNOWN_GPU_DEVICE_NAMES): what tells a Jetson's GPU from another SoC's.
TEGRA_GPU_DEVFREQ = ("57000000.gpu", "17000000.gp10b", "17000000.gv11b", "17000000.ga10b", "17000000.gpu", "gpu-gpc-0")
TEGRA_GPU_NODES = ("gp10b", "gv11b", "ga10b", "gb10b")
EMC_CAP_FILES = (("kernel", "nvpmodel_clk_cap", "emc"), ("kernel", "nvpmodel_emc_cap", "emc_iso_cap"))

_QUERY = re.compile(r"NV Power Mode:\s*(\S+)[ \t]*(?:\r?\n\s*(\d+)\s*$)?", re.MULTILINE)


def parse_nvpmodel_query(text) -> tuple:
    """(name, id) from `nvpmodel -q` output; either is None where the output lacks it."""
    match = _QUERY.search(text or "")
    if not match:
        return None, None
    return match.group(1), int(match.group(2)) if match.group(2) else None


def conf_modes(conf_text) -> dict:
    """id -> name of every `< POWER_MODEL ID=n NAME=x >` line of an nvpmodel.conf."""
    found = re.findall(r"^<\s*POWER_MODEL\s+ID=(\d+)\s+NAME=(\S+)\s*>", conf_text or "", re.MULTILINE)
    return {int(mode_id): name for mode_id, name in found}


def status_mode_id(status_text) -> int | None:
    """The mode id of /var/lib/nvpmodel/status (`pmode:0002 fmode:quiet`)."""
    match = re.search(r"pmode:(\d+)", status_text or "")
    return int(match.group(1)) if match else None


def read_power_mode(query_text, host_root, files) -> tuple:
    """(name, id) of the nvpmodel mode: from `nvpmodel -q` output where there is one, else from the host's
    status file; a part one source lacks is looked up in the host's nvpmodel.conf."""
    name, mode_id = parse_nvpmodel_query(query_text)
    if name is None:
        mode_id = status_mode_id(files.text_or_none(os.path.join(host_root, "var", "lib", "nvpmodel", "status")))
    if mode_id is None and name is None:
        return None, None
    modes = conf_modes(files.text_or_none(os.path.join(host_root, "etc", "nvpmodel.conf")))
    if name is None:
        name = modes.get(mode_id)
    if mode_id is None:
        mode_id = next((number for number, known in modes.items() if known == name), None)
    return name, mode_id


def devfreq_kind(device: str, node_name: str | None) -> str:
    """gpu, emc or other, from the devfreq device's name (and its device-tree node's, where readable: a
    container masks /sys/firmware, where of_node points)."""
    if device in TEGRA_GPU_DEVFREQ or node_name in TEGRA_GPU_NODES or device.startswith("gpu-gpc"):
        return "gpu"
    if device.rsplit(".", 1)[-1] == "gpu" or node_name == "gpu":
        return "gpu"
    if device == "bwmgr" or "emc" in device:
        return "emc"
    return "other"


def read_devfreq(sysfs_root, files) -> tuple:
    """({device: {kind, cur, min, max}} in MHz, whether one of them is a Jetson's GPU)."""
    devices, tegra = {}, False
    for folder in sorted_glob(os.path.join(sysfs_root, "class", "devfreq", "*")):
        device = os.path.basename(folder)
        node = files.text_or_none(os.path.join(folder, "device", "of_node", "name"))
        tegra = tegra or device in TEGRA_GPU_DEVFREQ or node in TEGRA_GPU_NODES
        devices[device] = {
            "kind": devfreq_kind(device, node),
            "cur": files.number_or_none(os.path.join(folder, "cur_freq"), 1e6),
            "min": files.number_or_none(os.path.join(folder, "min_freq"), 1e6),
            "max": files.number_or_none(os.path.join(folder, "max_freq"), 1e6),
        }
    return devices, tegra


def read_emc_cap(sysfs_root, files) -> float | None:
    """The EMC cap nvpmodel set, in MHz (0.0: none); None where no cap file is readable."""
    for parts in EMC_CAP_FILES:
        cap = files.number_or_none(os.path.join(sysfs_root, *parts), 1e6)
        if cap is not None:
            return cap
    return None


def jetson_clocks_on(is_jetson: bool, cpu_min: dict, cpu_max: dict, online: list, devfreq: dict) -> bool | None:
    """Whether jetson_clocks holds the clocks: every online CPU's minimum at its maximum and every GPU devfreq
    device's too. None off a Jetson, and where no GPU clock is readable (the CPUs alone cannot tell: an
    AGX Xavier's 10W and 15W modes set the CPU minimum to the maximum themselves, jetson_stats tests/nvpmodel)."""
    gpus = [d for d in devfreq.values() if d["kind"] == "gpu" and d["min"] is not None and d["max"] is not None]
    if not is_jetson or not gpus:
        return None
    cpus = [cpu for cpu in cpu_max if cpu in cpu_min and (not online or int(cpu[3:]) in online)]
    return all(cpu_min[cpu] == cpu_max[cpu] for cpu in cpus) and all(d["min"] == d["max"] for d in gpus)
