# Container targets, included by the top-level Makefile (`include docker/docker.mk`).
#   make build DEVICE=laptop|rpi|jetson    build edge-bench-job:$(DEVICE)
#   make build-local DEVICE=laptop|rpi     the same without an image registry: local base image + wheelhouse
#                                          (and DEVICE=jetson on JetPack 4, whose image is the arm64 CPU one)
#   make jetson-base [NV_TEGRA_RELEASE=F]  which image this Jetson gets, from its L4T release (base image last)
#   make run DEVICE=...                    build if needed, then docker/run.sh: fetch (may fail: random
#                                          weights), benchmark; the bundle lands in $(RESULTS_DIR); exits 0,
#                                          or 2 (make's own) on any failure: docker/run.sh returns the job's
#   make fetch DEVICE=...                  fill the assets volume (network on); failure is an error
#   make wheelhouse DEVICE=...             download the image's wheels for a build without network
#   make base-image DEVICE=laptop|rpi      a local Debian bookworm base image (debootstrap), no registry
#   make lock-docker                       re-pin docker/requirements-common.txt from requirements.txt
#   make test-docker                       end-to-end: engine, base images, builds, compose up, emulated Pi
#                                          and Jetson (stand-in base); test-docker-prepare: its downloads first
#   make clean-images                      remove the images and stopped containers (not the assets)
#   make clean-assets                      remove the assets volume: downloaded weights and dev sets
DEVICE ?= laptop
DEVICES := laptop rpi jetson
DOCKER ?= docker
COMPOSE ?= $(DOCKER) compose
RESULTS_DIR ?= $(CURDIR)/results
BENCH_ARGS ?=
IMAGE_NAME ?= edge-bench-job
IMAGE := $(IMAGE_NAME):$(DEVICE)
WHEELHOUSE_DIR := docker/wheelhouse/$(DEVICE)
DOCKER_PYTHON ?= python3
DOCKER_VERSION_LABEL := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml 2>/dev/null)
VCS_REF := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

ASSETS_VOLUME ?= edge-bench-assets
# The base image: the Dockerfile's own ARG default (its one source of truth) unless BASE_IMAGE is given;
# for the Jetson, docker/jetson_base.py's table, from the host's L4T release, unless BASE_IMAGE is given.
BASE_IMAGE_GIVEN := $(filter command line environment environment override,$(origin BASE_IMAGE))
DOCKERFILE_BASE_IMAGE = $(shell sed -n 's/^ARG BASE_IMAGE=//p' docker/Dockerfile.$(DEVICE))
BASE_IMAGE ?= $(DOCKERFILE_BASE_IMAGE)
HOST_ARCH := $(shell uname -m)
NV_TEGRA_RELEASE ?= /etc/nv_tegra_release
# Registered when this host runs arm64 programs under qemu (docker/binfmt.sh): the Jetson image may then be
# built here, slowly, as the tests do on a stand-in base.
BINFMT_AARCH64 ?= /proc/sys/fs/binfmt_misc/qemu-aarch64
JETSON_BASE = $(DOCKER_PYTHON) docker/jetson_base.py --release-file "$(NV_TEGRA_RELEASE)"
# The table's onnxruntime-gpu index unless JETSON_INDEX_URL is given (empty: ONNX Runtime on the CPU).
JETSON_INDEX_GIVEN := $(filter command line environment environment override,$(origin JETSON_INDEX_URL))
ARCH_laptop := x86_64
ARCH_rpi := aarch64
ARCH_jetson := aarch64
DEBIAN_ARCH_laptop := amd64
DEBIAN_ARCH_rpi := arm64
DEBIAN_ARCH_jetson := arm64
LOCAL_BASE_IMAGE = edge-bench/bookworm-python:$(DEBIAN_ARCH_$(DEVICE))
PLATFORM_laptop := linux/amd64
PLATFORM_rpi := linux/arm64
PLATFORM_jetson := linux/arm64
BUILD_PLATFORM ?= $(PLATFORM_$(DEVICE))
TORCH_INDEX_URL ?= https://download.pytorch.org/whl/cpu
# make wheelhouse: where torch/torchvision come from. Default: the same index the laptop image uses
# (CPU builds); WHEELHOUSE_TORCH_INDEX=pypi takes pip's own configured index instead (x86_64: CUDA builds).
WHEELHOUSE_TORCH_INDEX ?= $(if $(filter laptop,$(DEVICE)),$(TORCH_INDEX_URL),pypi)
# One request for the index's torch page, 20 s at most; fails with the reason on its last line.
TORCH_INDEX_PROBE = $(DOCKER_PYTHON) -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1].rstrip("/") + "/torch/", timeout=20).close()'
# Pinned libraries PyPI has no aarch64 wheel of, in any version: `make wheelhouse` downloads the others, then
# builds these from their sdists in a container of the image's base (docker/sdist-wheels.sh), once per lock change.
# docker/oldstack_lock.py's SDIST_ON_AARCH64 names the same (tests/docker checks it).
SDIST_ONLY_aarch64 := mlcommons-loadgen
# The lock less those: the lines `pip download --only-binary=:all:` can serve on this device.
WHEEL_PINS = grep -v -i -E '^($(subst $(space),|,$(foreach n,$(SDIST_ONLY_$(1)),$(subst -,[-_.],$(n)))))==' $(2)
space := $(subst ,, )
# Every glibc the images' Debian bookworm (2.36) accepts, for `pip download --platform`.
MANYLINUX_TAGS = $(foreach v,17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36,--platform manylinux_2_$(v)_$(1)) --platform manylinux2014_$(1)

