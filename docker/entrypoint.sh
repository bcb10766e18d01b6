#!/bin/sh
# Entry point of the edge-bench-job images.
#
#   run [bench-job run options]    benchmark; the bundle lands in $RESULTS_DIR (default /results)
#   fetch [bench-job fetch options] [-- bench-job run options]
#                                   download pretrained weights and dev sets into $ASSETS_DIR (network on),
#                                   for the models of $BENCH_CONFIG unless --config/--models say otherwise.
#                                   The run's options after `--` (compose passes BENCH_ARGS) are checked
#                                   first (`bench-job run --check-args`): refused, nothing is fetched
#   probe [options]                 print what the job sees (sensors through the read-only sysfs mounts)
#   anything else                   executed as a command (bench-job report ..., python, sh)
#
# Environment (set by compose.yaml; defaults suit a plain `docker run`):
#   DEVICE           laptop | rpi | jetson (the image's own device)
#   BENCH_CONFIG     config file for `run` when no --config is given (default: configs/quick.yaml in the image)
#   RESULTS_DIR      where `run` writes its bundle (default /results)
#   ASSETS_DIR       the assets volume: HF_HOME=$ASSETS_DIR/hf, TORCH_HOME=$ASSETS_DIR/torch (default /assets)
#   HOST_SYSFS       the host's /sys mounted read-only (default /host/sys; /sys when absent)
#   HOST_POWERCAP    the host's /sys/devices/virtual/powercap mounted read-only (Docker masks the real one)
#   HOST_ROOT        where the host's files are mounted read-only (default /host): passed as --host-root
#                    when $HOST_ROOT/etc exists, so the job reads the host's /etc/nv_tegra_release, not the image's
#   BENCH_ACCELERATOR set by the image (cuda | cpu): `run` gets --accelerator with it unless one is given; the
#                    Jetson image for JetPack 4 is a CPU image and must not default to the Jetson profile's cuda
#   FETCH_REQUIRED   1: a failed fetch is an error; 0 (compose's default step): warn, and the run goes on
#                    with random weights (the warning is kept in the assets volume for the run's log)
#   BENCH_HOST       the host's name, for the bundle's name and env.json (default: the host's
#                    /etc/hostname mounted at /host/etc/hostname, else the container's hostname)
#
# Started as uid 0 (compose.yaml, with only the SETUID and SETGID capabilities), `run` and `probe` become
# the owner of the results folder before anything else: the bundle then belongs to whoever made that
# folder (the user who cloned the repository or ran `make run`), who can delete it. Root-only sensors
# (RAPL's energy_uj) are then read only where the host lets that user; env.json and the report say so.
#   WEIGHTS          auto (default): pretrained when the assets volume holds a fetch (manifest.json),
#                    random otherwise; pretrained | random force one (pretrained without assets: the job
#                    goes on with random weights only where its config allows, accuracy.optional)
set -eu

DEVICE="${DEVICE:-laptop}"
RESULTS_DIR="${RESULTS_DIR:-/results}"
ASSETS_DIR="${ASSETS_DIR:-/assets}"
BENCH_CONFIG="${BENCH_CONFIG:-/opt/edge-bench/configs/quick.yaml}"
HOST_SYSFS="${HOST_SYSFS:-/host/sys}"
HOST_POWERCAP="${HOST_POWERCAP:-/host/powercap}"
HOST_ROOT="${HOST_ROOT:-/host}"
BENCH_ACCELERATOR="${BENCH_ACCELERATOR:-}"
FETCH_REQUIRED="${FETCH_REQUIRED:-1}"
WEIGHTS="${WEIGHTS:-auto}"
FETCH_FAILED_NOTE="$ASSETS_DIR/fetch-failed.txt"
# What this script says, for the job to copy into the run log (the bundle); /tmp is the container's tmpfs.
BENCH_ENTRYPOINT_LOG="${BENCH_ENTRYPOINT_LOG:-/tmp/edge-bench-entrypoint.log}"
export BENCH_ENTRYPOINT_LOG

say() {
    printf '%s\n' "entrypoint: $*" >&2
    printf '%s\n' "info: $*" >>"$BENCH_ENTRYPOINT_LOG" 2>/dev/null || true
}
warn() {
    printf '%s\n' "entrypoint: $*" >&2
    printf '%s\n' "warning: $*" >>"$BENCH_ENTRYPOINT_LOG" 2>/dev/null || true
}

