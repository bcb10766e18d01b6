"""Power and energy measurement: sensor sources behind one interface, a sampler, and the EnergyMeter.

Adding a sensor is one new module with a discover(ctx) -> (found, missing) function, listed below, and
a SourceSpec that opens what it found. The order of DISCOVERERS is the preference order of the sources
in every result: the first source with figures is the best whole-device reading available.

The runner discovers once; the worker process gets [source.spec ...] and open_sources() builds the same
sources again, every failure turned into a reason.
"""

from __future__ import annotations

from bench_job.errors import one_line
from bench_job.power import battery, external_csv, jetson_ina3221, nvml, rapl, rpi_vcgencmd, tegrastats
from bench_job.power.base import (
    EnergyCounterSource,
    PolledPowerSource,
    PowerSample,
    PowerSetupError,
    PowerSource,
    SourceSpec,
    SourceUnavailable,
    StreamedPowerSource,
    Window,
)
from bench_job.power.discovery import DiscoveryContext
from bench_job.power.meter import EnergyMeter, EnergyWindow, SourceEnergy
from bench_job.power.sysfs import FileReader

DISCOVERERS = [
    external_csv.discover,
    jetson_ina3221.discover,
    tegrastats.discover,
    rpi_vcgencmd.discover,
    rapl.discover,
    nvml.discover,
    battery.discover,
]


def discover_sources(
    sysfs_root="/sys", external_csv=None, sampling_hz=50.0, powercap_dir=None, search_path=None, files=None
):
    """(found sources, [(source name, one-line reason it is unavailable)]) on this machine.

    Only bad input (a missing --external-csv file) raises, as a PowerSetupError; any other failure of a
    discoverer costs that kind of source, with the reason."""
    ctx = DiscoveryContext(
        sysfs_root=sysfs_root,
        powercap_dir=powercap_dir,
        external_csv=external_csv,
        sampling_hz=sampling_hz,
        search_path=search_path,
        files=files or FileReader(),
    )
    found, missing = [], []
    for discover in DISCOVERERS:
        try:
            sources, reasons = discover(ctx)
        except PowerSetupError:
            raise
        except Exception as exc:
            sources, reasons = [], [(discover.__module__.rsplit(".", 1)[-1], f"discovery failed: {one_line(exc)}")]
        found += sources
        missing += reasons
        ctx.found_names.update(source.name for source in sources)
    return found, missing


def open_sources(specs, files=None):
    """(sources, [(name, scope, reason)] of those that could not be opened) from discovered specs; never raises."""
    opened, failed = [], []
    for spec in specs:
        try:
            opened.append(spec.open(files or FileReader()))
        except SourceUnavailable as exc:
            failed.append((spec.name, spec.scope, str(exc)))
        except Exception as exc:  # whatever goes wrong opening one source costs that source only
            failed.append((spec.name, spec.scope, f"could not be opened: {one_line(exc)}"))
    return opened, failed


__all__ = [
    "discover_sources",
    "open_sources",
    "EnergyMeter",
    "EnergyWindow",
    "SourceEnergy",
    "PowerSample",
    "PowerSetupError",
    "SourceSpec",
    "PowerSource",
    "EnergyCounterSource",
    "PolledPowerSource",
    "StreamedPowerSource",
    "SourceUnavailable",
    "Window",
    "DiscoveryContext",
    "FileReader",
    "DISCOVERERS",
]