# Only this device's files go to the engine, as a tar on stdin: not the other devices' wheelhouses
# (GBs), and the same with the classic builder and BuildKit.
CONTEXT_FILES = pyproject.toml README.md bench_job evaluation configs docker/Dockerfile.$(DEVICE) \
	docker/entrypoint.sh docker/requirements-common.txt docker/requirements-$(DEVICE).txt \
	docker/wheelhouse/README.md $(wildcard docker/wheelhouse/$(DEVICE))

# The Jetson's image, from its L4T release (docker/jetson_base.py): sets the shell's stack, release, base,
# dockerfile, pins (jetson|oldstack|rpi) and index. A BASE_IMAGE given replaces the table's base; with it, an
# unreadable or unknown release builds Dockerfile.jetson with the lock the base's own Python and torch take.
define JETSON_DECISION
if decision=$$($(JETSON_BASE) --shell 2>&1); then \
  eval "$$decision"; \
  echo "L4T $$release ($$jetpack): the $$stack image, $$dockerfile on $$base"; \
  if [ -n "$(BASE_IMAGE_GIVEN)" ]; then base="$(BASE_IMAGE)"; echo "BASE_IMAGE given: on $$base instead"; fi; \
elif [ -n "$(BASE_IMAGE_GIVEN)" ]; then \
  echo "note: $${decision#error: }" >&2; \
  echo "building docker/Dockerfile.jetson on BASE_IMAGE=$(BASE_IMAGE), with the lock its Python and torch take"; \
  stack=custom release=unknown dockerfile=docker/Dockerfile.jetson pins=auto index="$(JETSON_INDEX_URL)" \
    base="$(BASE_IMAGE)"; \
