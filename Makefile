# One-line commands (README): `make demo` runs the main command, `make test` the test suite.
# Each does its own set-up first: Debian data packages where apt is available, then Python packages.
PYTHON ?= python3
APT_PACKAGES := dataset-fashion-mnist fortunes-zh chromium chromium-driver

.PHONY: setup apt pip demo test test-fast release-check doctor

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

pip:
	$(PYTHON) -m pip install -q -r requirements.txt
	$(PYTHON) -m pip install -q --no-deps -e .

demo: setup
	$(PYTHON) -m west2ai demo

test: setup
	$(PYTHON) -m pytest

test-fast: setup
	$(PYTHON) -m pytest -m "not slow"

release-check:
	$(PYTHON) -m west2ai release --check

doctor:
	$(PYTHON) -m west2ai doctor
