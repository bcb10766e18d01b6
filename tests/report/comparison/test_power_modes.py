"""bench-job compare of one Jetson board in several power states beside another device: each state is a device
of its own, never merged, named as one board's states wherever devices stand side by side, and the power-mode
section (the MaxQ / MaxP view) sets the states side by side and picks the most efficient and the fastest.

The bundles are written as `bench-job run` writes them (results.jsonl of schema records, env.json), in the
states a Jetson Nano has: nvpmodel modes MAXN (id 0) and 5W (id 1), 5W with CPUs 0-1 online and caps of
918 MHz (CPU), 640 MHz (GPU) and 1600 MHz (EMC): jetson_stats' nvpmodel emulator `tests/nvpmodel` @ f41d5cad
(show_verbose_nano, POWER_MODEL ID=1 NAME=5W), and JETSON.md §5. The figures are chosen so the verdicts'
ratios come out round.
"""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from bench_job.bundle.records import VERSION_6_COLUMNS
from bench_job.report.comparison.power_states import describe_state, record_states, state_name
from tests.conftest import run_cli
from tests.report.conftest import extract
from tests.report.synthetic import measured

NANO = "nano-1"
MAXN = dict(power_mode="MAXN", power_mode_id=0, jetson_clocks=False, cpus_online=4)
MAXN_CLOCKS = dict(MAXN, jetson_clocks=True)
FIVE_W = dict(
    power_mode="5W", power_mode_id=1, jetson_clocks=False, cpus_online=2, cpu_freq_cap_mhz=918.0,
    gpu_freq_cap_mhz=640.0, emc_freq_cap_mhz=1600.0,
)  # fmt: skip
CHANGED = "Jetson power mode changed from MAXN to 5W"


def _row(model, batch, size, latency, energy, state, sweeps="batch", **fields):
    return measured(
        model,
        batch,
        size,
        latency,
        sweeps=sweeps,
        accelerator="cuda",
        energy_per_inference_j=energy,
        throughput=batch / latency,
        energy_reason=None,
        **{**state, "power_state_changed": False, **fields},
    )


def _bundle(folder, kind, host, records, power_state=None) -> str:
    folder.mkdir(parents=True)
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    env = {"device_kind": kind, "hostname": host}
    if power_state is not None:
        env["power_state"] = power_state
    (folder / "env.json").write_text(json.dumps(env))
    return str(folder)


def _snapshot(state) -> dict:
    """env.json's power_state: the read_device_state keys a run records at its start."""
    return {"jetson_power_mode": state["power_mode"], "jetson_power_mode_id": state["power_mode_id"],
            "jetson_clocks": state["jetson_clocks"]}  # fmt: skip


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("power-modes")
    maxn = [
        _row("resnet18", 1, 224, 0.040, 0.30, MAXN, sweeps="batch+input", accuracy=0.6976),
        _row("resnet18", 2, 224, 0.070, 0.26, MAXN),
        _row("resnet18", 1, 128, 0.020, 0.15, MAXN, sweeps="input"),
        _row("mobilenet_v2", 1, 224, 0.020, 0.10, MAXN),
        _row("squeezenet1_1", 1, 224, 0.010, 0.050, MAXN),
    ]
    clocks = [
        _row("resnet18", 1, 224, 0.030, 0.36, MAXN_CLOCKS, sweeps="batch+input", accuracy=0.6976),
        _row("resnet18", 2, 224, 0.055, 0.32, MAXN_CLOCKS),
        # the fastest and, for the section, to be passed over: busy, and a mode switch mid-measurement
        _row("mobilenet_v2", 1, 224, 0.016, 0.09, MAXN_CLOCKS, valid=False, invalid_reasons="busy"),
        _row("squeezenet1_1", 1, 224, 0.008, 0.030, MAXN_CLOCKS, power_state_changed=True, power_state_reasons=CHANGED),
    ]
    five = [
        _row("resnet18", 1, 224, 0.100, 0.20, FIVE_W, sweeps="batch+input", accuracy=0.6976),
        _row("resnet18", 2, 224, 0.180, 0.19, FIVE_W),
        _row("resnet18", 1, 128, 0.050, 0.10, FIVE_W, sweeps="input"),
        _row("mobilenet_v2", 1, 224, 0.050, 0.12, FIVE_W),
        _row("squeezenet1_1", 1, 224, 0.025, 0.040, FIVE_W),
    ]
    laptop = [
        measured("resnet18", 1, 224, 0.050, sweeps="batch+input", throughput=20.0),
        measured("mobilenet_v2", 1, 224, 0.016, throughput=62.5),
    ]
    # a bundle of the same board from before schema 6: no power columns, no snapshot
    old = [
        dict({k: v for k, v in r.items() if k not in VERSION_6_COLUMNS}, schema_version=5)
        for r in [measured("resnet18", 1, 224, 0.045, sweeps="batch+input")]
    ]
    return {
        "maxn": _bundle(tmp / "maxn", "jetson", NANO, maxn, _snapshot(MAXN)),
        "clocks": _bundle(tmp / "clocks", "jetson", NANO, clocks, _snapshot(MAXN_CLOCKS)),
        "five": _bundle(tmp / "five", "jetson", NANO, five, _snapshot(FIVE_W)),
        "laptop": _bundle(tmp / "laptop", "laptop", "lab-pc", laptop),
        "old": _bundle(tmp / "old", "jetson", NANO, old),
    }