else echo "$$decision" >&2; exit 2; fi; \
pins=$${pins#docker/requirements-}; pins=$${pins%.txt}; \
$(if $(JETSON_INDEX_GIVEN),index="$(JETSON_INDEX_URL)";)
endef

# The compose services' environment: results folder, the host's name and the image's id for env.json.
COMPOSE_ENV = RESULTS_DIR="$(RESULTS_DIR)" BENCH_ARGS="$(BENCH_ARGS)" FETCH_IMAGE_DEVICE=$(DEVICE) \
	ASSETS_VOLUME=$(ASSETS_VOLUME) BENCH_HOST="$$(hostname)" \
	BENCH_IMAGE_ID=$$($(DOCKER) image inspect -f '{{.Id}}' $(IMAGE))

.PHONY: help-docker check-device image-present build build-local base-image run fetch wheelhouse wheelhouse-jetson \
	wheelhouse-image lock-docker jetson-base jetson-cpu-only \
	test-docker test-docker-prepare clean-images clean-assets clean-wheelhouse

help-docker:
	@echo "make build DEVICE=laptop|rpi|jetson   build the image edge-bench-job:DEVICE (default DEVICE=laptop)"
	@echo "make build-local DEVICE=laptop|rpi    the same without Docker Hub: local base image (root, debootstrap) + wheelhouse"
	@echo "make jetson-base                      which image this Jetson gets from its L4T release (NV_TEGRA_RELEASE=FILE to try one)"
	@echo "make run DEVICE=...                   build if needed, fetch assets if possible, benchmark; bundle in ./results"
	@echo "                                      (make exits 0 or 2; docker/run.sh DEVICE exits with the benchmark's own 0, 1 or 2)"
	@echo "                                      (BENCH_ARGS='--models resnet18 --set ...' passes options to bench-job run)"
	@echo "make fetch DEVICE=...                 download pretrained weights and dev sets into the assets volume"
	@echo "make wheelhouse DEVICE=...            download the image's wheels to docker/wheelhouse/DEVICE (offline builds)"
	@echo "make base-image DEVICE=laptop|rpi     make the local base image edge-bench/bookworm-python:amd64|arm64 (debootstrap, root)"
	@echo "make lock-docker                      re-pin docker/requirements-common.txt (and -jetson) from requirements.txt"
	@echo "make test-docker                      end-to-end container test (starts a Docker engine if none answers)"
	@echo "make clean-images                     remove the edge-bench-job images and stopped containers"
	@echo "make clean-assets                     remove the assets volume $(ASSETS_VOLUME) (downloaded weights, dev sets)"

check-device:
	@case " $(DEVICES) " in *" $(DEVICE) "*) ;; \
	  *) echo "error: unknown DEVICE '$(DEVICE)': use one of $(DEVICES) (e.g. make $(firstword $(MAKECMDGOALS)) DEVICE=laptop)" >&2; exit 2 ;; esac

build: check-device
	@# $(error) stops make with this one line (exit 2) before any build starts.
	$(if $(and $(filter jetson,$(DEVICE)),$(filter-out aarch64,$(HOST_ARCH)),$(if $(wildcard $(BINFMT_AARCH64)),,x)),$(error the Jetson image builds on the Jetson itself (arm64); this host is $(HOST_ARCH) without arm64 emulation (docker/binfmt.sh, as root, enables it: slow, for tests)))
	@set -e; dockerfile=docker/Dockerfile.$(DEVICE); base="$(BASE_IMAGE)"; \
	files="$(CONTEXT_FILES)"; set --; \
	if [ "$(DEVICE)" = jetson ]; then \
	  $(JETSON_DECISION) \
	  set -- --label io.edge-bench.jetson-stack=$$stack --label io.edge-bench.l4t=$$release; \
	  if [ "$$dockerfile" = docker/Dockerfile.rpi ]; then \
	    files="$(subst docker/requirements-jetson.txt,docker/requirements-rpi.txt,$(filter-out docker/wheelhouse/jetson,$(CONTEXT_FILES))) \
	      docker/Dockerfile.rpi $$(ls -d docker/wheelhouse/rpi 2>/dev/null || true)"; \
	    set -- "$$@" --build-arg DEVICE=jetson; \
	  else \
	    files="$$files docker/requirements-oldstack.txt"; \
	    set -- "$$@" --build-arg PINS=$$pins --build-arg "JETSON_INDEX_URL=$$index"; \
	  fi; \
	fi; \
	echo "building $(IMAGE) for $(PLATFORM_$(DEVICE)) from $$base; context $$(du -shc $$files | tail -n 1 | cut -f1)." \
	  "The longest steps print little: pip unpacking torch, then copying the environment into the image."; \
	start=$$(date +%s); \
	tar -c --exclude=__pycache__ --exclude='*.pyc' --exclude='*.egg-info' $$files | \
	$(DOCKER) build $(if $(BUILD_PLATFORM),--platform $(BUILD_PLATFORM)) \
	  -f $$dockerfile \
	  --build-arg BASE_IMAGE=$$base --build-arg IMAGE=$(IMAGE) \
	  $(if $(filter laptop,$(DEVICE)),--build-arg TORCH_INDEX_URL=$(TORCH_INDEX_URL)) \
	  --build-arg VERSION=$(DOCKER_VERSION_LABEL) --build-arg VCS_REF=$(VCS_REF) "$$@" \
	  -t $(IMAGE) - && \
	echo "built $(IMAGE) in $$(( $$(date +%s) - start )) s: $$($(DOCKER) image inspect -f '{{.Size}}' $(IMAGE) | awk '{printf "%.2f GB", $$1/1e9}')," \
	  "$$($(DOCKER) image inspect -f '{{.Os}}/{{.Architecture}}' $(IMAGE))"
	@# The classic builder keeps each build stage as an untagged image (GBs: the whole venv before the
	@# final stage copies it), and a rebuild leaves the image it replaced untagged: both go, found by
	@# their labels (prune removes untagged images only).
	@$(DOCKER) image prune --force --filter label=io.edge-bench.stage=build >/dev/null
	@$(DOCKER) image prune --force --filter label=io.edge-bench.device=$(DEVICE) >/dev/null

