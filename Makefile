# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_FLAGS ?= -q --disable-pip-version-check

.PHONY: demo test test-roads lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

demo: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e .
	$(BIN)/matchmaker validate datasets/sample
	$(BIN)/matchmaker dispatch datasets/sample --out plans/sample --time-limit 10 --seed 1

test: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/python -m pytest

# Only the tests that build and run a real road engine (OSRM over a synthetic street grid,
# in a Python 3.12 virtualenv under .cache/road-engine); `make test` runs them too.
test-roads: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/python -m pytest -m roads

lint: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx,bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf plans .pytest_cache .mypy_cache .ruff_cache .cache
