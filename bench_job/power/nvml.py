"""NVIDIA GPU energy through NVML (the nvidia-ml-py package, imported only when looked for).

nvmlDeviceGetTotalEnergyConsumption gives millijoules since the driver loaded (Volta and newer; updated
about every 100 ms), so it is used as a counter where supported; older GPUs fall back to sampling
nvmlDeviceGetPowerUsage (milliwatts). NVML does not work on Jetson, which has no discrete GPU: there the
INA3221 rails are the source.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench_job.power.base import EnergyCounterSource, PolledPowerSource, SourceSpec, SourceUnavailable


def _is_jetson(ctx) -> bool:
    compatible = ctx.files.text_or_none(os.path.join(ctx.sysfs_root, "firmware", "devicetree", "base", "compatible"))
    return bool(compatible and "nvidia,tegra" in compatible)


def _scope(nvml, handle, index) -> str:
    name = nvml.nvmlDeviceGetName(handle)
    name = name.decode() if isinstance(name, bytes) else name
    return f"NVIDIA GPU {index} ({name}) board power, from NVML"


@dataclass(frozen=True)
class NvmlSpec(SourceSpec):
    index: int
    counter: bool  # the total-energy counter works on this GPU (else power is sampled)
    scope: str

    @property
    def name(self) -> str:
        return f"nvml-gpu{self.index}"

    def open(self, files):
        """A fresh NVML handle for the GPU: handles do not cross processes."""
        try:
            import pynvml as nvml
        except ImportError:
            raise SourceUnavailable("nvidia-ml-py is not installed in the worker's environment") from None
        try:
            nvml.nvmlInit()
            handle = nvml.nvmlDeviceGetHandleByIndex(self.index)
        except nvml.NVMLError as exc:
            raise SourceUnavailable(f"NVML could not open GPU {self.index}: {exc}") from None
        return (NvmlEnergyCounter if self.counter else NvmlPowerSampler)(self, nvml, handle)


class NvmlEnergyCounter(EnergyCounterSource):
    def __init__(self, spec, nvml, handle):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self._nvml, self._handle = nvml, handle

    def read_energy_j(self) -> float:
        try:
            return self._nvml.nvmlDeviceGetTotalEnergyConsumption(self._handle) / 1e3
        except self._nvml.NVMLError as exc:
            raise SourceUnavailable(f"NVML total energy read failed: {exc}") from None


class NvmlPowerSampler(PolledPowerSource):
    def __init__(self, spec, nvml, handle):
        super().__init__(spec.name, spec.scope)
        self.spec = spec
        self._nvml, self._handle = nvml, handle

    def read_power_w(self) -> float:
        try:
            return self._nvml.nvmlDeviceGetPowerUsage(self._handle) / 1e3
        except self._nvml.NVMLError as exc:
            raise SourceUnavailable(f"NVML power read failed: {exc}") from None


def discover(ctx):
    if _is_jetson(ctx):
        return [], [("nvml", "NVML does not work on Jetson: the INA3221 rails are read instead")]
    try:
        import pynvml as nvml
    except ImportError:
        return [], [("nvml", "nvidia-ml-py is not installed (pip install nvidia-ml-py) so NVIDIA GPUs are not read")]
    try:
        nvml.nvmlInit()
        count = nvml.nvmlDeviceGetCount()
    except nvml.NVMLError as exc:
        return [], [("nvml", f"NVML could not start ({exc}): no NVIDIA GPU or driver")]
    if count == 0:
        return [], [("nvml", "NVML found no NVIDIA GPU")]
    found, missing = [], []
    for index in range(count):
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
        try:
            nvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            found.append(NvmlEnergyCounter(NvmlSpec(index, True, _scope(nvml, handle, index)), nvml, handle))
            continue
        except nvml.NVMLError:
            pass  # pre-Volta GPU: fall back to power sampling
        try:
            nvml.nvmlDeviceGetPowerUsage(handle)
            found.append(NvmlPowerSampler(NvmlSpec(index, False, _scope(nvml, handle, index)), nvml, handle))
        except nvml.NVMLError as exc:
            missing.append((f"nvml-gpu{index}", f"GPU {index} reports neither total energy nor power ({exc})"))
    return found, missing
