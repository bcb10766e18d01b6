"""`bench-job report BUNDLE`: regenerate report.md, report.html and the plots from a bundle alone."""

from __future__ import annotations

import os
import tempfile

from bench_job.bundle.read import bundle_name, load_bundle
from bench_job.bundle.real_clock_member import read_real_clock
from bench_job.errors import UserError


def add_report_parser(subparsers) -> None:
    parser = subparsers.add_parser("report", help="(re)write report.md, report.html and plots from a results bundle")
    parser.add_argument("bundle", help="a results bundle: the .tar.gz written by `bench-job run`, or its folder")
    parser.add_argument(
        "--out",
        help="folder for the report (default: the bundle's folder, or for a tarball "
        "a folder <bundle name>-report next to it)",
    )


def default_out(bundle_path: str, root: str) -> str:
    if os.path.isdir(bundle_path):
        return root
    return os.path.join(os.path.dirname(os.path.abspath(bundle_path)), bundle_name(bundle_path) + "-report")


def cmd_report(args) -> int:
    from bench_job.report.run_report import write_run_report

    with tempfile.TemporaryDirectory(prefix="bench-job-report-") as scratch:
        bundle = load_bundle(args.bundle, scratch)
        out = args.out or default_out(args.bundle, bundle.root)
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create the report folder {out}: {exc.strerror}; pass a writable --out") from None
        md_path, html_path = write_run_report(
            bundle.frame,
            bundle.config,
            bundle.env,
            out,
            bundle.outcome,
            real_clock=read_real_clock(bundle.root),
            series_root=bundle.root,
        )
    print(md_path)
    print(html_path)
    return 0
