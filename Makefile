# One-line commands (README): `make demo` runs the main command, `make test` the test suite.
# Each does its own set-up first: Debian packages where apt is available, then the Python
# packages, into the active virtual or conda environment, or else into the project's own
# environment .venv (a stock Debian/Ubuntu Python refuses `pip install` outside one: PEP 668).
APT_PACKAGES := dataset-fashion-mnist fortunes-zh chromium chromium-driver python3-venv bubblewrap

ifneq ($(VIRTUAL_ENV)$(CONDA_PREFIX),)
PYTHON ?= python
else
PYTHON ?= .venv/bin/python
endif

.PHONY: setup apt venv pip demo test test-fast build-check release-check doctor

setup: apt pip

apt:
	@if command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "apt: installing $$missing"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  fi; \
	else echo "apt-get not found: install Fashion-MNIST via WEST2AI_DATA or download (see README)"; fi

venv:
	@if [ "$(PYTHON)" = ".venv/bin/python" ] && [ ! -x .venv/bin/python ]; then \
	  echo "no virtual or conda environment is active: creating the project environment .venv"; \
	  python3 -m venv .venv; \
	fi

pip: venv
	$(PYTHON) -m pip install -q -r requirements.txt
	$(PYTHON) -m pip install -q --no-deps -e .

demo: setup
	$(PYTHON) -m west2ai demo

test: setup
	$(PYTHON) -m pytest

test-fast: setup
	$(PYTHON) -m pytest -m "not slow"

build-check:
	$(PYTHON) -m west2ai build --check

release-check:
	$(PYTHON) -m west2ai release --check

doctor:
	$(PYTHON) -m west2ai doctor
