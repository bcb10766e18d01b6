"""Raspberry Pi 5 PMIC power from `vcgencmd pmic_read_adc`.

The command prints one line per ADC channel, currents and voltages on separate lines, e.g.
`  VDD_CORE_A current(7)=10.87674000A` and `  VDD_CORE_V volt(15)=0.89745940V` (format checked against
public Pi 5 captures). A rail's power is V x I of its _V and _A lines; EXT5V_V and BATT_V have no
current line and are left out. Names are split at the final _A/_V only, since DDR_VDD2 holds "_V"
mid-name. The sum covers the PMIC rails (SoC, RAM, IO), not USB devices, the fan or HATs.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from bench_job.power.base import PolledPowerSource, SourceSpec, SourceUnavailable
from bench_job.power.sysfs import find_tool

_LINE = re.compile(r"^\s*(\S+)_([AV])\s+(current|volt)\(\d+\)=([-+0-9.eE]+)[AV]\s*$")
SCOPE = "Raspberry Pi 5 PMIC rails (SoC, RAM, IO; not USB devices, fan or HATs)"


def parse_pmic(text: str) -> dict:
    """{rail: watts} for every rail with both a voltage and a current line."""
    volts, amps = {}, {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        rail, suffix, _, value = match.groups()
        (amps if suffix == "A" else volts)[rail] = float(value)
    return {rail: volts[rail] * amps[rail] for rail in sorted(volts.keys() & amps.keys())}


def run_pmic_read_adc(program) -> str:
    try:
        result = subprocess.run([program, "pmic_read_adc"], capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired:
        raise SourceUnavailable("vcgencmd pmic_read_adc did not answer within 5 s") from None
    except OSError as exc:
        raise SourceUnavailable(f"cannot run {program}: {exc.strerror or exc}") from None
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()
        hint = " (inside a container, pass --device /dev/vcio)" if "vcio" in " ".join(said) else ""
        raise SourceUnavailable(f"vcgencmd pmic_read_adc failed: {said[0] if said else result.returncode}{hint}")
    return result.stdout


@dataclass(frozen=True)
class PmicSpec(SourceSpec):
    program: str
    name: str = "rpi-pmic"
    scope: str = SCOPE

    def open(self, files) -> "PmicPower":
        return PmicPower(self)


class PmicPower(PolledPowerSource):
    # Each read starts a process; ten a second keeps that cost off the benchmarked cores.
    max_hz = 10.0

    def __init__(self, spec):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self._program = spec.program

    def read_power_w(self) -> float:
        rails = parse_pmic(run_pmic_read_adc(self._program))
        if not rails:
            raise SourceUnavailable("vcgencmd pmic_read_adc printed no current/voltage pairs")
        return sum(rails.values())


def discover(ctx):
    program = find_tool("vcgencmd", ctx.search_path)
    if program is None:
        return [], [("rpi-pmic", "vcgencmd is not on PATH (not a Raspberry Pi, or not mounted into the container)")]
    source = PmicSpec(program).open(ctx.files)
    try:
        source.read_power_w()
    except SourceUnavailable as exc:
        return [], [("rpi-pmic", f"{exc} (only the Raspberry Pi 5 has a PMIC ADC; on a Pi 4 use --external-csv)")]
    return [source], []