become_results_owner() {
    # As uid 0: re-run this script as the owner of the results folder (with its group, and the
    # supplementary groups compose added, such as video for the Pi's /dev/vcio, but not root's).
    # A root-owned folder (a root user's run) keeps the job root, which then reads RAPL.
    [ "$(id -u)" = 0 ] || return 0
    owner=$(stat -c %u "$RESULTS_DIR" 2>/dev/null) || return 0
    group=$(stat -c %g "$RESULTS_DIR")
    [ "$owner" != 0 ] || return 0
    groups=""
    for g in $(id -G); do
        [ "$g" = 0 ] || [ "$g" = "$group" ] || groups="${groups:+$groups,}$g"
    done
    if [ -n "$groups" ]; then set -- --groups="$groups" "$@"; else set -- --clear-groups "$@"; fi
    exec setpriv --reuid="$owner" --regid="$group" "$@"
}

has_option() {
    # has_option --flag "$@": is --flag (or --flag=...) among the arguments?
    flag="$1"; shift
    for arg in "$@"; do
        case "$arg" in "$flag"|"$flag"=*) return 0 ;; esac
    done
    return 1
}

sensor_args() {
    # Sensor locations for run/probe: the host's sysfs and powercap trees and its /etc files, mounted read-only.
    if [ -d "$HOST_SYSFS" ] && ! has_option --sysfs-root "$@"; then
        printf '%s\n' --sysfs-root "$HOST_SYSFS"
    fi
    if [ -d "$HOST_ROOT/etc" ] && ! has_option --host-root "$@"; then
        printf '%s\n' --host-root "$HOST_ROOT"
    fi
    if [ -d "$HOST_POWERCAP" ] && [ -n "$(ls -A "$HOST_POWERCAP" 2>/dev/null)" ] \
        && ! has_option --powercap-dir "$@"; then
        printf '%s\n' --powercap-dir "$HOST_POWERCAP"
    fi
}

asks_weights() {
    # asks_weights "$@": does a --set among the arguments choose the weights (the user's own choice)?
    for arg in "$@"; do
        case "$arg" in weights=*|--set=weights=*) return 0 ;; esac
    done
    return 1
}

check_run_args() {
    # check_run_args N "$@": the job's own check of the run options after the first N arguments and
    # `--` (defaults as `run` adds them); prints its one-line error and returns 2 when it refuses them.
    shift $(($1 + 2))
    has_option --config "$@" || set -- --config "$BENCH_CONFIG" "$@"
    has_option --device "$@" || set -- --device "$DEVICE" "$@"
    [ -z "$BENCH_ACCELERATOR" ] || has_option --accelerator "$@" || set -- --accelerator "$BENCH_ACCELERATOR" "$@"
    say "checking the benchmark's options before fetching: bench-job run --check-args $*"
    bench-job run --check-args "$@" >/dev/null
}

assets_ready() {
    # A fetch completed at least one item (a failed fetch leaves a manifest of unfinished items).
    [ -f "$ASSETS_DIR/manifest.json" ] && python3 -c 'import json, sys
items = json.load(open(sys.argv[1])).get("items", {})
sys.exit(0 if any(i.get("complete") for i in items.values()) else 1)' "$ASSETS_DIR/manifest.json" 2>/dev/null
}

