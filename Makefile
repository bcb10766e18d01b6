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
.PHONY: help venv bench lab probe test test-fast test-oldstack lock-oldstack lint clean campaign campaign-settings

help:
	@echo "make bench            set up $(VENV) and run the quick benchmark natively (CONFIG=$(CONFIG), OUT=$(OUT))"
	@echo "make lab              the full lab sweep natively (configs/lab.yaml; its measured duration and conditions are in README.md)"
	@echo "make probe            print what the job sees on this machine"
	@echo "make test             set up $(VENV) and run the test suite (no network, no GPU needed)"
	@echo "make test-fast        the tests without the end-to-end CLI runs and the Docker builds (-m 'not docker and not e2e')"
	@echo "make test-oldstack    the fast tests again on JetPack 5's stack: Python 3.8, torch 2.1.2 and"
	@echo "                      docker/requirements-oldstack.txt in $(OLDSTACK_VENV) (PYTHON_OLDSTACK=$(PYTHON_OLDSTACK))"
	@echo "make lint             format the code and apply the lint fixes ruff can make (test-fast checks both)"
	@echo "make campaign INVENTORY=fleet.yml CONFIG=...  run CONFIG on every host of an Ansible inventory, fetch the"
	@echo "                      bundles to $(OUT)/CAMPAIGN/HOST/ and compare them (campaign/inventory.example.yml)"
	@echo "make clean            remove $(VENV) and build leftovers"
	@$(MAKE) --no-print-directory help-docker 2>/dev/null || true

# x86_64 PyPI torch is a CUDA build: the venv takes about 6.2 GB there, under 1.5 GB on aarch64. Say so
# in one line before pip fills the disk and fails half-way with Errno 28.
VENV_GB := $(if $(filter x86_64,$(shell uname -m)),7,2)

$(BIN)/.installed: pyproject.toml requirements.txt requirements-test.txt
	@$(PYTHON) -c 'import shutil, sys; free = shutil.disk_usage(".").free / 2**30; \
	sys.exit(0 if free >= $(VENV_GB) else f"make: the Python environment needs about $(VENV_GB) GB free here, " \
	f"{free:.1f} GB is: free some disk space (docker system prune, pip cache purge) and run make again")'
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
	$(BIN)/python -m pytest --durations=15 $(PYTEST_ARGS)

# The tests that pin parsers, maths and report writers, without the end-to-end runs of the real CLI
# (marker e2e: every test under tests/integration, which spawn workers that load torch) and the Docker
# builds (marker docker): minutes instead of a quarter of an hour. Selected by marker, so a new test folder
# joins without editing a list.
test-fast: venv
	$(BIN)/python -m pytest -m "not docker and not e2e" $(PYTEST_ARGS)

# JetPack 5's stack (Python 3.8, torch 2.1, transformers 4.46, pandas 2.0, numpy 1.24: docker/requirements-oldstack.txt)
# in a second venv, so that the code paths the Xavier boards take run here too. torch/torchvision/numpy stand in for
# the L4T base image's. x86_64 PyPI torch 2.1.2 is a CUDA build and `import torch` fails without its nvidia-*
# wheels (it preloads libcublas), so they come along: about 5 GB.
OLDSTACK_VENV ?= .venv-oldstack
OLDSTACK_BIN := $(OLDSTACK_VENV)/bin
OLDSTACK_BASE := torch==2.1.2 torchvision==0.16.2 numpy==1.24.4
PYTHON_OLDSTACK ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.8*/bin/python3.8) $(shell command -v python3.8 2>/dev/null) python3.8)

$(OLDSTACK_BIN)/.installed: pyproject.toml docker/requirements-oldstack.txt requirements-test-oldstack.txt
	@$(PYTHON_OLDSTACK) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 8))' 2>/dev/null || { echo "make: test-oldstack needs a Python 3.8 and '$(PYTHON_OLDSTACK)' is not one: install it (pyenv install 3.8.18) or pass PYTHON_OLDSTACK=/path/to/python3.8" >&2; exit 2; }
	@$(PYTHON_OLDSTACK) -c 'import shutil, sys; free = shutil.disk_usage(".").free / 2**30; \
	sys.exit(0 if free >= 6 else "make: the Python 3.8 environment needs about 6 GB free here, " \
	"%.1f GB is: free some disk space and run make again" % free)'
	$(PYTHON_OLDSTACK) -m venv $(OLDSTACK_VENV)
	$(OLDSTACK_BIN)/pip install --upgrade pip
	$(OLDSTACK_BIN)/pip install $(OLDSTACK_BASE) -r docker/requirements-oldstack.txt -r requirements-test-oldstack.txt
	$(OLDSTACK_BIN)/pip install --no-deps -e .
	touch $@

# -rs prints why each skipped test cannot run on the old stack.
test-oldstack: $(OLDSTACK_BIN)/.installed
	$(OLDSTACK_BIN)/python -m pytest -m "not docker and not e2e" -rs $(PYTEST_ARGS)

# Re-pin docker/requirements-oldstack.txt (docker/oldstack_lock.py holds the direct pins and their reasons).
lock-oldstack:
	$(PYTHON) docker/lock_requirements.py --oldstack --python $(PYTHON_OLDSTACK)

CODE := bench_job evaluation tests benchmarks

lint: venv
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

# A campaign over a fleet (campaign/campaign.yml): Ansible on this controller, the job on each host.
# Re-running the same CAMPAIGN resumes it: hosts whose bundle came back are skipped.
INVENTORY ?=
CAMPAIGN ?= $(basename $(notdir $(INVENTORY)))-$(basename $(notdir $(CONFIG)))
CAMPAIGN_ARGS ?=

$(BIN)/.campaign-installed: $(BIN)/.installed campaign/requirements.txt
	$(BIN)/pip install -r campaign/requirements.txt
	touch $@

# Checked before anything is installed.
campaign-settings:
	@test -f "$(INVENTORY)" || { echo "error: no inventory '$(INVENTORY)': make campaign INVENTORY=your-fleet.yml CONFIG=configs/quick.yaml (start from campaign/inventory.example.yml)" >&2; exit 2; }
	@test -f "$(CONFIG)" || { echo "error: no config '$(CONFIG)': pass CONFIG=configs/quick.yaml or your own bench-job config" >&2; exit 2; }

campaign: campaign-settings $(BIN)/.campaign-installed
	ANSIBLE_CONFIG=campaign/ansible.cfg $(BIN)/ansible-playbook -i "$(INVENTORY)" campaign/campaign.yml \
	  -e campaign="$(CAMPAIGN)" -e campaign_config="$(abspath $(CONFIG))" -e results_root="$(abspath $(OUT))" \
	  -e controller_python="$(abspath $(BIN))/python" $(CAMPAIGN_ARGS)

clean:
	rm -rf $(VENV) $(OLDSTACK_VENV) build *.egg-info .pytest_cache

-include docker/docker.mk
