# Set-up:  make install && make report   (main job, offline, on the committed data)
#          make test                     (lint + tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
MIRROR ?= ../shared/data/upstream

.PHONY: install report refresh mirror test lint lock bench validate

install:  ## create .venv and install the locked dependencies + the package with dev extras
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .

report:  ## committed data -> charts + results/REPORT.md (offline)
	$(BIN)/aggregator report

refresh:  ## collect from the live sources, then report (the report is rebuilt even when collect goes red)
	$(BIN)/aggregator collect $(COLLECT_FLAGS); status=$$?; $(BIN)/aggregator report && exit $$status

mirror:  ## collect from a local mirror laid out as $(MIRROR)/<source>/, then report
	$(BIN)/aggregator collect --mirror $(MIRROR)
	$(BIN)/aggregator report

validate:  ## check configs/ without collecting
	$(BIN)/aggregator validate

lint:
	$(BIN)/ruff check aggregator tests

test: lint
	$(BIN)/pytest

lock:  ## update requirements.lock from pyproject.toml (pins every dependency exactly)
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

bench:  ## speed and memory targets (see bench/RESULTS.md)
	$(BIN)/python bench/run.py
