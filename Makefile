# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_FLAGS ?= -q --disable-pip-version-check

.PHONY: demo test test-slow test-roads test-postgres lint bench sweep clean

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

# Minute-long randomised runs through the command line, left out of `make test` to keep it
# under ten minutes; CI runs them too (.ci/run).
test-slow: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/python -m pytest -m slow

# The tests that build and run real road engines (OSRM and Valhalla over a synthetic street
# grid, in Python 3.12 virtualenvs under .cache/road-engine). `make test` runs the OSRM
# ones; Valhalla's 250 MB wheel only here.
test-roads: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	MATCHMAKER_VALHALLA_TEST=1 $(BIN)/python -m pytest -m roads

# The store suite on PostgreSQL: a throwaway cluster from the OS package (initdb, pg_ctl;
# as root it runs as the system user `matchmaker`), psycopg from the `postgres` extra.
test-postgres: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx,postgres]'
	$(BIN)/python -m pytest -m postgres -rs

lint: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx,bench]'
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/engine.py

# Random generated rounds through every command (dispatch, verify, recommend, slots, replan,
# explain, report): any traceback, failed verify or overrun limit is a failure (~10 min).
sweep: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx,postgres]'
	$(BIN)/python benchmarks/sweep.py --cases 40

clean:
	rm -rf plans .pytest_cache .mypy_cache .ruff_cache .cache

# The HHCRSP benchmark (Mankowska et al. 2014; data in ../shared/benchmarks/hhcrsp_mankowska):
# one table of every instance into benchmarks/RESULTS.md (about 2 h with the default limits).
.PHONY: bench-hhcrsp
bench-hhcrsp: $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -e '.[test,xlsx]'
	$(BIN)/python benchmarks/hhcrsp.py --table --families ABCDEFG --time-limit 60 --efg-time-limit 120
