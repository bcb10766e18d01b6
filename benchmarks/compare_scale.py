"""How long `bench-job compare` takes for a class: 2, 10 and 100 bundles, each a copy of one real bundle
labelled as another device (env.json's device_kind cycles laptop, rpi, jetson; hostname group000...), packed
as the tarballs users collect. Each count is timed as the user runs it (a fresh `python -m bench_job
compare` process: start-up, extraction, merge, report and plots) over --repeats runs; beside it, two
references measured the same way: unpacking the same tarballs with tar (the floor any reader pays) and
the interpreter importing the comparison's modules.

    python benchmarks/compare_scale.py [--bundle results/laptop-....tar.gz] [--counts 2,10,100] [--repeats 3]

Without --bundle, a tiny real run (squeezenet1_1 and resnet18, two batch sizes, two input sizes) makes one.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

KINDS = ("laptop", "rpi", "jetson")
TINY_RUN = ["--models", "squeezenet1_1,resnet18", "--set", "sweeps.vision.batch_sizes=[1,2]",
            "--set", "sweeps.vision.input_size=64", "--set", "sweeps.vision.input_sizes=[32,64]",
            "--set", "measure.max_time_per_config_s=0.3", "--threads", "1"]


def make_bundle(scratch: str) -> str:
    out = os.path.join(scratch, "source-run")
    proc = subprocess.run([sys.executable, "-m", "bench_job", "run", "--device", "laptop", "--out", out, *TINY_RUN],
                          capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    if proc.returncode != 0:
        sys.exit(f"the tiny run that makes a bundle failed:\n{proc.stderr[-2000:]}")
    return proc.stdout.strip().splitlines()[-1]


def unpack(bundle: str, into: str) -> str:
    with tarfile.open(bundle) as tar:
        tar.extractall(into, filter="data")
    (top,) = os.listdir(into)
    return os.path.join(into, top)


def copies(root: str, count: int, folder: str) -> list:
    """count tarballs of the bundle at root, each one another device's."""
    env = json.load(open(os.path.join(root, "env.json")))
    os.makedirs(folder)
    paths = []
    for i in range(count):
        name = f"{KINDS[i % 3]}-group{i:03d}-copy"
        path = os.path.join(folder, f"{name}.tar.gz")
        with tarfile.open(path, "w:gz") as tar:
            for entry in sorted(os.listdir(root)):
                if entry != "env.json":
                    tar.add(os.path.join(root, entry), arcname=f"{name}/{entry}")
            env_path = os.path.join(folder, "env.json")
            with open(env_path, "w") as handle:
                json.dump(dict(env, device_kind=KINDS[i % 3], hostname=f"group{i:03d}"), handle)
            tar.add(env_path, arcname=f"{name}/env.json")
            os.remove(env_path)
        paths.append(path)
    return paths


def timed(cmd, repeats: int, **kwargs) -> list:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
        seconds.append(time.perf_counter() - started)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd[:4])} ... failed:\n{proc.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", help="a real bundle (.tar.gz); default: make one with a tiny run")
    parser.add_argument("--counts", default="2,10,100")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    with tempfile.TemporaryDirectory(prefix="compare-scale-") as scratch:
        bundle = args.bundle or make_bundle(scratch)
        root = unpack(bundle, os.path.join(scratch, "source"))
        rows = sum(1 for line in open(os.path.join(root, "results.jsonl")) if line.strip())
        print(f"bundle {os.path.basename(bundle)}: {rows} records; {args.repeats} runs per count")
        imports = timed([sys.executable, "-c", "import bench_job.compare, bench_job.report.compare_report"],
                        args.repeats)
        print(f"reference: importing the comparison's modules {statistics.median(imports):.2f} s (median)")
        print(f"{'bundles':>8} {'compare median (s)':>19} {'min (s)':>8} {'tar -xzf all (s)':>17}")
        for count in counts:
            paths = copies(root, count, os.path.join(scratch, f"copies-{count}"))
            compare = timed([sys.executable, "-m", "bench_job", "compare", *paths, "--out",
                             os.path.join(scratch, f"out-{count}")], args.repeats)
            target = os.path.join(scratch, f"untar-{count}")
            os.makedirs(target)
            untar = timed(["sh", "-c", 'for f in "$@"; do tar -xzf "$f" -C "$0"; done', target, *paths], args.repeats)
            print(f"{count:>8} {statistics.median(compare):>19.2f} {min(compare):>8.2f} {statistics.median(untar):>17.2f}")


if __name__ == "__main__":
    main()