cmd="${1:-run}"
case "$cmd" in run|probe) become_results_owner -- "$0" "$@" ;; esac
[ $# -gt 0 ] && shift
if [ -z "${BENCH_HOST:-}" ] && [ -r /host/etc/hostname ]; then
    BENCH_HOST=$(head -n 1 /host/etc/hostname)
    export BENCH_HOST
fi

case "$cmd" in
run)
    if ! mkdir -p "$RESULTS_DIR" 2>/dev/null || ! [ -w "$RESULTS_DIR" ]; then
        warn "cannot write the results folder $RESULTS_DIR as uid $(id -u): make the host folder writable" \
            "for this uid (e.g. \`mkdir -p results && chown $(id -u) results\`) or run through \`make run\`"
        exit 2
    fi
    say "running as uid $(id -u), gid $(id -g): the owner of the results folder"
    # The job records these in env.json (container.fetch_failed, container.weights_reason): the report
    # puts the failed fetch in its verdict and gives the reason for weights nobody asked for.
    fetch_note=""
    if [ -f "$FETCH_FAILED_NOTE" ]; then
        fetch_note=$(cat "$FETCH_FAILED_NOTE")
        warn "$fetch_note"
        BENCH_FETCH_FAILED="$fetch_note"
        export BENCH_FETCH_FAILED
    fi
    has_option --config "$@" || set -- --config "$BENCH_CONFIG" "$@"
    has_option --device "$@" || set -- --device "$DEVICE" "$@"
    # The image knows which accelerator its torch build can use (the JetPack 4 image has only a CPU one).
    [ -z "$BENCH_ACCELERATOR" ] || has_option --accelerator "$@" || set -- --accelerator "$BENCH_ACCELERATOR" "$@"
    has_option --out "$@" || set -- --out "$RESULTS_DIR" "$@"
    # shellcheck disable=SC2046  # one option or value per line, none with spaces
    set -- $(sensor_args "$@") "$@"
    if assets_ready; then
        has_option --assets "$@" || set -- --assets "$ASSETS_DIR" "$@"
        if [ "$WEIGHTS" = auto ]; then
            set -- --set weights=pretrained "$@"
        fi
        say "assets found in $ASSETS_DIR (manifest.json): pretrained weights and dev sets are read from there," \
            "offline; models whose assets are missing run with random weights, and the rows say so"
    else
        warn "NO ASSETS in $ASSETS_DIR: the fetch step did not run, or could not reach the network and completed nothing."
        warn "The run goes on with RANDOM WEIGHTS: latency, FLOPs, memory and energy are valid; accuracy is not measured."
        if [ "$WEIGHTS" = auto ]; then
            if ! asks_weights "$@"; then
                if [ -n "$fetch_note" ]; then
                    why="the last fetch step failed and $ASSETS_DIR holds no fetch (see the verdict)"
                else
                    why="$ASSETS_DIR holds no fetch (the fetch step did not run)"
                fi
                BENCH_WEIGHTS_REASON="chosen by the container's entrypoint, not asked: $why"
                export BENCH_WEIGHTS_REASON
            fi
            set -- --set weights=random "$@"
        fi
    fi
    if [ "$WEIGHTS" != auto ]; then
        set -- --set "weights=$WEIGHTS" "$@"
    fi
    say "bench-job run $* (its own first lines follow once torch has loaded: seconds, a minute under emulation)"
    exec bench-job run "$@"
    ;;
fetch)
    # The benchmark's options (after `--`) first: a mistake there is reported in seconds, not after the
    # fetch's downloads and warnings. As a step of compose (FETCH_REQUIRED=0) this step then succeeds
    # without fetching, so that the benchmark starts and exits with its own status (2) and the same line:
    # compose reports a failed dependency as 1.
    fetch_count=0
    for arg in "$@"; do
        [ "$arg" = -- ] && break
        fetch_count=$((fetch_count + 1))
    done
    if [ "$fetch_count" -lt $# ]; then
        status=0
        check_run_args "$fetch_count" "$@" || status=$?
        if [ "$status" != 0 ]; then
            [ "$FETCH_REQUIRED" = 1 ] && exit "$status"
            warn "the benchmark's options are refused (above): nothing fetched; the benchmark stops on the same error"
            exit 0
        fi
        # Only the fetch's own options stay.
        index=0
        for arg in "$@"; do
            [ "$index" -lt "$fetch_count" ] && set -- "$@" "$arg"
            index=$((index + 1))
        done
        shift "$index"
    fi
    has_option --assets "$@" || set -- --assets "$ASSETS_DIR" "$@"
    has_option --config "$@" || set -- --config "$BENCH_CONFIG" "$@"
    say "bench-job fetch $*"
    # Its errors go to the console as they come and to a file, whose last line is the reason kept
    # for the run's log.
    errors=/tmp/edge-bench-fetch.err
    rm -f "$errors.pipe" && mkfifo "$errors.pipe"
    tee "$errors" <"$errors.pipe" >&2 &
    status=0
    bench-job fetch "$@" 2>"$errors.pipe" || status=$?
    wait
    if [ "$status" = 0 ]; then
        rm -f "$FETCH_FAILED_NOTE"
        exit 0
    fi
    note="FETCH FAILED (exit $status) at $(date -u +%Y-%m-%dT%H:%M:%SZ): $(tail -n 1 "$errors")"
    printf '%s\n' "$note" >"$FETCH_FAILED_NOTE" 2>/dev/null || true
    [ "$FETCH_REQUIRED" = 1 ] && exit "$status"
    say "$note"
    say "the benchmark runs on with RANDOM WEIGHTS and no accuracy."
    exit 0
    ;;
probe)
    # shellcheck disable=SC2046
    set -- $(sensor_args "$@") "$@"
    exec bench-job probe "$@"
    ;;
*)
    exec "$cmd" "$@"
    ;;
esac
