#!/usr/bin/env bash
# Make a local stand-in for python:3.11-slim-bookworm when no image registry is reachable:
# debootstrap a minimal Debian bookworm with Debian's Python 3.11 (python3, venv, pip wheels) and
# `docker import` it. Usage: docker/base-image.sh amd64|arm64 [TAG]
# Cached: does nothing when TAG already exists. The rootfs is built under $BASE_ROOTFS_DIR
# (default /var/tmp/edge-bench-rootfs), never inside the repository.
set -euo pipefail
arch="${1:?usage: $0 amd64|arm64 [tag]}"
tag="${2:-edge-bench/bookworm-python:$arch}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
workdir="${BASE_ROOTFS_DIR:-/var/tmp/edge-bench-rootfs}"

if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "base image $tag exists: skipping debootstrap"
    exit 0
fi
case "$arch" in
    amd64|arm64) ;;
    *) echo "unknown architecture '$arch': amd64 or arm64" >&2; exit 2 ;;
esac
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    # A foreign rootfs runs its maintainer scripts through qemu-user via binfmt_misc.
    "$(dirname "$0")/binfmt.sh"
fi

rootfs="$workdir/bookworm-$arch"
rm -rf "$rootfs"
mkdir -p "$workdir"
start=$(date +%s)
debootstrap --variant=minbase --arch="$arch" \
    --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$mirror"
# Keep the image small and close to the official slim image: no apt lists, no docs, no caches.
chroot "$rootfs" /bin/sh -c 'apt-get clean' || true
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* \
       "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/tmp/* "$rootfs"/var/log/*.log
# python:3.11-slim has `python`; Debian has only `python3`.
ln -sf python3 "$rootfs/usr/bin/python"
tar --numeric-owner -C "$rootfs" -c . | docker import \
    --platform "linux/$arch" \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    --message "debootstrap --variant=minbase bookworm ($arch) with Debian's python3" \
    - "$tag"
rm -rf "$rootfs"
echo "base image $tag made in $(( $(date +%s) - start )) s"