jetson-base:
	@$(JETSON_BASE)

# No image registry (no Docker Hub): a Debian bookworm base made with debootstrap (root), the wheels
# from PyPI, then the usual build from those.
# On a JetPack 4 Jetson the image is the arm64 CPU one (Debian): it too can be built this way.
build-local: check-device $(if $(filter jetson,$(DEVICE)),jetson-cpu-only)
	$(MAKE) --no-print-directory base-image DEVICE=$(DEVICE)
	$(MAKE) --no-print-directory wheelhouse DEVICE=$(DEVICE)
	$(MAKE) --no-print-directory build DEVICE=$(DEVICE) BASE_IMAGE=$(LOCAL_BASE_IMAGE)

base-image: check-device $(if $(filter jetson,$(DEVICE)),jetson-cpu-only)
	bash docker/base-image.sh $(DEBIAN_ARCH_$(DEVICE)) $(LOCAL_BASE_IMAGE)

# The GPU Jetson images need NVIDIA's L4T base image; only JetPack 4's (the arm64 CPU image) has a Debian one.
jetson-cpu-only:
	@stack=$$($(JETSON_BASE) --field stack) || exit 2; [ "$$stack" = jp4-cpu ] || { \
	  echo "error: this Jetson's image ($$stack) needs NVIDIA's L4T base image ($$($(JETSON_BASE) --field base)):" \
	    "use make build DEVICE=jetson; local Debian bases serve laptop, rpi and JetPack 4's CPU image only" >&2; exit 2; }

# Build only when the image is missing; `make build` rebuilds.
image-present: check-device
	@$(DOCKER) image inspect $(IMAGE) >/dev/null 2>&1 || $(MAKE) --no-print-directory build DEVICE=$(DEVICE)

