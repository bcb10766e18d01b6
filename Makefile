# Native use: `make bench` (venv + quick job), `make test` (venv + tests).
# Containers: `make run DEVICE=laptop|rpi|jetson` and friends, from docker/docker.mk; `make help` lists all.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= configs/quick.yaml
OUT ?= results
ARGS ?=
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv bench lab probe test test-fast clean

help:
	@echo "make bench            set up $(VENV) and run the quick benchmark natively (CONFIG=$(CONFIG), OUT=$(OUT))"
	@echo "make lab              the full lab sweep natively (configs/lab.yaml, about 30 minutes on a 2-core laptop)"
	@echo "make probe            print what the job sees on this machine"
	@echo "make test             set up $(VENV) and run the test suite (no network, no GPU needed)"
	@echo "make clean            remove $(VENV) and build leftovers"
	@$(MAKE) --no-print-directory help-docker 2>/dev/null || true

$(BIN)/.installed: pyproject.toml requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -r requirements.txt -r requirements-test.txt
	$(BIN)/pip install --no-deps -e .
	touch $@

venv: $(BIN)/.installed

bench: venv
	$(BIN)/bench-job run --config $(CONFIG) --out $(OUT) $(ARGS)

lab: venv
	$(BIN)/bench-job run --config configs/lab.yaml --out $(OUT) $(ARGS)

probe: venv
	$(BIN)/bench-job probe

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

-include docker/docker.mk
