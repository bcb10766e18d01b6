# Container targets, included by the top-level Makefile (`include docker/docker.mk`).
#   make build DEVICE=laptop|rpi|jetson    build edge-bench-job:$(DEVICE)
#   make run DEVICE=...                    build if needed, fetch (may fail: random weights), benchmark;
#                                          the bundle lands in $(RESULTS_DIR)
#   make fetch DEVICE=...                  fill the assets volume (network on); failure is an error
#   make wheelhouse DEVICE=laptop|rpi      download the image's wheels for a build without network
#   make lock-docker                       re-pin docker/requirements-common.txt from requirements.txt
#   make test-docker                       end-to-end: engine, base images, builds, compose up, emulated Pi
#   make clean-docker                      remove the images, containers and the assets volume
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

BASE_IMAGE_laptop := python:3.11-slim-bookworm
BASE_IMAGE_rpi := python:3.11-slim-bookworm
BASE_IMAGE_jetson := dustynv/pytorch:2.6-r36.4.0-cu128-24.04
BASE_IMAGE ?= $(BASE_IMAGE_$(DEVICE))
ARCH_laptop := x86_64
ARCH_rpi := aarch64
ARCH_jetson := aarch64
PLATFORM_laptop := linux/amd64
PLATFORM_rpi := linux/arm64
PLATFORM_jetson := linux/arm64
# `--platform` lets a BuildKit engine build the Pi image on x86_64 (with qemu binfmt handlers). An old
# engine given a local, already-arm64 base image builds correctly without it: BUILD_PLATFORM= .
BUILD_PLATFORM ?= $(PLATFORM_$(DEVICE))
TORCH_INDEX_URL ?= https://download.pytorch.org/whl/cpu
# make wheelhouse: where torch/torchvision come from. Default: the same index the laptop image uses
# (CPU builds); WHEELHOUSE_TORCH_INDEX=pypi takes pip's own configured index instead (x86_64: CUDA builds).
WHEELHOUSE_TORCH_INDEX ?= $(if $(filter laptop,$(DEVICE)),$(TORCH_INDEX_URL),pypi)
# Every glibc the images' Debian bookworm (2.36) accepts, for `pip download --platform`.
MANYLINUX_TAGS = $(foreach v,17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36,--platform manylinux_2_$(v)_$(1)) --platform manylinux2014_$(1)

# The compose services' environment: results folder, the invoking user for the non-root services.
COMPOSE_ENV = RESULTS_DIR="$(RESULTS_DIR)" BENCH_ARGS="$(BENCH_ARGS)" FETCH_IMAGE_DEVICE=$(DEVICE) \
	BENCH_UID=$$(id -u) BENCH_GID=$$(id -g)
COMPOSE_PROFILE = $(if $(filter laptop,$(DEVICE)),,--profile $(DEVICE))

.PHONY: help-docker check-device image-present build run fetch wheelhouse lock-docker test-docker clean-docker clean-wheelhouse

help-docker:
	@echo "make build DEVICE=laptop|rpi|jetson   build the image edge-bench-job:DEVICE (default DEVICE=laptop)"
	@echo "make run DEVICE=...                   build if needed, fetch assets if possible, benchmark; bundle in ./results"
	@echo "                                      (BENCH_ARGS='--models resnet18 --set ...' passes options to bench-job run)"
	@echo "make fetch DEVICE=...                 download pretrained weights and dev sets into the assets volume"
	@echo "make wheelhouse DEVICE=laptop|rpi     download the image's wheels to docker/wheelhouse/DEVICE (offline builds)"
	@echo "make lock-docker                      re-pin docker/requirements-common.txt (and -jetson) from requirements.txt"
	@echo "make test-docker                      end-to-end container test (starts a Docker engine if none answers)"
	@echo "make clean-docker                     remove the images, stopped containers and the assets volume"

check-device:
	@case " $(DEVICES) " in *" $(DEVICE) "*) ;; \
	  *) echo "error: unknown DEVICE '$(DEVICE)': use one of $(DEVICES) (e.g. make $(firstword $(MAKECMDGOALS)) DEVICE=laptop)" >&2; exit 2 ;; esac

