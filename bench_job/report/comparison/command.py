"""`bench-job compare`: merge result bundles from several devices (and several runs of one device) into
one comparison bundle with speed-up and energy-ratio tables, per-device plots and a report.

A device is env.json's device_kind + hostname, and the power state its rows ran in (a Jetson's nvpmodel
mode and jetson_clocks: "jetson-orin-1 @MAXN"), unless the user labels the bundles (--labels); bundles with
the same label are runs of one device and are merged, the latest measurement of a configuration winning,
except bundles of different power states, which are kept apart under the label and their state. How rows
are matched and ratios taken is report/comparison.py's; this module is the command.

It is imported whenever the CLI builds its parser, so pandas and the report's modules are imported inside
cmd_compare, not here, and a bundle is read only as far as COMPARE_MEMBERS.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import tempfile

from bench_job.bundle import names
from bench_job.bundle.read import load_bundle
from bench_job.errors import UserError

# What a comparison reads of a bundle: the records and the device they come from (not the plots, pages,
# config or outcome; bundle_reader.extract_members stops decompressing once it has these).
COMPARE_MEMBERS = (names.RESULTS_JSONL, names.ENV_JSON)


def output_name(devices, stamp: str) -> str:
    """The comparison bundle's name: short whatever the device count (a name listing every label broke
    the file-name limit at 32 devices), and distinct for two compares of different devices in one second."""
    digest = hashlib.sha256("\n".join(devices).encode()).hexdigest()[:8]
    return f"compare-{len(devices)}-devices-{digest}-{stamp}"


def parse_labels(text, count: int) -> list:
    if not text:
        return [None] * count
    labels = [label.strip() for label in text.split(",")]
    if len(labels) != count or not all(labels):
        raise UserError(f"--labels needs one non-empty label per bundle: {count} bundle(s), got {len(labels)} label(s)")
    return labels


def add_compare_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="merge result bundles from several devices into one comparison bundle"
    )
    parser.add_argument("bundles", nargs="+", metavar="BUNDLE", help="result bundles (.tar.gz or folders)")
    parser.add_argument("--out", default="results", help="folder for the comparison bundle (default: results)")
    parser.add_argument(
        "--labels",
        help="comma-separated device label per bundle (default: env device_kind-hostname, and @power mode on a "
        "Jetson); bundles with the same label are merged as runs of one device, unless they ran in different "
        "power states",
    )
    parser.add_argument("--baseline", help="device label the ratios are relative to (default: the first bundle's)")


def cmd_compare(args) -> int:
    if len(args.bundles) < 2:
        raise UserError(
            "compare needs at least two bundles: one per device (e.g. `bench-job compare pi.tar.gz "
            "laptop.tar.gz`), or two runs of one device told apart with --labels"
        )
    labels = parse_labels(args.labels, len(args.bundles))
    from bench_job.bundle.write import write_bundle
    from bench_job.report.comparison.matching import merge
    from bench_job.report.comparison.report import write_compare_report

    with tempfile.TemporaryDirectory(prefix="bench-job-compare-") as scratch:
        bundles = [
            load_bundle(path, os.path.join(scratch, str(i)), COMPARE_MEMBERS) for i, path in enumerate(args.bundles)
        ]
        merged, devices = merge(bundles, labels)
    if len(devices) < 2:
        raise UserError(
            f"all {len(args.bundles)} bundle(s) are from one device ({next(iter(devices))}): nothing to "
            "compare; pass bundles from other devices, or --labels to tell runs apart"
        )
    baseline = args.baseline or next(iter(devices))
    if baseline not in devices:
        raise UserError(f"--baseline {baseline!r} is not one of the devices: {', '.join(devices)}")
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder {args.out}: {exc.strerror}; pass a writable --out") from None
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = output_name(devices, stamp)
    workdir = os.path.join(args.out, name)
    os.makedirs(workdir, exist_ok=True)
    merged.to_csv(os.path.join(workdir, names.RESULTS_CSV), index=False)
    with open(os.path.join(workdir, names.DEVICES_JSON), "w") as handle:
        json.dump({"baseline": baseline, "devices": devices}, handle, indent=2, default=str)
    write_compare_report(merged, devices, baseline, workdir)
    bundle = write_bundle(workdir, args.out, name)
    shutil.rmtree(workdir)  # as `run` does: the tarball is the product, not a second copy beside it
    print(bundle)
    return 0