# docker/run.sh: fetch, benchmark, no container left. It exits with the benchmark's status (0, 1 nothing
# measured, 2 user error) and says which; make itself exits 2 whenever a recipe fails, so scripts call
# docker/run.sh (make's `Error N` line shows the status too).
run: image-present
	@# Made here, by the invoking user: the container runs the job as this folder's owner.
	@mkdir -p "$(RESULTS_DIR)"
	$(COMPOSE_ENV) DOCKER="$(DOCKER)" COMPOSE="$(COMPOSE)" NV_TEGRA_RELEASE="$(NV_TEGRA_RELEASE)" \
	  DOCKER_PYTHON="$(DOCKER_PYTHON)" sh docker/run.sh $(DEVICE)
	@echo "bundles in $(RESULTS_DIR):"; ls -t "$(RESULTS_DIR)"/*.tar.gz 2>/dev/null | head -3

fetch: image-present
	@mkdir -p "$(RESULTS_DIR)"
	$(COMPOSE_ENV) FETCH_REQUIRED=1 $(COMPOSE) run --rm fetch

# The Jetson's wheels follow its image (docker/jetson_base.py): JetPack 4's CPU image takes the Pi's wheelhouse;
# the GPU images take their lock (not torch: the base image has it) for the base's Python (JETSON_PYTHON to
# change it), and onnxruntime-gpu from the table's index when it has one.
wheelhouse: check-device $(if $(filter jetson,$(DEVICE)),wheelhouse-jetson,wheelhouse-image)

wheelhouse-jetson:
	@$(JETSON_DECISION) \
	if [ "$$stack" = jp4-cpu ]; then exec $(MAKE) --no-print-directory wheelhouse DEVICE=rpi; fi; \
	mkdir -p $(WHEELHOUSE_DIR); wheels=$$(mktemp); trap 'rm -f "$$wheels"' EXIT; \
	$(call WHEEL_PINS,aarch64,docker/requirements-$$pins.txt) >"$$wheels"; set -x; \
	$(DOCKER_PYTHON) -m pip download --dest $(WHEELHOUSE_DIR) --only-binary=:all: --no-deps \
	  $(call MANYLINUX_TAGS,aarch64) --python-version $${JETSON_PYTHON:-$$python} --implementation cp \
	  -r "$$wheels"; \
	if [ -n "$$index" ]; then \
	  $(DOCKER_PYTHON) -m pip download --dest $(WHEELHOUSE_DIR) --only-binary=:all: --no-deps --platform linux_aarch64 \
	    --python-version $${JETSON_PYTHON:-$$python} --implementation cp --index-url "$$index" onnxruntime-gpu; fi; \
	DOCKER="$(DOCKER)" DOCKER_PYTHON="$(DOCKER_PYTHON)" PLATFORM=$(PLATFORM_jetson) bash docker/sdist-wheels.sh \
	  "$$base" $${JETSON_PYTHON:-$$python} $(WHEELHOUSE_DIR) docker/requirements-$$pins.txt $(SDIST_ONLY_aarch64)
	@echo "wheelhouse $(WHEELHOUSE_DIR): $$(ls $(WHEELHOUSE_DIR)/*.whl | wc -l) wheels, $$(du -sh $(WHEELHOUSE_DIR) | cut -f1)"

wheelhouse-image:
	mkdir -p $(WHEELHOUSE_DIR)
	@# torch/torchvision with their dependencies as the target sees them: pip evaluates markers on this
	@# host, so a cross-architecture download takes them with --no-deps (their dependencies are all in
	@# requirements-common.txt, which is a complete closure and downloaded with --no-deps too).
	@# The torch index is probed once (pip would retry every file for minutes, then name neither the
	@# index nor the fix); unreachable, pip's own index (PyPI) serves torch instead, and this says so.
	@index="$(WHEELHOUSE_TORCH_INDEX)"; \
	if [ "$$index" != pypi ] && ! why=$$($(TORCH_INDEX_PROBE) "$$index" 2>&1); then \
	  why=$$(printf '%s\n' "$$why" | tail -n 1); \
	  echo "warning: the torch index $$index cannot be reached ($$why): torch comes from PyPI instead," \
	    "as with WHEELHOUSE_TORCH_INDEX=pypi. On x86_64 that is a CUDA build (it runs on the CPU too): the" \
	    "laptop wheelhouse about 3 GB and its image about 7 GB, against about 2 GB with CPU torch." \
	    "Set WHEELHOUSE_TORCH_INDEX=pypi to skip this probe, or to a reachable mirror of the CPU index." >&2; \
	  index=pypi; \
	fi; \
	echo "torch from $$([ "$$index" = pypi ] && echo "pip's own index (PyPI)" || echo "$$index")"; \
	set -x; \
	$(DOCKER_PYTHON) -m pip download --dest $(WHEELHOUSE_DIR) --only-binary=:all: \
	  $(call MANYLINUX_TAGS,$(ARCH_$(DEVICE))) --python-version 3.11 --implementation cp \
	  $$([ "$$index" = pypi ] || echo "--index-url $$index") \
	  $(if $(filter $(ARCH_$(DEVICE)),$(shell uname -m)),,--no-deps) \
	  -r docker/requirements-$(DEVICE).txt
	$(call WHEEL_PINS,$(ARCH_$(DEVICE)),docker/requirements-common.txt) >$(WHEELHOUSE_DIR).pins
	$(DOCKER_PYTHON) -m pip download --dest $(WHEELHOUSE_DIR) --only-binary=:all: --no-deps \
	  $(call MANYLINUX_TAGS,$(ARCH_$(DEVICE))) --python-version 3.11 --implementation cp \
	  -r $(WHEELHOUSE_DIR).pins
	@rm -f $(WHEELHOUSE_DIR).pins
	@# The Pi's base: BASE_IMAGE when given, else the local one when made (build-local), else the Dockerfile's.
	$(if $(SDIST_ONLY_$(ARCH_$(DEVICE))),DOCKER="$(DOCKER)" DOCKER_PYTHON="$(DOCKER_PYTHON)" PLATFORM=$(PLATFORM_$(DEVICE)) \
	  BUILDER_DOCKERFILE=docker/Dockerfile.$(DEVICE) bash docker/sdist-wheels.sh \
	  "$(if $(BASE_IMAGE_GIVEN),$(BASE_IMAGE),$$($(DOCKER) image inspect $(LOCAL_BASE_IMAGE) >/dev/null 2>&1 && echo $(LOCAL_BASE_IMAGE) || echo $(BASE_IMAGE)))" \
	  3.11 $(WHEELHOUSE_DIR) docker/requirements-common.txt $(SDIST_ONLY_$(ARCH_$(DEVICE))))
	@echo "wheelhouse $(WHEELHOUSE_DIR): $$(ls $(WHEELHOUSE_DIR)/*.whl | wc -l) wheels, $$(du -sh $(WHEELHOUSE_DIR) | cut -f1)"

lock-docker:
	$(DOCKER_PYTHON) docker/lock_requirements.py

test-docker: venv
	$(BIN)/python -m pytest -m docker tests/docker -v -rs $(PYTEST_ARGS)

# What make test-docker fetches and makes first: the engine and its tools, the Debian base images, the
# wheelhouses and the laptop image (unpacking and copying a CUDA torch). Mostly network and disk, so CI runs
# it while the other suites hold the CPUs (.ci/run); test-docker then finds them made (base images and
# downloads are skipped when there, the build comes from the engine's cache).
test-docker-prepare:
	@# ensure-docker.sh names the engine's own client (BuildKit without buildx): the one the tests build with.
	@set -e; docker=$$(bash tests/docker/ensure-docker.sh | sed -n 's/^DOCKER=//p'); set -x; \
	$(MAKE) --no-print-directory base-image DEVICE=laptop DOCKER=$$docker; \
	$(MAKE) --no-print-directory base-image DEVICE=rpi DOCKER=$$docker; \
	DOCKER_BUILDKIT=1 $(MAKE) --no-print-directory build-local DEVICE=laptop WHEELHOUSE_TORCH_INDEX=pypi DOCKER=$$docker; \
	$(MAKE) --no-print-directory wheelhouse DEVICE=rpi

# Images and containers go; the assets volume (downloaded weights and dev sets) stays: clean-assets.
clean-images:
	@if $(DOCKER) info >/dev/null 2>&1; then \
	  ASSETS_VOLUME=$(ASSETS_VOLUME) $(COMPOSE) --profile rpi --profile jetson down --remove-orphans >/dev/null 2>&1 || true; \
	  for d in $(DEVICES); do $(DOCKER) image rm -f $(IMAGE_NAME):$$d >/dev/null 2>&1 || true; done; \
	  $(DOCKER) image prune --force --filter label=io.edge-bench.stage=build >/dev/null; \
	  echo "removed the $(IMAGE_NAME) images and containers; the assets volume $(ASSETS_VOLUME) is kept (make clean-assets)"; \
	else echo "no Docker engine answers: nothing to clean in Docker"; fi

clean-assets:
	@if $(DOCKER) volume inspect $(ASSETS_VOLUME) >/dev/null 2>&1; then \
	  $(DOCKER) volume rm $(ASSETS_VOLUME) >/dev/null && echo "removed the assets volume $(ASSETS_VOLUME): the next fetch downloads again"; \
	else echo "no assets volume $(ASSETS_VOLUME)"; fi

clean-wheelhouse:
	rm -rf $(addprefix docker/wheelhouse/,$(DEVICES))
