# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_FLAGS ?= -q --disable-pip-version-check

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

demo: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e .
	$(BIN)/matchmaker validate datasets/sample
	$(BIN)/matchmaker dispatch datasets/sample --out plans/sample --time-limit 10 --seed 1
	$(BIN)/matchmaker report plans/sample --out plans/sample/report.html

test: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/python -m pytest

lint: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx,bench]'
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf plans .pytest_cache .mypy_cache .ruff_cache
