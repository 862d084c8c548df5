# One entry point for developers and CI. Every target installs from the locks in requirements/
# (exact versions, checked by hash), so a fresh clone gets the same packages on any day.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
LOCK = PATH=$(abspath $(BIN)):$$PATH uv pip compile --quiet --universal --python-version 3.11 --generate-hashes

.PHONY: demo test test-js lint typecheck bench bench-scale bench-uncertainty lock clean system-deps system-deps-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements/pip.txt
	$(PIP) uninstall --yes setuptools  # seeded by venv on Python 3.11; nothing of dhti's needs it

# dhti itself is installed without its dependencies and without an isolated build, so that
# hatchling too comes from the lock rather than from whatever the index offers today.
$(VENV)/.installed: requirements/runtime.txt requirements/pip.txt pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/runtime.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt requirements/pip.txt pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/test.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.installed

system-deps:
	scripts/install-system-deps.sh runtime

system-deps-test:
	scripts/install-system-deps.sh test

# axe-core, which the browser tests inject into the HTML reports to audit their accessibility,
# exactly as tests/browser/package-lock.json pins it (npm ci checks each package's integrity hash).
JS := tests/browser
test-js: $(JS)/node_modules/.installed

$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json | system-deps-test
	cd $(JS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

demo: system-deps $(VENV)/.installed
	$(BIN)/dhti demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check dhti tests benchmarks scripts
	$(BIN)/ruff format --check dhti tests benchmarks scripts
	$(BIN)/lint-imports --no-logo --no-cache  # the layers and library contracts in pyproject.toml

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

test: system-deps-test test-js lint typecheck
	$(BIN)/pytest

bench: system-deps $(VENV)/.installed
	$(BIN)/python benchmarks/score_bench.py
	$(BIN)/python benchmarks/report_bench.py
	$(BIN)/python benchmarks/startup_bench.py

# A national campaign on this machine: 15,000 simulated entities through batch (SQLite and a
# throwaway PostgreSQL), aggregate and cold entity PDFs, in one table (about 25 minutes on 2 cores).
bench-scale: system-deps-test $(VENV)/.installed
	$(BIN)/python benchmarks/scale.py

# Uncertainty at national scale: 1,000 draws for 15,000 units, rank intervals, sensitivity, and
# what --uncertainty adds to one `dhti score` (about a minute).
bench-uncertainty: $(VENV)/.installed
	$(BIN)/python benchmarks/uncertainty.py

# Regenerates the locks from pyproject.toml and requirements/*.in with the locked uv.
lock: $(VENV)/.installed-test
	$(LOCK) requirements/pip.in -o requirements/pip.txt
	$(LOCK) pyproject.toml requirements/build.in -o requirements/runtime.txt
	$(LOCK) pyproject.toml requirements/build.in requirements/dev.in --extra test -o requirements/test.txt

clean:
	rm -rf $(VENV) $(JS)/node_modules dist build dhti-demo .pytest_cache .mypy_cache .ruff_cache
