"""Power and energy measurement: sensor sources behind one interface, a sampler, and the EnergyMeter.

Adding a sensor is one new module with a discover(ctx) -> (found, missing) function, listed below.
The order of DISCOVERERS is the preference order of the sources in every result: the first source with
figures is the best whole-device reading available.
"""

from bench_job.power import (battery, external_csv, jetson_ina3221, nvml, rapl, rpi_vcgencmd, tegrastats)
from bench_job.power.base import (EnergyCounterSource, PolledPowerSource, PowerSource, SourceUnavailable,
                                  StreamedPowerSource, Window)
from bench_job.power.discovery import DiscoveryContext
from bench_job.power.meter import EnergyMeter
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


def discover_sources(sysfs_root="/sys", external_csv=None, sampling_hz=50.0, powercap_dir=None,
                     search_path=None, files=None):
    """(found sources, [(source name, one-line reason it is unavailable)]) on this machine."""
    ctx = DiscoveryContext(sysfs_root=sysfs_root, powercap_dir=powercap_dir, external_csv=external_csv,
                           sampling_hz=sampling_hz, search_path=search_path, files=files or FileReader())
    found, missing = [], []
    for discover in DISCOVERERS:
        sources, reasons = discover(ctx)
        found += sources
        missing += reasons
        ctx.found_names.update(source.name for source in sources)
    return found, missing


__all__ = ["discover_sources", "EnergyMeter", "PowerSource", "EnergyCounterSource", "PolledPowerSource",
           "StreamedPowerSource", "SourceUnavailable", "Window", "DiscoveryContext", "FileReader", "DISCOVERERS"]
