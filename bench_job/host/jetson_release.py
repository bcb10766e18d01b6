"""What a Jetson's L4T release and device tree say: the JetPack an L4T release belongs to, and the module a
device-tree `compatible` names.

Sources (see also /work/shared/JETSON.md section 1):
- JV: rbonghi/jetson_stats jtop/core/jetson_variables.py @ f41d5cadfeafc3516ff8cb7ddd5712cfa9a78611
  (2026-07-30): NVIDIA_JETPACK (L4T -> JetPack) and MODULE_NAME_TABLE (module part number -> module).
- LV: dusty-nv/jetson-containers jetson_containers/l4t_version.py @ dd206bfe: the same L4T -> JetPack table;
  it differs from JV on R36.5.0 only (LV: 6.2.1, JV: 6.2.2), where JV, the newer of the two, is followed.
- The `compatible` format: NUL-separated strings, the board's first as "nvidia,<carrier>+<module>" (e.g.
  "nvidia,p3768-0000+p3767-0005"), then the module's alone on Orin ("nvidia,p3767-0005"), then the SoC's
  (torvalds/linux arch/arm64/boot/dts/nvidia/tegra234-p3768-0000+p3767-0005.dts; NVIDIA/jetson-gpio
  lib/python/Jetson/GPIO/gpio_pin_data.py lists the same first strings). L4T's own trees add a revision
  ("nvidia,p3449-0000-b00+p3448-0000-b00" on a Nano) or "-super" (an Orin Nano Super), which the part
  number pattern below leaves aside.
"""

from __future__ import annotations

import re

# Line 1 of /etc/nv_tegra_release: "# R36 (release), REVISION: 4.4, GCID: ..." (JETSON.md section 4).
_RELEASE = re.compile(r"^#\s*R(\d+)\s*\(\w+\),\s*REVISION:\s*(\d+(?:\.\d+)*)")

# JV's NVIDIA_JETPACK from JetPack 4 on (the oldest L4T this job's images take); JV writes R32.7.x with three
# numbers and some older rows with two, as nv_tegra_release does.
JETPACK = {
    "39.2.0": "7.2 GA",
    "39.0.0": "7.2 EA",
    "38.4.0": "7.1",
    "38.2.2": "7.0",
    "38.2.1": "7.0",
    "38.2.0": "7.0",
    "36.5.0": "6.2.2",
    "36.4.7": "6.2.1",
    "36.4.4": "6.2.1",
    "36.4.3": "6.2",
    "36.4.2": "6.1 (rev1)",
    "36.4.0": "6.1",
    "36.3.0": "6.0",
    "36.2.0": "6.0 DP",
    "36.0.0": "6.0 EA",
    "35.6.4": "5.1.6",
    "35.6.3": "5.1.5",
    "35.6.2": "5.1.5",
    "35.6.1": "5.1.5",
    "35.6.0": "5.1.4",
    "35.5.0": "5.1.3",
    "35.4.1": "5.1.2",
    "35.3.1": "5.1.1",
    "35.3.0": "5.1.1 PRE",
    "35.2.1": "5.1",
    "35.1.0": "5.0.2 GA",
    "34.1.1": "5.0.1 DP",
    "34.1.0": "5.0 DP",
    "34.0.1": "5.0 PRE-DP",
    "32.7.6": "4.6.6",
    "32.7.5": "4.6.5",
    "32.7.4": "4.6.4",
    "32.7.3": "4.6.3",
    "32.7.2": "4.6.2",
    "32.7.1": "4.6.1",
    "32.6.1": "4.6",
    "32.5.2": "4.5.1",
    "32.5.1": "4.5.1",
    "32.5.0": "4.5",
    "32.4.4": "4.4.1",
    "32.4.3": "4.4",
    "32.4.2": "4.4 DP",
    "32.3.1": "4.3",
    "32.2.3": "4.2.3",
    "32.2.1": "4.2.2",
    "32.2.0": "4.2.1",
    "32.1.0": "4.2",
}

# JV's MODULE_NAME_TABLE, Jetson modules only, the names shortened to the module and its memory where JV
# gives it (JV: "NVIDIA Jetson AGX Orin (64GB ram)" -> "Jetson AGX Orin 64GB").
MODULES = {
    "p3834-0008": "Jetson AGX Thor (developer kit)",
    "p3767-0005": "Jetson Orin Nano (developer kit)",
    "p3767-0004": "Jetson Orin Nano 4GB",
    "p3767-0003": "Jetson Orin Nano 8GB",
    "p3767-0001": "Jetson Orin NX 8GB",
    "p3767-0000": "Jetson Orin NX 16GB",
    "p3701-0005": "Jetson AGX Orin 64GB",
    "p3701-0004": "Jetson AGX Orin 32GB",
    "p3701-0002": "Jetson IGX Orin (developer kit)",
    "p3701-0000": "Jetson AGX Orin",
    "p3668-0003": "Jetson Xavier NX 16GB",
    "p3668-0001": "Jetson Xavier NX",
    "p3668-0000": "Jetson Xavier NX (developer kit)",
    "p2888-0008": "Jetson AGX Xavier Industrial 32GB",
    "p2888-0006": "Jetson AGX Xavier 8GB",
    "p2888-0005": "Jetson AGX Xavier 64GB",
    "p2888-0004": "Jetson AGX Xavier 32GB",
    "p2888-0003": "Jetson AGX Xavier 32GB",
    "p2888-0001": "Jetson AGX Xavier 16GB",
    "p3448-0003": "Jetson Nano 2GB",
    "p3448-0002": "Jetson Nano (16GB eMMC module)",
    "p3448-0000": "Jetson Nano 4GB",
    "p3636-0001": "Jetson TX2 NX",
    "p3509-0000": "Jetson TX2 NX",
    "p3489-0888": "Jetson TX2 4GB",
    "p3489-0000": "Jetson TX2i",
    "p3310-1000": "Jetson TX2",
    "p2180-1000": "Jetson TX1",
}

_PART = re.compile(r"^(p\d{4}-\d{4})")


def release_version(line: str | None) -> str | None:
    """ "36.4.4" from line 1 of nv_tegra_release ("# R36 (release), REVISION: 4.4, ..."); None if not one."""
    match = _RELEASE.match(line or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def jetpack_for(l4t: str | None) -> str | None:
    """The JetPack release an L4T release ("36.4.4", or "32.5" as older files write it) belongs to; None for
    a release the table does not have (a newer one than this job knows: it is not guessed)."""
    if not l4t:
        return None
    return JETPACK.get(l4t) or (JETPACK.get(l4t + ".0") if l4t.count(".") == 1 else None)


def split_compatible(raw: str | None) -> list:
    """The device tree's `compatible` property (NUL-separated strings, the last one NUL-terminated) as a list."""
    return [part for part in (raw or "").split("\x00") if part.strip()]


def module_part(compatible: list) -> str | None:
    """The module's part number ("p3701-0005") from `compatible`: the part after "+" of the board's string, or
    a module's own string; the first that the module table knows, else the first that looks like one."""
    candidates = []
    for entry in compatible:
        name = entry.split(",", 1)[-1]
        for piece in reversed(name.split("+")):  # carrier+module: the module is the last
            match = _PART.match(piece)
            if match:
                candidates.append(match.group(1))
    known = [part for part in candidates if part in MODULES]
    return (known or candidates or [None])[0]


def module_name(part: str | None, model: str | None) -> str | None:
    """The module's name from its part number, else the device tree's model string (a board the table does
    not know still says what it is), else None."""
    return MODULES.get(part or "") or (model or None)
