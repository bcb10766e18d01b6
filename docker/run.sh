#!/bin/sh
# Fetch, then benchmark, in containers, leaving nothing behind but the images, the assets volume and the
# bundle (every container is run with --rm; the fetch step uses Docker's default bridge, no network of
# the project's). The command to script against: it exits with the benchmark's own status.
#
#   docker/run.sh [laptop|rpi|jetson]      (default: $DEVICE, else laptop; `make run` calls it)
#
# Exit status: 0 something was measured; 1 nothing was measured (every configuration oom, error,
# skipped or timeout: the bundle and its report say why); 2 a user error: bad BENCH_ARGS (refused by the
# fetch step's check before any download, then by the benchmark with the same line), an unknown device,
# a missing image or results folder; 130/143 interrupted; anything else is compose's or the engine's.
#
# Environment (all optional): BENCH_ARGS (options for `bench-job run`), RESULTS_DIR (default ./results
# of the repository), ASSETS_VOLUME, BENCH_CONFIG, WEIGHTS, FETCH_ARGS, BENCH_HOST (default: hostname),
# BASE_IMAGE, COMPOSE (default: `docker compose`), DOCKER (default: docker), NV_TEGRA_RELEASE (the Jetson's
# release file, default /etc/nv_tegra_release), DOCKER_PYTHON (default: python3).
set -u

repo=$(cd "$(dirname "$0")/.." && pwd)
device="${1:-${DEVICE:-laptop}}"
DOCKER="${DOCKER:-docker}"
COMPOSE="${COMPOSE:-$DOCKER compose}"
say() { printf '%s\n' "run.sh: $*" >&2; }

case "$device" in
laptop) profile="" ;;
rpi | jetson) profile="--profile $device" ;;
*)
    say "error: unknown device '$device': use laptop, rpi or jetson (e.g. docker/run.sh laptop)"
    exit 2
    ;;
esac
image="edge-bench-job:$device"
if ! image_id=$($DOCKER image inspect -f '{{.Id}}' "$image" 2>/dev/null); then
    say "error: no image $image: build it first (make build DEVICE=$device, or sudo make build-local DEVICE=$device)"
    exit 2
fi

# A Jetson image is for one group of L4T releases (docker/jetson_base.py): refuse one built for another than
# this host's (NV_TEGRA_RELEASE: the release file to read, for tests), with its one line, before any container.
if [ "$device" = jetson ]; then
    DOCKER="$DOCKER" "${DOCKER_PYTHON:-python3}" "$repo/docker/jetson_base.py" \
        --release-file "${NV_TEGRA_RELEASE:-/etc/nv_tegra_release}" --check-image "$image" || exit 2
fi

# compose resolves a relative path against the repository (the compose file's folder), not here.
RESULTS_DIR="${RESULTS_DIR:-$repo/results}"
case "$RESULTS_DIR" in /*) ;; *) RESULTS_DIR="$PWD/$RESULTS_DIR" ;; esac
# Made here, by the invoking user: the container runs the job as this folder's owner.
if ! mkdir -p "$RESULTS_DIR"; then
    say "error: cannot make the results folder $RESULTS_DIR"
    exit 2
fi
BENCH_HOST="${BENCH_HOST:-$(hostname)}"
BENCH_IMAGE_ID="$image_id"
FETCH_IMAGE_DEVICE="$device"
export RESULTS_DIR BENCH_HOST BENCH_IMAGE_ID FETCH_IMAGE_DEVICE

# shellcheck disable=SC2086  # COMPOSE and profile are words to split
compose() { $COMPOSE -f "$repo/compose.yaml" $profile "$@"; }

# The fetch step (network on) first: it checks BENCH_ARGS before downloading anything; a failed
# download only warns (FETCH_REQUIRED=0) and the benchmark runs with random weights, saying why.
status=0
FETCH_REQUIRED="${FETCH_REQUIRED:-0}" compose run --rm fetch || status=$?
if [ "$status" != 0 ]; then
    say "the fetch step exited with $status: no benchmark run"
    exit "$status"
fi
status=0
compose run --rm --no-deps "$device" || status=$?
case "$status" in
0) say "the benchmark exited with 0: bundle in $RESULTS_DIR" ;;
1) say "the benchmark exited with 1: nothing was measured (its report, in the bundle in $RESULTS_DIR, says why)" ;;
2) say "the benchmark exited with 2: a user error (the line above names it)" ;;
*) say "the benchmark exited with $status" ;;
esac
exit "$status"