def _compare(tmp_path, *paths, labels=None):
    extra = ["--labels", labels] if labels else []
    result = run_cli("compare", *paths, "--out", str(tmp_path / "out"), *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    root = extract(result.stdout.strip().splitlines()[-1], tmp_path / "extracted")
    return root, open(os.path.join(root, "report.md")).read()


@pytest.fixture(scope="module")
def compared(bundles, tmp_path_factory):
    order = ("maxn", "clocks", "five", "laptop", "old")
    return _compare(tmp_path_factory.mktemp("compared"), *(bundles[b] for b in order))


def test_each_power_state_of_a_board_is_a_device_labelled_with_it(compared):
    root, report = compared
    devices = json.load(open(os.path.join(root, "devices.json")))["devices"]
    assert list(devices) == [
        "jetson-nano-1 @MAXN",
        "jetson-nano-1 @MAXN + jetson_clocks",
        "jetson-nano-1 @5W",
        "laptop-lab-pc",
        "jetson-nano-1",
    ]
    assert {d["board"] for label, d in devices.items() if label.startswith("jetson")} == {"jetson-nano-1"}
    merged = pd.read_csv(os.path.join(root, "results.csv"))
    # no merging: every bundle's rows under its own device, none replaced
    assert merged.groupby("device").size().to_dict() == {
        "jetson-nano-1 @MAXN": 5,
        "jetson-nano-1 @MAXN + jetson_clocks": 4,
        "jetson-nano-1 @5W": 5,
        "laptop-lab-pc": 2,
        "jetson-nano-1": 1,
    }
    assert (
        "| jetson-nano-1 @5W | jetson @5W | 5W (id 1), jetson_clocks off; caps CPU 918, GPU 640, EMC 1600 MHz; "
        "2 CPUs online | nano-1 |"
    ) in report
    assert "| jetson-nano-1 | jetson | not recorded | nano-1 |" in report
    assert "| laptop-lab-pc | laptop |  | lab-pc |" in report
    assert (
        "- jetson-nano-1 was measured in 4 power states (5W, MAXN, MAXN + jetson_clocks, power state not "
        "recorded): each is a device here, never merged with another"
    ) in report


def test_side_by_side_tables_say_which_entries_are_one_board(compared):
    root, report = compared
    note = (
        "One board in several power states: jetson-nano-1, jetson-nano-1 @5W, jetson-nano-1 @MAXN, "
        "jetson-nano-1 @MAXN + jetson_clocks are jetson-nano-1."
    )
    # after the resnet18 leaderboard table (all five devices), in the speed-up section and the plots'
    leaderboard = report.split("## Leaderboard")[1].split("\n## ")[0]
    assert note in leaderboard and note in report.split("## Speed-up")[1] and note in report.split("## Plots")[1]
    assert "(laptop-lab-pc" not in note
    # the kinds table groups a Jetson's rows per power state, never pooling its modes
    kinds = leaderboard.split("### By device kind")[1].split("\n### ")[0]
    for group in ("jetson @MAXN", "jetson @MAXN + jetson_clocks", "jetson @5W", "jetson", "laptop"):
        assert f"| resnet18 | fp32 | {group} | 1 |" in kinds
    assert (
        # 40/100, 70/180, 20/50 (128 px), 20/50, 10/25
        "- jetson-nano-1 @5W vs jetson-nano-1 @MAXN: geometric mean 0.40x over 5 configurations (range "
        "0.39-0.40); both bundles come from host nano-1, in two power states (5W vs MAXN): the ratio is what the "
        "power state changes on one board, not how devices differ"
    ) in report
    board = pd.read_csv(os.path.join(root, "leaderboard.csv"))
    row = board[(board["device"] == "jetson-nano-1 @5W") & (board["batch_size"] == 2)].iloc[0]
    assert (row["board"], row["power_state"], row["kind"]) == ("jetson-nano-1", "5W", "jetson")


def test_power_mode_section_sets_the_states_side_by_side(compared):
    root, report = compared
    section = report.split("## Power modes (MaxQ / MaxP)")[1].split("\n## ")[0]
    assert "### jetson-nano-1: MAXN, MAXN + jetson_clocks, 5W" in section
    assert "Left out, no power state recorded in their rows (older bundles): jetson-nano-1." in section
    assert "- 5W: 5W (id 1), jetson_clocks off; caps CPU 918, GPU 640, EMC 1600 MHz; 2 CPUs online" in section
    # resnet18 at batch 1, 224 px: the configuration all three states share (not 128 px, which two share)
    for line in (
        "| resnet18 | fp32 | eager | 1 | 224 | MAXN | 40.00 | 0.3 | 25 | 69.8 | valid |",
        "| resnet18 | fp32 | eager | 1 | 224 | MAXN + jetson_clocks | 30.00 | 0.36 | 33.3 | 69.8 | valid |",
        "| resnet18 | fp32 | eager | 1 | 224 | 5W | 100.00 | 0.2 | 10 | 69.8 | valid |",
        "| mobilenet_v2 | fp32 | eager | 1 | 224 | MAXN + jetson_clocks | 16.00 (!) | 0.09 (!) | 62.5 |  | "
        "(!) invalid: busy |",
        f"| squeezenet1_1 | fp32 | eager | 1 | 224 | MAXN + jetson_clocks | 8.00 (changed) | 0.03 (changed) | 125 |  "
        f"| (changed) power state changed: {CHANGED} |",
    ):
        assert line in section, line
    assert "| resnet18 | fp32 | eager | 1 | 128 |" not in section and "| 2 | 224 |" not in section
    # the verdicts: energy 0.36 / 0.20 = 1.80x for 100 / 30 ms = 3.33x; the invalid and the changed rows,
    # though fastest and most efficient, are passed over
    for line in (
        "| resnet18 | fp32 | eager | 5W (0.2 J) | MAXN + jetson_clocks (30.00 ms) | 3.33x lower latency for 1.80x the "
        "energy per inference (+80%) |",
        "| mobilenet_v2 | fp32 | eager | MAXN (0.1 J) | MAXN (20.00 ms) | none: the fastest state is also the most "
        "efficient |",
        "| squeezenet1_1 | fp32 | eager | 5W (0.04 J) | MAXN (10.00 ms) | 2.50x lower latency for 1.25x the energy "
        "per inference (+25%) |",
    ):
        assert line in section, line


def test_power_modes_csv_holds_every_configuration_two_states_share(compared):
    root, _ = compared
    table = pd.read_csv(os.path.join(root, "power_modes.csv"))
    assert set(table["board"]) == {"jetson-nano-1"}
    shared = table.groupby(["model", "batch_size", "input_size"])["power_state"].apply(sorted).to_dict()
    assert shared == {
        ("mobilenet_v2", 1, 224): ["5W", "MAXN", "MAXN + jetson_clocks"],
        ("resnet18", 1, 128): ["5W", "MAXN"],
        ("resnet18", 1, 224): ["5W", "MAXN", "MAXN + jetson_clocks"],
        ("resnet18", 2, 224): ["5W", "MAXN", "MAXN + jetson_clocks"],
        ("squeezenet1_1", 1, 224): ["5W", "MAXN", "MAXN + jetson_clocks"],
    }
    changed = table[table["power_state_changed"] == True]  # noqa: E712
    assert list(changed["power_state_reasons"]) == [CHANGED]


def test_one_label_over_two_power_states_keeps_them_apart_and_says_so(bundles, tmp_path):
    root, report = _compare(tmp_path, bundles["maxn"], bundles["five"], bundles["laptop"], labels="nano,nano,laptop")
    devices = json.load(open(os.path.join(root, "devices.json")))["devices"]
    assert list(devices) == ["nano @MAXN", "nano @5W", "laptop"]
    assert (
        "- The label nano was given to bundles of 2 power states: they are kept apart as nano @5W, nano @MAXN "
        "rather than merged as runs of one device (label them apart, e.g. nano@MODE, to name them yourself)."
    ) in report
    assert "### jetson-nano-1: MAXN, 5W" in report


def test_campaign_labels_are_kept_and_the_board_still_known(bundles, tmp_path):
    # a power-mode sweep's bundles come labelled <host>@<mode>
    root, report = _compare(tmp_path, bundles["maxn"], bundles["five"], labels="nano-1@MAXN,nano-1@5W")
    assert list(json.load(open(os.path.join(root, "devices.json")))["devices"]) == ["nano-1@MAXN", "nano-1@5W"]
    assert "### jetson-nano-1: MAXN, 5W" in report
    assert "One board in several power states: nano-1@5W, nano-1@MAXN are jetson-nano-1." in report


def test_laptops_and_old_bundles_have_no_power_mode_section(bundles, tmp_path):
    root, report = _compare(tmp_path, bundles["laptop"], bundles["old"])
    assert "Power modes" not in report and "power states" not in report
    assert not os.path.exists(os.path.join(root, "power_modes.csv"))
    assert list(json.load(open(os.path.join(root, "devices.json")))["devices"]) == ["laptop-lab-pc", "jetson-nano-1"]


def test_a_row_without_a_state_takes_the_runs_start_state():
    env = {"power_state": _snapshot(MAXN_CLOCKS)}
    records = [dict(MAXN), {"power_mode": None, "jetson_clocks": None}]
    assert record_states(records, env) == ["MAXN", "MAXN + jetson_clocks"]
    # no snapshot (an older env.json): the state the bundle's other rows name
    assert record_states(records, {}) == ["MAXN", "MAXN"]
    assert state_name(None, True) == "mode unknown + jetson_clocks" and state_name(None, None) is None


def test_describe_state_reads_the_first_row_that_recorded_one():
    rows = pd.DataFrame([dict.fromkeys(FIVE_W), dict(FIVE_W)])
    assert describe_state(rows) == "5W (id 1), jetson_clocks off; caps CPU 918, GPU 640, EMC 1600 MHz; 2 CPUs online"
    assert describe_state(pd.DataFrame([dict.fromkeys(FIVE_W)])) == ""


def test_two_runs_of_one_state_labelled_apart_are_told_apart_in_the_section(bundles, tmp_path):
    root, report = _compare(tmp_path, bundles["maxn"], bundles["maxn"], bundles["five"], labels="run1,run2,low")
    section = report.split("## Power modes (MaxQ / MaxP)")[1]
    assert "### jetson-nano-1: MAXN (run1), MAXN (run2), 5W" in section
    # two runs of MAXN and one of 5W: every configuration is shared by two states, not three
    assert set(pd.read_csv(os.path.join(root, "power_modes.csv"))["states_sharing"]) == {2}
    assert "| squeezenet1_1 | fp32 | eager | 5W (0.04 J) | MAXN (run1) (10.00 ms) | 2.50x lower latency" in section
