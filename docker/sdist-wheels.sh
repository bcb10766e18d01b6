#!/usr/bin/env bash
# Build the wheels PyPI does not offer for an arm64 image (MLPerf LoadGen: x86_64 wheels only) from their sdists,
# into its wheelhouse, in a container of the image's own base under qemu (or natively on an arm64 host): the same
# glibc, Python and g++ as the image, and no network inside it. The host downloads the sdist and its build
# requirements. Run by `make wheelhouse` after the downloads; a wheel already there for the pinned version is kept,
# so each is built once per lock change (the image build then installs it like any other wheel).
# Usage: docker/sdist-wheels.sh BUILDER_IMAGE PYTHON_VERSION WHEELHOUSE LOCK NAME...
#   BUILDER_IMAGE   an arm64 image with python3 (pip or venv), g++ and Python.h (the Pi's: Dockerfile.rpi's
#                   toolchain stage; the Jetson's: its L4T base); with BUILDER_DOCKERFILE set, that file's
#                   `toolchain` stage is built on BUILDER_IMAGE first, and only when a wheel is missing
#   PYTHON_VERSION  the image's Python (3.11), for the wheel's tag and the build requirements' download
#   LOCK            the requirements file that pins each NAME (name==version)
# DOCKER (the client), DOCKER_PYTHON (the host's Python with pip) and PLATFORM (linux/arm64) come from make.
set -euo pipefail
builder="${1:?usage: $0 BUILDER_IMAGE PYTHON_VERSION WHEELHOUSE LOCK NAME...}"
python_version="${2:?python version}"
wheelhouse="${3:?wheelhouse}"
lock="${4:?lock}"
shift 4
docker="${DOCKER:-docker}"
host_python="${DOCKER_PYTHON:-python3}"
platform="${PLATFORM:-linux/arm64}"
tag="cp${python_version/./}"

missing=()
for name in "$@"; do
    # A lock spells the name as pip's metadata does (mlcommons_loadgen); wheels' file names use underscores.
    pattern="^$(printf '%s' "$name" | sed 's/[-_.]/[-_.]/g')=="
    pin=$(grep -i -E "$pattern" "$lock" | head -n 1 || true)
    [ -n "$pin" ] || { echo "error: $lock pins no $name" >&2; exit 2; }
    file_name=$(printf '%s' "${pin%%==*}" | tr 'A-Z.-' 'a-z__')
    version="${pin#*==}"
    if ls "$wheelhouse/$file_name-$version-$tag-"*aarch64*.whl >/dev/null 2>&1; then
        echo "$pin: its $tag aarch64 wheel is in $wheelhouse (built once per lock change): kept"
    else
        missing+=("$pin")
    fi
done
[ "${#missing[@]}" -gt 0 ] || exit 0

src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
started=$(date +%s)
"$host_python" -m pip download --quiet --dest "$src" --no-deps --no-binary=:all: "${missing[@]}"
# The build requirements ([build-system] requires of each sdist), as wheels for the image's Python: pure-Python ones
# (setuptools, wheel, pybind11), so any platform tag will do; their own dependencies come along.
requires=$("$host_python" - "$src" <<'EOF'
import re, sys, tarfile, pathlib
found = set()
for sdist in pathlib.Path(sys.argv[1]).glob("*.tar.gz"):
    with tarfile.open(sdist) as tar:
        member = next((m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/pyproject.toml")), None)
        text = tar.extractfile(member).read().decode() if member else ""
    table = re.search(r"^\[build-system\](.*?)(^\[|\Z)", text, re.S | re.M)
    requires = re.search(r"requires\s*=\s*\[(.*?)\]", table.group(1), re.S) if table else None
    # PEP 517's default for an sdist without a pyproject.toml (or without requires): setuptools and wheel.
    found.update(re.findall(r"[\"']([^\"']+)[\"']", requires.group(1)) if requires else ["setuptools>=40.8.0", "wheel"])
print("\n".join(sorted(found)))
EOF
)
mapfile -t requires <<<"$requires"
"$host_python" -m pip download --quiet --dest "$src" --only-binary=:all: --python-version "$python_version" \
    --implementation cp --platform manylinux2014_aarch64 --platform linux_aarch64 "${requires[@]}"

if [ -n "${BUILDER_DOCKERFILE:-}" ]; then
    echo "building the toolchain stage of $BUILDER_DOCKERFILE on $builder (its layer is the image build's own)"
    builder=$("$docker" build --quiet --platform "$platform" --target toolchain --build-arg "BASE_IMAGE=$builder" - \
        <"$BUILDER_DOCKERFILE")
    # A BuildKit engine keeps the layer in its build cache for the image build; the image itself is not kept.
    trap 'rm -rf "$src"; "$docker" image rm "$builder" >/dev/null 2>&1 || true' EXIT
fi
mkdir -p "$wheelhouse"
echo "compiling ${missing[*]} for $platform, Python $python_version, in $builder (no network; under qemu this takes minutes)"
# The script runs in the container's shell, its arguments being the pins: single quotes on purpose.
# shellcheck disable=SC2016
"$docker" run --rm --platform "$platform" --network none --user "$(id -u):$(id -g)" -e HOME=/tmp \
    -v "$src:/src:ro" -v "$(cd "$wheelhouse" && pwd):/wheelhouse" --entrypoint /bin/sh "$builder" -euc '
        pip="python3 -m pip"
        $pip --version >/dev/null 2>&1 || { python3 -m venv /tmp/venv; pip=/tmp/venv/bin/pip; }
        g++ --version | head -n 1
        # dash has no pipefail: the log goes to a file, and all of its end comes out when pip fails.
        $pip wheel --no-index --find-links /src --no-deps --progress-bar off --wheel-dir /wheelhouse "$@" \
            >/tmp/wheel.log 2>&1 || { tail -n 40 /tmp/wheel.log >&2; exit 1; }
        tail -n 1 /tmp/wheel.log
    ' sdist-wheels "${missing[@]}"
echo "built ${missing[*]} for Python $python_version in $(( $(date +%s) - started )) s (wheelhouse $wheelhouse)"
