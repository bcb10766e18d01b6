from __future__ import annotations

import time

import pytest

from bench_job.power import EnergyMeter
from bench_job.power.base import PowerSetupError
from bench_job.power.integrate import integrate_window, samples_inside
from tests.power.helpers import StepPower


def test_trapezoid_is_exact_for_linear_power_and_interpolates_edges():
    samples = [(0.0, 0.0), (1.0, 10.0), (2.0, 20.0)]
    # P(t) = 10 t over [0.5, 1.5]: integral 10
    assert integrate_window(samples, 0.5, 1.5) == pytest.approx(10.0)
    assert samples_inside(samples, 0.5, 1.5) == 1
    with pytest.raises(ValueError):
        integrate_window([], 0, 1)


def test_power_step_at_known_time_integrates_within_two_percent():
    source = StepPower("rail", low=4.0, high=12.0, switch_at=time.monotonic() + 0.5)
    meter = EnergyMeter([source], sampling_hz=50.0)
    result = meter.measure(lambda: time.sleep(0.005), min_window_s=1.0, min_samples=10)
    meter.close()
    window = meter.last_window
    (figures,) = result.sources
    assert window.start_mono < source.switch_at < window.end_mono
    assert figures.energy_j == pytest.approx(source.energy_between(window.start_mono, window.end_mono), rel=0.02)
    assert figures.power_samples >= 10 and 40 <= figures.sampling_hz <= 55
    assert figures.reason is None


def test_idle_baseline_gives_net_energy():
    source = StepPower("rail", low=3.0, high=3.0, switch_at=0)
    meter = EnergyMeter([source])
    assert meter.measure_idle(0.3)["rail"] == pytest.approx(3.0)
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.3)
    meter.close()
    (figures,) = result.sources
    assert figures.idle_power_w == pytest.approx(3.0)
    assert figures.energy_net_per_inference_j == pytest.approx(0.0, abs=1e-9)
    # an idle baseline measured elsewhere (the parent process) is passed in
    other = EnergyMeter([source], idle_w={"rail": 1.0})
    (figures,) = other.measure(lambda: time.sleep(0.01), min_window_s=0.2).sources
    other.close()
    # 3 W measured, 1 W idle: two thirds of the gross energy is net
    assert figures.energy_net_per_inference_j == pytest.approx(figures.energy_per_inference_j * 2 / 3, rel=1e-6)


def test_window_waits_for_min_samples_of_a_slow_source():
    slow = StepPower("slow", 1.0, 1.0, 0)
    slow.max_hz = 10.0
    meter = EnergyMeter([slow], sampling_hz=50.0)
    result = meter.measure(lambda: time.sleep(0.005), min_window_s=0.2, min_samples=5)
    meter.close()
    assert result.window_s >= 0.4  # five samples at 10 Hz, not the 0.2 s minimum
    assert result.sources[0].power_samples >= 5


def test_a_source_failing_mid_run_gets_a_reason_and_the_others_go_on():
    good = StepPower("good", 2.0, 2.0, 0)
    bad = StepPower("bad", 5.0, 5.0, 0)
    bad.fail_after = time.monotonic() + 0.2
    meter = EnergyMeter([good, bad])
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.5)
    meter.close()
    by_name = {s.power_source: s for s in result.sources}
    assert by_name["bad"].energy_j is None and "vanished" in by_name["bad"].reason
    assert by_name["good"].avg_power_w == pytest.approx(2.0)


def test_max_window_caps_the_loop_and_says_so():
    slow = StepPower("slow", 1.0, 1.0, 0)
    slow.max_hz = 2.0
    meter = EnergyMeter([slow])
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.2, min_samples=50, max_window_s=0.6)
    meter.close()
    assert result.window_s < 1.0
    assert "fewer than 50" in result.sources[0].reason


def test_bad_window_bounds_are_user_errors():
    meter = EnergyMeter([])
    with pytest.raises(PowerSetupError):
        meter.measure(lambda: None, min_window_s=2.0, max_window_s=1.0)
    with pytest.raises(PowerSetupError):
        EnergyMeter([], sampling_hz=0)


class Raising:
    """A source stand-in whose every call raises an unforeseen error (not SourceUnavailable)."""

    def __init__(self, name, kind):
        self.name, self.kind, self.scope, self.max_hz = name, kind, "test", None

    def _fail(self, *args):
        raise TypeError("can't concat NoneType to bytes")  # what a powered-off sysfs node gave on a Thor

    read_power_w = read_energy_j = start = samples = _fail

    @property
    def sampling_hz(self):
        self._fail()

    def stop(self):
        pass

    def close(self):
        pass


def test_nothing_a_source_raises_leaves_the_meter():
    good = StepPower("good", 2.0, 2.0, 0)
    meter = EnergyMeter(
        [good, Raising("polled", "polled"), Raising("counter", "counter"), Raising("streamed", "streamed")]
    )
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.3)
    idle = meter.measure_idle(0.2)
    meter.close()
    by_name = {s.power_source: s for s in result.sources}
    assert by_name["good"].avg_power_w == pytest.approx(2.0)
    for name in ("polled", "counter", "streamed"):
        assert by_name[name].energy_j is None
        assert "TypeError: can't concat NoneType to bytes" in by_name[name].reason
    assert idle["good"] == pytest.approx(2.0) and idle["counter"] is None


def test_unopened_sources_are_listed_with_their_reason():
    meter = EnergyMeter([StepPower("good", 1.0, 1.0, 0)], unopened=[("gone", "a rail", "rail file has vanished")])
    result = meter.measure(lambda: time.sleep(0.01), min_window_s=0.2)
    meter.close()
    assert [s.power_source for s in result.sources] == ["good", "gone"]
    gone = result.sources[1]
    assert gone.energy_j is None and gone.power_scope == "a rail" and gone.reason == "rail file has vanished"