build: check-device
	@if [ "$(DEVICE)" = jetson ] && [ "$$(uname -m)" != aarch64 ]; then \
	  echo "note: the Jetson image builds on a Jetson (or an arm64 host with its L4T base image); this is $$(uname -m)" >&2; fi
	@start=$$(date +%s); \
	$(DOCKER) build $(if $(BUILD_PLATFORM),--platform $(BUILD_PLATFORM)) \
	  -f docker/Dockerfile.$(DEVICE) \
	  --build-arg BASE_IMAGE=$(BASE_IMAGE) \
	  $(if $(filter laptop,$(DEVICE)),--build-arg TORCH_INDEX_URL=$(TORCH_INDEX_URL)) \
	  --build-arg VERSION=$(DOCKER_VERSION_LABEL) --build-arg VCS_REF=$(VCS_REF) \
	  -t $(IMAGE) . && \
	echo "built $(IMAGE) in $$(( $$(date +%s) - start )) s: $$($(DOCKER) image inspect -f '{{.Size}}' $(IMAGE) | awk '{printf "%.2f GB", $$1/1e9}')"

# Build only when the image is missing; `make build` rebuilds.
image-present: check-device
	@$(DOCKER) image inspect $(IMAGE) >/dev/null 2>&1 || $(MAKE) --no-print-directory build DEVICE=$(DEVICE)

run: image-present
	@# Group-writable and setgid: the laptop service (uid 0 without capabilities, in the invoking
	@# user's group) and the non-root Pi service can both write bundles the user owns and can remove.
	@mkdir -p "$(RESULTS_DIR)" && chmod g+ws "$(RESULTS_DIR)"
	$(COMPOSE_ENV) $(COMPOSE) $(COMPOSE_PROFILE) run --rm $(DEVICE)
	@echo "bundles in $(RESULTS_DIR):"; ls -t "$(RESULTS_DIR)"/*.tar.gz 2>/dev/null | head -3

fetch: image-present
	$(COMPOSE_ENV) FETCH_REQUIRED=1 $(COMPOSE) run --rm fetch

wheelhouse: check-device
	@if [ "$(DEVICE)" = jetson ]; then \
	  echo "error: the Jetson image takes torch from its L4T base image and its other wheels must match that image's Python; build it on the Jetson with network" >&2; exit 2; fi
	mkdir -p $(WHEELHOUSE_DIR)
	@# torch/torchvision with their dependencies as the target sees them: pip evaluates markers on this
	@# host, so a cross-architecture download takes them with --no-deps (their dependencies are all in
	@# requirements-common.txt, which is a complete closure and downloaded with --no-deps too).
	$(DOCKER_PYTHON) -m pip download --dest $(WHEELHOUSE_DIR) --only-binary=:all: \
	  $(call MANYLINUX_TAGS,$(ARCH_$(DEVICE))) --python-version 3.11 --implementation cp \
	  $(if $(filter pypi,$(WHEELHOUSE_TORCH_INDEX)),,--index-url $(WHEELHOUSE_TORCH_INDEX)) \
	  $(if $(filter $(ARCH_$(DEVICE)),$(shell uname -m)),,--no-deps) \
	  -r docker/requirements-$(DEVICE).txt
	$(DOCKER_PYTHON) -m pip download --dest $(WHEELHOUSE_DIR) --only-binary=:all: --no-deps \
	  $(call MANYLINUX_TAGS,$(ARCH_$(DEVICE))) --python-version 3.11 --implementation cp \
	  -r docker/requirements-common.txt
	@echo "wheelhouse $(WHEELHOUSE_DIR): $$(ls $(WHEELHOUSE_DIR)/*.whl | wc -l) wheels, $$(du -sh $(WHEELHOUSE_DIR) | cut -f1)"

lock-docker:
	$(DOCKER_PYTHON) docker/lock_requirements.py

test-docker: venv
	$(BIN)/python -m pytest -m docker tests/docker -v -rs $(PYTEST_ARGS)

clean-docker:
	@if $(DOCKER) info >/dev/null 2>&1; then \
	  for d in $(DEVICES); do RESULTS_DIR="$(RESULTS_DIR)" $(COMPOSE) --profile $$d down --volumes --remove-orphans >/dev/null 2>&1 || true; done; \
	  for d in $(DEVICES); do $(DOCKER) image rm -f $(IMAGE_NAME):$$d >/dev/null 2>&1 || true; done; \
	  echo "removed the $(IMAGE_NAME) images, containers and the assets volume"; \
	else echo "no Docker engine answers: nothing to clean in Docker"; fi

clean-wheelhouse:
	rm -rf $(addprefix docker/wheelhouse/,$(DEVICES))

clean: clean-docker
