"""The host's NVIDIA stack as its package database says: L4T, JetPack, CUDA, cuDNN and TensorRT from
/var/lib/dpkg/status, read through --host-root, so that a container knows what the board itself runs.

The file's format (dpkg's status database, deb-control(5) syntax): stanzas separated by blank lines, each
a run of `Field: value` lines (continuation lines start with a space), among them `Package:`, `Status:`
(`install ok installed` once installed; `deinstall ok config-files` after a removal keeps the stanza) and
`Version:` (`[epoch:]upstream[-revision]`, deb-version(5)). NVIDIA's Jetson packages (rbonghi/jetson_stats
reads the same with `dpkg -l` in jtop/core/jetson_libraries.py and takes L4T from nvidia-l4t-core in
jtop/core/jetson_variables.py); the versions seen on boards:
  nvidia-l4t-core   36.4.4-20250616085344   L4T, the revision the build's date (jetson_stats PR 706)
  nvidia-jetpack    4.5.1-b17               JetPack's meta-package (jetsonhacks/jetsonUtilities issue 11);
                                            JetPack 7 adds nvidia-jetpack-runtime 7.2.1-b49 (Seeed-Studio/
                                            Linux_for_Tegra issue 57)
  cuda-cudart-10-2  10.2.300-1              CUDA's runtime (Qengineering/Jetson-Nano-Ubuntu-20-image issue 54);
                                            cuda-runtime-X-Y is its meta-package
  libcudnn9-cuda-12, libcudnn8              cuDNN; tensorrt (meta-package) or libnvinfer10 / libnvinfer8 (library)
"""

from __future__ import annotations

import re


def installed_packages(status_text: str | None) -> dict:
    """{package: version} of the packages dpkg's status file lists as installed; {} for no file."""
    packages = {}
    for stanza in re.split(r"\n\s*\n", status_text or ""):
        fields = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue  # a continuation line (a description's) or noise
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        name, version = fields.get("Package"), fields.get("Version")
        if name and version and fields.get("Status", "").endswith(" installed"):
            packages[name] = version
    return packages


def upstream_version(version: str) -> str:
    """The upstream part of a Debian version: no epoch, no Debian revision, no `+cuda12.5` / `+b38` build tag
    ("1:10.3.0.30-1+cuda12.5" -> "10.3.0.30"; "6.2.1+b38" -> "6.2.1"; JetPack 7's "7.2.1-b49" -> "7.2.1")."""
    version = version.split(":", 1)[-1]
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    return version.split("+", 1)[0].split("~", 1)[0]


def _newest(packages: dict, pattern: str) -> str | None:
    """The version of the newest-named package matching pattern (cuda-cudart-12-6 over cuda-cudart-11-4)."""
    names = sorted((n for n in packages if re.fullmatch(pattern, n)), key=_name_key)
    return upstream_version(packages[names[-1]]) if names else None


def _name_key(name: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", name))


def host_stack(packages: dict) -> dict:
    """{"l4t", "jetpack", "cuda", "cudnn", "tensorrt": upstream version or None} from installed_packages()."""
    jetpack = packages.get("nvidia-jetpack") or packages.get("nvidia-jetpack-runtime")
    return {
        "l4t": upstream_version(packages["nvidia-l4t-core"]) if "nvidia-l4t-core" in packages else None,
        "jetpack": upstream_version(jetpack) if jetpack else None,
        "cuda": _newest(packages, r"cuda-cudart-\d+-\d+") or _newest(packages, r"cuda-runtime-\d+-\d+"),
        "cudnn": _newest(packages, r"libcudnn\d+(-cuda-\d+)?"),
        "tensorrt": upstream_version(packages["tensorrt"])
        if "tensorrt" in packages
        else _newest(packages, r"libnvinfer\d+"),
    }
