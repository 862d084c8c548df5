# One entry point for developers and CI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench clean system-deps system-deps-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

system-deps:
	scripts/install-system-deps.sh runtime

system-deps-test:
	scripts/install-system-deps.sh test

demo: system-deps $(VENV)/.installed
	$(BIN)/dhti demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check dhti tests benchmarks
	$(BIN)/ruff format --check dhti tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

test: system-deps-test lint typecheck
	$(BIN)/pytest

bench: system-deps $(VENV)/.installed
	$(BIN)/python benchmarks/score_bench.py
	$(BIN)/python benchmarks/report_bench.py

clean:
	rm -rf $(VENV) dist build dhti-demo .pytest_cache .mypy_cache .ruff_cache
