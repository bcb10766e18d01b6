"""Regenerate docker/requirements-common.txt and requirements-jetson.txt from the top-level
requirements.txt: its direct pins (less torch, torchvision and the test tools) with their whole
dependency closure, as pip resolves it for CPython 3.11 on Linux. `make lock-docker` runs this;
tests/docker/test_docker_files.py fails when the files drift apart.

With --oldstack it writes docker/requirements-oldstack.txt instead (JetPack 5's stack: Python 3.8,
torch 2.0/2.1): the same libraries at OLDSTACK_PINS, resolved by a real Python 3.8 (`make lock-oldstack`),
then checked to install from wheels alone on the JetPack 5 and JetPack 6.0 targets.

A lock keeps its transitive pins where they still fit (the file being rewritten is a constraint, as pip-tools'
pip-compile does), so that a change to one direct pin changes nothing else; --upgrade re-resolves them all to
PyPI's newest.

Usage: python docker/lock_requirements.py [--python PYTHON] [--oldstack] [--upgrade]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PER_DEVICE = re.compile(r"^(torch|torchvision|triton|nvidia-.*|cuda-.*)$", re.I)
NOT_IN_IMAGES = {"pytest", "pluggy", "iniconfig"}

COMMON_HEADER = """\
# Everything the job needs besides torch/torchvision, pinned with its whole dependency closure
# (resolved for CPython 3.11 on Linux by docker/lock_requirements.py from the top-level
# requirements.txt: the same direct pins). Shared by the laptop and Raspberry Pi images; the Jetson
# image uses requirements-jetson.txt (this list without numpy, which its base image provides).
"""
JETSON_HEADER = """\
# NVIDIA Jetson image: everything besides torch/torchvision/numpy, which come from the L4T base image
# (built together for its L4T release) and are kept as constraints. This is requirements-common.txt
# without its numpy pin (docker/lock_requirements.py writes both; tests/docker checks they agree).
"""


def direct_pins() -> tuple[list[str], list[str]]:
    """The direct pins, and the x86_64 torch pins: resolved along so that torch's own dependencies
    (sympy, networkx, jinja2, ...) get pinned here too, then left out (requirements-<device>.txt)."""
    pins, torch_pins = [], []
    with open(os.path.join(REPO, "requirements.txt")) as handle:
        for line in handle:
            line = line.split("#")[0].strip()
            if not line:
                continue
            spec, _, marker = line.partition(";")
            name = spec.split("==")[0].strip().lower()
            if PER_DEVICE.match(name):
                if 'platform_machine == "x86_64"' in marker:
                    torch_pins.append(spec.strip())
            elif name not in NOT_IN_IMAGES:
                pins.append(spec.strip())
    return pins, torch_pins


def resolve(python: str, pins: list[str], keep: str | None = None) -> list[tuple[str, str]]:
    """pip's resolution of `pins`; with `keep`, an existing lock whose other pins stay where they still fit."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        constraints = _kept_pins(keep, pins, os.path.join(tmp, "kept.txt"))
        done = subprocess.run([python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                                "--report", report, *constraints, *pins])  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(
                "pip could not resolve the lock (its message is above)"
                + (f"; it kept {keep}'s other pins: --upgrade re-resolves them all" if constraints else "")
            )
        with open(report) as handle:
            installs = json.load(handle)["install"]
    found = {(i["metadata"]["name"], i["metadata"]["version"]) for i in installs}
    return sorted((n, v) for n, v in found if not PER_DEVICE.match(n) and n.lower() not in NOT_IN_IMAGES)


def _kept_pins(keep: str | None, pins: list[str], out: str) -> list[str]:
    """pip's arguments constraining to `keep`'s pins, less the names `pins` pins anew (a changed direct pin wins)."""
    if not keep or not os.path.exists(keep):
        return []
    given = {_name(pin) for pin in pins}
    with open(keep) as handle:
        kept = [line.strip() for line in handle if "==" in line and not line.startswith("#")]
    with open(out, "w") as handle:
        handle.writelines(line + "\n" for line in kept if _name(line) not in given)
    return ["-c", out]


def _name(pin: str) -> str:
    return pin.split("==")[0].strip().lower().replace("_", "-")


def write(path: str, header: str, direct: set[str], rows: list[tuple[str, str]]) -> None:
    direct = {_name(name) for name in direct}  # pip's metadata may spell a pin's name with _ for -
    with open(path, "w") as handle:
        handle.write(header)
        handle.write("# direct\n")
        for name, version in sorted(rows, key=lambda r: r[0].lower()):
            if _name(name) in direct:
                handle.write(f"{name}=={version}\n")
        handle.write("# transitive\n")
        for name, version in sorted(rows, key=lambda r: r[0].lower()):
            if _name(name) not in direct:
                handle.write(f"{name}=={version}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter whose pip resolves (Python 3.11)")
    parser.add_argument("--oldstack", action="store_true", help="write requirements-oldstack.txt (needs a Python 3.8)")
    parser.add_argument("--upgrade", action="store_true", help="re-resolve every transitive pin, not only new ones")
    args = parser.parse_args()
    if args.oldstack:
        from oldstack_lock import lock_oldstack  # the old stack's pins and checks, kept apart from the modern lock

        return lock_oldstack(args.python, direct_pins()[0], resolve, write, upgrade=args.upgrade)
    pins, torch_pins = direct_pins()
    common = os.path.join(HERE, "requirements-common.txt")
    rows = resolve(args.python, pins + torch_pins, keep=None if args.upgrade else common)
    direct = {p.split("==")[0].strip().lower() for p in pins}
    write(common, COMMON_HEADER, direct, rows)
    write(
        os.path.join(HERE, "requirements-jetson.txt"),
        JETSON_HEADER,
        direct,
        [r for r in rows if r[0].lower() != "numpy"],
    )
    print(f"pinned {len(rows)} packages ({len(direct)} direct)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
